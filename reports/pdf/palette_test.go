package pdf

import (
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
)

// The PDF draws the shared palette's colours (the XLSX uses the hex as is).
func TestHexRGB(t *testing.T) {
	for _, tc := range []struct {
		hex  string
		want rgb
	}{
		{reports.StatusColor(checks.Fail), rgb{198, 40, 40}},
		{reports.SeverityColor(checks.Critical), rgb{127, 29, 29}},
		{reports.ColorNavy, rgb{31, 58, 95}},
		{"FFFFFF", rgb{255, 255, 255}},
		{"nothex", rgb{117, 117, 117}},
		{"1F3A5F00", rgb{117, 117, 117}},
	} {
		if got := hexRGB(tc.hex); got != tc.want {
			t.Errorf("hexRGB(%q) = %v, want %v", tc.hex, got, tc.want)
		}
	}
}
