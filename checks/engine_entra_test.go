package checks

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// These tests pin the Entra engine's rules (engine_entra.go), each to the
// Microsoft page it follows. The connector tests (connectors/entra
// engine_test.go) feed the same rules through Graph's wire format,
// msgraph-sdk-go and graphtest.

// caPol is an enforced CA policy for all apps and client types.
func caPol(id, name string, people evidence.Targets, q evidence.Requirement) evidence.AccessPolicy {
	return evidence.AccessPolicy{ID: id, Name: name, Type: evidence.APEntraConditionalAccess, Status: "enabled", Enabled: true,
		Conditions: evidence.Conditions{People: people, Apps: &evidence.AppCondition{Include: []string{"All"}}, ClientAppTypes: []string{"all"}},
		Rules:      []evidence.AccessRule{{ID: id, Enabled: true, Access: "ALLOW", Requirement: q}}}
}

var (
	caMFA   = evidence.Requirement{Operator: "OR", Controls: []string{"mfa"}}
	caBlock = evidence.Requirement{Operator: "OR", Controls: []string{"block"}}
)

// entraEngine is entraGood judged by the Entra engine: MFA for all users,
// legacy clients blocked, security defaults off, migration complete.
func entraEngineSrc() *evidence.Source {
	src := entraGood()
	src.Policies.Engine = evidence.EngineEntra
	src.Policies.SelfServiceRecoveryEnabled = nil
	src.Policies.Entra = &evidence.EntraSettings{SecurityDefaults: boolp(false), MigrationState: "migrationComplete", AdminSSPR: boolp(false), NamedLocationsKnown: true,
		NamedLocations: []evidence.NamedLocation{{ID: "loc-hq", Name: "HQ", Trusted: true}}}
	legacy := caPol(entraCALeg, "Block legacy authentication", evidence.Targets{All: true}, caBlock)
	legacy.Conditions.ClientAppTypes = []string{"exchangeActiveSync", "other"}
	src.Policies.Access = []evidence.AccessPolicy{caPol(entraCAMFA, "Require MFA for all users", evidence.Targets{All: true}, caMFA), legacy}
	for i := range src.Accounts {
		src.Accounts[i].SSPR = &evidence.SSPRState{}
	}
	return src
}

func pathDump(a Assurance) string {
	var b strings.Builder
	for _, p := range a.Paths {
		b.WriteString("  " + string(p.Kind) + " " + strings.Join(p.Proofs, "+") + " " + p.AAL + " [" + p.Context + "]\n")
	}
	return b.String()
}

func findPath(a Assurance, kind PathKind, proofs, ctx string) bool {
	for _, p := range a.Paths {
		if p.Kind == kind && strings.Join(p.Proofs, "+") == proofs && strings.Contains(p.Context, ctx) {
			return true
		}
	}
	return false
}

func TestEntraEngineRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		doc    string // the Microsoft page the rule follows
		change func(src *evidence.Source)
		acct   string
		kind   PathKind
		proofs string
		ctx    string
		absent bool
	}{
		{name: "MFA for all: no password-only path", doc: "Conditional Access: Grant (Require multifactor authentication)",
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password", absent: true},
		{name: "report-only never enforces", doc: "Conditional Access report-only mode",
			change: func(s *evidence.Source) { s.Policies.Access[0].Enabled, s.Policies.Access[0].ReportOnly = false, true },
			acct:   entraAlice, kind: PathPasswordOnly, proofs: "password"},
		{name: "exclusion wins over inclusion", doc: "Users and groups in Conditional Access policy (exclusions)",
			change: func(s *evidence.Source) { s.Policies.Access[0].Conditions.People.ExcludeUsers = []string{entraAlice} },
			acct:   entraAlice, kind: PathPasswordOnly, proofs: "password"},
		{name: "guests excluded", doc: "Users and groups in Conditional Access policy (guest or external users)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.People.ExcludeUsers = []string{"GuestsOrExternalUsers"}
			},
			acct: entraGuest, kind: PathPasswordOnly, proofs: "password"},
		{name: "mfa OR compliantDevice: the device alone", doc: "Conditional Access: Grant (Require one of the selected controls)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Rules[0].Requirement.Controls = []string{"mfa", "compliantDevice"}
			},
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password", ctx: "on a compliant device"},
		{name: "exclude AllTrusted", doc: "Network assignment in Conditional Access policy (All trusted locations)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
			},
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password", ctx: "from trusted locations"},
		{name: "unknown trust is read as trusted for an exclusion", doc: "Network assignment in Conditional Access policy; docs silent on unread locations: weaker reading",
			change: func(s *evidence.Source) {
				s.Policies.Entra.NamedLocationsKnown = false
				s.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
				s.Policies.Access = append(s.Policies.Access, caPol("ca-hq", "MFA at HQ", evidence.Targets{All: true}, caMFA))
				s.Policies.Access[2].Conditions.Network = &evidence.Network{Include: []string{"loc-hq"}}
			},
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password", ctx: "outside HQ"},
		{name: "user risk policy is not unconditional MFA", doc: "Conditional Access: Conditions (user risk); Require password change",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.UserRiskLevels = []string{"high"}
				s.Policies.Access[0].Rules[0].Requirement = evidence.Requirement{Operator: "AND", Controls: []string{"mfa", "passwordChange"}}
			},
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password", ctx: "at a user risk other than high"},
		{name: "sign-in risk", doc: "Conditional Access: Conditions (sign-in risk)",
			change: func(s *evidence.Source) { s.Policies.Access[0].Conditions.RiskLevels = []string{"medium", "high"} },
			acct:   entraAlice, kind: PathPasswordOnly, proofs: "password", ctx: "at a sign-in risk other than medium/high"},
		{name: "authentication context is step-up only", doc: "Conditional Access: Target resources (authentication context)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.Apps = &evidence.AppCondition{AuthContexts: []string{"c1"}}
			},
			acct: entraAlice, kind: PathPasswordOnly, proofs: "password"},
		{name: "security defaults: admins always", doc: "Security defaults in Microsoft Entra ID",
			change: func(s *evidence.Source) {
				s.Policies.Access = nil
				s.Policies.Entra.SecurityDefaults = boolp(true)
			},
			acct: entraAdmin, kind: PathSignIn, proofs: "password+fido2", ctx: "administrators always need MFA"},
		{name: "security defaults block legacy", doc: "Security defaults in Microsoft Entra ID (block legacy authentication)",
			change: func(s *evidence.Source) {
				s.Policies.Access = nil
				s.Policies.Entra.SecurityDefaults = boolp(true)
			},
			acct: entraAlice, kind: PathLegacy, proofs: "password", absent: true},
		{name: "legacy block must cover other clients", doc: "Block legacy authentication with Conditional Access",
			change: func(s *evidence.Source) {
				s.Policies.Access[1].Conditions.ClientAppTypes = []string{"exchangeActiveSync"}
				s.Policies.Access[0].Conditions.ClientAppTypes = []string{"browser", "mobileAppsAndDesktopClients"}
			},
			acct: entraAlice, kind: PathLegacy, proofs: "password", ctx: "other clients"},
		{name: "per-user MFA enforced", doc: "Enable per-user Microsoft Entra multifactor authentication",
			change: func(s *evidence.Source) {
				s.Policies.Access = s.Policies.Access[1:]
				account(s, entraAlice).PerUserMFA = "enforced"
			},
			acct: entraAlice, kind: PathSignIn, proofs: "password+fido2", ctx: "per-user MFA enforced"},
		{name: "per-user MFA leaves app passwords to legacy clients", doc: "Enforce Microsoft Entra multifactor authentication with per-user MFA (app passwords)",
			change: func(s *evidence.Source) {
				s.Policies.Access = nil // no CA policy: a CA MFA grant would block legacy clients
				account(s, entraAlice).PerUserMFA = "enforced"
			},
			acct: entraAlice, kind: PathLegacy, proofs: "password", ctx: "app password"},
		{name: "phishing-resistant strength admits fido2 alone", doc: "Conditional Access authentication strengths (built-in Phishing-resistant MFA)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Rules[0].Requirement = evidence.Requirement{Operator: "OR", Strength: &evidence.AuthenticationStrength{
					ID: "00000000-0000-0000-0000-000000000004", AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"}}}
			},
			acct: entraAdmin, kind: PathSignIn, proofs: "passkey_device_bound"},
		{name: "AU-scoped role is not targeted", doc: "Users and groups in Conditional Access policy (directory roles)",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.People = evidence.Targets{Roles: []string{entraGA}}
				account(s, entraAdmin).Roles[0].Via = "direct, scope /administrativeUnits/au1"
			},
			acct: entraAdmin, kind: PathPasswordOnly, proofs: "password"},
		{name: "PIM-eligible role: the path says so", doc: "Microsoft Entra Privileged Identity Management: eligible assignments",
			change: func(s *evidence.Source) {
				s.Policies.Access[0].Conditions.People = evidence.Targets{Roles: []string{entraGA}}
				account(s, entraAdmin).Roles[0].Via = "eligible (PIM)"
			},
			acct: entraAdmin, kind: PathPasswordOnly, proofs: "password", ctx: "PIM-eligible"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := entraEngineSrc()
			if tc.change != nil {
				tc.change(src)
			}
			a := assuranceOf(t, src, tc.acct)
			if got := findPath(a, tc.kind, tc.proofs, tc.ctx); got == tc.absent {
				t.Errorf("%s (%s): path %s %s [%s] present=%v:\n%s", tc.name, tc.doc, tc.kind, tc.proofs, tc.ctx, got, pathDump(a))
			}
		})
	}
}

