// Package xlsx renders shadowpath-report.xlsx: the workbook that holds every
// row the PDF summarizes (every check entry, finding and account) plus the
// control matrix, waivers, drift, the trend across kept runs and evidence. The Findings and Identities
// sheets are written with excelize's StreamWriter so 100k+ accounts stay in
// bounded memory.
//
// No cell is ever a formula built from user data: values that a spreadsheet
// would read as a formula (leading =, +, -, @, tab or CR) are written as
// strings with a text, quote-prefixed style.
//
// Layout: table cells carry a light border and are top-aligned; text
// columns wrap and every row's height is set from an estimate of its
// wrapped line count (spreadsheets do not grow rows for wrapped text on
// open). Long sentences span the sheet in merged, wrapped cells. Every
// sheet prints one page wide (landscape when wide, the Summary portrait)
// with its table header repeated on each page and a header and footer
// naming the organisation, sheet, classification and page. Counts are
// numbers (#,##0), times and dates are date cells.
package xlsx

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates"
)

// Options configure the XLSX writer.
type Options struct {
	// Templates supplies the narrative text; nil means the embedded set.
	Templates *templates.Set
	// Organization overrides the organisation named in the workbook.
	Organization string
}

// XLSX writes shadowpath-report.xlsx.
type XLSX struct {
	opts Options
}

var _ reports.Writer = (*XLSX)(nil)

// New returns an XLSX writer.
func New(opts Options) *XLSX { return &XLSX{opts: opts} }

// Format implements reports.Writer.
func (*XLSX) Format() string { return "xlsx" }

// Filename implements reports.Writer.
func (*XLSX) Filename() string { return "shadowpath-report.xlsx" }

// Sheet names, in workbook order.
const (
	SheetSummary   = "Summary"
	SheetChecks    = "Checks"
	SheetFindings  = "Findings"
	SheetIdentity  = "Identities"
	SheetPaths     = "Access paths"
	SheetRecovery  = "Recovery events"
	SheetWorkloads = "Workload identities"
	SheetActions   = "Action plan"
	SheetControls  = "Controls"
	SheetWaivers   = "Waivers"
	SheetDrift     = "Drift"
	SheetTrend     = "Trend"
	SheetEvidence  = "Evidence"
)

// Write implements reports.Writer.
func (x *XLSX) Write(ctx context.Context, w io.Writer, r *checks.Results) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := reports.BuildView(r, reports.ViewOptions{Organization: x.opts.Organization, Templates: x.opts.Templates})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, r: r, v: v}
	if err := b.styles(); err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{SheetSummary, b.summary},
		{SheetChecks, b.checks},
		{SheetFindings, b.findings},
		{SheetIdentity, b.identities},
		{SheetPaths, b.paths},
		{SheetRecovery, b.recovery},
		{SheetWorkloads, b.workloads},
		{SheetActions, b.actions},
		{SheetControls, b.controls},
		{SheetWaivers, b.waivers},
		{SheetDrift, b.drift},
		{SheetTrend, b.trend},
		{SheetEvidence, b.evidence},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.fn(); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", s.name, err)
		}
	}
	f.SetActiveSheet(0)
	scan := r.GeneratedAt.UTC()
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Shadow login path assessment: " + v.Cover.Organization,
		Subject:        "Backup MFA and account recovery review",
		Creator:        v.Cover.Tool,
		LastModifiedBy: v.Cover.Tool,
		Description:    "Generated from results.json schema " + r.SchemaVersion,
		Keywords:       "shadowpath; NIST SP 800-63B-4; NIST CSF 2.0; OWASP NHI Top 10",
		Category:       v.Cover.Classification,
		Created:        scan.Format(time.RFC3339),
		Modified:       scan.Format(time.RFC3339),
		Language:       "en-GB",
	}); err != nil {
		return fmt.Errorf("xlsx: doc props: %w", err)
	}
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newSortedZip(w, scan) })
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

type book struct {
	f *excelize.File
	r *checks.Results
	v *reports.View

	sHeader, sHeaderNum, sTitle, sSub, sText, sWrap, sBold, sDate, sDay, sNote, sHeadline, sTop, sBool, sLink int
	status                                                                                                    map[checks.Status]int
	severity                                                                                                  map[checks.Severity]int
	cfSeverity                                                                                                map[checks.Severity]int
	cfAAL1                                                                                                    int
	// fonts holds, for the styles that wrap or use a larger font, what the
	// row height estimate needs.
	fonts map[int]styleFont
}

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
	b.sHeader = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid("1F3A5F"), Border: box("8FA3BF"), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.sHeaderNum = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid("1F3A5F"), Border: box("8FA3BF"), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center", WrapText: true}})
	b.sTitle = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Size: 16, Color: "1F3A5F"}), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.sSub = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Size: 12, Color: "1F3A5F"}), Alignment: &excelize.Alignment{Vertical: "bottom"}})
	b.sBold = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true}), Alignment: top})
	b.sHeadline = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true}), Alignment: wrapTop})
	b.sNote = mk(&excelize.Style{Font: calibri(excelize.Font{Italic: true, Color: "6B7280"}), Alignment: wrapTop})
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
	for _, x := range []struct {
		st  checks.Status
		hex string
	}{{checks.Pass, "2E7D32"}, {checks.Fail, "C62828"}, {checks.Waived, "6A1B9A"}, {checks.NotAssessed, "E66C00"}, {checks.Manual, "1565C0"}, {checks.NotApplicable, "757575"}} {
		st, hex := x.st, x.hex
		b.status[st] = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: "FFFFFF"}), Fill: solid(hex), Border: grid, Alignment: top})
	}
	b.severity = map[checks.Severity]int{}
	b.cfSeverity = map[checks.Severity]int{}
	for _, x := range []struct {
		sv  checks.Severity
		hex string
	}{{checks.Critical, "7F1D1D"}, {checks.High, "C62828"}, {checks.Medium, "E68F00"}, {checks.Low, "558B2F"}} {
		sv, hex := x.sv, x.hex
		b.severity[sv] = mk(&excelize.Style{Font: calibri(excelize.Font{Bold: true, Color: hex}), Border: grid, Alignment: top})
		if err == nil {
			b.cfSeverity[sv], err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: solid(hex)})
		}
	}
	if err == nil {
		b.cfAAL1, err = f.NewConditionalStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C62828"}, Fill: solid("FDECEA")})
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

// risky reports whether a spreadsheet would read s as a formula or strip its
// first character.
func risky(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return true
	}
	return false
}

