package checks

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func exclusionCases() []checkCase {
	excludeUser := func(id string) func(*evidence.Source) {
		return func(s *evidence.Source) {
			s.Policies.SignIn[0].Targets.ExcludeUsers = append(s.Policies.SignIn[0].Targets.ExcludeUsers, id)
		}
	}
	cases := []checkCase{
		{name: "user excluded", check: "EXC-01", provider: evidence.Entra, mutate: excludeUser(entraAlice), want: Fail, subjects: []string{entraAlice}, severity: High},
		{name: "admin excluded", check: "EXC-01", provider: evidence.Entra, mutate: excludeUser(entraAdmin), want: Fail, subjects: []string{entraAdmin}, severity: Critical},
		{name: "role excluded", check: "EXC-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.SignIn[0].Targets.ExcludeRoles = []string{entraGA}
		}, want: Fail, subjects: []string{entraGA}, severity: Critical},
		{name: "group excluded", check: "EXC-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.SignIn[0].Targets.ExcludeGroups = []string{oktaAdmins}
		}, want: Fail, subjects: []string{oktaAdmins}, severity: Critical},
		{name: "break-glass with FIDO2", check: "EXC-01", provider: evidence.Entra, mutate: excludeUser(entraAdmin),
			params: func(p *Params) { p.BreakGlass = []string{"ADA@contoso.com"} }, want: Pass, rationale: "break-glass"},
		{name: "break-glass without phishing-resistant method", check: "EXC-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			excludeUser(entraAdmin)(s)
			account(s, entraAdmin).Methods = []evidence.Method{method(evidence.KindTOTPHardware, "")}
		}, params: func(p *Params) { p.BreakGlass = []string{entraAdmin} }, want: Fail, subjects: []string{entraAdmin}, severity: Critical},
		{name: "report-only policy exclusions do not count", check: "EXC-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			excludeUser(entraAlice)(s)
			s.Policies.SignIn[0].ReportOnly = true
		}, want: Pass},
		{name: "stale exclusion of a deleted user", check: "EXC-01", provider: evidence.Okta, mutate: excludeUser("00ugone"), want: Fail, subjects: []string{"00ugone"}},

		{name: "one-factor rule", check: "EXC-02", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.SignIn = append(s.Policies.SignIn, evidence.SignInPolicy{ID: "00p1fa", Name: "Legacy apps", RuleName: "password only", Kind: "ACCESS_POLICY", Enabled: true, Targets: evidence.Targets{All: true}, OneFactor: true})
		}, want: Fail, subjects: []string{"00p1fa"}},
		{name: "legacy authentication not blocked", check: "EXC-02", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.SignIn = s.Policies.SignIn[:1]
		}, want: Fail, subjects: []string{"c0ffee00-0000-0000-0000-000000000000"}},
		{name: "connector says legacy blocked", check: "EXC-02", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.SignIn = s.Policies.SignIn[:1]
			s.Policies.LegacyAuthBlocked = boolp(true)
		}, want: Pass},
	}
	return cases
}

