package entra

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

var update = flag.Bool("update", false, "rewrite golden files")

var scanTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const (
	alice      = "a1000000-0000-4000-8000-000000000001"
	bob        = "a1000000-0000-4000-8000-000000000002"
	carol      = "a1000000-0000-4000-8000-000000000003"
	dave       = "a1000000-0000-4000-8000-000000000004"
	frank      = "a1000000-0000-4000-8000-000000000007"
	grace      = "a1000000-0000-4000-8000-000000000008"
	breakGlass = "a1000000-0000-4000-8000-000000000009"
	salesGroup = "b2000000-0000-4000-8000-000000000001"
	bgGroup    = "b2000000-0000-4000-8000-000000000003"
	authAdmins = "b2000000-0000-4000-8000-000000000004"
	globalAdm  = "62e90394-69f5-4237-9190-012177145e10"
	authAdmRol = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
)

// staticCred is an injected credential for tests that do not exercise the
// azidentity token flow.
type staticCred struct{ tok string }

func (s staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: s.tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// config points a real client-secret configuration at the fake: the real
// azidentity flow (openid-configuration + token POST) runs.
func config(s *graphtest.Server) Config {
	return Config{TenantID: s.TenantID, ClientID: s.ClientID, ClientSecret: evidence.NewSecret(s.ClientSecret),
		AuthorityHost: s.URL, GraphEndpoint: s.URL, HTTPClient: s.Client(), Concurrency: 4}
}

type collected struct {
	src  *evidence.Source
	err  error
	logs string
}

func collect(t *testing.T, cfg Config) collected {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var logs bytes.Buffer
	var progress []string
	src, err := c.Collect(t.Context(), evidence.CollectOptions{
		Now: scanTime, Since: scanTime.AddDate(0, 0, -30),
		Logger:   slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Progress: func(f string, a ...any) { progress = append(progress, f) },
	})
	if err == nil && len(progress) == 0 {
		t.Errorf("no progress reported")
	}
	return collected{src, err, logs.String()}
}

func coverage(t *testing.T, src *evidence.Source, ds string) evidence.Coverage {
	t.Helper()
	c, ok := src.CoverageOf(ds)
	if !ok {
		t.Fatalf("no coverage for %s", ds)
	}
	return c
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

func kinds(ms []evidence.Method) []evidence.MethodKind {
	var out []evidence.MethodKind
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

func workload(t *testing.T, src *evidence.Source, id string) evidence.Workload {
	t.Helper()
	for _, w := range src.Workloads {
		if w.ID == id {
			return w
		}
	}
	t.Fatalf("workload %s not collected", id)
	return evidence.Workload{}
}

// assertNoSecret fails when the client secret appears in any output.
func assertNoSecret(t *testing.T, s *graphtest.Server, outputs ...string) {
	t.Helper()
	for i, o := range outputs {
		if strings.Contains(o, s.ClientSecret) {
			t.Errorf("output %d contains the client secret", i)
		}
	}
}

func TestCollectFixtureTenant(t *testing.T) {
	s := graphtest.NewServer(t, graphtest.WithMaxPageSize(2))
	// azidentity/azcore's own debug log (requests, token acquisition) is
	// captured too: the secret must not reach it either.
	var sdkLog strings.Builder
	var sdkMu sync.Mutex
	azlog.SetListener(func(_ azlog.Event, msg string) {
		sdkMu.Lock()
		defer sdkMu.Unlock()
		sdkLog.WriteString(msg + "\n")
	})
	t.Cleanup(func() { azlog.SetListener(nil) })
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatalf("Collect: %v", got.err)
	}
	src := got.src
	s.AssertReadOnly(t)
	if s.TokenRequests() == 0 {
		t.Errorf("the azidentity token flow did not run")
	}
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") && !r.Authorized {
			t.Errorf("Graph request without a valid token: %s", r.Path)
		}
	}
	// Multi-page everywhere: 9 users in pages of 2, 9 report rows, 5 CA policies.
	for prefix, min := range map[string]int{"/users?": 5, "/reports/": 5, "/identity/conditionalAccess": 3,
		"/auditLogs": 5, "/servicePrincipals?": 2, "/roleManagement/directory/roleAssignments": 3,
		"/roleManagement/directory/roleEligibilitySchedules": 2} {
		n := 0
		for _, r := range s.Requests() {
			p := strings.TrimPrefix(r.Path, "/v1.0")
			if strings.HasSuffix(prefix, "?") && p == strings.TrimSuffix(prefix, "?") || !strings.HasSuffix(prefix, "?") && strings.HasPrefix(p, prefix) {
				n++
			}
		}
		if n < min {
			t.Errorf("%s read in %d requests, want ≥ %d pages", prefix, n, min)
		}
	}

	for _, ds := range evidence.Datasets[evidence.Entra] {
		if c := coverage(t, src, ds); c.Status != evidence.Complete {
			t.Errorf("coverage %s = %s (%s), want complete", ds, c.Status, c.Detail)
		}
	}
	if src.Tenant != graphtest.DefaultTenantID || !src.CollectedAt.Equal(scanTime) || src.LogRetentionDays != 30 ||
		!src.AuditWindow.Since.Equal(scanTime.AddDate(0, 0, -30)) {
		t.Errorf("source header: tenant %s at %s retention %d window %v", src.Tenant, src.CollectedAt, src.LogRetentionDays, src.AuditWindow)
	}
	if len(src.Accounts) != 8 || !slices.Equal(src.OutOfScope, []evidence.Count{{Reason: "accountEnabled false", Count: 1}}) {
		t.Errorf("accounts %d, out of scope %v; want 8 and one disabled", len(src.Accounts), src.OutOfScope)
	}

	t.Run("accounts", func(t *testing.T) {
		tests := []struct {
			id         string
			userType   string
			privileged bool
			kinds      []evidence.MethodKind
			groups     []string
			roles      []string
		}{
			{alice, "member", true, []evidence.MethodKind{evidence.KindFIDO2, evidence.KindSMS}, nil, []string{globalAdm}},
			// bob is only PIM-eligible for Global Administrator: privileged.
			{bob, "member", true, []evidence.MethodKind{evidence.KindPush, evidence.KindTOTPSoftware}, []string{salesGroup}, []string{globalAdm}},
			// carol's Helpdesk Administrator eligibility ended before the scan.
			{carol, "member", false, []evidence.MethodKind{evidence.KindEmailOTP}, []string{salesGroup}, nil},
			{dave, "guest", false, []evidence.MethodKind{evidence.KindSMS}, nil, nil},
			{frank, "member", true, []evidence.MethodKind{evidence.KindPush, evidence.KindSecurityQuestion}, []string{authAdmins}, []string{"729827e3-9c14-49f7-bb1b-9608f156bbb8", authAdmRol, authAdmRol}},
			{grace, "member", false, []evidence.MethodKind{evidence.KindVoice, evidence.KindUnknown}, []string{salesGroup}, nil},
			{breakGlass, "member", true, []evidence.MethodKind{evidence.KindFIDO2}, []string{bgGroup}, []string{globalAdm}},
		}
		for _, tc := range tests {
			t.Run(tc.id, func(t *testing.T) {
				a := account(t, src, tc.id)
				var roles []string
				for _, r := range a.Roles {
					roles = append(roles, r.ID)
				}
				if a.UserType != tc.userType || a.Privileged != tc.privileged || !slices.Equal(kinds(a.Methods), tc.kinds) ||
					!slices.Equal(a.Groups, tc.groups) || !slices.Equal(roles, tc.roles) || a.MethodsError != "" {
					t.Errorf("got type %s privileged %v kinds %v groups %v roles %v err %q\nwant %s %v %v %v %v",
						a.UserType, a.Privileged, kinds(a.Methods), a.Groups, roles, a.MethodsError,
						tc.userType, tc.privileged, tc.kinds, tc.groups, tc.roles)
				}
			})
		}
		f := account(t, src, frank)
		for i, via := range []string{"direct", "eligible (PIM) via group " + authAdmins, "group " + authAdmins} {
			if f.Roles[i].Via != via || i > 0 && f.Roles[i].Name != "Authentication Administrator" {
				t.Errorf("frank role %d: %+v, want via %q", i, f.Roles[i], via)
			}
		}
		if b := account(t, src, bob); b.Roles[0].Via != "eligible (PIM)" || b.Roles[0].Name != "Global Administrator" {
			t.Errorf("bob's eligible role: %+v", b.Roles[0])
		}
	})

	t.Run("methods policy", func(t *testing.T) {
		byID := map[string]evidence.MethodSetting{}
		for _, m := range src.Policies.Methods {
			byID[m.ID] = m
		}
		if len(byID) != 8 {
			t.Fatalf("%d method settings, want 8", len(byID))
		}
		sms := byID["Sms"]
		if !sms.Enabled || !sms.SignIn || !sms.Recovery || sms.Targets.All ||
			!slices.Equal(sms.Targets.Groups, []string{salesGroup}) || !slices.Equal(sms.Targets.ExcludeGroups, []string{bgGroup}) ||
			!strings.Contains(sms.Name, "isUsableForSignIn") {
			t.Errorf("Sms: %+v", sms)
		}
		if f := byID["Fido2"]; !f.Enabled || !f.SignIn || f.Recovery || !f.Targets.All {
			t.Errorf("Fido2: %+v", f)
		}
		if x := byID["X509Certificate"]; x.Enabled || x.SignIn {
			t.Errorf("X509Certificate disabled but %+v", x)
		}
		if e := byID["Email"]; e.SignIn || !e.Recovery || !e.Enabled {
			t.Errorf("Email: %+v", e)
		}
		want := []evidence.TemporaryAccessSetting{{ID: "TemporaryAccessPass", Name: "Temporary Access Pass", Enabled: true,
			Targets: evidence.Targets{All: true}, Reusable: true, MaxLifetimeMinutes: 1440, DefaultLifetimeMinutes: 60}}
		if d := cmp.Diff(want, src.Policies.TemporaryAccess); d != "" {
			t.Errorf("TemporaryAccess (-want +got):\n%s", d)
		}
	})

	t.Run("conditional access", func(t *testing.T) {
		if len(src.Policies.SignIn) != 4 || len(src.Policies.Registration) != 1 {
			t.Fatalf("sign-in %d registration %d, want 4 and 1", len(src.Policies.SignIn), len(src.Policies.Registration))
		}
		by := map[string]evidence.SignInPolicy{}
		for _, p := range src.Policies.SignIn {
			by[p.ID] = p
		}
		all := by["c3000000-0000-4000-8000-000000000001"]
		if !all.Enabled || !all.RequiresMFA || !all.AllApps || !all.Targets.All ||
			!slices.Equal(all.Targets.ExcludeUsers, []string{breakGlass}) || !slices.Equal(all.Targets.ExcludeGroups, []string{bgGroup}) {
			t.Errorf("MFA for all: %+v", all)
		}
		adm := by["c3000000-0000-4000-8000-000000000002"]
		if !adm.RequiresMFA || !adm.PhishingResistant || len(adm.Targets.Roles) != 2 ||
			!slices.Equal(adm.AllowedKinds, []evidence.MethodKind{evidence.KindWindowsHello, evidence.KindFIDO2, evidence.KindCertificate}) {
			t.Errorf("phishing-resistant admins: %+v", adm)
		}
		legacy := by["c3000000-0000-4000-8000-000000000003"]
		if !legacy.Block || !legacy.LegacyClients || legacy.RequiresMFA {
			t.Errorf("legacy block: %+v", legacy)
		}
		ro := by["c3000000-0000-4000-8000-000000000005"]
		if ro.Enabled || !ro.ReportOnly || !ro.RequiresMFA || ro.AllApps || !slices.Equal(ro.Targets.Groups, []string{salesGroup}) {
			t.Errorf("report-only: %+v", ro)
		}
		reg := src.Policies.Registration[0]
		if !reg.Enabled || !reg.RequiresMFA || !reg.TrustedDevice || !reg.Targets.All || !slices.Equal(reg.Targets.ExcludeRoles, []string{globalAdm}) {
			t.Errorf("registration: %+v", reg)
		}
		if src.Policies.LegacyAuthBlocked == nil || !*src.Policies.LegacyAuthBlocked {
			t.Errorf("LegacyAuthBlocked = %v, want true", src.Policies.LegacyAuthBlocked)
		}
	})

	t.Run("sspr", func(t *testing.T) {
		// allowedToUseSSPR governs administrators only (Graph
		// authorizationPolicy; learn.microsoft.com "Self-service password
		// reset policies", Administrator reset policy differences): it is
		// not a tenant switch.
		if p := src.Policies.SelfServiceRecoveryEnabled; p != nil {
			t.Fatalf("SelfServiceRecoveryEnabled = %v, want nil", *p)
		}
		if s := src.Policies.Entra; s == nil || s.AdminSSPR == nil || !*s.AdminSSPR {
			t.Fatalf("Entra.AdminSSPR = %+v", s)
		}
		if len(src.Policies.Recovery) != 1 {
			t.Fatalf("recovery %v", src.Policies.Recovery)
		}
		rp := src.Policies.Recovery[0]
		want := []evidence.MethodKind{evidence.KindEmailOTP, evidence.KindPasswordlessApp, evidence.KindPush,
			evidence.KindSMS, evidence.KindTOTPSoftware, evidence.KindVoice}
		if !rp.Enabled || rp.Known || rp.Manual == "" || rp.EndsInSession || !slices.Equal(rp.Methods, want) {
			t.Errorf("SSPR: %+v, want methods %v", rp, want)
		}
	})

	t.Run("events", func(t *testing.T) {
		want := []struct {
			id     string
			kind   evidence.EventKind
			actor  string
			target string
			method evidence.MethodKind
		}{
			{"Directory_0001", evidence.EvFactorReset, frank, bob, evidence.KindPush},
			{"Directory_0002", evidence.EvTAPIssued, frank, alice, evidence.KindTAP},
			{"Directory_0003", evidence.EvMethodEnrolled, bob, bob, evidence.KindPush},
			{"Directory_0004", evidence.EvPasswordResetAdmin, frank, carol, ""},
			{"Directory_0005", evidence.EvPasswordResetSelf, carol, carol, ""},
			{"Directory_0006", evidence.EvUnlock, carol, carol, ""},
			{"Directory_0007", evidence.EvMethodRemoved, grace, grace, evidence.KindSMS},
			{"Directory_0008", evidence.EvPasswordResetAdmin, "d5000000-0000-4000-8000-000000000001", "a1000000-0000-4000-8000-000000000006", ""},
		}
		if len(src.Events) != len(want) {
			t.Fatalf("%d events, want %d: %+v", len(src.Events), len(want), src.Events)
		}
		for i, w := range want {
			e := src.Events[i]
			if e.ID != w.id || e.Kind != w.kind || e.Actor.ID != w.actor || e.Target.ID != w.target || e.MethodKind != w.method || e.Outcome != "success" || e.Time.IsZero() {
				t.Errorf("event %d: %+v, want %+v", i, e, w)
			}
		}
		if src.Events[7].Actor.Type != "app" || src.Events[0].Actor.Name != "frank@contoso.example" {
			t.Errorf("actors: %+v / %+v", src.Events[7].Actor, src.Events[0].Actor)
		}
	})

	t.Run("workloads", func(t *testing.T) {
		if len(src.Workloads) != 6 {
			t.Fatalf("%d workloads, want 2 applications + 4 service principals", len(src.Workloads))
		}
		app := workload(t, src, "d4000000-0000-4000-8000-000000000001")
		if app.Type != evidence.WApplication || len(app.Credentials) != 3 || len(app.Owners) != 1 ||
			!app.Owners[0].Active || !app.Owners[0].Privileged || app.Owners[0].ID != alice {
			t.Errorf("Backup connector app: %+v", app)
		}
		active := 0
		for _, c := range app.Credentials {
			if c.Active {
				active++
			}
			if c.Expires == nil || c.Created == nil {
				t.Errorf("credential without dates: %+v", c)
			}
		}
		if active != 2 {
			t.Errorf("%d active credentials, want 2 (the 2025 secret expired)", active)
		}
		if w := workload(t, src, "d4000000-0000-4000-8000-000000000002"); len(w.Owners) != 0 || w.Credentials[0].Type != evidence.CredSecret {
			t.Errorf("Legacy sync: %+v", w)
		}
		sp := workload(t, src, "d5000000-0000-4000-8000-000000000001")
		if sp.ThirdParty || len(sp.Roles) != 2 || sp.Roles[0].Name != "Application Administrator" || sp.Roles[0].Via != "direct" ||
			sp.Roles[1].Name != "Helpdesk Administrator" || sp.Roles[1].Via != "eligible (PIM)" || !slices.Equal(sp.Grants, []string{"User.Read.All"}) {
			t.Errorf("Backup connector SP: %+v", sp)
		}
		acme := workload(t, src, "d5000000-0000-4000-8000-000000000002")
		if !acme.ThirdParty || !slices.Equal(acme.Grants, []string{"Directory.ReadWrite.All"}) || len(acme.Credentials) != 1 {
			t.Errorf("Acme CRM: %+v", acme)
		}
		if g := workload(t, src, "d5000000-0000-4000-8000-000000000003"); g.ThirdParty || g.OwnerOrg != MicrosoftTenantID {
			t.Errorf("Microsoft Graph SP: %+v", g)
		}
		old := workload(t, src, "d5000000-0000-4000-8000-000000000004")
		if old.Enabled || len(old.Owners) != 1 || old.Owners[0].Active || !old.Credentials[0].Active {
			t.Errorf("Old integration: %+v", old)
		}
	})

	t.Run("warnings", func(t *testing.T) {
		joined := strings.Join(src.Warnings, "\n")
		for _, w := range []string{`"quantumEntanglementToken"`} {
			if !strings.Contains(joined, w) {
				t.Errorf("warnings lack %s:\n%s", w, joined)
			}
		}
	})

	enc, err := json.MarshalIndent(src, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	sdkMu.Lock()
	azcoreLog := sdkLog.String()
	sdkMu.Unlock()
	if !strings.Contains(azcoreLog, "oauth2/v2.0/token") {
		t.Errorf("azcore log did not capture the token request; the leak check would be vacuous:\n%.500s", azcoreLog)
	}
	assertNoSecret(t, s, got.logs, string(enc), azcoreLog)
	golden(t, "collect.golden.json", enc)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("..", "..", "testdata", "entra", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, d)
	}
}