// str is a user-data string cell: never a formula, text-styled when risky.
func (b *book) str(s string) any {
	if risky(s) {
		return excelize.Cell{StyleID: b.sText, Value: s}
	}
	return s
}

// styled wraps a value with a style.
func styled(style int, v any) excelize.Cell { return excelize.Cell{StyleID: style, Value: v} }

// sheet is a non-streamed sheet being filled row by row.
type sheet struct {
	b    *book
	name string
	row  int
	// cols are the column widths from A; wrap marks the columns whose
	// unstyled cells wrap (their column style).
	cols []float64
	wrap []bool
}

func (b *book) newSheet(name string) (*sheet, error) {
	if name == SheetSummary {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	return &sheet{b: b, name: name, row: 1}, nil
}

// measure records in fit the height a cell needs: its own style's font
// when the style is one the estimate knows, else the column's wrapping.
func (b *book) measure(fit *rowFit, width float64, colWraps bool, style int, v any) {
	text, ok := cellText(v)
	if !ok {
		return
	}
	if sf, ok := b.fonts[style]; ok {
		if sf.wrap {
			fit.add(text, width, sf.font)
		} else {
			fit.add("x", width, sf.font)
		}
		return
	}
	if style == 0 && colWraps {
		fit.add(text, width, font{})
	}
}

// width is column i's width and whether its unstyled cells wrap.
func (s *sheet) width(i int) (float64, bool) {
	if i >= len(s.cols) {
		return 8.43, false // the default column width
	}
	return s.cols[i], i < len(s.wrap) && s.wrap[i]
}

// put writes one row of values (excelize.Cell for styled cells) at the
// current row, sets the row's height when wrapped text or a larger font
// needs it, and advances.
func (s *sheet) put(vals ...any) error {
	var fit rowFit
	for i, v := range vals {
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			return err
		}
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		w, wraps := s.width(i)
		if style == 0 && s.wrap != nil {
			style = s.b.cellStyle(v, wraps)
		}
		if v != nil {
			if err := s.b.f.SetCellValue(s.name, cell, v); err != nil {
				return err
			}
		}
		if style != 0 {
			if err := s.b.f.SetCellStyle(s.name, cell, cell, style); err != nil {
				return err
			}
		}
		s.b.measure(&fit, w, wraps, style, v)
	}
	if err := s.height(fit); err != nil {
		return err
	}
	s.row++
	return nil
}

func (s *sheet) height(fit rowFit) error {
	if fit.height == 0 {
		return nil
	}
	return s.b.f.SetRowHeight(s.name, s.row, fit.height)
}

// para writes text across the first span columns (merged, wrapped) with a
// row height that fits it, and advances.
func (s *sheet) para(style int, text string, span int) error {
	if risky(text) {
		style = s.b.sText
	}
	first, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(span, s.row)
	if err != nil {
		return err
	}
	if span > 1 {
		if err := s.b.f.MergeCell(s.name, first, last); err != nil {
			return err
		}
	}
	if err := s.b.f.SetCellValue(s.name, first, text); err != nil {
		return err
	}
	if err := s.b.f.SetCellStyle(s.name, first, last, style); err != nil {
		return err
	}
	total := 0.0
	for i := range span {
		w, _ := s.width(i)
		total += w
	}
	var fit rowFit
	s.b.measure(&fit, total, false, style, text)
	if err := s.height(fit); err != nil {
		return err
	}
	s.row++
	return nil
}

// spanLast writes a row whose last value is merged across the columns up
// to span (it wraps in that width), and advances.
func (s *sheet) spanLast(span int, vals ...any) error {
	n := len(vals)
	if n == 0 || n >= span {
		return s.put(vals...)
	}
	first, err := excelize.CoordinatesToCellName(n, s.row)
	if err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(span, s.row)
	if err != nil {
		return err
	}
	if err := s.b.f.MergeCell(s.name, first, last); err != nil {
		return err
	}
	merged := append([]float64(nil), s.cols...)
	for len(merged) < span {
		merged = append(merged, 8.43)
	}
	w := 0.0
	for _, x := range merged[n-1 : span] {
		w += x
	}
	saved := s.cols
	s.cols = append(merged[:n-1:n-1], w)
	err = s.put(vals...)
	s.cols = saved
	if err != nil {
		return err
	}
	if c, ok := vals[n-1].(excelize.Cell); ok && c.StyleID != 0 {
		// The merged cells carry the style too (fill, borders).
		return s.b.f.SetCellStyle(s.name, first, last, c.StyleID)
	}
	return nil
}

// header writes a header row in the header style.
func (s *sheet) header(titles ...string) error {
	vals := make([]any, len(titles))
	for i, t := range titles {
		vals[i] = styled(s.b.sHeader, t)
	}
	return s.put(vals...)
}

// numHeader right-aligns, in the header row just written, the titles of
// the columns (0-based) that hold numbers, so each title sits over its
// figures.
func (s *sheet) numHeader(cols ...int) error {
	for _, c := range cols {
		cell, err := excelize.CoordinatesToCellName(c+1, s.row-1)
		if err != nil {
			return err
		}
		if err := s.b.f.SetCellStyle(s.name, cell, cell, s.b.sHeaderNum); err != nil {
			return err
		}
	}
	return nil
}

func (s *sheet) skip(n int) { s.row += n }

