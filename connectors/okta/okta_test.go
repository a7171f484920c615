package okta_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtures = "../../testdata/okta"

// Fixture ids (testdata/okta).
const (
	adaAdmin  = "00u1adaadmin0000001"
	hankHelp  = "00u1hankhelp0000002"
	aliceSMS  = "00u1alicesms0000003"
	bobNoMFA  = "00u1bobnomfa0000004"
	carolKBA  = "00u1carolkba0000005"
	svcBackup = "00u1svcbackup000007"
	frankDepr = "00u1frankdepr000009"
)

var (
	scanNow   = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	scanSince = scanNow.AddDate(0, 0, -30)
)

func newFake(t *testing.T, opts ...oktatest.Option) *oktatest.Server {
	t.Helper()
	return oktatest.NewServer(t, append([]oktatest.Option{oktatest.WithFixtures(fixtures)}, opts...)...)
}

func connector(t *testing.T, srv *oktatest.Server, mod ...func(*okta.Config)) *okta.Connector {
	t.Helper()
	cfg := okta.Config{OrgURL: srv.URL, Token: evidence.NewSecret(srv.Token()), HTTPClient: srv.Client(),
		RequestTimeout: 20 * time.Second, MaxRateLimitWait: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := okta.New(cfg)
	if err != nil {
		t.Fatalf("okta.New: %v", err)
	}
	return c
}

func collect(t *testing.T, c *okta.Connector, opts ...func(*evidence.CollectOptions)) *evidence.Source {
	t.Helper()
	o := evidence.CollectOptions{Now: scanNow, Since: scanSince}
	for _, f := range opts {
		f(&o)
	}
	src, err := c.Collect(t.Context(), o)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return src
}

func account(t *testing.T, src *evidence.Source, id string) evidence.Account {
	t.Helper()
	for _, a := range src.Accounts {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("account %s not collected", id)
	return evidence.Account{}
}

func coverage(t *testing.T, src *evidence.Source, ds string) evidence.Coverage {
	t.Helper()
	c, ok := src.CoverageOf(ds)
	if !ok {
		t.Fatalf("no coverage for %s", ds)
	}
	return c
}

// probeByDataset runs the connector's Probe against srv and keys the
// answers by dataset.
func probeByDataset(t *testing.T, srv *oktatest.Server) map[string]evidence.Probe {
	t.Helper()
	probes, err := connector(t, srv).Probe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]evidence.Probe{}
	for _, p := range probes {
		got[p.Dataset] = p
	}
	return got
}

func kinds(ms []evidence.Method) []evidence.MethodKind {
	var out []evidence.MethodKind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

// canonical encodes a source with the fake's random port replaced.
func canonical(t *testing.T, src *evidence.Source) []byte {
	t.Helper()
	cp := *src
	cp.Tenant = "acme.oktatest"
	b, err := evidence.Canonical(&cp)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCollectGolden(t *testing.T) {
	srv := newFake(t)
	src := collect(t, connector(t, srv))
	got := canonical(t, src)
	golden := filepath.Join("testdata", "collect.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("collected source differs from %s (-want +got):\n%s", golden, d)
	}
	srv.AssertReadOnly(t)
}

// TestCollectFields asserts, field by field, what the catalog needs from
// the fixture org, so a golden regeneration cannot hide a regression.
func TestCollectFields(t *testing.T) {
	srv := newFake(t)
	src := collect(t, connector(t, srv))

	for _, ds := range evidence.Datasets[evidence.Okta] {
		if c := coverage(t, src, ds); c.Status != evidence.Complete {
			t.Errorf("coverage %s = %s (%s), want complete", ds, c.Status, c.Detail)
		}
	}
	if src.Tenant != srv.Host() || src.LogRetentionDays != 90 || !src.CollectedAt.Equal(scanNow) ||
		!src.AuditWindow.Since.Equal(scanSince) || !src.AuditWindow.Until.Equal(scanNow) {
		t.Errorf("source header = %q %d %v %+v", src.Tenant, src.LogRetentionDays, src.CollectedAt, src.AuditWindow)
	}
	if d := cmp.Diff([]evidence.Count{{Reason: "status DEPROVISIONED", Count: 1}, {Reason: "status SUSPENDED", Count: 1}}, src.OutOfScope); d != "" {
		t.Errorf("out of scope (-want +got):\n%s", d)
	}
	if len(src.Accounts) != 8 {
		t.Errorf("accounts = %d, want 8 in-scope", len(src.Accounts))
	}
	if err := (&evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{src}}).Validate(); err != nil {
		t.Errorf("snapshot of the collected source is invalid: %v", err)
	}

	t.Run("accounts", func(t *testing.T) {
		tests := []struct {
			id         string
			status     string
			privileged bool
			roles      []evidence.Role
			kinds      []evidence.MethodKind
			groups     []string
		}{
			{adaAdmin, "ACTIVE", true, []evidence.Role{{ID: "SUPER_ADMIN", Name: "Super Administrator", Via: "direct"}},
				[]evidence.MethodKind{evidence.KindFIDO2, evidence.KindSMS}, []string{"00g1everyone000001", "00g1admins00000003"}},
			{hankHelp, "ACTIVE", true, []evidence.Role{{ID: "HELP_DESK_ADMIN", Name: "Help Desk Administrator", Via: "group 00g1helpdesk000002"}},
				[]evidence.MethodKind{evidence.KindPush, evidence.KindFastPass}, []string{"00g1everyone000001", "00g1helpdesk000002"}},
			{aliceSMS, "ACTIVE", false, nil, []evidence.MethodKind{evidence.KindSMS}, []string{"00g1everyone000001", "00g1contract000004"}},
			{bobNoMFA, "PASSWORD_EXPIRED", false, nil, nil, []string{"00g1everyone000001"}},
			// The PENDING_ACTIVATION totp is not usable and must not count.
			{carolKBA, "ACTIVE", false, nil, []evidence.MethodKind{evidence.KindSecurityQuestion, evidence.KindEmailOTP, evidence.KindTOTPSoftware}, []string{"00g1everyone000001"}},
			{"00u1davelock0000006", "LOCKED_OUT", false, nil, []evidence.MethodKind{evidence.KindPush}, []string{"00g1everyone000001"}},
			{"00u1ritarecov000010", "RECOVERY", false, nil, []evidence.MethodKind{evidence.KindVoice, evidence.KindTOTPHardware}, []string{"00g1everyone000001"}},
		}
		for _, tt := range tests {
			t.Run(tt.id, func(t *testing.T) {
				a := account(t, src, tt.id)
				if a.Status != tt.status || a.Privileged != tt.privileged || a.UserType != "member" || a.MethodsError != "" {
					t.Errorf("account = status %s privileged %v type %s err %q", a.Status, a.Privileged, a.UserType, a.MethodsError)
				}
				if d := cmp.Diff(tt.roles, a.Roles); d != "" {
					t.Errorf("roles (-want +got):\n%s", d)
				}
				if d := cmp.Diff(tt.kinds, kinds(a.Methods)); d != "" {
					t.Errorf("method kinds (-want +got):\n%s", d)
				}
				if d := cmp.Diff(tt.groups, a.Groups); d != "" {
					t.Errorf("groups (-want +got):\n%s", d)
				}
			})
		}
		ada := account(t, src, adaAdmin)
		if ada.Name != "Ada Admin" || ada.Login != "ada.admin@acme.example" || ada.LastSignIn == nil ||
			!ada.LastSignIn.Equal(time.Date(2026, 11, 20, 8, 15, 0, 0, time.UTC)) {
			t.Errorf("ada = %q %q %v", ada.Name, ada.Login, ada.LastSignIn)
		}
		m := ada.Methods[0]
		if m.VendorType != "webauthn" || m.VendorProvider != "FIDO" || m.ID != "fwf1adawebauthn0001" || m.Status != "ACTIVE" ||
			m.Name != "YubiKey 5 NFC" || m.Created == nil {
			t.Errorf("ada webauthn = %+v", m)
		}
		if got := ada.Methods[1].Name; got != "…0101" {
			t.Errorf("sms name = %q, want the masked number", got)
		}
	})

	t.Run("policies", func(t *testing.T) {
		p := src.Policies
		if p.LegacyAuthBlocked != nil {
			t.Error("LegacyAuthBlocked must stay nil for Okta")
		}
		byKey := map[string]evidence.MethodSetting{}
		for _, m := range p.Methods {
			byKey[m.VendorKey] = m
		}
		q := byKey["security_question"]
		if q.SignIn || !q.Recovery || !q.Enabled {
			t.Errorf("security_question (allowedFor recovery) = %+v", q)
		}
		if e := byKey["okta_email"]; !e.SignIn || !e.Recovery || !e.Targets.All {
			t.Errorf("okta_email (allowedFor any) = %+v", e)
		}
		if w := byKey["webauthn"]; w.Targets.All || !cmp.Equal(w.Targets.Groups, []string{"00g1admins00000003"}) {
			t.Errorf("webauthn targets = %+v, want the admins enrollment policy's group", w.Targets)
		}
		if g := byKey["google_otp"]; g.Enabled {
			t.Errorf("google_otp INACTIVE but enabled")
		}
		if d := cmp.Diff([]evidence.MethodKind{evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass}, byKey["okta_verify"].Kinds); d != "" {
			t.Errorf("okta_verify kinds (-want +got):\n%s", d)
		}

		if len(p.Recovery) != 2 {
			t.Fatalf("recovery policies = %d, want 2", len(p.Recovery))
		}
		def := p.Recovery[1]
		if def.ID != "00p1pwdefault00002" || !def.SelfService || def.StepUpRequired || !def.EndsInSession || !def.Targets.All ||
			!cmp.Equal(def.Methods, []evidence.MethodKind{evidence.KindEmailOTP, evidence.KindSMS}) || !def.Known {
			t.Errorf("default recovery = %+v", def)
		}
		adm := p.Recovery[0]
		if !adm.StepUpRequired || !cmp.Equal(adm.StepUpMethods, []evidence.MethodKind{evidence.KindSecurityQuestion}) ||
			!cmp.Equal(adm.Targets.Groups, []string{"00g1admins00000003"}) || adm.Priority >= def.Priority {
			t.Errorf("admins recovery = %+v", adm)
		}

		// Sign-in rules are read into Policies.Access (subtest "access");
		// the reduced SignIn flags are left to version 1 snapshots.
		if len(p.SignIn) != 0 {
			t.Errorf("sign-in flags = %d, want none (Policies.Access holds the rules)", len(p.SignIn))
		}

		if len(p.Registration) != 2 {
			t.Fatalf("registration policies = %d", len(p.Registration))
		}
		for _, r := range p.Registration {
			if !r.RequiresMFA || !strings.Contains(r.Detail, "00p1acctmgmt000007") {
				t.Errorf("registration %s = %+v", r.ID, r)
			}
		}
	})

	t.Run("access", func(t *testing.T) {
		// The engine comes from GET /.well-known/okta-organization
		// (WellKnownOrgMetadata.pipeline: idx = Identity Engine, v1 =
		// Classic; okta-sdk-golang openapi.yaml).
		p := src.Policies
		if p.Engine != evidence.EngineOktaIdentity {
			t.Fatalf("engine = %q, want %q", p.Engine, evidence.EngineOktaIdentity)
		}
		byID := map[string]evidence.AccessPolicy{}
		for _, ap := range p.Access {
			byID[ap.ID] = ap
		}
		gsp := byID["00p1gsp00000000005"]
		if gsp.Type != evidence.APOktaGlobalSession || len(gsp.Rules) != 2 || !gsp.Conditions.People.All {
			t.Fatalf("global session policy = %+v", gsp)
		}
		if r := gsp.Rules[0]; r.Name != "Admins require MFA" || !r.Requirement.RequireFactor || r.Requirement.PrimaryFactor != "PASSWORD_IDP_ANY_FACTOR" ||
			!cmp.Equal(r.Conditions.People.Groups, []string{"00g1admins00000003"}) || r.Access != "ALLOW" {
			t.Errorf("gsp admins rule = %+v", r)
		}
		if r := gsp.Rules[1]; r.Requirement.RequireFactor || !r.System || r.Conditions.Network != nil {
			t.Errorf("gsp default rule = %+v", r)
		}
		def := byID["00p1appdefault0006"]
		if def.Type != evidence.APOktaAuthentication || !def.AppsKnown ||
			!cmp.Equal(def.Apps, []evidence.AppRef{{ID: "0oa1samlapp000005", Name: "Salesforce"}, {ID: "0oa1webportal00004", Name: "Employee portal"}}) {
			t.Errorf("default authentication policy apps = %+v (known %t)", def.Apps, def.AppsKnown)
		}
		if len(def.Rules) != 4 || def.Rules[0].Requirement.FactorMode != "2FA" ||
			def.Rules[0].Requirement.Constraints[0].Possession.PhishingResistant != "REQUIRED" ||
			def.Rules[0].Requirement.Constraints[0].Possession.DeviceBound != "REQUIRED" ||
			!cmp.Equal(def.Rules[0].Requirement.Constraints[0].Knowledge.Types, []string{"password"}) {
			t.Errorf("default authentication policy rules = %+v", def.Rules)
		}
		if r := def.Rules[2]; r.Access != "DENY" {
			t.Errorf("block rule access = %q", r.Access)
		}
		if d := byID["00p1dashboard00008"]; !cmp.Equal(d.Apps, []evidence.AppRef{{ID: evidence.AppOktaDashboard, Name: "Okta Dashboard"}}) {
			t.Errorf("dashboard policy apps = %+v", d.Apps)
		}
		if d := byID["00p1adminconsole09"]; !cmp.Equal(d.Apps, []evidence.AppRef{{ID: evidence.AppOktaAdminConsole, Name: "Okta Admin Console"}}) {
			t.Errorf("admin console policy apps = %+v", d.Apps)
		}
		// The account management policy is found by _embedded.resourceType
		// END_USER_ACCOUNT_MANAGEMENT, not by its name.
		if am := byID["00p1acctmgmt000007"]; am.Type != evidence.APOktaAccountManagement || len(am.Rules) != 1 {
			t.Errorf("account management policy = %+v", am)
		}
	})

	t.Run("events", func(t *testing.T) {
		want := map[string]evidence.EventKind{
			"a1e5e001-0000-4000-8000-000000000001": evidence.EvSignIn,
			"a1e5e001-0000-4000-8000-000000000002": evidence.EvFactorReset,
			"a1e5e001-0000-4000-8000-000000000003": evidence.EvMethodEnrolled,
			"a1e5e001-0000-4000-8000-000000000004": evidence.EvFactorReset,
			"a1e5e001-0000-4000-8000-000000000005": evidence.EvPasswordResetAdmin,
			"a1e5e001-0000-4000-8000-000000000006": evidence.EvPasswordResetSelf,
			"a1e5e001-0000-4000-8000-000000000007": evidence.EvUnlock,
			"a1e5e001-0000-4000-8000-000000000008": evidence.EvMethodRemoved,
			"a1e5e001-0000-4000-8000-000000000009": evidence.EvUnlock,
		}
		got := map[string]evidence.EventKind{}
		for _, e := range src.Events {
			got[e.ID] = e.Kind
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("event kinds (-want +got):\n%s", d)
		}
		for _, e := range src.Events {
			switch e.ID {
			case "a1e5e001-0000-4000-8000-000000000001":
				if !e.Interactive || e.Target.ID != svcBackup || e.Actor.ID != svcBackup {
					t.Errorf("sign-in = %+v", e)
				}
			case "a1e5e001-0000-4000-8000-000000000002":
				if e.Actor.ID != adaAdmin || e.Target.ID != aliceSMS || e.MethodKind != evidence.KindSMS || e.Outcome != "SUCCESS" || e.Target.Type != "user" {
					t.Errorf("factor reset = %+v", e)
				}
			case "a1e5e001-0000-4000-8000-000000000003":
				if e.MethodKind != evidence.KindSMS {
					t.Errorf("enrolment method kind = %q", e.MethodKind)
				}
			}
		}
	})

	t.Run("workloads", func(t *testing.T) {
		w := map[string]evidence.Workload{}
		for _, x := range src.Workloads {
			w[x.ID] = x
		}
		if len(w) != 5 {
			t.Errorf("workloads = %d, want 2 tokens + 3 service apps", len(w))
		}
		tok := w["00T1conntoken00001"]
		if tok.Type != evidence.WAPIToken || len(tok.Owners) != 1 || !tok.Owners[0].Active || !tok.Owners[0].Privileged ||
			len(tok.Credentials) != 1 || tok.Credentials[0].Type != evidence.CredAPIToken || tok.Credentials[0].Expires == nil ||
			tok.Credentials[0].LastUsed == nil || len(tok.Roles) != 1 || tok.Roles[0].ID != "SUPER_ADMIN" {
			t.Errorf("connector token = %+v", tok)
		}
		if old := w["00T1legacysync0002"]; old.Owners[0].Active || old.Owners[0].ID != frankDepr {
			t.Errorf("token of a deactivated owner = %+v", old.Owners)
		}
		bk := w["0oa1svcbackup00001"]
		if bk.Type != evidence.WServiceApp || bk.ThirdParty || bk.AuthMethod != "private_key_jwt" ||
			len(bk.Credentials) != 1 || bk.Credentials[0].Type != evidence.CredCertificate ||
			!cmp.Equal(bk.Grants, []string{"okta.users.read", "okta.users.manage"}) || len(bk.Roles) != 1 || bk.Roles[0].ID != "USER_ADMIN" {
			t.Errorf("backup service app = %+v", bk)
		}
		rp := w["0oa1svcsecret00002"]
		active := 0
		for _, c := range rp.Credentials {
			if c.Type != evidence.CredSecret {
				t.Errorf("reporting credential %+v", c)
			}
			if c.Active {
				active++
			}
		}
		if active != 2 || len(rp.Credentials) != 3 {
			t.Errorf("reporting secrets = %+v", rp.Credentials)
		}
		if siem := w["0oa1oinsiem000003"]; !siem.ThirdParty {
			t.Errorf("OIN app not third party: %+v", siem)
		}
		if _, ok := w["0oa1webportal00004"]; ok {
			t.Error("a web app is not a workload")
		}
	})
}

func TestPagination(t *testing.T) {
	base := collect(t, connector(t, newFake(t)))
	srv := newFake(t,
		oktatest.WithPageSize("users", 2), oktatest.WithPageSize("logs", 1), oktatest.WithPageSize("groups", 1),
		oktatest.WithPageSize("group_users", 1), oktatest.WithPageSize("assignees", 1), oktatest.WithPageSize("apps", 1),
		oktatest.WithPageSize("api_tokens", 1), oktatest.WithPageSize("policies", 1))
	paged := collect(t, connector(t, srv))
	if d := cmp.Diff(string(canonical(t, base)), string(canonical(t, paged))); d != "" {
		t.Errorf("small pages changed the evidence (-one page +many):\n%s", d)
	}
	tests := []struct {
		path string
		min  int
	}{
		{"/api/v1/users", 5}, // 9 non-deprovisioned users in pages of 2, plus the DEPROVISIONED count
		{"/api/v1/logs", 9},
		{"/api/v1/iam/assignees/users", 2},
		{"/api/v1/groups", 4},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			n := 0
			for _, r := range srv.Requests() {
				if r.Path == tt.path {
					n++
				}
			}
			if n < tt.min {
				t.Errorf("%d requests to %s, want at least %d pages", n, tt.path, tt.min)
			}
		})
	}
}

