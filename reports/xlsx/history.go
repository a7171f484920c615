package xlsx

import (
	"fmt"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

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
	if err := s.para(b.sNote, b.v.Summary.Drift.Compared(), 9); err != nil {
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
	}{{reports.DriftNew, d.New}, {reports.DriftResolved, d.Resolved}, {reports.DriftWaived, d.NewlyWaived}, {reports.DriftUnassessed, d.NoLongerAssessed}, {reports.DriftStillFailing, d.StillFailing}} {
		for _, f := range g.fs {
			kind := reports.DriftKindLabel(g.kind)
			if f.Reason != "" {
				kind += " (" + f.Reason + ")"
			}
			if err := s.put(b.str(kind), b.str(f.CheckID), b.str(f.Provider), b.str(f.Subject.ID), b.str(f.Subject.Name), b.severityCell(f.Severity), nil, nil, b.str(f.Message)); err != nil {
				return err
			}
		}
	}
	for _, c := range d.Changed {
		if err := s.put(reports.DriftKindLabel(reports.DriftStatus), b.str(c.CheckID), b.str(c.Provider), nil, nil, nil, b.str(string(c.From)), b.str(string(c.To)), nil); err != nil {
			return err
		}
	}
	for _, a := range d.AALDowngrades {
		if err := s.put(reports.DriftKindLabel(reports.DriftDowngrade), nil, b.str(a.Provider), b.str(a.ID), b.str(a.Name), nil, b.str(a.From), b.str(a.To), nil); err != nil {
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
		reports.TrendFailing, "Critical", "High", "Accounts", reports.TrendBelowNominal, "Privileged below nominal AAL", "Privileged with a weak fallback", "Complete"}
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
			r.Failing, r.FailingCritical, r.FailingHigh, r.Accounts, r.BelowNominal, r.PrivilegedBelowNominal, r.PrivilegedWeak, r.Complete); err != nil {
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
	colors := reports.TrendColors
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