func nhiCases() []checkCase {
	token := func(w evidence.Workload) func(*evidence.Source) {
		return func(s *evidence.Source) { s.Workloads = append(s.Workloads, w) }
	}
	ssws := func(ownerActive, ownerPriv bool) evidence.Workload {
		return evidence.Workload{ID: "00Ttok1", Type: evidence.WAPIToken, Name: "connector-token", Enabled: true,
			Owners:      []evidence.Owner{{ID: "00uowner", Active: ownerActive, Privileged: ownerPriv}},
			Credentials: []evidence.Credential{{ID: "00Ttok1", Type: evidence.CredAPIToken, Created: ago(10 * day), Expires: in(20 * day), LastUsed: ago(day), Active: true}}}
	}
	svc := func(s *evidence.Source) {
		addAccount(s, evidence.Account{ID: "00usvc", Name: "Backup", Login: "svc-backup@acme.com", UserType: "member",
			Methods: []evidence.Method{method(evidence.KindFIDO2, "k1"), method(evidence.KindFIDO2, "k2")}})
	}
	cases := []checkCase{
		{name: "token of a deactivated owner", check: "NHI-01", provider: evidence.Okta, mutate: token(ssws(false, false)), want: Fail, subjects: []string{"00Ttok1"}},
		{name: "unused credential", check: "NHI-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Workloads[0].Credentials[0].LastUsed = ago(120 * day)
		}, want: Fail, subjects: []string{"0oa1svc"}},
		{name: "application without owner", check: "NHI-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[0].Owners = nil
		}, want: Fail, subjects: []string{entraApp}},
		{name: "disabled SP with live secret", check: "NHI-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[1].Enabled = false
			s.Workloads[1].Credentials = []evidence.Credential{{ID: "pw1", Type: evidence.CredSecret, Expires: in(10 * day), Active: true}}
		}, want: Fail, subjects: []string{entraSP}},
		{name: "expired credential of a disabled SP", check: "NHI-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[1].Enabled = false
			s.Workloads[1].Credentials = []evidence.Credential{{ID: "pw1", Type: evidence.CredSecret, Expires: ago(10 * day), Active: true}}
		}, want: Pass},

		{name: "third-party SP with a secret", check: "NHI-03", provider: evidence.Entra, mutate: token(evidence.Workload{
			ID: "50000000-0000-0000-0000-0000000003d0", Type: evidence.WServicePrincipal, Name: "SaaS reporting", Enabled: true, ThirdParty: true, OwnerOrg: "other-tenant",
			Grants: []string{"Directory.Read.All"}, Credentials: []evidence.Credential{{ID: "pw9", Type: evidence.CredSecret, Expires: in(100 * day), Active: true}}}),
			want: Fail, subjects: []string{"50000000-0000-0000-0000-0000000003d0"}},
		{name: "third-party okta app with okta scopes", check: "NHI-03", provider: evidence.Okta, mutate: token(evidence.Workload{
			ID: "0oa3rd", Type: evidence.WServiceApp, Name: "Marketplace sync", Enabled: true, ThirdParty: true, Grants: []string{"okta.users.read"}}),
			want: Fail, subjects: []string{"0oa3rd"}},
		{name: "third-party SP with read-only delegated grant", check: "NHI-03", provider: evidence.Entra, mutate: token(evidence.Workload{
			ID: "5000-ro", Type: evidence.WServicePrincipal, Name: "Viewer", Enabled: true, ThirdParty: true, Grants: []string{"User.Read"}}),
			want: Pass},

		{name: "SSWS token", check: "NHI-04", provider: evidence.Okta, mutate: token(ssws(true, false)), want: Fail, subjects: []string{"00Ttok1"}},
		{name: "client secret", check: "NHI-04", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[0].Credentials = append(s.Workloads[0].Credentials, evidence.Credential{ID: "pw2", Type: evidence.CredSecret, Created: ago(day), Expires: in(90 * day), Active: true})
		}, want: Fail, subjects: []string{entraApp}},

		{name: "token of a super admin", check: "NHI-05", provider: evidence.Okta, mutate: token(ssws(true, true)), want: Fail, subjects: []string{"00Ttok1"}},
		{name: "SP with directory write", check: "NHI-05", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[1].Grants = append(s.Workloads[1].Grants, "Directory.ReadWrite.All")
		}, want: Fail, subjects: []string{entraSP}},
		{name: "service app with admin role", check: "NHI-05", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Workloads[0].Roles = []evidence.Role{{ID: "ORG_ADMIN", Name: "Organization Administrator"}}
		}, want: Fail, subjects: []string{"0oa1svc"}},

		{name: "secret never expires", check: "NHI-07", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[0].Credentials = append(s.Workloads[0].Credentials, evidence.Credential{ID: "pw3", Type: evidence.CredSecret, Created: ago(day), Active: true})
		}, want: Fail, subjects: []string{entraApp}},
		{name: "two-year secret", check: "NHI-07", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Workloads[0].Credentials = []evidence.Credential{{ID: "pw4", Type: evidence.CredSecret, Created: ago(10 * day), Expires: in(720 * day), Active: true}}
		}, want: Fail, subjects: []string{entraApp}},
		{name: "two active certificates", check: "NHI-07", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Workloads[0].Credentials = append(s.Workloads[0].Credentials, evidence.Credential{ID: "kid2", Type: evidence.CredCertificate, Created: ago(day), Expires: in(100 * day), Active: true})
		}, want: Fail, subjects: []string{"0oa1svc"}},

		{name: "interactive sign-in of a service account", check: "NHI-10", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			svc(s)
			s.Events = append(s.Events, evidence.Event{ID: "ev-si", Kind: evidence.EvSignIn, Time: testNow.Add(-day), Actor: evidence.Principal{ID: "00usvc"}, Interactive: true, Outcome: "SUCCESS"})
		}, want: Fail, subjects: []string{"00usvc"}},
		{name: "service account excluded from MFA", check: "NHI-10", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			svc(s)
			s.Policies.SignIn[0].Targets.ExcludeUsers = []string{"00usvc"}
		}, want: Fail, subjects: []string{"00usvc"}},
		{name: "service account excluded from CA by group", check: "NHI-10", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			addAccount(s, evidence.Account{ID: "33333333-0000-0000-0000-000000000005", Name: "Sync", Login: "sync_svc@contoso.com", UserType: "member", Groups: []string{"g-svc"}})
			s.Policies.SignIn[0].Targets.ExcludeGroups = []string{"g-svc"}
		}, want: Fail, subjects: []string{"33333333-0000-0000-0000-000000000005"}},
		{name: "listed service account that behaves", check: "NHI-10", provider: evidence.Entra, params: func(p *Params) {
			p.ServiceAccounts = []string{entraAlice}
		}, want: Pass, rationale: "No service account (1)"},
	}
	return cases
}