func TestRateLimitStormLosesNothing(t *testing.T) {
	base := collect(t, connector(t, newFake(t)))
	t.Run("injected 429s", func(t *testing.T) {
		srv := newFake(t)
		// More 429s than the SDK's own two retries absorb.
		srv.FailNext("/api/v1/users/*/factors", 429, 30)
		srv.FailNext("/api/v1/logs", 429, 4)
		src := collect(t, connector(t, srv))
		if d := cmp.Diff(string(canonical(t, base)), string(canonical(t, src))); d != "" {
			t.Errorf("429 storm changed the evidence (-calm +storm):\n%s", d)
		}
	})
	t.Run("bucket limit", func(t *testing.T) {
		srv := newFake(t, oktatest.WithRateLimit("factors", 3), oktatest.WithRateLimitWindow(time.Second))
		var progress strings.Builder
		src := collect(t, connector(t, srv), func(o *evidence.CollectOptions) {
			o.Progress = func(f string, a ...any) { progress.WriteString(f + "\n") }
		})
		if !strings.Contains(progress.String(), "rate limit") {
			t.Errorf("no rate-limit wait reported in progress: %q", progress.String())
		}
		if d := cmp.Diff(string(canonical(t, base)), string(canonical(t, src))); d != "" {
			t.Errorf("rate-limited bucket changed the evidence (-calm +limited):\n%s", d)
		}
	})
}