// widths sets column widths from A, for sheets that hold several tables
// (their cells carry their own styles).
func (s *sheet) widths(ws ...float64) error {
	s.cols = append([]float64(nil), ws...)
	for i, w := range ws {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := s.b.f.SetColWidth(s.name, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

// column is one column of a table sheet: its width and whether its text
// wraps.
type column struct {
	w    float64
	wrap bool
}

func col(w float64) column  { return column{w: w} }
func wcol(w float64) column { return column{w: w, wrap: true} }

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

func widthsOf(cs []column) []float64 {
	ws := make([]float64, len(cs))
	for i, c := range cs {
		ws[i] = c.w
	}
	return ws
}

// columns sets the widths of a one-table sheet and which columns wrap:
// put gives every cell written without a style the table cell style
// (bordered, top-aligned; wrapped in a wrapping column).
func (s *sheet) columns(cs ...column) error {
	if err := s.widths(widthsOf(cs)...); err != nil {
		return err
	}
	s.wrap = make([]bool, len(cs))
	for i, c := range cs {
		s.wrap[i] = c.wrap
	}
	return nil
}

// noGrid hides the gridlines on screen: on a sheet of several bordered
// tables and notes they are only noise.
func (s *sheet) noGrid() error {
	off := false
	return s.b.f.SetSheetView(s.name, 0, &excelize.ViewOptions{ShowGridLines: &off})
}

// print sets the sheet's page setup (see pageSetup); titleRow is the
// header row repeated on every page, 0 for none; orientation "" chooses
// from the width.
func (s *sheet) print(titleRow int, orientation string) error {
	if err := s.b.fitToPage(s.name); err != nil {
		return err
	}
	return s.b.pageSetup(s.name, printSetup{widths: s.cols, titleRow: titleRow, orientation: orientation})
}

// filter finishes a header-plus-rows table: autofilter on the header,
// frozen panes below it and the page setup with the header as print title.
func (s *sheet) filter(headerRow, cols, lastRow int) error {
	if lastRow <= headerRow {
		lastRow = headerRow + 1
	}
	last, err := excelize.CoordinatesToCellName(cols, lastRow)
	if err != nil {
		return err
	}
	first, _ := excelize.CoordinatesToCellName(1, headerRow)
	if err := s.b.f.AutoFilter(s.name, first+":"+last, nil); err != nil {
		return err
	}
	if err := s.freeze(headerRow); err != nil {
		return err
	}
	return s.print(headerRow, "")
}

func (s *sheet) freeze(headerRow int) error {
	top, _ := excelize.CoordinatesToCellName(1, headerRow+1)
	return s.b.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"})
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

func controlsText(cs []checks.Control) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Framework + " " + c.ID
		if c.Interpretive {
			parts[i] += " (supports the intent of)"
		}
	}
	return strings.Join(parts, "; ")
}

// Summary layout: columns A (labels and risk text) to H, narrow enough to
// print portrait; the two charts sit side by side under the key figures
// (one over A..C, one over D..H), over rows left empty for them.
var summaryCols = []float64{42, 10, 20, 11, 11, 11, 11, 11}

const (
	summarySpan   = 8   // columns A..H
	summaryChartH = 300 // chart height in excelize pixels
)

// anchorPx is the width excelize gives columns when it anchors a chart:
// 8 px per width unit (Excel draws 7, so the chart is drawn a little
// narrower than its nominal width but stays over the same cells).
func anchorPx(ws []float64) int {
	px := 0
	for _, w := range ws {
		px += int(w*8 + 0.5)
	}
	return px
}

// chartRows is how many default rows to leave empty under a chart h pixels
// tall. excelize anchors a chart to cells counting a default row as 18 px
// (where Excel draws 20 px), so the chart covers about h/18 rows; one more
// keeps a gap.
func chartRows(h int) int { return (h+17)/18 + 1 }

// seq is from, from+1, …, to-1.
func seq(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// axis is a chart axis with a title and dark labels (LibreOffice draws
// unstyled axis labels light grey).
func axis(title string, grid bool) excelize.ChartAxis {
	return excelize.ChartAxis{
		MajorGridLines: grid,
		Font:           excelize.Font{Color: "404040", Size: 9},
		Title:          excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Color: "404040", Size: 9, Bold: true}}}},
	}
}

// chartTitle is a chart title in the report's heading colour.
func chartTitle(t string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t, Font: &excelize.Font{Color: "1F3A5F", Size: 12, Bold: true}}}}
}

