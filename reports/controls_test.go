package reports

import (
	"testing"

	"github.com/shadowpath/shadowpath/checks"
)

// The two ways a check's controls are printed: one XLSX cell (and OSCAL
// remarks) per control label, and the PDF's grouped line.
func TestControlsText(t *testing.T) {
	cs := []checks.Control{
		{Framework: checks.FwNIST63B, ID: "2.2.1", Interpretive: true},
		{Framework: checks.FwNIST63B, ID: "2.3.1"},
		{Framework: checks.FwCSF, ID: "PR.AA-03"},
	}
	if got, want := ControlsList(cs), "NIST SP 800-63B-4 2.2.1 (supports the intent of); NIST SP 800-63B-4 2.3.1; NIST CSF 2.0 PR.AA-03"; got != want {
		t.Errorf("ControlsList = %q, want %q", got, want)
	}
	refs := []ControlRef{
		{Framework: checks.FwNIST63B, ID: "2.2.1", Relation: RelIntent},
		{Framework: checks.FwNIST63B, ID: "2.3.1", Relation: RelImplements},
		{Framework: checks.FwNIST63B, ID: "4.1.3", Relation: RelImplements},
		{Framework: checks.FwCSF, ID: "PR.AA-03", Relation: RelImplements},
		{Framework: "ISO 27001", ID: "A.5.17", Relation: RelImplements},
	}
	if got, want := ControlsText(refs), "NIST SP 800-63B-4 2.3.1, 4.1.3 · supports the intent of NIST SP 800-63B-4 2.2.1 · NIST CSF 2.0 PR.AA-03 · ISO 27001 A.5.17"; got != want {
		t.Errorf("ControlsText = %q, want %q", got, want)
	}
}