func TestLogsDenied(t *testing.T) {
	srv := newFake(t)
	srv.Deny("/api/v1/logs")
	src := collect(t, connector(t, srv))
	c := coverage(t, src, evidence.DSSystemLog)
	if c.Status != evidence.Denied || !strings.Contains(c.Detail, "okta.logs.read") || !strings.Contains(c.Detail, "E0000006") {
		t.Errorf("system_log coverage = %+v, want denied naming okta.logs.read", c)
	}
	if len(src.Events) != 0 {
		t.Errorf("events = %d from a denied log", len(src.Events))
	}
	if c := coverage(t, src, evidence.DSFactors); c.Status != evidence.Complete {
		t.Errorf("factors = %+v", c)
	}
}

func TestDatasetFailures(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*oktatest.Server)
		ds     string
		status evidence.CoverageStatus
		detail string
	}{
		{"users denied", func(s *oktatest.Server) { s.Deny("/api/v1/users") }, evidence.DSUsers, evidence.Denied, "okta.users.read"},
		{"roles denied", func(s *oktatest.Server) { s.Deny("/api/v1/iam/") }, evidence.DSRoles, evidence.Denied, "okta.roles.read"},
		{"roles denied: token privilege unknown", func(s *oktatest.Server) { s.Deny("/api/v1/iam/") }, evidence.DSAPITokens, evidence.Partial, "admin roles"},
		{"group roles denied", func(s *oktatest.Server) { s.Deny("/api/v1/groups/*/roles") }, evidence.DSRoles, evidence.Partial, "roles of group"},
		{"groups denied: group roles unchecked", func(s *oktatest.Server) { s.Deny("/api/v1/groups") }, evidence.DSRoles, evidence.Partial, "groups could not be read"},
		{"policies denied", func(s *oktatest.Server) { s.Deny("/api/v1/policies") }, evidence.DSPolicies, evidence.Denied, "okta.policies.read"},
		{"one policy's rules fail", func(s *oktatest.Server) { s.FailNext("/api/v1/policies/00p1appdefault0006/rules", 500, 10) }, evidence.DSPolicies, evidence.Partial, "00p1appdefault0006"},
		{"api tokens garbage", func(s *oktatest.Server) { s.GarbageNext("/api/v1/api-tokens", 1) }, evidence.DSAPITokens, evidence.Errored, "decode"},
		{"group members fail", func(s *oktatest.Server) { s.FailNext("/api/v1/groups/00g1admins00000003/users", 500, 10) }, evidence.DSGroups, evidence.Partial, "00g1admins00000003"},
		{"app grants denied", func(s *oktatest.Server) { s.Deny("/api/v1/apps/*/grants") }, evidence.DSApps, evidence.Partial, "okta.appGrants.read"},
		{"authenticators 500", func(s *oktatest.Server) { s.FailNext("/api/v1/authenticators", 500, 10) }, evidence.DSAuthn, evidence.Errored, "E0000009"},
		{"log page 2 fails", func(s *oktatest.Server) { s.SetPageSize("logs", 2); s.FailAfter("/api/v1/logs", 1, 400, 1) }, evidence.DSSystemLog, evidence.Errored, "HTTP 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			tt.setup(srv)
			src := collect(t, connector(t, srv))
			c := coverage(t, src, tt.ds)
			if c.Status != tt.status || !strings.Contains(c.Detail, tt.detail) {
				t.Errorf("coverage %s = %+v, want %s containing %q", tt.ds, c, tt.status, tt.detail)
			}
			srv.AssertReadOnly(t)
		})
	}
}