func logCases() []checkCase {
	cases := []checkCase{
		{name: "P1-less retention", check: "LOG-01", provider: evidence.Entra, mutate: func(s *evidence.Source) { s.LogRetentionDays = 7 },
			want: Fail, subjects: []string{"c0ffee00-0000-0000-0000-000000000000"}},
		{name: "window beyond Okta's 90 days", check: "LOG-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.AuditWindow.Since = testNow.Add(-120 * day)
		}, want: Fail, subjects: []string{"acme.okta.com"}, rationale: "(90 days) is shorter than the audit window (120 days)"},
		{name: "unknown retention", check: "LOG-01", provider: evidence.Okta, mutate: func(s *evidence.Source) { s.LogRetentionDays = 0 },
			want: Manual, rationale: "retention is not known"},
		{name: "log denied", check: "LOG-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.SetCoverage(evidence.Coverage{Dataset: evidence.DSSystemLog, Status: evidence.Denied, Detail: "needs okta.logs.read"})
		}, want: NotAssessed, rationale: "system_log: denied — needs okta.logs.read"},
	}
	return cases
}

// TestNotAssessed: a dataset that is not complete makes every check that
// needs it not_assessed, never pass, with the dataset and detail named.
func TestNotAssessed(t *testing.T) {
	perm := &evidence.PermissionError{APIError: evidence.APIError{Provider: evidence.Okta, Status: 403, Code: "E0000006", Endpoint: "/api/v1/logs"}, Needed: "okta.logs.read"}
	cases := []struct {
		name     string
		provider evidence.Provider
		mutate   func(*evidence.Source)
		checks   []string
		reason   string
	}{
		{"okta log denied", evidence.Okta, func(s *evidence.Source) {
			s.SetCoverage(evidence.CoverageFromError(evidence.DSSystemLog, 0, perm))
		}, []string{"REC-06", "REC-07", "NHI-10", "LOG-01"}, "system_log: denied — okta: /api/v1/logs: HTTP 403 E0000006 (needs okta.logs.read)"},
		{"okta factors partial", evidence.Okta, func(s *evidence.Source) {
			s.SetCoverage(evidence.Coverage{Dataset: evidence.DSFactors, Status: evidence.Partial, Detail: "3 users failed"})
		}, []string{"MFA-01", "MFA-02", "MFA-03", "MFA-04", "MFA-06", "REC-05", "EXC-01"}, "factors: partial — 3 users failed"},
		{"entra dataset never collected", evidence.Entra, func(s *evidence.Source) {
			var keep []evidence.Coverage
			for _, c := range s.Coverage {
				if c.Dataset != evidence.DSCondAccess {
					keep = append(keep, c)
				}
			}
			s.Coverage = keep
		}, []string{"MFA-03", "MFA-04", "REC-03", "REC-05", "EXC-01", "EXC-02", "NHI-10"}, "conditional_access: not collected"},
		{"entra both method sources missing", evidence.Entra, func(s *evidence.Source) {
			s.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Denied, Detail: "needs an Entra ID P1 licence"})
			s.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Errored, Detail: "HTTP 500"})
		}, []string{"MFA-01", "MFA-02", "MFA-03", "MFA-04", "MFA-06", "REC-01", "REC-03", "REC-05", "EXC-01"}, "registration_details: denied — needs an Entra ID P1 licence and authentication_methods: error — HTTP 500"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := oktaGood()
			if tc.provider == evidence.Entra {
				src = entraGood()
			}
			tc.mutate(src)
			r := evaluate(t, testParams(), src)
			for _, id := range tc.checks {
				c := result(t, r, id, tc.provider)
				if c.Status != NotAssessed {
					t.Errorf("%s: status %s, want not_assessed", id, c.Status)
				}
				if !strings.Contains(c.Rationale, tc.reason) {
					t.Errorf("%s: rationale %q does not name %q", id, c.Rationale, tc.reason)
				}
			}
			if r.Summary.NotAssessed != len(tc.checks) {
				t.Errorf("summary not_assessed %d, want %d", r.Summary.NotAssessed, len(tc.checks))
			}
		})
	}
	t.Run("one method source is enough", func(t *testing.T) {
		src := entraGood()
		src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Denied, Detail: "not licensed"})
		r := evaluate(t, testParams(), src)
		if c := result(t, r, "MFA-01", evidence.Entra); c.Status != Pass {
			t.Errorf("MFA-01 %s (%s), want pass from authentication_methods", c.Status, c.Rationale)
		}
	})
}