func TestRegistrationReportDenied(t *testing.T) {
	tests := []struct {
		name        string
		denyMethods bool
		wantMethods evidence.CoverageStatus
	}{
		{"fallback to per-user methods", false, evidence.Complete},
		{"fallback denied too", true, evidence.Denied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.NewServer(t)
			s.Deny("/reports/")
			if tc.denyMethods {
				s.Deny("/users/")
			}
			got := collect(t, config(s))
			if got.err != nil {
				t.Fatal(got.err)
			}
			src := got.src
			reg := coverage(t, src, evidence.DSRegDetails)
			if reg.Status != evidence.Denied || !strings.Contains(reg.Detail, "AuditLog.Read.All") || !strings.Contains(reg.Detail, "403") {
				t.Errorf("registration_details: %+v", reg)
			}
			am := coverage(t, src, evidence.DSAuthMethods)
			if am.Status != tc.wantMethods {
				t.Errorf("authentication_methods: %+v, want %s", am, tc.wantMethods)
			}
			if !slices.ContainsFunc(src.Warnings, func(w string) bool { return strings.Contains(w, "fell back to per-user") }) {
				t.Errorf("no fallback warning in %v", src.Warnings)
			}
			perUser := s.RequestCount("/users/")
			if !tc.denyMethods {
				if perUser != 8 {
					t.Errorf("%d per-user requests, want 8 (one per enabled account)", perUser)
				}
				a := account(t, src, alice)
				want := []evidence.MethodKind{evidence.KindPassword, evidence.KindFIDO2, evidence.KindFIDO2, evidence.KindSMS}
				if !slices.Equal(kinds(a.Methods), want) || a.Methods[1].Name != "Red key" || a.Methods[3].Name != "mobile +1 ********23" {
					t.Errorf("alice instance-level methods: %+v", a.Methods)
				}
				if g := account(t, src, grace); !slices.Contains(kinds(g.Methods), evidence.KindUnknown) || !slices.Contains(kinds(g.Methods), evidence.KindVoice) {
					t.Errorf("grace: %v", kinds(g.Methods))
				}
				if f := account(t, src, frank); !slices.Contains(kinds(f.Methods), evidence.KindTAP) {
					t.Errorf("frank's TAP missing: %v", kinds(f.Methods))
				}
			} else {
				if !strings.Contains(am.Detail, "UserAuthenticationMethod.Read.All") {
					t.Errorf("authentication_methods detail: %s", am.Detail)
				}
				if perUser > 8 {
					t.Errorf("%d per-user requests after a denial", perUser)
				}
				for _, a := range src.Accounts {
					if a.MethodsError == "" {
						t.Errorf("%s: methods unknown but no MethodsError", a.ID)
					}
				}
			}
			s.AssertReadOnly(t)
			enc, _ := json.Marshal(src)
			assertNoSecret(t, s, got.logs, string(enc))
		})
	}
}

func TestDatasetFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(s *graphtest.Server)
		dataset string
		status  evidence.CoverageStatus
		detail  string
	}{
		{"audits denied", func(s *graphtest.Server) { s.Deny("/auditLogs") }, evidence.DSAudits, evidence.Denied, "AuditLog.Read.All"},
		{"CA denied", func(s *graphtest.Server) { s.Deny("/identity/conditionalAccess") }, evidence.DSCondAccess, evidence.Denied, "Policy.Read.All"},
		{"roles denied", func(s *graphtest.Server) { s.Deny("/roleManagement") }, evidence.DSRoles, evidence.Denied, "RoleManagement.Read.Directory"},
		{"apps denied", func(s *graphtest.Server) { s.Deny("/applications") }, evidence.DSApplications, evidence.Denied, "Application.Read.All"},
		{"methods policy denied", func(s *graphtest.Server) { s.Deny("/policies/authenticationMethodsPolicy") }, evidence.DSMethodsPol, evidence.Denied, "Policy.Read.All"},
		{"users denied", func(s *graphtest.Server) { s.Deny("/users") }, evidence.DSUsers, evidence.Denied, "User.Read.All"},
		{"groups denied", func(s *graphtest.Server) { s.Deny("/groups") }, evidence.DSGroups, evidence.Denied, "GroupMember.Read.All"},
		{"server error", func(s *graphtest.Server) { s.FailNext("/servicePrincipals", http.StatusInternalServerError, -1) }, evidence.DSServicePrincipals, evidence.Errored, "HTTP 500"},
		{"garbage JSON", func(s *graphtest.Server) { s.GarbageNext("/policies/authorizationPolicy", 1) }, evidence.DSAuthzPolicy, evidence.Errored, ""},
		{"nextLink loop", func(s *graphtest.Server) { s.LoopNextLink("/auditLogs") }, evidence.DSAudits, evidence.Errored, "repeats"},
		{"throttled past the retry bound", func(s *graphtest.Server) {
			s.FailNext("/roleManagement/directory/roleAssignments", http.StatusTooManyRequests, -1)
		}, evidence.DSRoles, evidence.Errored, "HTTP 429"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.NewServer(t, graphtest.WithMaxPageSize(3))
			tc.setup(s)
			cfg := config(s)
			cfg.MaxRetries = 2
			got := collect(t, cfg)
			if got.err != nil {
				t.Fatalf("Collect: %v", got.err)
			}
			c := coverage(t, got.src, tc.dataset)
			if c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("%s coverage %+v, want %s containing %q", tc.dataset, c, tc.status, tc.detail)
			}
			for _, ds := range evidence.Datasets[evidence.Entra] {
				if ds == tc.dataset {
					continue
				}
				other := coverage(t, got.src, ds)
				// Users and registration/roles feed each other; everything
				// else must stay complete.
				if other.Status != evidence.Complete && tc.dataset != evidence.DSUsers {
					t.Errorf("%s also %s: %s", ds, other.Status, other.Detail)
				}
			}
			s.AssertReadOnly(t)
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	s := graphtest.NewServer(t, graphtest.WithRetryAfter(1))
	s.FailNext("/identity/conditionalAccess/policies", http.StatusTooManyRequests, 1)
	s.FailNext("/policies/authorizationPolicy", http.StatusServiceUnavailable, 2)
	start := time.Now()
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	for _, ds := range []string{evidence.DSCondAccess, evidence.DSAuthzPolicy} {
		if c := coverage(t, got.src, ds); c.Status != evidence.Complete {
			t.Errorf("%s not recovered after retry: %+v", ds, c)
		}
	}
	if n := s.RequestCount("/identity/conditionalAccess/policies"); n != 2 {
		t.Errorf("%d CA requests, want 2 (one 429, one retry)", n)
	}
	if n := s.RequestCount("/policies/authorizationPolicy"); n != 3 {
		t.Errorf("%d authorizationPolicy requests, want 3", n)
	}
	if el := time.Since(start); el < 3*time.Second {
		t.Errorf("finished in %s: Retry-After: 1 was not waited for three times", el)
	}
}