// TestEntraVersion1KeepsLegacyEngine: a snapshot without Policies.Engine
// is judged by the reduced sign-in flags, as before.
func TestEntraVersion1KeepsLegacyEngine(t *testing.T) {
	src := entraGood()
	src.Policies.Access = entraEngineSrc().Policies.Access // ignored without Engine
	src.Policies.Access[0].Enabled = false
	a := assuranceOf(t, src, entraAlice)
	if findPath(a, PathPasswordOnly, "password", "") || a.Effective != AAL3 {
		t.Errorf("version 1 snapshot judged by Access:\n%s", pathDump(a))
	}
}

// TestEntraSSPR: allowedToUseSSPR is the administrator policy's switch;
// users recover by the registration report's scope (Graph
// authorizationPolicy; "Self-service password reset policies").
func TestEntraSSPR(t *testing.T) {
	src := entraEngineSrc()
	account(src, entraAlice).Methods = append(account(src, entraAlice).Methods, evidence.Method{Kind: evidence.KindEmailOTP, VendorType: "email"})
	account(src, entraAlice).SSPR.Enabled = true
	a := assuranceOf(t, src, entraAlice)
	// Reset by email, then MFA for all asks a second factor: email + fido2.
	if !findPath(a, PathRecovery, "email_otp+fido2", "one assumed") {
		t.Errorf("user SSPR with admin SSPR off:\n%s", pathDump(a))
	}
	adm := account(src, entraAdmin)
	adm.Methods = append(adm.Methods, evidence.Method{Kind: evidence.KindEmailOTP, VendorType: "email"}, evidence.Method{Kind: evidence.KindSMS, VendorType: "mobilePhone"})
	adm.SSPR = &evidence.SSPRState{Enabled: true}
	if a := assuranceOf(t, src, entraAdmin); findPath(a, PathRecovery, "email_otp+voice", "") {
		t.Errorf("administrator recovers with allowedToUseSSPR false:\n%s", pathDump(a))
	}
	src.Policies.Entra.AdminSSPR = boolp(true)
	if a := assuranceOf(t, src, entraAdmin); !findPath(a, PathRecovery, "email_otp+voice", "administrator SSPR") {
		t.Errorf("administrator SSPR (two gates):\n%s", pathDump(a))
	}
}

// TestEntraMFA02OneAuthenticatorApp: push and codes on one Authenticator
// app are one backup-relevant method.
func TestEntraMFA02OneAuthenticatorApp(t *testing.T) {
	src := entraEngineSrc()
	account(src, entraAlice).Methods = []evidence.Method{{Kind: evidence.KindPush, VendorType: "microsoftAuthenticatorPush"}, {Kind: evidence.KindTOTPSoftware, VendorType: "softwareOneTimePasscode"}}
	r := evaluate(t, testParams(), src)
	if c := result(t, r, "MFA-02", evidence.Entra); !strings.Contains(strings.Join(subjects(c), ","), entraAlice) {
		t.Errorf("MFA-02 does not count push + codes on one app as one method: %+v", c.Findings)
	}
}

// TestEntraContextsShared: accounts targeted by the same policies share
// one enumeration.
func TestEntraContextsShared(t *testing.T) {
	src := entraEngineSrc()
	e := newEnv(src, &Params{})
	if n := len(e.entra.cache); n != 1 {
		t.Errorf("%d context enumerations for 3 accounts under the same policies, want 1", n)
	}
}

// TestEntraMigrationFinding: before migration is complete MFA-06 says the
// legacy policies may still allow SMS and voice (learn.microsoft.com "How
// to migrate MFA and SSPR policy settings to the Authentication methods
// policy").
func TestEntraMigrationFinding(t *testing.T) {
	src := entraEngineSrc()
	if c := result(t, evaluate(t, testParams(), src), "MFA-06", evidence.Entra); c.Status != Pass {
		t.Fatalf("MFA-06 %s with migration complete and SMS disabled: %+v", c.Status, c.Findings)
	}
	src.Policies.Entra.MigrationState = "migrationInProgress"
	c := result(t, evaluate(t, testParams(), src), "MFA-06", evidence.Entra)
	if c.Status != Fail || len(c.Findings) != 1 || c.Findings[0].Subject.ID != "authenticationMethodsPolicy" {
		t.Errorf("MFA-06 %s: %+v", c.Status, c.Findings)
	}
}