func TestMFAChecks(t *testing.T)       { runCases(t, mfaCases()) }
func TestRecoveryChecks(t *testing.T)  { runCases(t, recoveryCases()) }
func TestExclusionChecks(t *testing.T) { runCases(t, exclusionCases()) }
func TestNHIChecks(t *testing.T)       { runCases(t, nhiCases()) }
func TestLogCoverage(t *testing.T)     { runCases(t, logCases()) }

// TestEveryCheckHasFixtures: each check has a failing fixture for every
// provider where it is not inherently manual (the passing fixture is the
// baseline, TestBaselinePasses).
func TestEveryCheckHasFixtures(t *testing.T) {
	failing := map[string]bool{}
	for _, cs := range [][]checkCase{mfaCases(), recoveryCases(), exclusionCases(), nhiCases(), logCases()} {
		for _, c := range cs {
			if c.want == Fail {
				failing[c.check+"/"+string(c.provider)] = true
			}
		}
	}
	for _, c := range Catalog() {
		for _, p := range evidence.Providers {
			if _, manual := c.Manual[p]; manual {
				continue
			}
			if !failing[c.ID+"/"+string(p)] {
				t.Errorf("%s/%s has no failing fixture", c.ID, p)
			}
		}
	}
}

func TestGrantClasses(t *testing.T) {
	cases := []struct {
		p           evidence.Provider
		grant       string
		write, high bool
	}{
		{evidence.Entra, "Directory.ReadWrite.All", true, true},
		{evidence.Entra, "RoleManagement.ReadWrite.Directory", true, true},
		{evidence.Entra, "Sites.FullControl.All", true, true},
		{evidence.Entra, "Mail.Send", false, true},
		{evidence.Entra, "User.Read.All", false, false},
		{evidence.Okta, "okta.users.manage", true, true},
		{evidence.Okta, "okta.users.read", false, true},
		{evidence.Okta, "openid", false, false},
	}
	for _, tc := range cases {
		if tenantWrite(tc.p, tc.grant) != tc.write || highPrivilege(tc.p, tc.grant) != tc.high {
			t.Errorf("%s %s: tenantWrite %v highPrivilege %v, want %v %v", tc.p, tc.grant,
				tenantWrite(tc.p, tc.grant), highPrivilege(tc.p, tc.grant), tc.write, tc.high)
		}
	}
}