func TestUsersPageFailureAbortsDataset(t *testing.T) {
	srv := newFake(t, oktatest.WithPageSize("users", 2))
	srv.FailAfter("/api/v1/users", 1, 400, 1)
	src, err := connector(t, srv).Collect(t.Context(), evidence.CollectOptions{Now: scanNow, Since: scanSince})
	if err != nil {
		t.Fatalf("a 400 is a dataset failure, not a fatal one: %v", err)
	}
	if cov := coverage(t, src, evidence.DSUsers); cov.Status != evidence.Errored || !strings.Contains(cov.Detail, "/api/v1/users") {
		t.Errorf("users = %+v, want error: a failed page must not truncate silently", cov)
	}
	if cov := coverage(t, src, evidence.DSFactors); cov.Status == evidence.Complete {
		t.Errorf("factors complete without users: %+v", cov)
	}
}

func TestFactorFailureIsPerUser(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*oktatest.Server)
		want  string
	}{
		{"500", func(s *oktatest.Server) { s.FailNext("/api/v1/users/"+aliceSMS+"/factors", 500, 10) }, "HTTP 500"},
		{"garbage", func(s *oktatest.Server) { s.GarbageNext("/api/v1/users/"+aliceSMS+"/factors", 1) }, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			tt.setup(srv)
			src := collect(t, connector(t, srv))
			c := coverage(t, src, evidence.DSFactors)
			if c.Status != evidence.Partial || c.Items != 7 {
				t.Errorf("factors coverage = %+v, want partial with 7 users read", c)
			}
			a := account(t, src, aliceSMS)
			if !strings.Contains(a.MethodsError, tt.want) || len(a.Methods) != 0 {
				t.Errorf("alice = methods %v error %q", a.Methods, a.MethodsError)
			}
			for _, a := range src.Accounts {
				if a.ID != aliceSMS && a.MethodsError != "" {
					t.Errorf("%s has MethodsError %q", a.ID, a.MethodsError)
				}
			}
		})
	}
}

