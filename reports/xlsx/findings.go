package xlsx

import (
	"cmp"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/reports"
)

// evidenceColumns are the evidence keys the Findings sheet gives a column
// each: the ones most findings carry (accounts: methods, AALs, paths;
// policies: accounts affected and a sample; workloads: app id, type,
// reasons; events: how many). A ticket is one row, so each fact an engineer
// copies into it is a cell of its own, filterable; the rest is "Other
// evidence". login and privileged have their own columns further right;
// event_details and credentials are listed a row each on the Recovery events
// and Workload identities sheets.
var evidenceColumns = []struct {
	key, title string
	column
	number bool
}{
	{"methods", "Methods", wcol(24), false},
	{"nominal_aal", "Nominal AAL", col(9), false},
	{"effective_aal", "Effective AAL", col(9), false},
	{"weakest_path", "Weakest path", wcol(30), false},
	{"paths", "Paths", wcol(36), false},
	{"path_policies", "Decided by", wcol(36), false},
	{"roles", "Roles", wcol(24), false},
	{"accounts", "Accounts", col(10), true},
	{"privileged_accounts", "Privileged accounts", col(11), true},
	{"sample", "Sample", wcol(30), false},
	{"event_count", "Events", col(8), true},
	{"workload_type", "Workload type", col(14), false},
	{"app_id", "App ID", col(38), false},
	{"reasons", "Reasons", wcol(36), false},
}

// notOther are the evidence keys "Other evidence" leaves out: they have
// columns or sheets of their own.
var notOther = func() map[string]bool {
	m := map[string]bool{"login": true, "privileged": true, "event_details": true, "credentials": true}
	for _, c := range evidenceColumns {
		m[c.key] = true
	}
	return m
}()

// findingColumns is the Findings sheet's header, with the evidence columns
// after the message (firstEvidenceCol is the 0-based index of the first).
func findingColumns() ([]column, []string) {
	cs := []column{col(9), col(9), wcol(30), col(14), col(10), wcol(10), col(40), wcol(28), wcol(48)}
	hdr := []string{"Check", "Provider", "Check title", "Check status", "Severity", "Subject type", "Subject ID", "Subject name", "Message"}
	for _, e := range evidenceColumns {
		cs, hdr = append(cs, e.column), append(hdr, e.title)
	}
	cs = append(cs, wcol(56), wcol(16), wcol(22), wcol(22), col(12), col(9), col(17), col(15), col(12), col(30), col(10), col(40), col(60), col(16), col(40), col(40), col(22), col(12))
	hdr = append(hdr, "Other evidence", "Waiver", "Waiver owner", "Waiver approver", "Waiver expires", "Waiver expired",
		"Finding ID", "Finding status", "First seen", "Login", "Privileged", "Mapped controls", "Remediation", "Plan actions", "Where (console)", "API / field", "Owner", "Due")
	return cs, hdr
}

const firstEvidenceCol = 9

func (b *book) findings() error {
	cs, hdr := findingColumns()
	var nums []int
	for i, e := range evidenceColumns {
		if e.number {
			nums = append(nums, firstEvidenceCol+i)
		}
	}
	st, err := b.newStream(SheetFindings, cs, hdr, nums...)
	if err != nil {
		return err
	}
	remediation := map[string]string{}  // check\x00provider → text
	fixes := map[string][]reports.Fix{} // check\x00provider → the plan's actions
	for _, sec := range b.v.Findings {
		for _, p := range sec.Providers {
			remediation[sec.CheckID+"\x00"+p.Provider] = cmp.Or(p.Remediation, sec.Remediation)
		}
		for _, fx := range sec.Fixes {
			fixes[sec.CheckID+"\x00"+fx.Provider] = append(fixes[sec.CheckID+"\x00"+fx.Provider], fx)
		}
	}
	row := make([]any, 0, len(hdr))
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
			row = append(row[:0], b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.str(string(c.Status)), b.str(string(c.SeverityOf(&f))),
				b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(b.v.Names.ResolveEvidence("", f.Message, f.Subject.ID)))
			for _, e := range evidenceColumns {
				row = append(row, b.evidenceCell(f.Evidence, e.key, e.number, f.Subject.ID))
			}
			row = append(row, b.str(b.v.Names.ResolveEvidence("", otherEvidence(f.Evidence), f.Subject.ID)), wl, wo, wa, we, wx,
				b.str(reports.FindingID(c, &f)), b.str(status), b.firstSeen(f.FirstSeen), b.str(login), priv, b.str(reports.ControlsList(c.Controls)), b.str(remediation[c.ID+"\x00"+c.Provider]))
			row = append(row, fixCells(b, fixes[c.ID+"\x00"+c.Provider])...)
			row = append(row, b.str(""), b.str(""))
			if err := st.put(row...); err != nil {
				return err
			}
		}
	}
	return st.finish(map[string][]excelize.ConditionalFormatOptions{"E": b.severityRules()})
}

// fixCells are the plan's actions for a finding's check and provider: their
// ids, and where the first is made (console path, API field).
func fixCells(b *book, fx []reports.Fix) []any {
	if len(fx) == 0 {
		return []any{nil, nil, nil}
	}
	ids := make([]string, len(fx))
	for i, f := range fx {
		ids[i] = f.ActionID
	}
	return []any{b.str(strings.Join(ids, ", ")), b.str(fx[0].ConsolePath), b.str(fx[0].APIField)}
}

// firstSeen is the date a finding was first seen; empty when no earlier run
// was compared (results.json has no first_seen then).
func (b *book) firstSeen(t *time.Time) any {
	if t == nil {
		return nil
	}
	return styled(b.sDay, t.UTC())
}

// evidenceCell is one evidence key's cell: a number for a count, else its
// text (lists joined with ", ", ids other than the subject's own named
// where a name was read); blank (no cell) when the finding lacks the key.
func (b *book) evidenceCell(ev map[string]any, key string, number bool, self string) any {
	v, ok := ev[key]
	if !ok {
		return blank
	}
	if number {
		switch n := v.(type) {
		case int:
			return n
		case float64:
			return n
		}
	}
	return b.str(b.v.Names.ResolveEvidence(key, reports.EvidenceValue(ev, key), self))
}

// otherEvidence is the "k: v; …" text of the keys without a column.
func otherEvidence(ev map[string]any) string {
	rest := make(map[string]any, len(ev))
	for k, v := range ev {
		if !notOther[k] {
			rest[k] = v
		}
	}
	return reports.EvidenceText(rest, 0)
}