func TestBadCredentials(t *testing.T) {
	s := graphtest.NewServer(t)
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"wrong secret", func(c *Config) { c.ClientSecret = evidence.NewSecret("wrong-" + s.ClientSecret) }},
		{"unknown client", func(c *Config) { c.ClientID = "00000000-0000-0000-0000-00000000dead" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(s)
			tc.mod(&cfg)
			got := collect(t, cfg)
			if got.err == nil {
				t.Fatalf("Collect succeeded with bad credentials: %+v", got.src.Coverage)
			}
			assertNoSecret(t, s, got.err.Error(), got.logs)
			if strings.Contains(got.err.Error(), cfg.ClientSecret.Reveal()) {
				t.Errorf("error echoes the configured secret")
			}
			if n := s.RequestCount("/"); n != 0 {
				t.Errorf("%d Graph requests without a token", n)
			}
		})
	}
}

func TestConfigFromEnv(t *testing.T) {
	base := map[string]string{"AZURE_TENANT_ID": graphtest.DefaultTenantID, "AZURE_CLIENT_ID": "cid", "AZURE_CLIENT_SECRET": "s3cr3t-value"}
	tests := []struct {
		name    string
		env     map[string]string
		cloud   string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{"secret", base, "", "", func(t *testing.T, c Config) {
			if c.ClientSecret.Reveal() != "s3cr3t-value" || c.UseDefaultChain {
				t.Errorf("%+v", c)
			}
		}},
		{"no tenant", map[string]string{"AZURE_CLIENT_ID": "x", "AZURE_CLIENT_SECRET": "s3cr3t-value"}, "", "AZURE_TENANT_ID", nil},
		{"bad tenant", map[string]string{"AZURE_TENANT_ID": "a/b", "AZURE_CLIENT_SECRET": "s3cr3t-value"}, "", "AZURE_TENANT_ID", nil},
		{"secret without client", map[string]string{"AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s3cr3t-value"}, "", "AZURE_CLIENT_ID", nil},
		{"secret and cert", map[string]string{"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s3cr3t-value", "AZURE_CLIENT_CERTIFICATE_PATH": "/x.pem"}, "", "only one", nil},
		{"default chain", map[string]string{"AZURE_TENANT_ID": "t"}, "", "", func(t *testing.T, c Config) {
			if !c.UseDefaultChain {
				t.Errorf("UseDefaultChain false")
			}
		}},
		{"http authority", map[string]string{"AZURE_TENANT_ID": "t", "AZURE_AUTHORITY_HOST": "http://login.example"}, "", "AZURE_AUTHORITY_HOST", nil},
		{"graph with path", map[string]string{"AZURE_TENANT_ID": "t", "ENTRA_GRAPH_ENDPOINT": "https://graph.example/v1.0"}, "", "ENTRA_GRAPH_ENDPOINT", nil},
		{"plain http graph off loopback", map[string]string{"AZURE_TENANT_ID": "t", "ENTRA_GRAPH_ENDPOINT": "http://graph.example"}, "", "ENTRA_GRAPH_ENDPOINT", nil},
		{"unknown cloud", base, "mars", "unknown cloud", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ConfigFromEnv(func(k string) string { return tc.env[k] }, tc.cloud)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t-value") {
					t.Errorf("error echoes the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestClouds(t *testing.T) {
	tests := []struct{ cloud, authority, graph string }{
		{"", "https://login.microsoftonline.com/", "https://graph.microsoft.com"},
		{CloudUSGov, "https://login.microsoftonline.us/", "https://graph.microsoft.us"},
		{CloudUSGovDoD, "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us"},
		{CloudChina, "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn"},
	}
	for _, tc := range tests {
		t.Run(tc.cloud, func(t *testing.T) {
			c, err := New(Config{TenantID: "t", ClientID: "c", ClientSecret: evidence.NewSecret("x"), Cloud: tc.cloud})
			if err != nil {
				t.Fatal(err)
			}
			if c.ep.authority != tc.authority || c.ep.graphRoot != tc.graph || c.ep.scope != tc.graph+"/.default" ||
				c.adapter.GetBaseUrl() != tc.graph+"/v1.0" || c.ep.customAuth {
				t.Errorf("endpoints %+v", c.ep)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	s := graphtest.NewServer(t)
	s.Deny("/auditLogs")
	s.Deny("/reports/")
	c, err := New(config(s))
	if err != nil {
		t.Fatal(err)
	}
	probes, err := c.Probe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(probes) != len(evidence.Datasets[evidence.Entra]) {
		t.Fatalf("%d probes", len(probes))
	}
	for _, p := range probes {
		want := evidence.Complete
		if p.Dataset == evidence.DSAudits || p.Dataset == evidence.DSRegDetails {
			want = evidence.Denied
		}
		if p.Status != want || p.Needed == "" {
			t.Errorf("%s: %+v, want %s", p.Dataset, p, want)
		}
	}
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") && strings.Contains(r.Path, "/users") && r.Path != "/v1.0/users" && !strings.HasSuffix(r.Path, "/authentication/methods") {
			t.Errorf("unexpected probe request %s", r.Path)
		}
	}
	s.AssertReadOnly(t)
}

// scaleUsers is the size of the scale test.
const scaleUsers = 50000

// scaleCollect collects a generated tenant of n users with an injected
// credential and returns the request counts of the user datasets.
func scaleCollect(tb testing.TB, ctx context.Context, n int) (users, reports, perUser int, src *evidence.Source) {
	s := graphtest.NewServer(tb, graphtest.WithoutFixtures())
	s.AddUsers(n)
	cfg := Config{TenantID: s.TenantID, GraphEndpoint: s.URL, HTTPClient: s.Client(), Credential: staticCred{s.StaticToken()}}
	c, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	src, err = c.Collect(ctx, evidence.CollectOptions{Now: scanTime})
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range s.Requests() {
		switch {
		case r.Path == "/v1.0/users":
			users++
		case strings.HasPrefix(r.Path, "/v1.0/reports/"):
			reports++
		case strings.HasPrefix(r.Path, "/v1.0/users/"):
			perUser++
		}
	}
	return users, reports, perUser, src
}

func TestCollect50k(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: 50,000 users")
	}
	start := time.Now()
	users, reports, perUser, src := scaleCollect(t, t.Context(), scaleUsers)
	pages := (scaleUsers + DefaultPageSize - 1) / DefaultPageSize
	t.Logf("%d users: %d /users + %d report requests (ceil(N/%d) = %d each), %d per-user, %s",
		scaleUsers, users, reports, DefaultPageSize, pages, perUser, time.Since(start).Round(time.Millisecond))
	if users > pages+1 || reports > pages+1 || perUser != 0 {
		t.Errorf("requests: users %d reports %d per-user %d; want ≤ %d, ≤ %d, 0", users, reports, perUser, pages+1, pages+1)
	}
	if want := scaleUsers - scaleUsers/50; len(src.Accounts) != want {
		t.Errorf("%d accounts, want %d", len(src.Accounts), want)
	}
	if c := coverage(t, src, evidence.DSRegDetails); c.Status != evidence.Complete || c.Items != scaleUsers {
		t.Errorf("registration_details %+v", c)
	}
}

func BenchmarkCollect50k(b *testing.B) {
	for b.Loop() {
		users, reports, perUser, _ := scaleCollect(b, b.Context(), scaleUsers)
		b.ReportMetric(float64(users+reports+perUser), "user-requests/op")
	}
}

// writeCertificate writes a self-signed certificate and its PKCS#8 key as
// one PEM file, the shape AZURE_CLIENT_CERTIFICATE_PATH takes.
func writeCertificate(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shadowpath-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "client.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})...)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCertificateCredential(t *testing.T) {
	s := graphtest.NewServer(t)
	cfg := config(s)
	cfg.ClientSecret = evidence.Secret{}
	cfg.CertificatePath = writeCertificate(t)
	got := collect(t, cfg)
	if got.err != nil {
		t.Fatalf("Collect with a certificate: %v", got.err)
	}
	if s.TokenRequests() == 0 || len(got.src.Accounts) != 8 {
		t.Errorf("token requests %d, accounts %d", s.TokenRequests(), len(got.src.Accounts))
	}
	cfg.CertificatePath = filepath.Join(t.TempDir(), "missing.pem")
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "AZURE_CLIENT_CERTIFICATE_PATH") {
		t.Errorf("missing certificate: %v", err)
	}
}

func TestTokenRejectedByGraph(t *testing.T) {
	s := graphtest.NewServer(t)
	cfg := config(s)
	cfg.Credential = staticCred{"not-issued-by-the-fake"}
	got := collect(t, cfg)
	if got.err == nil || !strings.Contains(got.err.Error(), "401") {
		t.Fatalf("Collect with a rejected token: err %v", got.err)
	}
	if n := s.RequestCount("/"); n != 1 {
		t.Errorf("%d Graph requests after a 401, want 1", n)
	}
}

func TestFallbackPartial(t *testing.T) {
	s := graphtest.NewServer(t)
	s.Deny("/reports/")
	s.FailNext("/users/"+carol, http.StatusInternalServerError, -1)
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	am := coverage(t, got.src, evidence.DSAuthMethods)
	if am.Status != evidence.Partial || am.Items != 7 {
		t.Errorf("authentication_methods %+v, want partial with 7 accounts read", am)
	}
	for _, a := range got.src.Accounts {
		if (a.ID == carol) != (a.MethodsError != "") {
			t.Errorf("%s: MethodsError %q", a.ID, a.MethodsError)
		}
	}
}

func TestRegistrationReportWithoutTop(t *testing.T) {
	s := graphtest.NewServer(t, graphtest.WithMaxPageSize(4))
	s.RejectQuery("/reports/", "$top")
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	if c := coverage(t, got.src, evidence.DSRegDetails); c.Status != evidence.Complete || c.Items != 9 {
		t.Errorf("registration_details %+v", c)
	}
	if n := s.RequestCount("/reports/"); n != 4 {
		t.Errorf("%d report requests, want 1 refused + 3 pages", n)
	}
}

func TestFallbackBoundedConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000-user fallback")
	}
	const n = 2000
	s := graphtest.NewServer(t, graphtest.WithoutFixtures(), graphtest.WithLatency(2*time.Millisecond))
	s.AddUsers(n)
	s.Deny("/reports/")
	cfg := Config{TenantID: s.TenantID, GraphEndpoint: s.URL, HTTPClient: s.Client(), Credential: staticCred{s.StaticToken()}, Concurrency: 6}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	src, err := c.Collect(t.Context(), evidence.CollectOptions{Now: scanTime})
	if err != nil {
		t.Fatal(err)
	}
	enabled := n - n/50
	if got := s.RequestCount("/users/"); got != enabled {
		t.Errorf("%d per-user requests, want %d", got, enabled)
	}
	if m := s.MaxInFlight(); m > cfg.Concurrency || m < cfg.Concurrency/2 {
		t.Errorf("max in-flight Graph requests %d, want %d..%d", m, cfg.Concurrency/2, cfg.Concurrency)
	}
	if c := coverage(t, src, evidence.DSAuthMethods); c.Status != evidence.Complete || c.Items != enabled {
		t.Errorf("authentication_methods %+v", c)
	}
	t.Logf("fallback: %d per-user requests, max %d in flight", s.RequestCount("/users/"), s.MaxInFlight())
}

func TestRetryAfterTooLong(t *testing.T) {
	s := graphtest.NewServer(t, graphtest.WithRetryAfter(int(MaxRetryAfter/time.Second)+60))
	s.FailNext("/identity/conditionalAccess/policies", http.StatusTooManyRequests, 1)
	start := time.Now()
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	c := coverage(t, got.src, evidence.DSCondAccess)
	if c.Status != evidence.Errored || !strings.Contains(c.Detail, "429") {
		t.Errorf("conditional_access %+v, want error naming the 429", c)
	}
	if n := s.RequestCount("/identity/conditionalAccess"); n != 1 || time.Since(start) > 30*time.Second {
		t.Errorf("%d requests in %s: a Retry-After beyond MaxRetryAfter must not be waited for", n, time.Since(start))
	}
}
