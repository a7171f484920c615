// Package xlsx renders shadowpath-report.xlsx: the workbook that holds every
// row the PDF summarizes (every check entry, finding and account) plus the
// control matrix, waivers, drift, the trend across kept runs and evidence. The Findings and Identities
// sheets are written with excelize's StreamWriter so 100k+ accounts stay in
// bounded memory.
//
// No cell is ever a formula built from user data: values that a spreadsheet
// would read as a formula (leading =, +, -, @, tab or CR) are written as
// strings with a text, quote-prefixed style.
package xlsx

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

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
	SheetRecovery  = "Recovery events"
	SheetWorkloads = "Workload identities"
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
		{SheetRecovery, b.recovery},
		{SheetWorkloads, b.workloads},
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

	sHeader, sTitle, sSub, sText, sWrap, sBold, sDate, sNote int
	status                                                   map[checks.Status]int
	severity                                                 map[checks.Severity]int
	cfSeverity                                               map[checks.Severity]int
	cfAAL1                                                   int
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
	b.sHeader = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: solid("1F3A5F"), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	b.sTitle = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3A5F"}})
	b.sSub = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F3A5F"}})
	b.sBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	b.sNote = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "6B7280"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	b.sWrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	dateFmt := "yyyy-mm-dd hh:mm"
	b.sDate = mk(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Horizontal: "left"}})
	// Text format (@) for values a spreadsheet would read as a formula; the
	// quote prefix is set below (excelize's Style has no field for it).
	b.sText = mk(&excelize.Style{NumFmt: 49})
	b.status = map[checks.Status]int{}
	// Ordered slices, not map literals: style ids must not depend on map order.
	for _, x := range []struct {
		st  checks.Status
		hex string
	}{{checks.Pass, "2E7D32"}, {checks.Fail, "C62828"}, {checks.Waived, "6A1B9A"}, {checks.NotAssessed, "E66C00"}, {checks.Manual, "1565C0"}, {checks.NotApplicable, "757575"}} {
		st, hex := x.st, x.hex
		b.status[st] = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: solid(hex)})
	}
	b.severity = map[checks.Severity]int{}
	b.cfSeverity = map[checks.Severity]int{}
	for _, x := range []struct {
		sv  checks.Severity
		hex string
	}{{checks.Critical, "7F1D1D"}, {checks.High, "C62828"}, {checks.Medium, "E68F00"}, {checks.Low, "558B2F"}} {
		sv, hex := x.sv, x.hex
		b.severity[sv] = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: hex}})
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

// put writes one row of values (excelize.Cell for styled cells) at the
// current row and advances.
func (s *sheet) put(vals ...any) error {
	for i, v := range vals {
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			return err
		}
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			style, v = c.StyleID, c.Value
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
	}
	s.row++
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

func (s *sheet) skip(n int) { s.row += n }

