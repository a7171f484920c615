package xlsx

import (
	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

func (b *book) checks() error {
	s, err := b.newSheet(SheetChecks)
	if err != nil {
		return err
	}
	if err := s.columns(col(9), col(9), wcol(34), col(15), col(11), col(10), wcol(40), col(9), col(8), col(8), wcol(60), col(50)); err != nil {
		return err
	}
	if err := s.header("Check", "Provider", "Title", "Status", "Incomplete", "Severity", "Controls", "Findings", "Open", "Waived", "Rationale", "Documentation"); err != nil {
		return err
	}
	if err := s.numHeader(7, 8, 9); err != nil {
		return err
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		open := 0
		for _, f := range c.Findings {
			if f.Open() {
				open++
			}
		}
		if err := s.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.statusCell(c.Status), c.Incomplete, b.severityCell(c.Severity),
			b.str(reports.ControlsList(c.Controls)), len(c.Findings), open, len(c.Findings)-open, b.str(c.Rationale), b.docCell(reports.CheckDoc(c.ID, c.Provider))); err != nil {
			return err
		}
		if u := reports.CheckDoc(c.ID, c.Provider); u != "" {
			// The URL is shown (it prints and copies) and linked; it comes
			// from the catalog, never from tenant data.
			cell, err := excelize.CoordinatesToCellName(12, s.row-1)
			if err != nil {
				return err
			}
			if err := b.f.SetCellHyperLink(s.name, cell, u, "External"); err != nil {
				return err
			}
		}
	}
	return s.filter(1, 12, s.row-1)
}

// docCell is a check's documentation link cell (nil without one).
func (b *book) docCell(u string) any {
	if u == "" {
		return nil
	}
	return styled(b.sLink, u)
}
