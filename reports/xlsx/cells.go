package xlsx

import (
	"fmt"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// The cell engine. Every sheet is a *sheet: put resolves each value's style
// (a table cell style for values written without one), estimates the row's
// height from its wrapped text, and writes the row either through excelize's
// StreamWriter (the big sheets: Findings, Identities, Access paths) or
// through the File's cell API (every other sheet, which also merges cells).

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

// instantDay is a date cell (yyyy-mm-dd) for an RFC 3339 time, shown in
// UTC; empty for ""; else text.
func (b *book) instantDay(s string) any {
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return styled(b.sDay, t.UTC())
	}
	return b.str(s)
}

// column is one column of a table sheet: its width and whether its text
// wraps.
type column struct {
	w    float64
	wrap bool
}

func col(w float64) column  { return column{w: w} }
func wcol(w float64) column { return column{w: w, wrap: true} }

func widthsOf(cs []column) []float64 {
	ws := make([]float64, len(cs))
	for i, c := range cs {
		ws[i] = c.w
	}
	return ws
}

// sheet is a sheet being filled row by row.
type sheet struct {
	b    *book
	name string
	row  int
	cols []column
	// plain leaves cells written without a style unstyled: sheets that hold
	// several tables style every cell themselves.
	plain bool
	// sw is the stream writer of a streamed sheet; nil writes through the
	// File (and allows merged cells).
	sw *excelize.StreamWriter
	// cells and vals are put's and write's row buffers, reused.
	cells []excelize.Cell
	vals  []any
}

func (b *book) newSheet(name string) (*sheet, error) {
	if name == SheetSummary {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	return &sheet{b: b, name: name, row: 1, plain: true}, nil
}

// noteTable starts a one-table sheet under a note: the note across the
// columns, an empty row, then the header; headerRow is the header's row.
func (b *book) noteTable(name, note string, cs []column, header ...string) (s *sheet, headerRow int, err error) {
	if s, err = b.newSheet(name); err != nil {
		return nil, 0, err
	}
	if err := s.columns(cs...); err != nil {
		return nil, 0, err
	}
	if err := s.para(b.sNote, note, len(cs)); err != nil {
		return nil, 0, err
	}
	s.skip(1)
	if err := s.header(header...); err != nil {
		return nil, 0, err
	}
	return s, s.row - 1, nil
}

// newStream starts a streamed one-table sheet: column widths and styles
// (top-aligned, wrapped where asked), page setup, frozen header row; the
// titles of the columns nums (0-based) hold numbers and are right-aligned.
func (b *book) newStream(name string, cols []column, header []string, nums ...int) (*sheet, error) {
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
	s := &sheet{b: b, name: name, row: 1, cols: cols, sw: sw}
	vals := make([]any, len(header))
	for i, t := range header {
		vals[i] = styled(b.sHeader, t)
	}
	for _, i := range nums {
		vals[i] = styled(b.sHeaderNum, header[i])
	}
	return s, s.put(vals...)
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
	return s.cols[i].w, s.cols[i].wrap
}

// blank is a value that writes no cell at all: no value, no style, no
// border. The Findings sheet's evidence columns use it for keys a finding
// lacks, which are most of them: an empty styled cell costs as much to
// write as a full one.
var blank = blankCell{}

type blankCell struct{}

// skipStyle marks a blank cell in a row being written.
const skipStyle = -1

// put writes one row of values (excelize.Cell for styled cells, blank for
// none) at the current row, sets the row's height when wrapped text or a
// larger font needs it, and advances.
func (s *sheet) put(vals ...any) error {
	var fit rowFit
	s.cells = s.cells[:0]
	for i, v := range vals {
		if v == blank {
			s.cells = append(s.cells, excelize.Cell{StyleID: skipStyle})
			continue
		}
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
		}
		w, wraps := s.width(i)
		if style == 0 && !s.plain {
			style = s.b.cellStyle(v, wraps)
		}
		s.cells = append(s.cells, excelize.Cell{StyleID: style, Value: v})
		s.b.measure(&fit, w, wraps, style, v)
	}
	if err := s.write(s.cells, fit.height); err != nil {
		return err
	}
	s.row++
	return nil
}