// widths sets column widths from A.
func (s *sheet) widths(ws ...float64) error {
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

// table finishes a header-plus-rows table: autofilter on the header and
// frozen panes below it.
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
	return s.freeze(headerRow)
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

func (b *book) summary() error {
	s, err := b.newSheet(SheetSummary)
	if err != nil {
		return err
	}
	v := b.v
	if err := s.widths(44, 16, 16, 16, 16, 16, 16, 16); err != nil {
		return err
	}
	if err := s.put(styled(b.sTitle, v.Cover.Title+": "+v.Cover.Organization)); err != nil {
		return err
	}
	if err := s.put(styled(b.sNote, fmt.Sprintf("%s · generated %s by %s · audit window %s", v.Cover.Classification, v.Cover.ScanTime.Format("2006-01-02 15:04 UTC"), v.Cover.Tool, v.Cover.AuditWindow))); err != nil {
		return err
	}
	s.skip(1)
	if err := s.put(styled(b.sBold, v.Summary.Headline)); err != nil {
		return err
	}
	if v.Summary.Trend != "" {
		if err := s.put(styled(b.sNote, "Trend: "+v.Summary.Trend+" (Trend sheet)")); err != nil {
			return err
		}
	}
	for _, line := range v.Summary.Incomplete {
		if err := s.put(styled(b.sNote, "Not read in full: "+line)); err != nil {
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

	// Chart data tables, then the native charts that reference them.
	fb := v.Charts.FindingsBySeverity
	if err := s.put(styled(b.sSub, fb.Title)); err != nil {
		return err
	}
	hdr := []string{fb.XLabel}
	for _, ser := range fb.Series {
		hdr = append(hdr, ser.Name)
	}
	if err := s.header(hdr...); err != nil {
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
	if err := s.put(styled(b.sSub, aal.Title)); err != nil {
		return err
	}
	hdr = []string{aal.XLabel}
	for _, ser := range aal.Series {
		hdr = append(hdr, ser.Name)
	}
	if err := s.header(hdr...); err != nil {
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
	for _, rk := range sm.TopRisks {
		if err := s.put(styled(b.sWrap, rk.Text), rk.CheckID, rk.ProviderName, b.severityCell(rk.Severity), rk.Affected); err != nil {
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
	title := func(t string) []excelize.RichTextRun { return []excelize.RichTextRun{{Text: t}} }
	if err := b.f.AddChart(SheetSummary, "J4", &excelize.Chart{
		Type: excelize.ColStacked, Series: series(fb, fbFirst, fbLast),
		Title: excelize.ChartTitle{Paragraph: title(fb.Title)}, Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: title(fb.XLabel)}},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Title: excelize.ChartTitle{Paragraph: title(fb.YLabel)}},
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	}); err != nil {
		return err
	}
	return b.f.AddChart(SheetSummary, "J21", &excelize.Chart{
		Type: excelize.Col, Series: series(aal, aalFirst, aalLast),
		Title: excelize.ChartTitle{Paragraph: title(aal.Title)}, Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: title(aal.XLabel)}},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Title: excelize.ChartTitle{Paragraph: title(aal.YLabel)}},
		Dimension: excelize.ChartDimension{Width: 560, Height: 300},
	})
}

func (b *book) checks() error {
	s, err := b.newSheet(SheetChecks)
	if err != nil {
		return err
	}
	if err := s.widths(10, 10, 40, 14, 11, 60, 10, 10, 10, 70); err != nil {
		return err
	}
	if err := s.header("Check", "Provider", "Title", "Status", "Severity", "Controls", "Findings", "Open", "Waived", "Rationale"); err != nil {
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
		if err := s.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.statusCell(c.Status), b.severityCell(reports.EffectiveSeverity(c)),
			b.str(controlsText(c.Controls)), len(c.Findings), open, len(c.Findings)-open, b.str(c.Rationale)); err != nil {
			return err
		}
	}
	return s.filter(1, 10, s.row-1)
}

// stream is a streamed sheet.
type stream struct {
	b   *book
	sw  *excelize.StreamWriter
	row int
}

func (b *book) newStream(name string, widths []float64, header []string) (*stream, error) {
	if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	st := &stream{b: b, sw: sw, row: 1}
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
	st.row++
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
	st, err := b.newStream(SheetFindings, []float64{9, 9, 34, 12, 10, 9, 40, 32, 50, 60, 16, 26, 26, 12, 9},
		[]string{"Check", "Provider", "Check title", "Check status", "Severity", "Subject type", "Subject ID", "Subject name", "Message", "Evidence", "Waiver", "Waiver owner", "Waiver approver", "Waiver expires", "Waiver expired"})
	if err != nil {
		return err
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			var wl, wo, wa, we any
			var wx any
			if w := f.Waiver; w != nil {
				wl, wo, wa, we, wx = b.str(reports.WaiverLabel(w)), b.str(w.Owner), b.str(w.ApprovedBy), b.str(w.Expires), w.Expired
			}
			if err := st.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.str(string(c.Status)), b.str(string(reports.FindingSeverity(c, f))),
				b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message), b.str(reports.EvidenceText(f.Evidence, 0)),
				wl, wo, wa, we, wx); err != nil {
				return err
			}
		}
	}
	return st.finish(SheetFindings, 15, map[string][]excelize.ConditionalFormatOptions{"E": b.severityRules()})
}

