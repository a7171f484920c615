package xlsx

import (
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
)

// evidenceValue reads an evidence key as text (lists joined with ", ").
func evidenceValue(ev map[string]any, key string) string {
	v, ok := ev[key]
	if !ok {
		return ""
	}
	s := reports.EvidenceText(map[string]any{"v": v}, 0)
	s = strings.TrimPrefix(s, "v: ")
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	return s
}

// people names the accounts read, by provider and id, for the sheets that
// show ids found in evidence (actors, targets).
func (b *book) people() map[string]*checks.Identity {
	if b.byID == nil {
		b.byID = make(map[string]*checks.Identity, len(b.r.Identities))
		for i := range b.r.Identities {
			id := &b.r.Identities[i]
			b.byID[id.Provider+"\x00"+id.ID] = id
		}
	}
	return b.byID
}

// recoveryEvent is one row of the Recovery events sheet.
type recoveryEvent struct {
	provider, id string
	rec          map[string]any
	at           time.Time
	findings     []string // "REC-06 F-…"
	subject      checks.Subject
}

// recovery lists the audit events behind the REC-06 and REC-07 findings,
// one row per event (an event behind two findings is one row naming both),
// oldest first. Results written before findings carried event_details give
// the event ids alone.
func (b *book) recovery() error {
	cs := []column{col(17), col(24), col(20), wcol(26), wcol(26), col(30), col(10), wcol(26), col(30), col(9), col(9), wcol(28)}
	note := "One row per audit event behind the REC-06 (reset not followed by re-enrolment) and REC-07 (assisted reset to review) findings, oldest first; " +
		"each finding lists at most 20 of its events (its event count is on the Findings sheet). The full log is in the evidence snapshot (hashes on the Evidence sheet)."
	s, headerRow, err := b.noteTable(SheetRecovery, note, cs,
		"Time (UTC)", "Event ID", "Type", "Vendor event type", "Actor", "Actor ID", "Actor privileged", "Target", "Target ID", "Provider", "Checks", "Finding IDs")
	if err != nil {
		return err
	}
	var rows []*recoveryEvent
	seen := map[string]*recoveryEvent{}
	add := func(c *checks.CheckResult, f *checks.Finding, id string, rec map[string]any) {
		key := c.Provider + "\x00" + id
		e := seen[key]
		if e == nil || id == "" {
			e = &recoveryEvent{provider: c.Provider, id: id, rec: rec, subject: f.Subject}
			e.at, _ = time.Parse(time.RFC3339, reports.RecordString(rec, "time"))
			seen[key] = e
			rows = append(rows, e)
		}
		e.findings = append(e.findings, c.ID+" "+findingID(c, f))
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		if c.ID != "REC-06" && c.ID != "REC-07" {
			continue
		}
		for j := range c.Findings {
			f := &c.Findings[j]
			recs := reports.EvidenceRecords(f.Evidence, "event_details")
			if len(recs) == 0 {
				for _, id := range strings.Split(evidenceValue(f.Evidence, "events"), ", ") {
					if id != "" {
						add(c, f, id, map[string]any{"id": id})
					}
				}
				continue
			}
			for _, rec := range recs {
				add(c, f, reports.RecordString(rec, "id"), rec)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, c := rows[i], rows[j]
		if !a.at.Equal(c.at) {
			return a.at.Before(c.at)
		}
		if a.provider != c.provider {
			return a.provider < c.provider
		}
		return a.id < c.id
	})
	people := b.people()
	name := func(provider, id, recorded string) string {
		if recorded != "" {
			return recorded
		}
		if p := people[provider+"\x00"+id]; p != nil {
			return p.Name
		}
		return ""
	}
	for _, e := range rows {
		var at any
		if !e.at.IsZero() {
			at = styled(b.sDate, e.at.UTC())
		}
		actorID, targetID := reports.RecordString(e.rec, "actor_id"), reports.RecordString(e.rec, "target_id")
		if targetID == "" && e.subject.Type == "user" && reports.RecordString(e.rec, "actor_id") == "" {
			targetID = e.subject.ID // old results: the finding's subject is the account reset
		}
		target := name(e.provider, targetID, reports.RecordString(e.rec, "target_name"))
		if target == "" && targetID == e.subject.ID {
			target = e.subject.Name
		}
		var actorPriv any
		if p := people[e.provider+"\x00"+actorID]; p != nil {
			actorPriv = p.Privileged
		}
		if err := s.put(at, b.str(e.id), b.str(reports.RecordString(e.rec, "kind")), b.str(reports.RecordString(e.rec, "vendor_type")),
			b.str(name(e.provider, actorID, reports.RecordString(e.rec, "actor_name"))), b.str(actorID), actorPriv,
			b.str(target), b.str(targetID), b.str(e.provider), b.str(checkIDs(e.findings)), b.str(strings.Join(e.findings, "; "))); err != nil {
			return err
		}
	}
	return s.filter(headerRow, len(cs), s.row-1)
}

// checkIDs is the distinct check ids of "REC-06 F-…" labels.
func checkIDs(labels []string) string {
	var out []string
	for _, l := range labels {
		id, _, _ := strings.Cut(l, " ")
		if len(out) == 0 || out[len(out)-1] != id {
			out = append(out, id)
		}
	}
	return strings.Join(out, ", ")
}

// findingID is the finding's stable id (results.json carries it; older
// results get it computed the same way).
func findingID(c *checks.CheckResult, f *checks.Finding) string {
	if f.ID != "" {
		return f.ID
	}
	return checks.FindingID(c.ID, c.Provider, f.Subject)
}

// workloads lists the findings of the NHI checks, one row per finding and
// credential it names (NHI-04, NHI-07), with the credential's creation and
// expiry dates and its age and lifetime in days.
func (b *book) workloads() error {
	cs := []column{col(9), col(9), wcol(10), col(40), wcol(26), wcol(44), wcol(16), col(40), wcol(36),
		col(24), col(12), col(12), col(12), col(9), col(10), col(17)}
	note := "Built from the findings of the NHI checks: results.json lists workload identities only where a check found something. " +
		"One row per finding and credential it names (static secrets, long-lived or non-expiring credentials); ages are in days at the scan time. The full inventory is in the evidence snapshot."
	s, headerRow, err := b.noteTable(SheetWorkloads, note, cs, "Check", "Provider", "Subject type", "Subject ID", "Subject name", "Message", "Workload type", "App ID", "Reasons",
		"Credential", "Credential type", "Created", "Expires", "Age (days)", "Lifetime (days)", "Last used")
	if err != nil {
		return err
	}
	if err := s.numHeader(13, 14); err != nil {
		return err
	}
	num := func(rec map[string]any, k string) any {
		if n, ok := reports.RecordInt(rec, k); ok {
			return n
		}
		return nil
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		if !strings.HasPrefix(c.ID, "NHI-") {
			continue
		}
		for _, f := range c.Findings {
			ev := f.Evidence
			head := []any{b.str(c.ID), b.str(c.Provider), b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message),
				b.str(evidenceValue(ev, "workload_type")), b.str(evidenceValue(ev, "app_id")), b.str(evidenceValue(ev, "reasons"))}
			recs := reports.EvidenceRecords(ev, "credentials")
			if len(recs) == 0 {
				if err := s.put(head...); err != nil {
					return err
				}
				continue
			}
			for _, rec := range recs {
				cred := reports.RecordString(rec, "id")
				if n := reports.RecordString(rec, "name"); n != "" && n != cred {
					cred = n + " (" + cred + ")"
				}
				row := append(append([]any(nil), head...), b.str(cred), b.str(reports.RecordString(rec, "type")),
					b.instantDay(reports.RecordString(rec, "created")), b.instantDay(reports.RecordString(rec, "expires")),
					num(rec, "age_days"), num(rec, "lifetime_days"), nil)
				if last := reports.RecordString(rec, "last_used"); last != "" {
					row[len(row)-1] = b.instant(last)
				}
				if err := s.put(row...); err != nil {
					return err
				}
			}
		}
	}
	return s.filter(headerRow, len(cs), s.row-1)
}
