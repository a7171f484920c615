package reports

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
)

func boolp(b bool) *bool { return &b }
func intp(n int) *int    { return &n }

func TestRecoveryEvents(t *testing.T) {
	zoe := checks.Subject{Type: "user", ID: "00uZoe00000000000001", Name: "Zoe Admin"}
	jose := checks.Subject{Type: "user", ID: "00uJose0000000000001", Name: "Jose Lopez"}
	okta, entra := "okta", "entra"
	r := &checks.Results{
		Identities: []checks.Identity{
			{Provider: okta, ID: "00uHelpdesk000000001", Name: "Help Desk", Privileged: true},
			{Provider: okta, ID: zoe.ID, Name: "Zoe (directory)", Privileged: true},
			{Provider: entra, ID: "aaaaaaaa-0000-0000-0000-000000000001", Name: "Entra Admin", Privileged: false},
		},
		Checks: []checks.CheckResult{
			{ID: "REC-06", Provider: okta, Findings: []checks.Finding{
				{ID: "F-zoe6", Subject: zoe, Evidence: map[string]any{"events": []any{"evt-2", "evt-1"}, "event_details": []any{
					map[string]any{"id": "evt-2", "time": "2026-11-03T10:00:00Z", "kind": "factor_reset", "vendor_type": "user.mfa.factor.reset_all",
						"actor_id": "00uHelpdesk000000001", "target_id": zoe.ID},
					map[string]any{"id": "evt-1", "time": "2026-11-03T10:00:00Z", "kind": "tap", "actor_id": "00uUnknown0000000001", "actor_name": "ghost@acme.example",
						"target_id": zoe.ID, "target_name": "zoe@acme.example"},
				}}},
			}},
			{ID: "REC-07", Provider: okta, Findings: []checks.Finding{
				// The same evt-2 behind a second finding: one row naming both.
				{ID: "F-zoe7", Subject: zoe, Evidence: map[string]any{"event_details": []map[string]any{
					{"id": "evt-2", "time": "2026-11-03T10:00:00Z", "kind": "factor_reset", "actor_id": "00uHelpdesk000000001", "target_id": zoe.ID},
				}}},
			}},
			{ID: "REC-07", Provider: entra, Findings: []checks.Finding{
				// Same time as the okta events: entra sorts first.
				{ID: "F-entra", Subject: checks.Subject{Type: "user", ID: "bbbbbbbb-0000-0000-0000-000000000002"}, Evidence: map[string]any{"event_details": []any{
					map[string]any{"id": "evt-9", "time": "2026-11-03T10:00:00Z", "kind": "password_reset",
						"actor_id": "aaaaaaaa-0000-0000-0000-000000000001", "target_id": "bbbbbbbb-0000-0000-0000-000000000002"},
				}}},
			}},
			{ID: "REC-06", Provider: okta, Findings: []checks.Finding{
				// Old results: the event ids alone; the target is the finding's user subject.
				{ID: "F-jose", Subject: jose, Evidence: map[string]any{"events": []any{"evt-old"}, "event_count": 1}},
			}},
			{ID: "MFA-01", Provider: okta, Findings: []checks.Finding{
				{ID: "F-mfa", Subject: jose, Evidence: map[string]any{"login": "jose@acme.example"}},
			}},
		},
	}
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	want := []RecoveryEvent{
		{EventID: "evt-old", TargetName: "Jose Lopez", TargetID: jose.ID, Provider: okta, Checks: "REC-06", Findings: []string{"REC-06 F-jose"}},
		{At: at, EventID: "evt-9", Kind: "password_reset", ActorName: "Entra Admin", ActorID: "aaaaaaaa-0000-0000-0000-000000000001", ActorPrivileged: boolp(false),
			TargetID: "bbbbbbbb-0000-0000-0000-000000000002", Provider: entra, Checks: "REC-07", Findings: []string{"REC-07 F-entra"}},
		{At: at, EventID: "evt-1", Kind: "tap", ActorName: "ghost@acme.example", ActorID: "00uUnknown0000000001",
			TargetName: "zoe@acme.example", TargetID: zoe.ID, Provider: okta, Checks: "REC-06", Findings: []string{"REC-06 F-zoe6"}},
		{At: at, EventID: "evt-2", Kind: "factor_reset", VendorType: "user.mfa.factor.reset_all", ActorName: "Help Desk", ActorID: "00uHelpdesk000000001", ActorPrivileged: boolp(true),
			TargetName: "Zoe (directory)", TargetID: zoe.ID, Provider: okta, Checks: "REC-06, REC-07", Findings: []string{"REC-06 F-zoe6", "REC-07 F-zoe7"}},
	}
	if diff := cmp.Diff(want, RecoveryEvents(r)); diff != "" {
		t.Errorf("RecoveryEvents (-want +got):\n%s", diff)
	}
	if got := RecoveryEvents(nil); got != nil {
		t.Errorf("RecoveryEvents(nil) = %v", got)
	}
}