func (b *book) identities() error {
	st, err := b.newStream(SheetIdentity, []float64{9, 40, 32, 36, 10, 11, 11, 36, 12, 12, 34},
		[]string{"Provider", "ID", "Name", "Login", "User type", "Privileged", "Service account", "Methods", "Nominal AAL", "Effective AAL", "Weakest path"})
	if err != nil {
		return err
	}
	for _, id := range b.r.Identities {
		if err := st.put(b.str(id.Provider), b.str(id.ID), b.str(id.Name), b.str(id.Login), b.str(id.UserType), id.Privileged, id.ServiceAccount,
			b.str(strings.Join(id.Methods, ", ")), b.str(id.NominalAAL), b.str(id.EffectiveAAL), b.str(id.WeakestPath)); err != nil {
			return err
		}
	}
	rule := []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Value: `"AAL1"`, Format: &b.cfAAL1}}
	return st.finish(SheetIdentity, 11, map[string][]excelize.ConditionalFormatOptions{"J": rule})
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

func (b *book) findingSheet(name, note string, match func(id string) bool, extra []string, extraVals func(f checks.Finding) []any) error {
	s, err := b.newSheet(name)
	if err != nil {
		return err
	}
	ws := []float64{9, 9, 10, 38, 30, 50}
	for range extra {
		ws = append(ws, 24)
	}
	if err := s.widths(append(ws, 70)...); err != nil {
		return err
	}
	if err := s.put(styled(b.sNote, note)); err != nil {
		return err
	}
	s.skip(1)
	hdr := append(append([]string{"Check", "Provider", "Subject type", "Subject ID", "Subject name", "Message"}, extra...), "Evidence")
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
		[]string{"Login", "Event IDs", "Event kinds", "Actors", "Last reset"},
		func(f checks.Finding) []any {
			ev := f.Evidence
			return []any{b.str(evidenceValue(ev, "login")), b.str(evidenceValue(ev, "events", "event_ids")), b.str(evidenceValue(ev, "kinds", "kind")),
				b.str(evidenceValue(ev, "actors", "actor")), b.str(evidenceValue(ev, "last_reset", "reset_at"))}
		})
}

