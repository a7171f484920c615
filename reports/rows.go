package reports

import (
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
)

// The rows of the table sheets that list records found in evidence (the
// XLSX Recovery events and Workload identities sheets): which findings they
// come from, how duplicates merge, their order and the names beside the ids
// are decided here; a writer only lays the rows out.

// FindingID is the finding's stable id: results.json carries it, older
// results get it computed the same way.
func FindingID(c *checks.CheckResult, f *checks.Finding) string {
	if f.ID != "" {
		return f.ID
	}
	return checks.FindingID(c.ID, c.Provider, f.Subject)
}

// RecoveryEvent is one audit event behind the recovery findings (a row of
// the Recovery events sheet).
type RecoveryEvent struct {
	// At is the event's time; zero when the evidence records none (results
	// written before findings carried event_details) or it is not RFC 3339.
	At         time.Time
	EventID    string
	Kind       string // "factor_reset", …, as the check classified it
	VendorType string // the vendor's event type
	ActorName  string
	ActorID    string
	// ActorPrivileged is whether the actor is a privileged account; nil
	// when the actor is not an account the scan read.
	ActorPrivileged *bool
	TargetName      string
	TargetID        string
	Provider        string
	// Checks is the distinct ids of the checks whose findings list the
	// event, joined with ", ".
	Checks string
	// Findings labels each finding that lists the event, "REC-06 <finding
	// id>", in the order of the results.
	Findings []string
}

// eventRecords are the audit events a finding's evidence lists: its
// event_details records, or for results written before findings carried
// them, a record holding only the id of each entry of its "events" list.
//
// Only REC-06 and REC-07 write these keys (checks/check_rec.go; no other
// check has written them in any release), so a finding lists events
// exactly when it is a finding of one of those two checks: no check is
// picked by its id.
func eventRecords(ev map[string]any) []map[string]any {
	if recs := EvidenceRecords(ev, "event_details"); len(recs) > 0 {
		return recs
	}
	var out []map[string]any
	for _, id := range strings.Split(EvidenceValue(ev, "events"), ", ") {
		if id != "" {
			out = append(out, map[string]any{"id": id})
		}
	}
	return out
}

// RecoveryEvents lists the audit events behind r's findings, one per event:
// an event listed by two findings (of one provider) is one event naming
// both; an event without an id is never merged. They are sorted oldest
// first (events without a time first), then by provider and event id.
// Actor and target names are the ones the event recorded, else the names of
// the accounts read; in results written before events carried their actor
// and target, the target is the finding's user subject.
func RecoveryEvents(r *checks.Results) []RecoveryEvent {
	if r == nil {
		return nil
	}
	type event struct {
		provider, id string
		rec          map[string]any
		at           time.Time
		findings     []string
		subject      checks.Subject
	}
	var events []*event
	seen := map[string]*event{}
	for i := range r.Checks {
		c := &r.Checks[i]
		for j := range c.Findings {
			f := &c.Findings[j]
			for _, rec := range eventRecords(f.Evidence) {
				id := RecordString(rec, "id")
				key := c.Provider + "\x00" + id
				e := seen[key]
				if e == nil || id == "" {
					e = &event{provider: c.Provider, id: id, rec: rec, subject: f.Subject}
					e.at, _ = time.Parse(time.RFC3339, RecordString(rec, "time"))
					seen[key] = e
					events = append(events, e)
				}
				e.findings = append(e.findings, c.ID+" "+FindingID(c, f))
			}
		}
	}
	sort.SliceStable(events, func(i, j int) bool {
		a, c := events[i], events[j]
		if !a.at.Equal(c.at) {
			return a.at.Before(c.at)
		}
		if a.provider != c.provider {
			return a.provider < c.provider
		}
		return a.id < c.id
	})
	accounts := make(map[string]*checks.Identity, len(r.Identities))
	for i := range r.Identities {
		id := &r.Identities[i]
		accounts[id.Provider+"\x00"+id.ID] = id
	}
	name := func(provider, id, recorded string) string {
		if recorded != "" {
			return recorded
		}
		if a := accounts[provider+"\x00"+id]; a != nil {
			return a.Name
		}
		return ""
	}
	out := make([]RecoveryEvent, 0, len(events))
	for _, e := range events {
		actorID, targetID := RecordString(e.rec, "actor_id"), RecordString(e.rec, "target_id")
		if targetID == "" && actorID == "" && e.subject.Type == "user" {
			targetID = e.subject.ID // old results: the finding's subject is the account reset
		}
		target := name(e.provider, targetID, RecordString(e.rec, "target_name"))
		if target == "" && targetID == e.subject.ID {
			target = e.subject.Name
		}
		var priv *bool
		if a := accounts[e.provider+"\x00"+actorID]; a != nil {
			p := a.Privileged
			priv = &p
		}
		out = append(out, RecoveryEvent{
			At: e.at, EventID: e.id, Kind: RecordString(e.rec, "kind"), VendorType: RecordString(e.rec, "vendor_type"),
			ActorName: name(e.provider, actorID, RecordString(e.rec, "actor_name")), ActorID: actorID, ActorPrivileged: priv,
			TargetName: target, TargetID: targetID, Provider: e.provider,
			Checks: checkIDs(e.findings), Findings: e.findings,
		})
	}
	return out
}