func TestRecoveryEventsOldestFirst(t *testing.T) {
	ev := func(id, at string) map[string]any { return map[string]any{"id": id, "time": at} }
	r := &checks.Results{Checks: []checks.CheckResult{{ID: "REC-06", Provider: "okta", Findings: []checks.Finding{
		{ID: "F-1", Subject: checks.Subject{Type: "user", ID: "u1"}, Evidence: map[string]any{"event_details": []any{
			ev("b", "2026-11-05T00:00:00Z"), ev("a", "2026-11-05T00:00:00Z"), ev("c", "2026-11-01T00:00:00+02:00"),
		}}},
	}}}}
	var got []string
	for _, e := range RecoveryEvents(r) {
		got = append(got, e.EventID+" "+e.At.UTC().Format(time.RFC3339))
	}
	want := []string{"c 2026-10-31T22:00:00Z", "a 2026-11-05T00:00:00Z", "b 2026-11-05T00:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestWorkloadCredentials(t *testing.T) {
	app := checks.Subject{Type: "app", ID: "9de08eda-b1cf-4c03-9d9e-8fa0b1c2d3e4", Name: "CI deploy"}
	r := &checks.Results{Checks: []checks.CheckResult{
		{ID: "REC-06", Provider: "entra", Findings: []checks.Finding{{Subject: app, Evidence: map[string]any{"workload_type": "application"}}}},
		{ID: "NHI-04", Provider: "entra", Findings: []checks.Finding{
			{Subject: app, Message: "Client secret credential", Evidence: map[string]any{"workload_type": "application", "app_id": "2222", "reasons": []any{"r1", "r2"},
				"credentials": []any{
					map[string]any{"id": "deploy-2019", "type": "secret", "name": "deploy-2019", "created": "2019-04-01T00:00:00Z", "expires": "2299-12-31T00:00:00Z",
						"age_days": float64(2796), "lifetime_days": float64(102000), "last_used": "2026-11-25T22:10:00Z"},
					map[string]any{"id": "deploy-2025", "type": "secret", "name": "deploy", "created": "2025-01-01T00:00:00Z", "age_days": 700},
				}}},
		}},
		{ID: "NHI-10", Provider: "okta", Findings: []checks.Finding{
			{Subject: checks.Subject{Type: "user", ID: "00uSvc", Name: "svc-backup"}, Message: "signs in interactively", Evidence: map[string]any{"sign_ins": 3}},
		}},
	}}
	head := WorkloadRow{CheckID: "NHI-04", Provider: "entra", SubjectType: "app", SubjectID: app.ID, SubjectName: "CI deploy", Message: "Client secret credential",
		WorkloadType: "application", AppID: "2222", Reasons: "r1, r2"}
	first, second := head, head
	first.Credential = &WorkloadCredential{Label: "deploy-2019", Type: "secret", Created: "2019-04-01T00:00:00Z", Expires: "2299-12-31T00:00:00Z",
		LastUsed: "2026-11-25T22:10:00Z", AgeDays: intp(2796), LifetimeDays: intp(102000)}
	second.Credential = &WorkloadCredential{Label: "deploy (deploy-2025)", Type: "secret", Created: "2025-01-01T00:00:00Z", AgeDays: intp(700)}
	want := []WorkloadRow{first, second,
		{CheckID: "NHI-10", Provider: "okta", SubjectType: "user", SubjectID: "00uSvc", SubjectName: "svc-backup", Message: "signs in interactively"}}
	if diff := cmp.Diff(want, WorkloadCredentials(r)); diff != "" {
		t.Errorf("WorkloadCredentials (-want +got):\n%s", diff)
	}
}

func TestIsWorkloadCheck(t *testing.T) {
	for id, want := range map[string]bool{"NHI-01": true, "NHI-10": true, "REC-06": false, "MFA-NHI": false, "": false} {
		if got := IsWorkloadCheck(id); got != want {
			t.Errorf("IsWorkloadCheck(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestEvidenceValue(t *testing.T) {
	ev := map[string]any{"events": []any{"a", "b"}, "app_id": "x", "n": 3}
	for key, want := range map[string]string{"events": "a, b", "app_id": "x", "n": "3", "missing": ""} {
		if got := EvidenceValue(ev, key); got != want {
			t.Errorf("EvidenceValue(%q) = %q, want %q", key, got, want)
		}
	}
}