// TestGroupRolesWithoutAssignees covers an org whose assignees list names
// only directly assigned admins: group-held roles must still be found.
func TestGroupRolesWithoutAssignees(t *testing.T) {
	srv := newFake(t, oktatest.WithDirectAssigneesOnly())
	src := collect(t, connector(t, srv))
	h := account(t, src, hankHelp)
	want := []evidence.Role{{ID: "HELP_DESK_ADMIN", Name: "Help Desk Administrator", Via: "group 00g1helpdesk000002"}}
	if !h.Privileged || !cmp.Equal(h.Roles, want) {
		t.Errorf("hank = privileged %v roles %+v", h.Privileged, h.Roles)
	}
	if n := srv.RequestCount("/api/v1/users/" + hankHelp + "/roles"); n != 0 {
		t.Errorf("hank's roles read %d times though the assignees list omits him", n)
	}
	if c := coverage(t, src, evidence.DSRoles); c.Status != evidence.Complete {
		t.Errorf("roles = %+v", c)
	}
}

func TestUnknownFactorType(t *testing.T) {
	srv := newFake(t)
	srv.SetFactors(carolKBA, oktatest.Object{
		"id": "qnt1carolquantum05", "factorType": "token:quantum", "provider": "ACME_QUANTUM", "status": "ACTIVE",
		"created": "2026-01-01T00:00:00.000Z", "profile": oktatest.Object{},
	})
	src := collect(t, connector(t, srv))
	a := account(t, src, carolKBA)
	if len(a.Methods) != 1 || a.Methods[0].Kind != evidence.KindUnknown || a.Methods[0].VendorType != "token:quantum" {
		t.Fatalf("methods = %+v", a.Methods)
	}
	found := false
	for _, w := range src.Warnings {
		found = found || (strings.Contains(w, "token:quantum") && strings.Contains(w, "ACME_QUANTUM"))
	}
	if !found {
		t.Errorf("no warning naming the vendor values: %q", src.Warnings)
	}
}