func (b *book) summary() error {
	s, err := b.newSheet(SheetSummary)
	if err != nil {
		return err
	}
	v := b.v
	if err := s.widths(summaryCols...); err != nil {
		return err
	}
	// Cells written without a style get the table cell style.
	s.wrap = make([]bool, len(summaryCols))
	if err := s.noGrid(); err != nil {
		return err
	}
	if err := s.para(b.sTitle, v.Cover.Title+": "+v.Cover.Organization, summarySpan); err != nil {
		return err
	}
	if err := s.para(b.sNote, fmt.Sprintf("%s · generated %s by %s · audit window %s", v.Cover.Classification, v.Cover.ScanTime.Format("2006-01-02 15:04 UTC"), v.Cover.Tool, v.Cover.AuditWindow), summarySpan); err != nil {
		return err
	}
	s.skip(1)
	if err := s.para(b.sHeadline, v.Summary.Headline, summarySpan); err != nil {
		return err
	}
	if v.Summary.Trend != "" {
		if err := s.para(b.sNote, "Trend: "+v.Summary.Trend+" (Trend sheet)", summarySpan); err != nil {
			return err
		}
	}
	for _, line := range v.Summary.Incomplete {
		if err := s.para(b.sNote, "Not read in full: "+line, summarySpan); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := s.put(styled(b.sSub, "Key figures")); err != nil {
		return err
	}
	sm := v.Summary
	for _, kv := range []struct {
		k string
		n int
	}{
		{"Accounts assessed", sm.Accounts},
		{"Effective AAL below nominal AAL", sm.GapAccounts},
		{"Privileged accounts", sm.Privileged},
		{"Privileged accounts with a weak fallback", sm.PrivilegedWeak.Count},
		{"Checks: pass", sm.Checks.Pass},
		{"Checks: fail", sm.Checks.Fail},
		{"Checks: waived", sm.Checks.Waived},
		{"Checks: not assessed", sm.Checks.NotAssessed},
		{"Checks: manual", sm.Checks.Manual},
		{"Checks: not applicable", sm.Checks.NotApplicable},
	} {
		if err := s.put(kv.k, kv.n); err != nil {
			return err
		}
	}
	s.skip(1)
	chartRow := s.row
	s.skip(chartRows(summaryChartH))

	// Chart data tables, then the native charts that reference them.
	fb := v.Charts.FindingsBySeverity
	if err := s.put(styled(b.sSub, "Chart data: "+lowerFirst(fb.Title))); err != nil {
		return err
	}
	hdr := []string{fb.XLabel}
	for _, ser := range fb.Series {
		hdr = append(hdr, ser.Name)
	}
	if err := s.header(hdr...); err != nil {
		return err
	}
	if err := s.numHeader(seq(1, len(hdr))...); err != nil {
		return err
	}
	fbFirst := s.row
	for i, cat := range fb.Categories {
		row := []any{cat}
		for _, ser := range fb.Series {
			row = append(row, ser.Values[i])
		}
		if err := s.put(row...); err != nil {
			return err
		}
	}
	fbLast := s.row - 1
	s.skip(1)
	aal := v.Charts.AAL
	if err := s.put(styled(b.sSub, "Chart data: "+lowerFirst(aal.Title))); err != nil {
		return err
	}
	hdr = []string{aal.XLabel}
	for _, ser := range aal.Series {
		hdr = append(hdr, ser.Name)
	}
	if err := s.header(hdr...); err != nil {
		return err
	}
	if err := s.numHeader(seq(1, len(hdr))...); err != nil {
		return err
	}
	aalFirst := s.row
	for i, cat := range aal.Categories {
		row := []any{cat}
		for _, ser := range aal.Series {
			row = append(row, ser.Values[i])
		}
		if err := s.put(row...); err != nil {
			return err
		}
	}
	aalLast := s.row - 1
	s.skip(1)

	if err := s.put(styled(b.sSub, "Framework controls by status")); err != nil {
		return err
	}
	if err := s.header("Framework", "Controls", "Fail", "Not assessed", "Manual", "Waived", "Pass", "N/A"); err != nil {
		return err
	}
	if err := s.numHeader(seq(1, 8)...); err != nil {
		return err
	}
	for _, fw := range sm.Frameworks {
		if err := s.put(fw.Framework, fw.Controls, fw.Fail, fw.NotAssessed, fw.Manual, fw.Waived, fw.Pass, fw.NotApplicable); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := s.put(styled(b.sSub, "Top risks")); err != nil {
		return err
	}
	if err := s.header("Risk", "Check", "Provider", "Severity", "Open findings"); err != nil {
		return err
	}
	if err := s.numHeader(4); err != nil {
		return err
	}
	for _, rk := range sm.TopRisks {
		if err := s.put(styled(b.sWrap, rk.Text), styled(b.sTop, rk.CheckID), styled(b.sWrap, rk.ProviderName), b.severityCell(rk.Severity), styled(b.sTop, rk.Affected)); err != nil {
			return err
		}
	}
	if d := sm.Drift; d != nil {
		s.skip(1)
		if err := s.put(styled(b.sSub, "Change since the baseline of "+d.Baseline.Format("2006-01-02"))); err != nil {
			return err
		}
		for _, kv := range []struct {
			k string
			n int
		}{{"New findings", d.New}, {"Resolved findings", d.Resolved}, {"Still failing", d.StillFailing}, {"Checks that changed status", d.Changed}, {"Accounts whose effective AAL went down", d.AALDowngrades}} {
			if err := s.put(kv.k, kv.n); err != nil {
				return err
			}
		}
	}

	if err := b.contents(s); err != nil {
		return err
	}

	series := func(c reports.Chart, first, last int) []excelize.ChartSeries {
		var out []excelize.ChartSeries
		colors := []string{"1F3A5F", "569CD6", "78909C"}
		if !c.Stacked {
			colors = []string{"9CA3AF", "1F3A5F"}
		}
		for i := range c.Series {
			col, _ := excelize.ColumnNumberToName(i + 2)
			out = append(out, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$%s$%d", SheetSummary, col, first-1),
				Categories: fmt.Sprintf("'%s'!$A$%d:$A$%d", SheetSummary, first, last),
				Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetSummary, col, first, col, last),
				Fill:       solid(colors[i%len(colors)]),
			})
		}
		return out
	}
	if err := b.f.AddChart(SheetSummary, fmt.Sprintf("A%d", chartRow), &excelize.Chart{
		Type: excelize.ColStacked, Series: series(fb, fbFirst, fbLast),
		Title: chartTitle(fb.Title), Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:     axis(fb.XLabel, false),
		YAxis:     axis(fb.YLabel, true),
		Dimension: excelize.ChartDimension{Width: uint(anchorPx(summaryCols[:3]) - 16), Height: summaryChartH},
	}); err != nil {
		return err
	}
	if err := b.f.AddChart(SheetSummary, fmt.Sprintf("D%d", chartRow), &excelize.Chart{
		Type: excelize.Col, Series: series(aal, aalFirst, aalLast),
		Title: chartTitle(aal.Title), Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:     axis(aal.XLabel, false),
		YAxis:     axis(aal.YLabel, true),
		Dimension: excelize.ChartDimension{Width: uint(anchorPx(summaryCols[3:]) - 8), Height: summaryChartH},
	}); err != nil {
		return err
	}
	return s.print(0, "portrait")
}

// contents lists the other sheets, each linked, with what it holds.
func (b *book) contents(s *sheet) error {
	s.skip(1)
	if err := s.put(styled(b.sSub, "Sheets in this workbook")); err != nil {
		return err
	}
	for _, x := range []struct {
		sheet, what string
		present     bool
	}{
		{SheetChecks, "Every check for every provider: status, severity, mapped controls, finding counts and rationale.", true},
		{SheetFindings, "Every finding: subject, message, evidence and any waiver.", true},
		{SheetIdentity, "Every account assessed: methods, nominal and effective AAL, weakest path and the rule that decides it.", true},
		{SheetPaths, "Every access path of every account (at most 8 each, weakest first): proofs, AAL, context and the deciding policies.", true},
		{SheetRecovery, "Resets and recovery events behind the REC-06 and REC-07 findings.", true},
		{SheetWorkloads, "Workload identities behind the NHI findings.", true},
		{SheetActions, "The remediation plan: each change, where to make it, its measured effect, side effects, owner and a due date to set.", true},
		{SheetControls, "Each framework control, its status and the checks mapped to it, per provider.", true},
		{SheetWaivers, "Accepted risks: owner, approver, ticket and expiry.", true},
		{SheetDrift, "What changed since the baseline run.", b.r.Drift != nil},
		{SheetTrend, "Figures across the kept runs, with a chart.", b.v.Trend != nil},
		{SheetEvidence, "What was read and what could not be, exclusions, thresholds, manual checks and warnings.", true},
	} {
		if !x.present {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, s.row)
		if err != nil {
			return err
		}
		if err := s.spanLast(summarySpan, styled(b.sLink, x.sheet), styled(b.sWrap, x.what)); err != nil {
			return err
		}
		if err := b.f.SetCellHyperLink(SheetSummary, cell, fmt.Sprintf("'%s'!A1", x.sheet), "Location"); err != nil {
			return err
		}
	}
	return nil
}

// lowerFirst lower-cases the first letter of a title used inside a sentence.
func lowerFirst(t string) string {
	r, n := utf8.DecodeRuneInString(t)
	if n == 0 {
		return t
	}
	return string(unicode.ToLower(r)) + t[n:]
}

