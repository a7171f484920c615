package xlsx

import (
	"strings"

	"github.com/shadowpath/shadowpath/reports"
)

// recovery lists the audit events behind the REC-06 and REC-07 findings,
// one row per event, as reports.RecoveryEvents derives them (an event
// behind two findings is one row naming both, oldest first; results
// written before findings carried event_details give the event ids alone).
func (b *book) recovery() error {
	cs := []column{col(17), col(24), col(20), wcol(26), wcol(26), col(30), col(10), wcol(26), col(30), col(9), col(9), wcol(28)}
	note := "One row per audit event behind the REC-06 (reset not followed by re-enrolment) and REC-07 (assisted reset to review) findings, oldest first; " +
		"each finding lists at most 20 of its events (its event count is on the Findings sheet). The full log is in the evidence snapshot (hashes on the Evidence sheet)."
	s, headerRow, err := b.noteTable(SheetRecovery, note, cs,
		"Time (UTC)", "Event ID", "Type", "Vendor event type", "Actor", "Actor ID", "Actor privileged", "Target", "Target ID", "Provider", "Checks", "Finding IDs")
	if err != nil {
		return err
	}
	for _, e := range reports.RecoveryEvents(b.r) {
		var at, actorPriv any
		if !e.At.IsZero() {
			at = styled(b.sDate, e.At.UTC())
		}
		if e.ActorPrivileged != nil {
			actorPriv = *e.ActorPrivileged
		}
		if err := s.put(at, b.str(e.EventID), b.str(e.Kind), b.str(e.VendorType), b.str(e.ActorName), b.str(e.ActorID), actorPriv,
			b.str(e.TargetName), b.str(e.TargetID), b.str(e.Provider), b.str(e.Checks), b.str(strings.Join(e.Findings, "; "))); err != nil {
			return err
		}
	}
	return s.filter(headerRow, len(cs), s.row-1)
}

// workloads lists the findings of the NHI checks, one row per finding and
// credential it names (NHI-04, NHI-07), as reports.WorkloadCredentials
// derives them, with the credential's creation and expiry dates and its age
// and lifetime in days.
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
	for _, w := range reports.WorkloadCredentials(b.r) {
		row := []any{b.str(w.CheckID), b.str(w.Provider), b.str(w.SubjectType), b.str(w.SubjectID), b.str(w.SubjectName), b.str(w.Message),
			b.str(w.WorkloadType), b.str(w.AppID), b.str(w.Reasons)}
		if c := w.Credential; c != nil {
			var last any
			if c.LastUsed != "" {
				last = b.instant(c.LastUsed)
			}
			row = append(row, b.str(c.Label), b.str(c.Type), b.instantDay(c.Created), b.instantDay(c.Expires), intCell(c.AgeDays), intCell(c.LifetimeDays), last)
		}
		if err := s.put(row...); err != nil {
			return err
		}
	}
	return s.filter(headerRow, len(cs), s.row-1)
}

// intCell is a number cell, empty for nil.
func intCell(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}