func TestClassicOrg(t *testing.T) {
	srv := newFake(t)
	srv.Org(func(o *oktatest.Org) {
		o.Authenticators = nil
		for _, p := range o.Policies {
			if p["type"] == "MFA_ENROLL" {
				p["settings"] = oktatest.Object{"factors": oktatest.Object{
					"okta_sms":      oktatest.Object{"enroll": oktatest.Object{"self": "OPTIONAL"}},
					"okta_push":     oktatest.Object{"enroll": oktatest.Object{"self": "REQUIRED"}},
					"fido_webauthn": oktatest.Object{"enroll": oktatest.Object{"self": "NOT_ALLOWED"}},
				}}
			}
		}
	})
	src := collect(t, connector(t, srv))
	c := coverage(t, src, evidence.DSAuthn)
	if c.Status != evidence.Complete || !strings.Contains(c.Detail, "Classic") {
		t.Errorf("authenticators = %+v", c)
	}
	got := map[string]evidence.MethodSetting{}
	for _, m := range src.Policies.Methods {
		got[m.VendorKey] = m
	}
	if sms := got["okta_sms"]; !sms.Enabled || !sms.SignIn || !sms.Recovery || !sms.Targets.All {
		t.Errorf("okta_sms = %+v", sms)
	}
	if w := got["fido_webauthn"]; w.Enabled {
		t.Errorf("NOT_ALLOWED factor listed as enabled: %+v", w)
	}
	warned := false
	for _, w := range src.Warnings {
		warned = warned || strings.Contains(w, "Classic engine")
	}
	if !warned {
		t.Errorf("no Classic warning: %q", src.Warnings)
	}
}