// write writes one row's cells at the current row; height 0 keeps the
// default height.
func (s *sheet) write(cells []excelize.Cell, height float64) error {
	if s.sw != nil {
		start, err := excelize.CoordinatesToCellName(1, s.row)
		if err != nil {
			return err
		}
		// The stream writes the row before SetRow returns, so one buffer
		// serves every row, and its values can point into cells: a Cell
		// stored in an interface by value would be copied to the heap, once
		// per cell of every row.
		s.vals = s.vals[:0]
		for i := range cells {
			if cells[i].StyleID == skipStyle {
				s.vals = append(s.vals, nil)
			} else {
				s.vals = append(s.vals, &cells[i])
			}
		}
		if height > 0 {
			return s.sw.SetRow(start, s.vals, excelize.RowOpts{Height: height})
		}
		return s.sw.SetRow(start, s.vals)
	}
	for i, c := range cells {
		if c.StyleID == skipStyle {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			return err
		}
		if c.Value != nil {
			if err := s.b.f.SetCellValue(s.name, cell, c.Value); err != nil {
				return err
			}
		}
		if c.StyleID != 0 {
			if err := s.b.f.SetCellStyle(s.name, cell, cell, c.StyleID); err != nil {
				return err
			}
		}
	}
	if height > 0 {
		return s.b.f.SetRowHeight(s.name, s.row, height)
	}
	return nil
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
	if fit.height > 0 {
		if err := s.b.f.SetRowHeight(s.name, s.row, fit.height); err != nil {
			return err
		}
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
	merged := column{}
	for i := n - 1; i < span; i++ {
		w, _ := s.width(i)
		merged.w += w
	}
	_, merged.wrap = s.width(n - 1)
	cols := make([]column, n)
	for i := range n - 1 {
		cols[i].w, cols[i].wrap = s.width(i)
	}
	cols[n-1] = merged
	saved := s.cols
	s.cols = cols
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
	cs := make([]column, len(ws))
	for i, w := range ws {
		cs[i] = col(w)
	}
	return s.setCols(cs, true)
}

// columns sets the widths of a one-table sheet and which columns wrap:
// put gives every cell written without a style the table cell style
// (bordered, top-aligned; wrapped in a wrapping column).
func (s *sheet) columns(cs ...column) error { return s.setCols(cs, false) }

func (s *sheet) setCols(cs []column, plain bool) error {
	s.cols, s.plain = append([]column(nil), cs...), plain
	for i, c := range cs {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := s.b.f.SetColWidth(s.name, name, name, c.w); err != nil {
			return err
		}
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
	return s.b.pageSetup(s.name, printSetup{widths: widthsOf(s.cols), titleRow: titleRow, orientation: orientation})
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
	top, _ := excelize.CoordinatesToCellName(1, headerRow+1)
	if err := s.b.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return s.print(headerRow, "")
}

// finish ends a streamed sheet: the autofilter and conditional formats
// (they must exist before Flush; excelize drops them afterwards), then
// Flush.
func (s *sheet) finish(cf map[string][]excelize.ConditionalFormatOptions) error {
	last := max(s.row-1, 2)
	end, err := excelize.CoordinatesToCellName(len(s.cols), last)
	if err != nil {
		return err
	}
	if err := s.b.f.AutoFilter(s.name, "A1:"+end, nil); err != nil {
		return err
	}
	keys := make([]string, 0, len(cf))
	for k := range cf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, c := range keys {
		if err := s.b.f.SetConditionalFormat(s.name, fmt.Sprintf("%s2:%s%d", c, c, last), cf[c]); err != nil {
			return err
		}
	}
	return s.sw.Flush()
}
