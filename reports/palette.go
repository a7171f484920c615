package reports

import "github.com/shadowpath/shadowpath/checks"

// The palette: one colour per meaning, shared by the PDF and the XLSX so
// that a status, a severity or a chart series looks the same in both. Hex
// RGB as Excel takes it; the PDF converts. Colours that only lay out a
// page (rules, zebra rows, tints) stay with their writer.
const (
	ColorNavy    = "1F3A5F" // headings, table headers, the first series
	ColorSecond  = "569CD6" // the second series
	ColorThird   = "78909C" // the third series
	ColorNominal = "9CA3AF" // nominal AAL beside effective AAL
	ColorMuted   = "6B7280" // notes and anything without a meaning of its own
)

// StatusColor is the colour of a check status.
func StatusColor(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "2E7D32"
	case checks.Fail:
		return "C62828"
	case checks.Waived:
		return "6A1B9A"
	case checks.NotAssessed:
		return "E66C00"
	case checks.Manual:
		return "1565C0"
	}
	return "757575" // not applicable, and any status added later
}

// SeverityColor is the colour of a severity.
func SeverityColor(s checks.Severity) string {
	switch s {
	case checks.Critical:
		return "7F1D1D"
	case checks.High:
		return "C62828"
	case checks.Medium:
		return "E68F00"
	case checks.Low:
		return "558B2F"
	}
	return ColorMuted
}

// TrendColors colour the trend's series: failing findings, critical
// findings, privileged accounts with a weak fallback.
var TrendColors = []string{StatusColor(checks.Fail), SeverityColor(checks.Critical), ColorSecond}