func (b *book) checks() error {
	s, err := b.newSheet(SheetChecks)
	if err != nil {
		return err
	}
	if err := s.columns(col(9), col(9), wcol(34), col(15), col(11), col(10), wcol(40), col(9), col(8), col(8), wcol(60)); err != nil {
		return err
	}
	if err := s.header("Check", "Provider", "Title", "Status", "Incomplete", "Severity", "Controls", "Findings", "Open", "Waived", "Rationale"); err != nil {
		return err
	}
	if err := s.numHeader(7, 8, 9); err != nil {
		return err
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		open := 0
		for _, f := range c.Findings {
			if reports.IsOpen(f) {
				open++
			}
		}
		if err := s.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.statusCell(c.Status), c.Incomplete, b.severityCell(reports.EffectiveSeverity(c)),
			b.str(controlsText(c.Controls)), len(c.Findings), open, len(c.Findings)-open, b.str(c.Rationale)); err != nil {
			return err
		}
	}
	return s.filter(1, 11, s.row-1)
}

// stream is a streamed sheet.
type stream struct {
	b    *book
	sw   *excelize.StreamWriter
	row  int
	cols []column
}

// newStream starts a streamed one-table sheet: column widths and styles
// (top-aligned, wrapped where asked), page setup, frozen header row.
func (b *book) newStream(name string, cols []column, header []string) (*stream, error) {
	if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	// sheetPr is written when the stream writer is created.
	if err := b.fitToPage(name); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := b.pageSetup(name, printSetup{widths: widthsOf(cols), titleRow: 1}); err != nil {
		return nil, err
	}
	st := &stream{b: b, sw: sw, row: 1, cols: cols}
	vals := make([]any, len(header))
	for i, h := range header {
		vals[i] = styled(b.sHeader, h)
	}
	return st, st.put(vals...)
}

func (st *stream) put(vals ...any) error {
	cell, err := excelize.CoordinatesToCellName(1, st.row)
	if err != nil {
		return err
	}
	var fit rowFit
	for i, v := range vals {
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		w, wraps := 8.43, false
		if i < len(st.cols) {
			w, wraps = st.cols[i].w, st.cols[i].wrap
		}
		if style == 0 {
			style = st.b.cellStyle(v, wraps)
			vals[i] = excelize.Cell{StyleID: style, Value: v}
		}
		st.b.measure(&fit, w, wraps, style, v)
	}
	st.row++
	if fit.height > 0 {
		return st.sw.SetRow(cell, vals, excelize.RowOpts{Height: fit.height})
	}
	return st.sw.SetRow(cell, vals)
}

// finish sets the autofilter and conditional formats (they must exist before
// Flush; excelize drops them afterwards) and flushes.
func (st *stream) finish(name string, cols int, cf map[string][]excelize.ConditionalFormatOptions) error {
	last := max(st.row-1, 2)
	end, err := excelize.CoordinatesToCellName(cols, last)
	if err != nil {
		return err
	}
	if err := st.b.f.AutoFilter(name, "A1:"+end, nil); err != nil {
		return err
	}
	keys := make([]string, 0, len(cf))
	for k := range cf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, col := range keys {
		if err := st.b.f.SetConditionalFormat(name, fmt.Sprintf("%s2:%s%d", col, col, last), cf[col]); err != nil {
			return err
		}
	}
	return st.sw.Flush()
}

func (b *book) severityRules() []excelize.ConditionalFormatOptions {
	var out []excelize.ConditionalFormatOptions
	for _, sv := range []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low} {
		id := b.cfSeverity[sv]
		out = append(out, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + string(sv) + `"`, Format: &id})
	}
	return out
}

func (b *book) findings() error {
	st, err := b.newStream(SheetFindings, []column{col(9), col(9), wcol(30), col(14), col(10), wcol(10), col(40), wcol(28), wcol(48), wcol(56), wcol(16), wcol(22), wcol(22), col(12), col(9),
		col(17), col(15), col(30), col(10), col(40), col(60), col(22), col(12)},
		[]string{"Check", "Provider", "Check title", "Check status", "Severity", "Subject type", "Subject ID", "Subject name", "Message", "Evidence", "Waiver", "Waiver owner", "Waiver approver", "Waiver expires", "Waiver expired",
			"Finding ID", "Finding status", "Login", "Privileged", "Mapped controls", "Remediation", "Owner", "Due"})
	if err != nil {
		return err
	}
	remediation := map[string]string{} // check\x00provider → text
	for _, sec := range b.v.Findings {
		for _, p := range sec.Providers {
			remediation[sec.CheckID+"\x00"+p.Provider] = cmp.Or(p.Remediation, sec.Remediation)
		}
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			var wl, wo, wa, we any
			var wx any
			status := "open"
			if w := f.Waiver; w != nil {
				wl, wo, wa, we, wx = b.str(reports.WaiverLabel(w)), b.str(w.Owner), b.str(w.ApprovedBy), b.day(w.Expires), w.Expired
				status = "waived"
				if w.Expired {
					status = "waiver expired"
				}
			}
			login, _ := f.Evidence["login"].(string)
			priv, _ := f.Evidence["privileged"].(bool)
			id := f.ID
			if id == "" {
				id = checks.FindingID(c.ID, c.Provider, f.Subject)
			}
			if err := st.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.str(string(c.Status)), b.str(string(reports.FindingSeverity(c, f))),
				b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message), b.str(reports.EvidenceText(f.Evidence, 0)),
				wl, wo, wa, we, wx,
				b.str(id), b.str(status), b.str(login), priv, b.str(controlsText(c.Controls)), b.str(remediation[c.ID+"\x00"+c.Provider]), b.str(""), b.str("")); err != nil {
				return err
			}
		}
	}
	return st.finish(SheetFindings, 23, map[string][]excelize.ConditionalFormatOptions{"E": b.severityRules()})
}

