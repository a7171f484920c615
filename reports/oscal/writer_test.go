package oscal_test

import (
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/oscal"
)

// The assertion lives in an external test package so that oscal does not
// import reports (a format registry in reports may import oscal).
var _ reports.Writer = oscal.OSCAL{}