func TestBadCredentialIsFatal(t *testing.T) {
	srv := newFake(t)
	c := connector(t, srv, func(c *okta.Config) { c.Token = evidence.NewSecret("wrong-token-value-1234") })
	_, err := c.Collect(t.Context(), evidence.CollectOptions{Now: scanNow, Since: scanSince})
	var pe *evidence.PermissionError
	if !errors.As(err, &pe) || pe.Status != 401 {
		t.Fatalf("err = %v, want a 401 PermissionError", err)
	}
	if strings.Contains(err.Error(), "wrong-token-value-1234") {
		t.Error("error reveals the token")
	}
}

func TestUnreachableIsFatal(t *testing.T) {
	srv := newFake(t)
	c := connector(t, srv)
	srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := c.Collect(ctx, evidence.CollectOptions{Now: scanNow, Since: scanSince}); err == nil {
		t.Fatal("Collect against a closed server succeeded")
	}
}

func pemKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestServiceAppPrivateKeyJWT(t *testing.T) {
	key, pemText := pemKey(t)
	srv := newFake(t, oktatest.WithClient("0oa1shadowpathscan", &key.PublicKey), oktatest.WithToken(""))
	var logs bytes.Buffer
	c := connector(t, srv, func(c *okta.Config) {
		c.Token = evidence.Secret{}
		c.ClientID, c.PrivateKey, c.KeyID = "0oa1shadowpathscan", evidence.NewSecret(pemText), "kid-1"
	})
	src := collect(t, c, func(o *evidence.CollectOptions) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if cov := coverage(t, src, evidence.DSFactors); cov.Status != evidence.Complete {
		t.Errorf("factors = %+v", cov)
	}
	tokenPosts := 0
	for _, r := range srv.Requests() {
		if r.Path == "/oauth2/v1/token" {
			tokenPosts++
			if got := r.Query.Get("scope"); !strings.Contains(got, "okta.logs.read") || !strings.Contains(got, "okta.users.read") {
				t.Errorf("token scopes = %q", got)
			}
		}
	}
	if tokenPosts == 0 {
		t.Error("no token request")
	}
	srv.AssertReadOnly(t)
	out := string(canonical(t, src)) + logs.String()
	for _, secret := range []string{"oktatest-at-", "PRIVATE KEY", strings.Split(pemText, "\n")[1][:40]} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains %q", secret)
		}
	}

	t.Run("wrong key", func(t *testing.T) {
		_, otherPEM := pemKey(t)
		c := connector(t, srv, func(c *okta.Config) {
			c.Token = evidence.Secret{}
			c.ClientID, c.PrivateKey = "0oa1shadowpathscan", evidence.NewSecret(otherPEM)
		})
		_, err := c.Collect(t.Context(), evidence.CollectOptions{Now: scanNow, Since: scanSince})
		var pe *evidence.PermissionError
		if !errors.As(err, &pe) || pe.Endpoint != "/oauth2/v1/token" {
			t.Fatalf("err = %v, want a token PermissionError", err)
		}
		if strings.Contains(err.Error(), "eyJ") {
			t.Errorf("error quotes the client assertion: %v", err)
		}
	})
}