func (b *book) identities() error {
	st, err := b.newStream(SheetIdentity, []column{col(9), col(40), wcol(28), wcol(32), col(10), col(10), col(10), wcol(30), col(9), col(9), wcol(30), wcol(34),
		wcol(28), col(16), col(18), col(10)},
		[]string{"Provider", "ID", "Name", "Login", "User type", "Privileged", "Service account", "Methods", "Nominal AAL", "Effective AAL", "Weakest path", "Weakest path decided by",
			"Roles", "Status", "Last sign-in", "Open findings"})
	if err != nil {
		return err
	}
	// Open findings per account; rows sorted by name (a reader looks
	// people up by name; the id is beside it).
	open := map[string]int{}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			if f.Subject.Type == "user" && reports.IsOpen(f) {
				open[c.Provider+"\x00"+f.Subject.ID]++
			}
		}
	}
	order := make([]int, len(b.r.Identities))
	for i := range order {
		order[i] = i
	}
	ids := b.r.Identities
	sort.SliceStable(order, func(i, j int) bool {
		a, c := &ids[order[i]], &ids[order[j]]
		if na, nc := strings.ToLower(a.Name), strings.ToLower(c.Name); na != nc {
			return na < nc
		}
		return a.ID < c.ID
	})
	for _, i := range order {
		id := &ids[i]
		var last any = b.str("")
		if id.LastSignIn != nil {
			last = b.instant(id.LastSignIn.UTC().Format(time.RFC3339))
		}
		if err := st.put(b.str(id.Provider), b.str(id.ID), b.str(id.Name), b.str(id.Login), b.str(id.UserType), id.Privileged, id.ServiceAccount,
			b.str(strings.Join(id.Methods, ", ")), b.str(id.NominalAAL), b.str(id.EffectiveAAL), b.str(id.WeakestPath), b.str(reports.WeakestPolicy(*id)),
			b.str(strings.Join(id.Roles, ", ")), b.str(id.Status), last, open[id.Provider+"\x00"+id.ID]); err != nil {
			return err
		}
	}
	rule := []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Value: `"AAL1"`, Format: &b.cfAAL1}}
	return st.finish(SheetIdentity, 16, map[string][]excelize.ConditionalFormatOptions{"J": rule})
}

// paths is one row per account and access path (results.json
// identities[].paths: at most checks.MaxPathsPerIdentity each, weakest first).
func (b *book) paths() error {
	st, err := b.newStream(SheetPaths, []column{col(9), col(40), wcol(28), col(10), col(5), col(14), wcol(30), col(9), col(10), wcol(40), wcol(50)},
		[]string{"Provider", "Account ID", "Account", "Privileged", "#", "Kind", "Proofs", "AAL", "Phishing-resistant", "Context", "Decided by"})
	if err != nil {
		return err
	}
	for _, id := range b.r.Identities {
		name := id.Login
		if name == "" {
			name = id.Name
		}
		for i, p := range id.Paths {
			ctx := p.Context
			if ctx == "" {
				ctx = "any context"
			}
			if err := st.put(b.str(id.Provider), b.str(id.ID), b.str(name), id.Privileged, i+1, b.str(string(p.Kind)), b.str(strings.Join(p.Proofs, " + ")),
				b.str(p.AAL), p.PhishingResistant, b.str(ctx), b.str(reports.PolicyRefsText(p.Policies))); err != nil {
				return err
			}
		}
	}
	rule := []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Value: `"AAL1"`, Format: &b.cfAAL1}}
	return st.finish(SheetPaths, 11, map[string][]excelize.ConditionalFormatOptions{"H": rule})
}

// evidenceValue reads the first present evidence key as text (lists joined
// with ", "); the keys are the ones checks.Evaluate records, older names
// after them.
func evidenceValue(ev map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := ev[k]; ok {
			s := reports.EvidenceText(map[string]any{"v": v}, 0)
			s = strings.TrimPrefix(s, "v: ")
			if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
				s = s[1 : len(s)-1]
			}
			return s
		}
	}
	return ""
}

// extraCol is a column a finding sheet adds from the evidence.
type extraCol struct {
	title string
	column
}

func (b *book) findingSheet(name, note string, match func(id string) bool, extra []extraCol, extraVals func(f checks.Finding) []any) error {
	s, err := b.newSheet(name)
	if err != nil {
		return err
	}
	cs := []column{col(9), col(9), wcol(10), col(40), wcol(26), wcol(44)}
	for _, x := range extra {
		cs = append(cs, x.column)
	}
	cs = append(cs, wcol(50))
	if err := s.columns(cs...); err != nil {
		return err
	}
	if err := s.para(b.sNote, note, len(cs)); err != nil {
		return err
	}
	s.skip(1)
	hdr := []string{"Check", "Provider", "Subject type", "Subject ID", "Subject name", "Message"}
	for _, x := range extra {
		hdr = append(hdr, x.title)
	}
	hdr = append(hdr, "Evidence")
	if err := s.header(hdr...); err != nil {
		return err
	}
	headerRow := s.row - 1
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		if !match(c.ID) {
			continue
		}
		for _, f := range c.Findings {
			row := []any{b.str(c.ID), b.str(c.Provider), b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message)}
			row = append(row, extraVals(f)...)
			row = append(row, b.str(reports.EvidenceText(f.Evidence, 0)))
			if err := s.put(row...); err != nil {
				return err
			}
		}
	}
	return s.filter(headerRow, len(hdr), s.row-1)
}

func (b *book) recovery() error {
	return b.findingSheet(SheetRecovery,
		"Built from the evidence of the REC-06 and REC-07 findings: results.json carries no raw audit events. The full event log is in the evidence snapshot (see the hashes on the Evidence sheet).",
		func(id string) bool { return id == "REC-06" || id == "REC-07" },
		[]extraCol{{"Login", wcol(26)}, {"Event IDs", wcol(24)}, {"Event kinds", wcol(16)}, {"Actors", wcol(26)}, {"Last reset", col(16)}},
		func(f checks.Finding) []any {
			ev := f.Evidence
			return []any{b.str(evidenceValue(ev, "login")), b.str(evidenceValue(ev, "events", "event_ids")), b.str(evidenceValue(ev, "kinds", "kind")),
				b.str(evidenceValue(ev, "actors", "actor")), b.instant(evidenceValue(ev, "last_reset", "reset_at"))}
		})
}

func (b *book) workloads() error {
	return b.findingSheet(SheetWorkloads,
		"Built from the findings of the NHI checks: results.json lists workload identities only where a check found something. The full inventory is in the evidence snapshot.",
		func(id string) bool { return strings.HasPrefix(id, "NHI-") },
		[]extraCol{{"Workload type", wcol(16)}, {"App ID", col(40)}, {"Reasons", wcol(36)}},
		func(f checks.Finding) []any {
			ev := f.Evidence
			return []any{b.str(evidenceValue(ev, "workload_type")), b.str(evidenceValue(ev, "app_id", "appId")), b.str(evidenceValue(ev, "reasons"))}
		})
}

