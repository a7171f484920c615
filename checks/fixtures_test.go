package checks

import (
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// testNow is the scan time of every fixture.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time { t := testNow.Add(-d); return &t }
func in(d time.Duration) *time.Time  { t := testNow.Add(d); return &t }

const day = 24 * time.Hour

func boolp(b bool) *bool { return &b }

func complete(p evidence.Provider) []evidence.Coverage {
	var cs []evidence.Coverage
	for _, d := range evidence.Datasets[p] {
		cs = append(cs, evidence.Coverage{Dataset: d, Status: evidence.Complete, Items: 1})
	}
	return cs
}

func method(k evidence.MethodKind, id string) evidence.Method {
	return evidence.Method{Kind: k, VendorType: string(k), ID: id, Status: "ACTIVE"}
}

// IDs used across fixtures.
const (
	oktaAlice  = "00u1alice"
	oktaAdmin  = "00u2admin"
	oktaAdmins = "00gadmins"
	oktaRecPol = "00prec"
	oktaSignOn = "00psignon"
	oktaEnroll = "00penroll"
	oktaEmail  = "autemail"
	oktaWebAu  = "autwebauthn"
	oktaVerify = "autverify"

	entraAlice = "11111111-0000-0000-0000-00000000a11c"
	entraAdmin = "11111111-0000-0000-0000-0000000ad111"
	entraGuest = "11111111-0000-0000-0000-0000000f0e57"
	entraGA    = "62e90394-69f5-4237-9190-012177145e10"
	entraCAMFA = "ca000000-0000-0000-0000-0000000000f1"
	entraCALeg = "ca000000-0000-0000-0000-00000000000e"
	entraCAReg = "ca000000-0000-0000-0000-0000000000e9"
	entraApp   = "a0000000-0000-0000-0000-000000000001"
	entraSP    = "50000000-0000-0000-0000-000000000001"
	entraOwner = "11111111-0000-0000-0000-00000000000e"
)

// oktaGood is an Okta org every assessable check passes on: two FIDO2 keys
// per person, email only for recovery with a push step-up, MFA everywhere,
// protected enrolment, one certificate-based service app.
func oktaGood() *evidence.Source {
	return &evidence.Source{
		Provider: evidence.Okta, Tenant: "acme.okta.com", TenantName: "Acme",
		CollectedAt:      testNow,
		AuditWindow:      evidence.Window{Since: testNow.Add(-30 * day), Until: testNow},
		LogRetentionDays: 90,
		Coverage:         complete(evidence.Okta),
		Accounts: []evidence.Account{
			{ID: oktaAlice, Name: "Alice", Login: "alice@acme.com", Status: "ACTIVE", UserType: "member",
				Methods: []evidence.Method{method(evidence.KindFIDO2, "fwf1"), method(evidence.KindFIDO2, "fwf2"), method(evidence.KindPassword, "")}},
			{ID: oktaAdmin, Name: "Ada Admin", Login: "ada@acme.com", Status: "ACTIVE", UserType: "member", Privileged: true,
				Roles: []evidence.Role{{ID: "SUPER_ADMIN", Name: "Super Administrator", Via: "direct"}}, Groups: []string{oktaAdmins},
				Methods: []evidence.Method{method(evidence.KindFIDO2, "fwf3"), method(evidence.KindFIDO2, "fwf4")}},
		},
		Groups: []evidence.Group{{ID: oktaAdmins, Name: "Admins", Members: 1}},
		Policies: evidence.Policies{
			Methods: []evidence.MethodSetting{
				{ID: oktaEmail, Name: "Email", VendorKey: "okta_email", Kinds: []evidence.MethodKind{evidence.KindEmailOTP}, Enabled: true, Recovery: true, Targets: evidence.Targets{All: true}},
				{ID: oktaWebAu, Name: "Security Key or Biometric", VendorKey: "webauthn", Kinds: []evidence.MethodKind{evidence.KindFIDO2}, Enabled: true, SignIn: true, Targets: evidence.Targets{All: true}},
				{ID: oktaVerify, Name: "Okta Verify", VendorKey: "okta_verify", Kinds: []evidence.MethodKind{evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}},
			},
			Recovery: []evidence.RecoveryPolicy{{
				ID: oktaRecPol, Name: "Default Policy", RuleID: "0prrule", Enabled: true, Priority: 1,
				Targets:     evidence.Targets{All: true, ExcludeGroups: []string{oktaAdmins}},
				SelfService: true, Methods: []evidence.MethodKind{evidence.KindEmailOTP},
				StepUpRequired: true, StepUpMethods: []evidence.MethodKind{evidence.KindPush}, Known: true,
			}},
			SignIn: []evidence.SignInPolicy{{
				ID: oktaSignOn, Name: "Default access", RuleID: "0prdefault", RuleName: "MFA", Kind: "ACCESS_POLICY",
				Enabled: true, Priority: 1, Targets: evidence.Targets{All: true}, RequiresMFA: true, AllApps: true,
			}},
			Registration: []evidence.RegistrationPolicy{{ID: oktaEnroll, Name: "Enrollment", Enabled: true, Targets: evidence.Targets{All: true}, RequiresMFA: true}},
		},
		Events: []evidence.Event{
			{ID: "ev-reset-1", Kind: evidence.EvFactorReset, Time: testNow.Add(-20 * day), VendorType: "user.mfa.factor.deactivate",
				Actor: evidence.Principal{ID: oktaAdmin, Type: "user"}, Target: evidence.Principal{ID: oktaAlice, Type: "user"}, Outcome: "SUCCESS"},
			{ID: "ev-enrol-1", Kind: evidence.EvMethodEnrolled, Time: testNow.Add(-19 * day), VendorType: "user.mfa.factor.activate",
				Actor: evidence.Principal{ID: oktaAlice}, Target: evidence.Principal{ID: oktaAlice}, Outcome: "SUCCESS", MethodKind: evidence.KindFIDO2},
		},
		Workloads: []evidence.Workload{{
			ID: "0oa1svc", Type: evidence.WServiceApp, Name: "Backup connector", AppID: "0oa1svc", Enabled: true,
			AuthMethod: "private_key_jwt", Grants: []string{"okta.users.read"}, LastUsed: ago(day),
			Credentials: []evidence.Credential{{ID: "kid1", Type: evidence.CredCertificate, Created: ago(30 * day), Expires: in(300 * day), Active: true, LastUsed: ago(day)}},
		}},
	}
}

// entraGood is the Entra counterpart: FIDO2 / WHfB members, a guest, MFA
// for all, legacy authentication blocked, SSPR off, one-time TAP of 8h.
func entraGood() *evidence.Source {
	return &evidence.Source{
		Provider: evidence.Entra, Tenant: "c0ffee00-0000-0000-0000-000000000000", TenantName: "Contoso",
		CollectedAt:      testNow,
		AuditWindow:      evidence.Window{Since: testNow.Add(-30 * day), Until: testNow},
		LogRetentionDays: 30,
		Coverage:         complete(evidence.Entra),
		Accounts: []evidence.Account{
			{ID: entraAlice, Name: "Alice", Login: "alice@contoso.com", Status: "enabled", UserType: "member",
				Methods: []evidence.Method{method(evidence.KindFIDO2, ""), method(evidence.KindWindowsHello, "")}},
			{ID: entraAdmin, Name: "Ada Admin", Login: "ada@contoso.com", Status: "enabled", UserType: "member", Privileged: true,
				Roles:   []evidence.Role{{ID: entraGA, Name: "Global Administrator", Via: "direct"}},
				Methods: []evidence.Method{method(evidence.KindFIDO2, ""), method(evidence.KindPasskeyDeviceBound, "")}},
			{ID: entraGuest, Name: "Gus Guest", Login: "gus_partner.com#EXT#@contoso.com", Status: "enabled", UserType: "guest"},
		},
		Policies: evidence.Policies{
			Methods: []evidence.MethodSetting{
				{ID: "Fido2", Name: "FIDO2", VendorKey: "Fido2", Kinds: []evidence.MethodKind{evidence.KindFIDO2, evidence.KindPasskeyDeviceBound}, Enabled: true, SignIn: true, Targets: evidence.Targets{All: true}},
				{ID: "WindowsHelloForBusiness", Name: "Windows Hello for Business", Kinds: []evidence.MethodKind{evidence.KindWindowsHello}, Enabled: true, SignIn: true, Targets: evidence.Targets{All: true}},
				{ID: "Email", Name: "Email OTP", VendorKey: "Email", Kinds: []evidence.MethodKind{evidence.KindEmailOTP}, Enabled: true, Recovery: true, Targets: evidence.Targets{All: true}},
				{ID: "Sms", Name: "SMS", VendorKey: "Sms", Kinds: []evidence.MethodKind{evidence.KindSMS}, Enabled: false, Targets: evidence.Targets{All: true}},
			},
			Recovery: []evidence.RecoveryPolicy{{
				ID: "sspr", Name: "Self-service password reset", Enabled: true, SelfService: true, Targets: evidence.Targets{All: true},
				Known: false, Manual: "Graph does not expose the SSPR methods or their number",
			}},
			SignIn: []evidence.SignInPolicy{
				{ID: entraCAMFA, Name: "Require MFA for all users", Kind: "conditional_access", Enabled: true, Targets: evidence.Targets{All: true}, RequiresMFA: true, AllApps: true},
				{ID: entraCALeg, Name: "Block legacy authentication", Kind: "conditional_access", Enabled: true, Targets: evidence.Targets{All: true}, Block: true, AllApps: true, LegacyClients: true},
			},
			Registration:               []evidence.RegistrationPolicy{{ID: entraCAReg, Name: "Secure security info registration", Enabled: true, Targets: evidence.Targets{All: true}, RequiresMFA: true}},
			TemporaryAccess:            []evidence.TemporaryAccessSetting{{ID: "TemporaryAccessPass", Name: "Temporary Access Pass", Enabled: true, Targets: evidence.Targets{All: true}, MaxLifetimeMinutes: 480, DefaultLifetimeMinutes: 60}},
			SelfServiceRecoveryEnabled: boolp(false),
		},
		Workloads: []evidence.Workload{
			{ID: entraApp, Type: evidence.WApplication, Name: "Backup connector", AppID: "appid-1", Enabled: true,
				Owners:      []evidence.Owner{{ID: entraOwner, Active: true}},
				Credentials: []evidence.Credential{{ID: "key1", Type: evidence.CredCertificate, Created: ago(30 * day), Expires: in(300 * day), Active: true}}},
			{ID: entraSP, Type: evidence.WServicePrincipal, Name: "Backup connector", AppID: "appid-1", Enabled: true,
				Owners: []evidence.Owner{{ID: entraOwner, Active: true}}, Grants: []string{"User.Read.All"}},
		},
	}
}

func snapshotOf(srcs ...*evidence.Source) *evidence.Snapshot {
	return &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: srcs}
}

func testParams() Params { return DefaultParams(testNow) }

// evaluate runs Evaluate and fails the test on error.
func evaluate(t *testing.T, p Params, srcs ...*evidence.Source) *Results {
	t.Helper()
	r, err := Evaluate(snapshotOf(srcs...), p)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return r
}

// result returns the (id, provider) entry.
func result(t *testing.T, r *Results, id string, p evidence.Provider) CheckResult {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id && c.Provider == string(p) {
			return c
		}
	}
	t.Fatalf("no result for %s/%s", id, p)
	return CheckResult{}
}

func subjects(c CheckResult) []string {
	out := []string{}
	for _, f := range c.Findings {
		out = append(out, f.Subject.ID)
	}
	return out
}

func account(src *evidence.Source, id string) *evidence.Account {
	for i := range src.Accounts {
		if src.Accounts[i].ID == id {
			return &src.Accounts[i]
		}
	}
	panic("no account " + id)
}

func setting(src *evidence.Source, id string) *evidence.MethodSetting {
	for i := range src.Policies.Methods {
		if src.Policies.Methods[i].ID == id {
			return &src.Policies.Methods[i]
		}
	}
	panic("no method setting " + id)
}