// BenchmarkEntraEngine200k evaluates the catalog over 200,000 Entra
// accounts under context-limited policies (trusted-location exclusion,
// an OR grant for one app, a role policy with a strength).
func BenchmarkEntraEngine200k(b *testing.B) {
	src := entraEngineSrc()
	src.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
	o365 := caPol("ca-o365", "Sales O365", evidence.Targets{Groups: []string{"g-sales"}}, evidence.Requirement{Operator: "OR", Controls: []string{"mfa", "compliantDevice"}})
	o365.Conditions.Apps = &evidence.AppCondition{Include: []string{"Office365"}}
	admins := caPol("ca-admins", "Admins", evidence.Targets{Roles: []string{entraGA}}, evidence.Requirement{Operator: "OR",
		Strength: &evidence.AuthenticationStrength{ID: "pr", AllowedCombinations: []string{"fido2", "windowsHelloForBusiness"}}})
	src.Policies.Access = append(src.Policies.Access, o365, admins)
	sets := [][]evidence.Method{
		{{Kind: evidence.KindPush, VendorType: "microsoftAuthenticatorPush"}, {Kind: evidence.KindSMS, VendorType: "mobilePhone"}},
		{{Kind: evidence.KindFIDO2, VendorType: "fido2SecurityKey"}},
		{{Kind: evidence.KindEmailOTP, VendorType: "email"}},
		{{Kind: evidence.KindPush, VendorType: "microsoftAuthenticatorPush"}, {Kind: evidence.KindTOTPSoftware, VendorType: "softwareOneTimePasscode"}},
	}
	n := 200_000
	src.Accounts = make([]evidence.Account, n)
	for i := range src.Accounts {
		id := strconv.Itoa(1_000_000 + i)
		a := &src.Accounts[i]
		*a = evidence.Account{ID: id, Name: id, Login: id + "@contoso.com", Status: "enabled", UserType: "member", Methods: sets[i%len(sets)],
			SSPR: &evidence.SSPRState{Enabled: i%2 == 0}, PerUserMFA: "disabled"}
		if i%3 == 0 {
			a.Groups = []string{"g-sales"}
		}
		if i%1000 == 7 {
			a.Privileged, a.Roles = true, []evidence.Role{{ID: entraGA, Name: "Global Administrator", Via: "direct"}}
		}
	}
	snap := snapshotOf(src)
	p := testParams()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Evaluate(snap, p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEntraREC05: only members without an MFA-capable method register
// security info with the password alone (learn.microsoft.com "Combined
// security information registration"), unless a CA policy on
// urn:user:registersecurityinfo protects them everywhere.
func TestEntraREC05(t *testing.T) {
	src := entraEngineSrc()
	src.Accounts = append(src.Accounts, evidence.Account{ID: "b0000000-0000-0000-0000-00000000000e", Name: "Eve", Login: "eve@contoso.com",
		Status: "enabled", UserType: "member", Methods: []evidence.Method{{Kind: evidence.KindEmailOTP, VendorType: "email"}}})
	c := result(t, evaluate(t, testParams(), src), "REC-05", evidence.Entra)
	if c.Status != Fail || len(c.Findings) != 1 || c.Findings[0].Evidence["accounts"] != 1 {
		t.Fatalf("REC-05 %s: %+v", c.Status, c.Findings)
	}
	reg := caPol("ca-reg", "Secure security info registration", evidence.Targets{All: true}, caMFA)
	reg.Conditions.Apps = &evidence.AppCondition{UserActions: []string{"urn:user:registersecurityinfo"}}
	src.Policies.Access = append(src.Policies.Access, reg)
	if c := result(t, evaluate(t, testParams(), src), "REC-05", evidence.Entra); c.Status != Pass {
		t.Errorf("REC-05 with registration protected everywhere: %s %+v", c.Status, c.Findings)
	}
	src.Policies.Access[len(src.Policies.Access)-1].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
	if c := result(t, evaluate(t, testParams(), src), "REC-05", evidence.Entra); c.Status != Fail {
		t.Errorf("REC-05 with registration open from trusted locations: %s", c.Status)
	}
}

// TestEntraPhones: a mobile phone receives SMS or calls, judged by the Sms
// and Voice configurations; an office phone calls only with
// isOfficePhoneAllowed (learn.microsoft.com "Phone authentication
// methods").
func TestEntraPhones(t *testing.T) {
	src := entraEngineSrc()
	src.Policies.Methods = append(src.Policies.Methods, evidence.MethodSetting{ID: "Voice", Name: "Voice", VendorKey: "Voice",
		Kinds: []evidence.MethodKind{evidence.KindVoice}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}})
	account(src, entraAlice).Methods = []evidence.Method{{Kind: evidence.KindSMS, VendorType: "mobilePhone"}}
	a := assuranceOf(t, src, entraAlice)
	if !findPath(a, PathSignIn, "password+voice", "") || findPath(a, PathSignIn, "password+sms", "") {
		t.Errorf("mobile phone with Sms disabled and Voice enabled:\n%s", pathDump(a))
	}
	account(src, entraAlice).Methods = []evidence.Method{{Kind: evidence.KindVoice, VendorType: "officePhone"}}
	if a := assuranceOf(t, src, entraAlice); findPath(a, PathSignIn, "password+voice", "") {
		t.Errorf("office phone without isOfficePhoneAllowed:\n%s", pathDump(a))
	}
	src.Policies.Entra.VoiceOfficePhone = true
	if a := assuranceOf(t, src, entraAlice); !findPath(a, PathSignIn, "password+voice", "") {
		t.Errorf("office phone with isOfficePhoneAllowed:\n%s", pathDump(a))
	}
}

// TestEntraEXC02LegacyBreakGlass: a legacy-authentication block whose only
// exclusions are declared break-glass accounts still counts (EXC-01
// judges those exclusions); any other exclusion leaves a legacy path
// (learn.microsoft.com "Block legacy authentication with Conditional
// Access": exclude emergency access accounts).
func TestEntraEXC02LegacyBreakGlass(t *testing.T) {
	src := entraEngineSrc()
	src.Policies.Access[0].Conditions.ClientAppTypes = []string{"browser", "mobileAppsAndDesktopClients"}
	src.Policies.Access[1].Conditions.People.ExcludeUsers = []string{entraAdmin}
	p := testParams()
	p.BreakGlass = []string{entraAdmin}
	if c := result(t, evaluate(t, p, src), "EXC-02", evidence.Entra); c.Status != Pass {
		t.Errorf("EXC-02 with a break-glass-only exclusion: %s %+v", c.Status, c.Findings)
	}
	src.Policies.Access[1].Conditions.People.ExcludeUsers = []string{entraAlice}
	c := result(t, evaluate(t, p, src), "EXC-02", evidence.Entra)
	if c.Status != Fail || !strings.Contains(strings.Join(c.Findings[0].Evidence["sample"].([]string), ","), entraAlice) {
		t.Errorf("EXC-02 with alice excluded from the block: %s %+v", c.Status, c.Findings)
	}
}

// TestEntraSignature: accounts alike in methods and groups but not in what
// the Entra engine reads (SSPR scope, per-user MFA, how a role is held,
// phones) do not share paths.
func TestEntraSignature(t *testing.T) {
	src := entraEngineSrc()
	src.Policies.Access = nil
	base := evidence.Account{Status: "enabled", UserType: "member", Methods: []evidence.Method{{Kind: evidence.KindSMS, VendorType: "mobilePhone"}, {Kind: evidence.KindEmailOTP, VendorType: "email"}}}
	mk := func(id string, f func(a *evidence.Account)) evidence.Account {
		a := base
		a.ID, a.Login = id, id+"@contoso.com"
		a.Methods = slices.Clone(base.Methods)
		a.SSPR = &evidence.SSPRState{}
		a.PerUserMFA = "disabled"
		f(&a)
		return a
	}
	src.Accounts = []evidence.Account{
		mk("u1", func(a *evidence.Account) {}),
		mk("u2", func(a *evidence.Account) { a.SSPR.Enabled = true }),
		mk("u3", func(a *evidence.Account) { a.PerUserMFA = "enforced" }),
		mk("u4", func(a *evidence.Account) { a.Methods[0] = evidence.Method{Kind: evidence.KindSMS, VendorType: "sms"} }),
	}
	seen := map[string]string{}
	for _, a := range src.Accounts {
		d := pathDump(assuranceOf(t, src, a.ID))
		if prev, ok := seen[d]; ok && a.ID != "u4" {
			t.Errorf("%s and %s share paths:\n%s", prev, a.ID, d)
		}
		seen[d] = a.ID
	}
}