func (b *book) workloads() error {
	return b.findingSheet(SheetWorkloads,
		"Built from the findings of the NHI checks: results.json lists workload identities only where a check found something. The full inventory is in the evidence snapshot.",
		func(id string) bool { return strings.HasPrefix(id, "NHI-") },
		[]string{"Workload type", "App ID", "Reasons"},
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
	ws := []float64{24, 12, 46, 14, 10, 40, 22}
	hdr := []string{"Framework", "Control", "Control title", "Control status", "Check", "Check title", "Mapping"}
	for _, p := range b.v.Providers {
		ws = append(ws, 18)
		hdr = append(hdr, p.Name)
	}
	if err := s.widths(ws...); err != nil {
		return err
	}
	if err := s.header(hdr...); err != nil {
		return err
	}
	for _, row := range b.v.Matrix {
		for _, c := range row.Checks {
			vals := []any{b.str(row.Framework), b.str(row.Control), b.str(row.ControlTitle), b.statusCell(row.Status), b.str(c.ID), b.str(c.Title), b.str(c.Relation)}
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
	if err := s.widths(9, 9, 40, 30, 50, 28, 28, 14, 12, 9, 20); err != nil {
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
				exp = styled(b.sDate, t)
			}
			if err := s.put(b.str(c.ID), b.str(c.Provider), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(w.Reason), b.str(w.Owner), b.str(w.ApprovedBy), b.str(w.Ticket), exp, w.Expired, b.str(w.Source)); err != nil {
				return err
			}
		}
	}
	return s.filter(1, 11, s.row-1)
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
	if err := s.widths(16, 9, 9, 40, 32, 10, 14, 14, 50); err != nil {
		return err
	}
	if err := s.put(styled(b.sNote, "Compared with the baseline generated "+d.BaselineGeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))); err != nil {
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
	}{{"new finding", d.New}, {"resolved", d.Resolved}, {"still failing", d.StillFailing}} {
		for _, f := range g.fs {
			if err := s.put(g.kind, b.str(f.CheckID), b.str(f.Provider), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(string(f.Severity)), nil, nil, b.str(f.Message)); err != nil {
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
	if err := s.widths(18, 18, 9, 9, 9, 12, 9, 9, 14, 10, 10, 11, 16, 18, 11); err != nil {
		return err
	}
	if err := s.put(styled(b.sNote, tr.Sentence)); err != nil {
		return err
	}
	s.skip(1)
	hdr := []string{"Run (UTC)", "Run", "Checks pass", "Checks fail", "Checks waived", "Checks not assessed", "Checks manual", "Checks N/A",
		reports.TrendFailing, "Critical", "High", "Accounts", reports.TrendBelowNominal, "Privileged below nominal AAL", "Complete"}
	if err := s.header(hdr...); err != nil {
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
	if err := s.put(styled(b.sNote, "Complete is FALSE for a run that could not assess everything: its figures are lower bounds.")); err != nil {
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
	title := func(t string) []excelize.RichTextRun { return []excelize.RichTextRun{{Text: t}} }
	anchor := fmt.Sprintf("B%d", s.row+2)
	return b.f.AddChart(SheetTrend, anchor, &excelize.Chart{
		Type: excelize.Line, Series: series,
		Title:     excelize.ChartTitle{Paragraph: title(tr.Chart.Title)},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Title: excelize.ChartTitle{Paragraph: title(tr.Chart.XLabel)}},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, Title: excelize.ChartTitle{Paragraph: title(tr.Chart.YLabel)}},
		Dimension: excelize.ChartDimension{Width: 720, Height: 340},
	})
}

func (b *book) evidence() error {
	s, err := b.newSheet(SheetEvidence)
	if err != nil {
		return err
	}
	if err := s.widths(20, 40, 28, 18, 18, 18, 10, 68); err != nil {
		return err
	}
	put := func(vals ...any) error { return s.put(vals...) }
	if err := put(styled(b.sSub, "Sources")); err != nil {
		return err
	}
	if err := s.header("Provider", "Tenant", "Tenant name", "Collected at (UTC)", "Audit window from", "Audit window to", "Accounts", "Evidence SHA-256"); err != nil {
		return err
	}
	for _, src := range b.r.Sources {
		if err := put(b.str(src.Provider), b.str(src.Tenant), b.str(src.TenantName), styled(b.sDate, src.CollectedAt.UTC()), styled(b.sDate, src.AuditWindow.Since.UTC()), styled(b.sDate, src.AuditWindow.Until.UTC()), src.Accounts, b.str(src.EvidenceSHA256)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Coverage: what was read")); err != nil {
		return err
	}
	if err := s.header("Provider", "Dataset", "Status", "Items", "Detail"); err != nil {
		return err
	}
	for _, c := range b.v.Appendix.Coverage {
		if err := put(b.str(c.Provider), b.str(c.Dataset), b.str(c.Status), c.Items, b.str(c.Detail)); err != nil {
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
	for _, o := range b.v.Appendix.OutOfScope {
		if err := put(b.str(o.Provider), b.str(o.Reason), o.Count); err != nil {
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
		if err := put(b.str(p.Key), b.str(p.Label), b.str(p.Value)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Manual checks: a person must verify")); err != nil {
		return err
	}
	if err := s.header("Check", "Provider", "Title", "What to verify"); err != nil {
		return err
	}
	for _, m := range b.v.Appendix.Manual {
		if err := put(b.str(m.CheckID), b.str(m.Provider), b.str(m.Title), b.str(m.Detail)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Warnings")); err != nil {
		return err
	}
	for _, w := range b.v.Appendix.Warnings {
		if err := put(b.str(w)); err != nil {
			return err
		}
	}
	s.skip(1)
	return put(styled(b.sNote, fmt.Sprintf("Results schema %s, generated %s by %s.", b.r.SchemaVersion, b.v.Cover.ScanTime.Format(time.RFC3339), b.v.Cover.Tool)))
}