func (b *book) controls() error {
	s, err := b.newSheet(SheetControls)
	if err != nil {
		return err
	}
	cs := []column{wcol(18), col(10), wcol(44), col(15), col(9), wcol(36), wcol(20)}
	hdr := []string{"Framework", "Control", "Control title", "Control status", "Check", "Requirement checked", "Mapping"}
	for _, p := range b.v.Providers {
		cs = append(cs, col(15))
		hdr = append(hdr, p.Name)
	}
	if err := s.columns(cs...); err != nil {
		return err
	}
	if err := s.header(hdr...); err != nil {
		return err
	}
	for _, row := range b.v.Matrix {
		for _, c := range row.Checks {
			vals := []any{b.str(row.Framework), b.str(row.Control), b.str(row.ControlTitle), b.statusCell(row.Status), b.str(c.ID), b.str(c.Requirement), b.str(c.Relation)}
			for _, st := range c.Statuses {
				if st == "" {
					vals = append(vals, "—")
				} else {
					vals = append(vals, b.statusCell(st))
				}
			}
			if err := s.put(vals...); err != nil {
				return err
			}
		}
	}
	return s.filter(1, len(hdr), s.row-1)
}

func (b *book) waivers() error {
	s, err := b.newSheet(SheetWaivers)
	if err != nil {
		return err
	}
	if err := s.columns(col(9), col(9), col(40), wcol(24), wcol(40), wcol(22), wcol(22), wcol(12), col(12), col(9), wcol(16)); err != nil {
		return err
	}
	if err := s.header("Check", "Provider", "Subject ID", "Subject", "Reason", "Owner", "Approved by", "Ticket", "Expires", "Expired", "Source"); err != nil {
		return err
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			w := f.Waiver
			if w == nil {
				continue
			}
			var exp any = b.str(w.Expires)
			if t, err := time.Parse(time.DateOnly, w.Expires); err == nil {
				exp = styled(b.sDay, t)
			}
			if err := s.put(b.str(c.ID), b.str(c.Provider), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(w.Reason), b.str(w.Owner), b.str(w.ApprovedBy), b.str(w.Ticket), exp, w.Expired, b.str(w.Source)); err != nil {
				return err
			}
		}
	}
	return s.filter(1, 11, s.row-1)
}

// actions is the remediation plan (results.json actions), one row per step
// in plan order, with the measured marginal and cumulative effect; Due is
// left for the committee.
func (b *book) actions() error {
	s, err := b.newSheet(SheetActions)
	if err != nil {
		return err
	}
	if err := s.columns(col(6), col(14), col(9), col(9), wcol(44), wcol(40), wcol(40), col(10), col(10), col(10), wcol(24), wcol(30), col(12), wcol(24), col(12)); err != nil {
		return err
	}
	note := "Each step is measured by evaluating the evidence with the change applied after the steps before it (no tenant is written). " +
		"Side effects are accounts left without a usable MFA method: they must enrol another first."
	if b.r.ActionsNote != "" {
		note = b.r.ActionsNote
	}
	if err := s.para(b.sNote, note, 15); err != nil {
		return err
	}
	s.skip(1)
	if err := s.header("Step", "ID", "Provider", "Check", "Change", "Where (console)", "API / field", "Accounts raised", "Privileged raised", "Findings closed",
		"Checks passing", "Side effects (left without MFA)", "Restored so far", "Owner", "Due"); err != nil {
		return err
	}
	if err := s.numHeader(8, 9, 10, 13); err != nil {
		return err
	}
	for i, a := range b.r.Actions {
		side := ""
		if a.Effect.LockedOut > 0 {
			side = fmt.Sprintf("%d: %s", a.Effect.LockedOut, strings.Join(a.Effect.LockedOutSample, ", "))
		}
		restored := ""
		if c := a.Cumulative; c != nil {
			restored = fmt.Sprintf("%d of %d", c.Restored, c.Downgraded)
		}
		if err := s.put(i+1, b.str(a.ID), b.str(a.Provider), b.str(a.Check), b.str(a.Title+" — "+a.Change), b.str(a.ConsolePath), b.str(a.APIField),
			a.Effect.AccountsRaised, a.Effect.PrivilegedRaised, a.Effect.FindingsClosed, b.str(strings.Join(a.Effect.ChecksPassing, ", ")),
			b.str(side), b.str(restored), b.str(a.Owner), b.str(a.Due)); err != nil {
			return err
		}
	}
	return s.filter(3, 15, s.row-1)
}

func (b *book) drift() error {
	d := b.r.Drift
	if d == nil {
		return nil
	}
	s, err := b.newSheet(SheetDrift)
	if err != nil {
		return err
	}
	if err := s.columns(col(14), col(9), col(9), col(40), wcol(26), col(10), col(13), col(13), wcol(48)); err != nil {
		return err
	}
	if err := s.para(b.sNote, "Compared with the baseline generated "+d.BaselineGeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), 9); err != nil {
		return err
	}
	s.skip(1)
	if err := s.header("Change", "Check", "Provider", "Subject ID", "Subject", "Severity", "From", "To", "Message"); err != nil {
		return err
	}
	headerRow := s.row - 1
	for _, g := range []struct {
		kind string
		fs   []checks.DriftFinding
	}{{"new finding", d.New}, {"resolved", d.Resolved}, {"newly waived", d.NewlyWaived}, {"no longer assessed", d.NoLongerAssessed}, {"still failing", d.StillFailing}} {
		for _, f := range g.fs {
			kind := g.kind
			if f.Reason != "" {
				kind += " (" + f.Reason + ")"
			}
			if err := s.put(b.str(kind), b.str(f.CheckID), b.str(f.Provider), b.str(f.Subject.ID), b.str(f.Subject.Name), b.severityCell(f.Severity), nil, nil, b.str(f.Message)); err != nil {
				return err
			}
		}
	}
	for _, c := range d.Changed {
		if err := s.put("status changed", b.str(c.CheckID), b.str(c.Provider), nil, nil, nil, b.str(string(c.From)), b.str(string(c.To)), nil); err != nil {
			return err
		}
	}
	for _, a := range d.AALDowngrades {
		if err := s.put("AAL downgrade", nil, b.str(a.Provider), b.str(a.ID), b.str(a.Name), nil, b.str(a.From), b.str(a.To), nil); err != nil {
			return err
		}
	}
	return s.filter(headerRow, 9, s.row-1)
}