func TestSecretsNeverLeak(t *testing.T) {
	const token = "SSWS-canary-00a9f7e3c1d5b8" // distinctive, so any leak is found
	srv := newFake(t, oktatest.WithToken(token))
	srv.Deny("/api/v1/logs")
	srv.FailNext("/api/v1/users/"+aliceSMS+"/factors", 500, 10)
	srv.FailNext("/api/v1/users/*/factors", 429, 5)
	srv.GarbageNext("/api/v1/api-tokens", 1)
	var logs bytes.Buffer
	var progress bytes.Buffer
	c := connector(t, srv, func(c *okta.Config) { c.Token = evidence.NewSecret(token) })
	src := collect(t, c, func(o *evidence.CollectOptions) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Progress = func(f string, a ...any) { progress.WriteString(strings.TrimSpace(f) + "\n") }
	})
	enc, err := json.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	probes, _ := c.Probe(t.Context())
	pj, _ := json.Marshal(probes)
	for name, out := range map[string]string{"source": string(enc), "logs": logs.String(), "progress": progress.String(), "probes": string(pj)} {
		for _, secret := range []string{token, "FIXTURE-CLIENT-SECRET-DO-NOT-LEAK", "0xbeef"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s contains %q", name, secret)
			}
		}
	}
	if logs.Len() == 0 {
		t.Error("debug log empty: the leak check saw nothing")
	}
	if !strings.Contains(progress.String(), "factors") || !strings.Contains(progress.String(), "users") {
		t.Errorf("progress = %q, want users and factors lines", progress.String())
	}
}

func TestProbe(t *testing.T) {
	srv := newFake(t)
	srv.Deny("/api/v1/logs")
	got := probeByDataset(t, srv)
	for _, ds := range evidence.Datasets[evidence.Okta] {
		p, ok := got[ds]
		if !ok {
			t.Errorf("no probe for %s", ds)
			continue
		}
		want := evidence.Complete
		if ds == evidence.DSSystemLog {
			want = evidence.Denied
		}
		if p.Status != want || p.Needed == "" {
			t.Errorf("probe %s = %+v, want %s", ds, p, want)
		}
	}
	if got[evidence.DSSystemLog].Needed != "okta.logs.read" {
		t.Errorf("system_log needs %q", got[evidence.DSSystemLog].Needed)
	}
	for _, r := range srv.Requests() {
		if l := r.Query.Get("limit"); l != "" && l != "1" {
			t.Errorf("probe %s used limit=%s", r.Path, l)
		}
	}
	srv.AssertReadOnly(t)
}