func TestRoleListNamesEligibleRoles(t *testing.T) {
	got := roleList([]evidence.Role{
		{ID: "62e90394-69f5-4237-9190-012177145e10", Name: "Global Administrator", Via: "eligible (PIM)"},
		{ID: "SUPER_ADMIN", Name: "Super Administrator", Via: "direct"},
		{ID: "c4e39bd9-1100-46d3-8c65-fb160da0071f", Via: "eligible (PIM) via group 00g1"},
	})
	want := []string{"Global Administrator (eligible, PIM)", "Super Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f (eligible, PIM)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("roleList = %q, want %q", got, want)
	}
}

// TestEventAndCredentialRecords: REC-06/REC-07 findings list each event
// (time, id, kind, actor, target) and NHI-04/NHI-07 findings each flagged
// credential (created, expires, age and lifetime in days), so the reports
// can show one row per event and ages as columns.
func TestEventAndCredentialRecords(t *testing.T) {
	src := oktaGood()
	at := testNow.Add(-3 * day)
	src.Events = append(src.Events, evidence.Event{ID: "ev-adm", Kind: evidence.EvPasswordResetAdmin, Time: at, VendorType: "user.account.reset_password",
		Actor: evidence.Principal{ID: oktaAlice, Name: "Alice"}, Target: evidence.Principal{ID: oktaAdmin}, Outcome: "SUCCESS"})
	c := result(t, evaluate(t, testParams(), src), "REC-07", evidence.Okta)
	if len(c.Findings) != 1 {
		t.Fatalf("REC-07: %+v", c.Findings)
	}
	recs, _ := c.Findings[0].Evidence["event_details"].([]map[string]any)
	want := map[string]any{"id": "ev-adm", "time": at.UTC().Format(time.RFC3339), "kind": string(evidence.EvPasswordResetAdmin),
		"vendor_type": "user.account.reset_password", "actor_id": oktaAlice, "actor_name": "Alice", "target_id": oktaAdmin}
	if len(recs) != 1 || !maps.Equal(recs[0], want) {
		t.Errorf("REC-07 event_details = %v, want [%v]", recs, want)
	}

	e := entraGood()
	e.Workloads[0].Credentials = []evidence.Credential{{ID: "pw4", Type: evidence.CredSecret, Name: "deploy", Created: ago(10 * day), Expires: in(720 * day), Active: true}}
	r := evaluate(t, testParams(), e)
	for _, id := range []string{"NHI-04", "NHI-07"} {
		c := result(t, r, id, evidence.Entra)
		if len(c.Findings) != 1 {
			t.Fatalf("%s: %+v", id, c.Findings)
		}
		recs, _ := c.Findings[0].Evidence["credentials"].([]map[string]any)
		want := map[string]any{"id": "pw4", "type": string(evidence.CredSecret), "name": "deploy", "created": ago(10 * day).UTC().Format(time.RFC3339),
			"expires": in(720 * day).UTC().Format(time.RFC3339), "age_days": 10, "lifetime_days": 730}
		if len(recs) != 1 || !maps.Equal(recs[0], want) {
			t.Errorf("%s credentials = %v, want [%v]", id, recs, want)
		}
	}
}

