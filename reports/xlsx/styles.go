package xlsx

import (
	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

// styleFont is the font of a style and whether it wraps.
type styleFont struct {
	font
	wrap bool
}

// calibri names the font and its size: a style font without a name is
// drawn in the application's fallback (LibreOffice picks a serif), not in
// the workbook's Calibri.
func calibri(f excelize.Font) *excelize.Font {
	f.Family = "Calibri"
	if f.Size == 0 {
		f.Size = 11
	}
	return &f
}

// box is a thin border of one colour on all four sides.
func box(hex string) []excelize.Border {
	out := make([]excelize.Border, 0, 4)
	for _, side := range []string{"left", "right", "top", "bottom"} {
		out = append(out, excelize.Border{Type: side, Color: hex, Style: 1})
	}
	return out
}

func solid(hex string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{hex}}
}

func (b *book) styles() error {
	f := b.f
	var err error
	mk := func(s *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(s)
		return id
	}
	top := &excelize.Alignment{Vertical: "top"}
	wrapTop := &excelize.Alignment{Vertical: "top", WrapText: true}
	// Table cells have a light grid so adjacent values (a right-aligned
	// number, then text) stay apart on screen and on paper.
	grid := box("D0D7DE")
	b.sHeader = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid(reports.ColorNavy), Border: box("8FA3BF"), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.sHeaderNum = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid(reports.ColorNavy), Border: box("8FA3BF"), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center", WrapText: true}})
	b.sTitle = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Size: 16, Color: reports.ColorNavy}), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.sSub = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Size: 12, Color: reports.ColorNavy}), Alignment: &excelize.Alignment{Vertical: "bottom"}})
	b.sBold = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true}), Alignment: top})
	b.sHeadline = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true}), Alignment: wrapTop})
	b.sNote = mk(&excelize.Style{Font: calibri(excelize.Font{Italic: true, Color: reports.ColorMuted}), Alignment: wrapTop})
	b.sWrap = mk(&excelize.Style{Border: grid, Alignment: wrapTop})
	// #,##0: counts read 12,345; text in the same style is unaffected.
	b.sLink = mk(&excelize.Style{Font: calibri(excelize.Font{Color: "1F5FBF", Underline: "single"}), Border: grid, Alignment: top})
	b.sTop = mk(&excelize.Style{NumFmt: 3, Border: grid, Alignment: top})
	// Excel shows a boolean cell as TRUE/FALSE whatever its format;
	// LibreOffice shows 1/0 unless the format says otherwise.
	boolFmt := `"TRUE";"TRUE";"FALSE"`
	b.sBool = mk(&excelize.Style{CustomNumFmt: &boolFmt, Border: grid, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	dateFmt, dayFmt := "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
	b.sDate = mk(&excelize.Style{CustomNumFmt: &dateFmt, Border: grid, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	b.sDay = mk(&excelize.Style{CustomNumFmt: &dayFmt, Border: grid, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}})
	// Text format (@) for values a spreadsheet would read as a formula; the
	// quote prefix is set below (excelize's Style has no field for it).
	b.sText = mk(&excelize.Style{NumFmt: 49, Border: grid, Alignment: wrapTop})
	b.fonts = map[int]styleFont{
		b.sHeader:    {font{bold: true}, true},
		b.sHeaderNum: {font{bold: true}, true},
		b.sTitle:     {font{size: 16, bold: true}, true},
		b.sSub:       {font{size: 12, bold: true}, false},
		b.sHeadline:  {font{bold: true}, true},
		b.sNote:      {font{}, true},
		b.sWrap:      {font{}, true},
		b.sText:      {font{}, true},
	}
	b.status = map[checks.Status]int{}
	// Ordered slices, not map literals: style ids must not depend on map order.
	for _, st := range []checks.Status{checks.Pass, checks.Fail, checks.Waived, checks.NotAssessed, checks.Manual, checks.NotApplicable} {
		hex := reports.StatusColor(st)
		b.status[st] = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid(hex), Border: grid, Alignment: top})
	}
	b.severity = map[checks.Severity]int{}
	b.cfSeverity = map[checks.Severity]int{}
	for _, sv := range []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low} {
		hex := reports.SeverityColor(sv)
		b.severity[sv] = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: hex}), Border: grid, Alignment: top})
		if err == nil {
			b.cfSeverity[sv], err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: solid(hex)})
		}
	}
	if err == nil {
		b.cfAAL1, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: reports.StatusColor(checks.Fail)}, Fill: solid("FDECEA")})
	}
	if err != nil {
		return err
	}
	if b.sText < len(f.Styles.CellXfs.Xf) {
		quote := true
		f.Styles.CellXfs.Xf[b.sText].QuotePrefix = &quote
	}
	return nil
}

// cellStyle is the style of a table cell holding v written without one:
// bordered, top-aligned, wrapped in a wrapping column, TRUE/FALSE for a
// boolean.
func (b *book) cellStyle(v any, wrap bool) int {
	switch {
	case isBool(v):
		return b.sBool
	case wrap:
		return b.sWrap
	}
	return b.sTop
}

func isBool(v any) bool {
	_, ok := v.(bool)
	return ok
}

func (b *book) statusCell(st checks.Status) any {
	if id, ok := b.status[st]; ok {
		return styled(id, string(st))
	}
	return b.str(string(st))
}

func (b *book) severityCell(sv checks.Severity) any {
	if id, ok := b.severity[sv]; ok {
		return styled(id, string(sv))
	}
	return b.str(string(sv))
}

func (b *book) severityRules() []excelize.ConditionalFormatOptions {
	var out []excelize.ConditionalFormatOptions
	for _, sv := range []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low} {
		id := b.cfSeverity[sv]
		out = append(out, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + string(sv) + `"`, Format: &id})
	}
	return out
}