// trend lists the kept runs, one row each, with a native line chart of the
// failing findings, critical findings and accounts below nominal AAL.
func (b *book) trend() error {
	tr := b.v.Trend
	if tr == nil {
		return nil
	}
	s, err := b.newSheet(SheetTrend)
	if err != nil {
		return err
	}
	cs := []column{col(16), col(11)}
	for range 13 {
		cs = append(cs, col(10))
	}
	if err := s.columns(cs...); err != nil {
		return err
	}
	if err := s.para(b.sNote, tr.Sentence, len(cs)); err != nil {
		return err
	}
	s.skip(1)
	hdr := []string{"Run (UTC)", "Run", "Checks pass", "Checks fail", "Checks waived", "Checks not assessed", "Checks manual", "Checks N/A",
		reports.TrendFailing, "Critical", "High", "Accounts", reports.TrendBelowNominal, "Privileged below nominal AAL", "Complete"}
	if err := s.header(hdr...); err != nil {
		return err
	}
	if err := s.numHeader(seq(2, len(hdr)-1)...); err != nil {
		return err
	}
	headerRow := s.row - 1
	for _, r := range tr.Runs {
		var at any = "unknown"
		if !r.GeneratedAt.IsZero() {
			at = styled(b.sDate, r.GeneratedAt)
		}
		c := r.Checks
		if err := s.put(at, b.str(r.Label), c.Pass, c.Fail, c.Waived, c.NotAssessed, c.Manual, c.NotApplicable,
			r.Failing, r.FailingCritical, r.FailingHigh, r.Accounts, r.BelowNominal, r.PrivilegedBelowNominal, r.Complete); err != nil {
			return err
		}
	}
	first, last := headerRow+1, s.row-1
	if err := s.filter(headerRow, len(hdr), last); err != nil {
		return err
	}
	if err := s.para(b.sNote, "Complete is FALSE for a run that could not assess everything: its figures are lower bounds.", len(cs)); err != nil {
		return err
	}
	colors := []string{"C62828", "7F1D1D", "569CD6"}
	var series []excelize.ChartSeries
	for i, col := range []string{"I", "J", "M"} {
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$%d", SheetTrend, col, headerRow),
			Categories: fmt.Sprintf("'%s'!$B$%d:$B$%d", SheetTrend, first, last),
			Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", SheetTrend, col, first, col, last),
			Line:       excelize.LineOptions{Width: 2.25, Fill: solid(colors[i])},
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 6, Fill: solid(colors[i])},
			Fill:       solid(colors[i]),
		})
	}
	anchor := fmt.Sprintf("B%d", s.row+1)
	return b.f.AddChart(SheetTrend, anchor, &excelize.Chart{
		Type: excelize.Line, Series: series,
		Title:     chartTitle(tr.Chart.Title),
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     axis(tr.Chart.XLabel, false),
		YAxis:     axis(tr.Chart.YLabel, true),
		Dimension: excelize.ChartDimension{Width: 720, Height: 340},
	})
}

func (b *book) evidence() error {
	s, err := b.newSheet(SheetEvidence)
	if err != nil {
		return err
	}
	if err := s.widths(24, 40, 26, 18, 18, 18, 10, 72); err != nil {
		return err
	}
	const span = 8 // A..H
	if err := s.noGrid(); err != nil {
		return err
	}
	// Several tables share the columns: every cell carries its own style.
	t := func(x string) any {
		if risky(x) {
			return b.str(x)
		}
		return styled(b.sWrap, x)
	}
	n := func(x int) any { return styled(b.sTop, x) }
	put := func(vals ...any) error { return s.put(vals...) }
	if err := put(styled(b.sSub, "Sources")); err != nil {
		return err
	}
	if err := s.header("Provider", "Tenant", "Tenant name", "Collected at (UTC)", "Audit window from", "Audit window to", "Accounts", "Evidence SHA-256"); err != nil {
		return err
	}
	if err := s.numHeader(6); err != nil {
		return err
	}
	for _, src := range b.r.Sources {
		if err := put(t(src.Provider), t(src.Tenant), t(src.TenantName), styled(b.sDate, src.CollectedAt.UTC()), styled(b.sDate, src.AuditWindow.Since.UTC()), styled(b.sDate, src.AuditWindow.Until.UTC()), n(src.Accounts), t(src.EvidenceSHA256)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Coverage: what was read")); err != nil {
		return err
	}
	if err := s.spanLast(span, styled(b.sHeader, "Provider"), styled(b.sHeader, "Dataset"), styled(b.sHeader, "Status"), styled(b.sHeaderNum, "Items"), styled(b.sHeader, "Detail")); err != nil {
		return err
	}
	for _, c := range b.v.Appendix.Coverage {
		if err := s.spanLast(span, t(c.Provider), t(c.Dataset), t(c.Status), n(c.Items), t(c.Detail)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Out of scope: what was excluded and why")); err != nil {
		return err
	}
	if err := s.header("Provider", "Reason", "Accounts"); err != nil {
		return err
	}
	if err := s.numHeader(2); err != nil {
		return err
	}
	for _, o := range b.v.Appendix.OutOfScope {
		if err := put(t(o.Provider), t(o.Reason), n(o.Count)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Thresholds used")); err != nil {
		return err
	}
	if err := s.header("Key", "Setting", "Value"); err != nil {
		return err
	}
	for _, p := range b.v.Appendix.Thresholds {
		if err := put(t(p.Key), t(p.Label), t(p.Value)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Manual checks: a person must verify")); err != nil {
		return err
	}
	if err := s.spanLast(span, styled(b.sHeader, "Check"), styled(b.sHeader, "Provider"), styled(b.sHeader, "Title"), styled(b.sHeader, "What to verify")); err != nil {
		return err
	}
	for _, m := range b.v.Appendix.Manual {
		if err := s.spanLast(span, t(m.CheckID), t(m.Provider), t(m.Title), t(m.Detail)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Warnings")); err != nil {
		return err
	}
	for _, w := range b.v.Appendix.Warnings {
		if err := s.spanLast(span, t(w)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := s.para(b.sNote, fmt.Sprintf("Results schema %s, generated %s by %s.", b.r.SchemaVersion, b.v.Cover.ScanTime.Format(time.RFC3339), b.v.Cover.Tool), span); err != nil {
		return err
	}
	return s.print(0, "")
}

// day is a date-only cell (yyyy-mm-dd) when s is a date, else text.
func (b *book) day(s string) any {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return styled(b.sDay, t)
	}
	return b.str(s)
}

// instant is a date-time cell when s is an RFC 3339 time (shown in UTC),
// else text.
func (b *book) instant(s string) any {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return styled(b.sDate, t.UTC())
	}
	return b.str(s)
}