// checkIDs is the distinct check ids of "REC-06 F-…" labels (a check's
// labels are adjacent: findings are listed check by check).
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

// IsWorkloadCheck reports whether the check with this id is one of the NHI
// checks, whose findings are about workload identities (NHI-10's about
// service accounts). The id prefix is the selection, not an evidence key:
// NHI-10's findings are accounts and carry no workload_type, so selecting
// by that key would drop them.
func IsWorkloadCheck(id string) bool { return strings.HasPrefix(id, "NHI-") }

// WorkloadRow is one finding of an NHI check and, when the finding names
// credentials, one of them (a row of the Workload identities sheet).
type WorkloadRow struct {
	CheckID, Provider                   string
	SubjectType, SubjectID, SubjectName string
	Message                             string
	WorkloadType, AppID, Reasons        string              // evidence as text; lists joined with ", "
	Credential                          *WorkloadCredential // nil when the finding names none
}

// WorkloadCredential is a credential a workload finding names (its
// evidence "credentials" records).
type WorkloadCredential struct {
	// Label is "name (id)", or the id when the name is absent or the same.
	Label string
	Type  string
	// Created, Expires and LastUsed are the times as recorded (RFC 3339;
	// "" when absent), so that a writer shows a value that does not parse
	// as it is.
	Created, Expires, LastUsed string
	// AgeDays (at the scan time) and LifetimeDays are nil when absent.
	AgeDays, LifetimeDays *int
}

// WorkloadCredentials lists the findings of r's NHI checks in the order of
// the results: one row per finding and credential it names (NHI-04,
// NHI-07), one row without a credential for a finding that names none.
func WorkloadCredentials(r *checks.Results) []WorkloadRow {
	if r == nil {
		return nil
	}
	num := func(rec map[string]any, k string) *int {
		if n, ok := RecordInt(rec, k); ok {
			return &n
		}
		return nil
	}
	var out []WorkloadRow
	for i := range r.Checks {
		c := &r.Checks[i]
		if !IsWorkloadCheck(c.ID) {
			continue
		}
		for _, f := range c.Findings {
			ev := f.Evidence
			head := WorkloadRow{CheckID: c.ID, Provider: c.Provider, SubjectType: f.Subject.Type, SubjectID: f.Subject.ID, SubjectName: f.Subject.Name,
				Message: f.Message, WorkloadType: EvidenceValue(ev, "workload_type"), AppID: EvidenceValue(ev, "app_id"), Reasons: EvidenceValue(ev, "reasons")}
			recs := EvidenceRecords(ev, "credentials")
			if len(recs) == 0 {
				out = append(out, head)
				continue
			}
			for _, rec := range recs {
				label := RecordString(rec, "id")
				if n := RecordString(rec, "name"); n != "" && n != label {
					label = n + " (" + label + ")"
				}
				row := head
				row.Credential = &WorkloadCredential{Label: label, Type: RecordString(rec, "type"),
					Created: RecordString(rec, "created"), Expires: RecordString(rec, "expires"), LastUsed: RecordString(rec, "last_used"),
					AgeDays: num(rec, "age_days"), LifetimeDays: num(rec, "lifetime_days")}
				out = append(out, row)
			}
		}
	}
	return out
}
