package xlsx

import (
	"fmt"
	"strings"
	"time"
)

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