func TestParseAAL(t *testing.T) {
	tests := []struct {
		in     string
		want   AAL
		wantOK bool
	}{
		{"AAL1", AAL1, true}, {"AAL2", AAL2, true}, {"AAL3", AAL3, true}, {"aal2", AAL2, true}, {" AAL3 ", AAL3, true},
		{"none", AALNone, true},
		{"", AALNone, false}, {"unknown", AALNone, false}, {"AAL4", AALNone, false}, {"AAL", AALNone, false}, {"AALx", AALNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, ok := ParseAAL(tt.in); got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseAAL(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
			if tt.wantOK {
				if back, _ := ParseAAL(tt.want.String()); back != tt.want {
					t.Errorf("ParseAAL(%v.String()) = %v", tt.want, back)
				}
			}
		})
	}
}

func TestIdentityBelowNominal(t *testing.T) {
	for _, tt := range []struct {
		nominal, effective string
		want               bool
	}{
		{"AAL3", "AAL2", true}, {"AAL2", "none", true}, {"AAL3", "unknown", true},
		{"AAL2", "AAL2", false}, {"none", "none", false}, {"unknown", "unknown", false}, {"unknown", "AAL1", false},
	} {
		id := Identity{NominalAAL: tt.nominal, EffectiveAAL: tt.effective}
		if got := id.BelowNominal(); got != tt.want {
			t.Errorf("BelowNominal(%s, %s) = %v, want %v", tt.nominal, tt.effective, got, tt.want)
		}
	}
}

func TestThresholdSpecs(t *testing.T) {
	d := DefaultThresholds()
	if d != (Thresholds{}).withDefaults() {
		t.Errorf("withDefaults of zero = %+v, want the defaults %+v", (Thresholds{}).withDefaults(), d)
	}
	seen := map[string]bool{}
	for _, s := range thresholdSpecs {
		if seen[s.Key] || s.Label == "" || !strings.Contains(s.Label, s.Check) {
			t.Errorf("%s: duplicate, unlabelled or label without its check %q", s.Key, s.Check)
		}
		seen[s.Key] = true
		if _, ok := Lookup(s.Check); !ok {
			t.Errorf("%s: check %s is not in the catalog", s.Key, s.Check)
		}
		if def := s.Format(d); def == "" || def == "0" || def == "0s" {
			t.Errorf("%s: no default", s.Key)
		}
		if got, ok := LookupThreshold(s.Key); !ok || got.Key != s.Key {
			t.Errorf("LookupThreshold(%q) = %v, %v", s.Key, got.Key, ok)
		}
	}
	for d, want := range map[time.Duration]string{8 * time.Hour: "8h", 90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 7 * 24 * time.Hour: "7d", 36 * time.Hour: "36h", 90 * time.Second: "1m30s"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := d.Describe(); got["tap_max_lifetime"] != "8h" || got["reenrol_window"] != "7d" || got["resets_per_actor_per_day"] != "10" {
		t.Errorf("Describe = %v", got)
	}
}

// TestCoverageStatusesMatchTheModel: sourceInfo converts the snapshot's
// coverage statuses by value; a status added to the model must be added to
// the results contract too.
func TestCoverageStatusesMatchTheModel(t *testing.T) {
	results := []CoverageStatus{CoverageComplete, CoveragePartial, CoverageDenied, CoverageError}
	model := []evidence.CoverageStatus{evidence.Complete, evidence.Partial, evidence.Denied, evidence.Errored}
	for i := range model {
		if string(model[i]) != string(results[i]) {
			t.Errorf("evidence %q is results %q", model[i], results[i])
		}
	}
}
