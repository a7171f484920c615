package xlsx

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

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
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t, Font: &excelize.Font{Color: reports.ColorNavy, Size: 12, Bold: true}}}}
}

func (b *book) summary() error {
	s, err := b.newSheet(SheetSummary)
	if err != nil {
		return err
	}
	v := b.v
	// Cells written without a style get the table cell style.
	cs := make([]column, len(summaryCols))
	for i, w := range summaryCols {
		cs[i] = col(w)
	}
	if err := s.columns(cs...); err != nil {
		return err
	}
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
	fb, aal := v.Charts.FindingsBySeverity, v.Charts.AAL
	fbFirst, fbLast, err := b.chartData(s, fb)
	if err != nil {
		return err
	}
	aalFirst, aalLast, err := b.chartData(s, aal)
	if err != nil {
		return err
	}

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
		colors := []string{reports.ColorNavy, reports.ColorSecond, reports.ColorThird}
		if !c.Stacked {
			colors = []string{reports.ColorNominal, reports.ColorNavy}
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
	// Side by side: the severity chart over A..C, the AAL chart over D..H.
	for _, x := range []struct {
		anchor      string
		typ         excelize.ChartType
		c           reports.Chart
		first, last int
		width       int
	}{
		{"A", excelize.ColStacked, fb, fbFirst, fbLast, anchorPx(summaryCols[:3]) - 16},
		{"D", excelize.Col, aal, aalFirst, aalLast, anchorPx(summaryCols[3:]) - 8},
	} {
		if err := b.f.AddChart(SheetSummary, fmt.Sprintf("%s%d", x.anchor, chartRow), &excelize.Chart{
			Type: x.typ, Series: series(x.c, x.first, x.last),
			Title: chartTitle(x.c.Title), Legend: excelize.ChartLegend{Position: "bottom"},
			XAxis:     axis(x.c.XLabel, false),
			YAxis:     axis(x.c.YLabel, true),
			Dimension: excelize.ChartDimension{Width: uint(x.width), Height: summaryChartH},
		}); err != nil {
			return err
		}
	}
	return s.print(0, "portrait")
}

// chartData writes a chart's data table (title, header, one row per
// category) followed by an empty row, and returns its first and last data
// rows for the chart's references.
func (b *book) chartData(s *sheet, c reports.Chart) (first, last int, err error) {
	if err := s.put(styled(b.sSub, "Chart data: "+lowerFirst(c.Title))); err != nil {
		return 0, 0, err
	}
	hdr := []string{c.XLabel}
	for _, ser := range c.Series {
		hdr = append(hdr, ser.Name)
	}
	if err := s.header(hdr...); err != nil {
		return 0, 0, err
	}
	if err := s.numHeader(seq(1, len(hdr))...); err != nil {
		return 0, 0, err
	}
	first = s.row
	for i, cat := range c.Categories {
		row := []any{cat}
		for _, ser := range c.Series {
			row = append(row, ser.Values[i])
		}
		if err := s.put(row...); err != nil {
			return 0, 0, err
		}
	}
	last = s.row - 1
	s.skip(1)
	return first, last, nil
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
		{SheetChecks, "Every check for every provider: status, severity, mapped controls, finding counts, rationale and the vendor documentation it follows.", true},
		{SheetFindings, "Every finding, ticket-ready: stable id, status, subject, message, evidence in columns, waiver, remediation, Owner and Due.", true},
		{SheetIdentity, "Every account assessed: methods, nominal and effective AAL, weakest path and the rule that decides it; filter Privileged, Effective below nominal or Weak fallback to reproduce the key figures.", true},
		{SheetPaths, "Every access path of every account (at most 8 each, weakest first): proofs, AAL, context and the deciding policies.", true},
		{SheetRecovery, "One row per reset or recovery event behind the REC-06 and REC-07 findings: time, type, actor, target.", true},
		{SheetWorkloads, "Workload identities behind the NHI findings, one row per flagged credential with its creation and expiry dates and age.", true},
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
