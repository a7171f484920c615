package entra

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// These tests feed the Entra engine's rules (checks/engine_entra.go)
// through Graph's wire format: the fixture tenant (testdata/entra), changed
// per rule with the JSON Graph would return, collected with msgraph-sdk-go
// and azidentity over real sockets against graphtest, and judged by
// checks.Evaluate. Each test names the Microsoft page that states its rule.

// tenantWith copies the fixture tenant and replaces some of its files
// (name without .json → Graph JSON).
func tenantWith(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir("../../testdata/entra")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("../../testdata/entra", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, js := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(js), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// edited is the default tenant's fixture name.json with old replaced by
// new once; the test stops when the fixture has no old, so an edit that
// no longer applies cannot pass unnoticed.
func edited(t *testing.T, name, old, new string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/entra", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	js := strings.Replace(string(b), old, new, 1)
	if js == string(b) {
		t.Fatalf("%s.json has no %s", name, old)
	}
	return js
}

// caPolicies wraps policies in a CA collection answer.
func caPolicies(ps ...string) string {
	return `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[` + strings.Join(ps, ",") + `]}`
}

// judge collects a tenant and evaluates it.
func judge(t *testing.T, dir string) (*evidence.Source, *checks.Results) {
	t.Helper()
	s := graphtest.NewServer(t, graphtest.WithFixtureDir(dir))
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	s.AssertReadOnly(t)
	res, err := checks.Evaluate(&evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{got.src}}, checks.DefaultParams(scanTime))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return got.src, res
}

// judgeCA collects the tenant with these CA policies in place of the
// fixture's, and evaluates it.
func judgeCA(t *testing.T, ps ...string) (*evidence.Source, *checks.Results) {
	t.Helper()
	return judge(t, tenantWith(t, map[string]string{"conditionalAccessPolicies": caPolicies(ps...)}))
}

func explainAcct(t *testing.T, src *evidence.Source, id string) checks.Assurance {
	t.Helper()
	p := checks.DefaultParams(scanTime)
	p.BreakGlass = []string{breakGlass}
	a, ok := checks.AccountAssurance(src, id, p)
	if !ok {
		t.Fatalf("no account %s", id)
	}
	return a
}

func pathsText(a checks.Assurance) string {
	var b strings.Builder
	for _, p := range a.Paths {
		b.WriteString("  " + string(p.Kind) + " " + strings.Join(p.Proofs, "+") + " " + p.AAL + " [" + p.Context + "]\n")
	}
	return b.String()
}

// hasPathCtx: a path of that kind and proofs whose context contains ctx.
func hasPathCtx(a checks.Assurance, kind checks.PathKind, proofs, ctx string) bool {
	for _, p := range a.Paths {
		if p.Kind == kind && strings.Join(p.Proofs, "+") == proofs && strings.Contains(p.Context, ctx) {
			return true
		}
	}
	return false
}

func resultOf(t *testing.T, res *checks.Results, id string) checks.CheckResult {
	t.Helper()
	for _, c := range res.Checks {
		if c.ID == id && c.Provider == string(evidence.Entra) {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return checks.CheckResult{}
}

// ca is one Conditional Access policy in Graph's wire format (every field
// Graph returns, the unused ones at a new policy's defaults). users,
// apps, grant and extra are the JSON of conditions.users,
// conditions.applications, grantControls and any further conditions.
func ca(id, name, state, users, apps, clients, extra, grant string) string {
	if clients == "" {
		clients = `["all"]`
	}
	if extra != "" {
		extra = "," + extra
	}
	return `{"id":"` + id + `","displayName":"` + name + `","state":"` + state + `",
	 "createdDateTime":"2025-01-01T00:00:00Z","modifiedDateTime":"2026-06-01T00:00:00Z","templateId":null,"sessionControls":null,
	 "conditions":{"clientAppTypes":` + clients + `,"signInRiskLevels":[],"userRiskLevels":[],"servicePrincipalRiskLevels":[],
	   "platforms":null,"locations":null,"devices":null,"clientApplications":null,"times":null,
	   "applications":` + apps + `,"users":` + users + extra + `},
	 "grantControls":` + grant + `}`
}

const (
	allApps   = `{"includeApplications":["All"],"excludeApplications":[],"includeUserActions":[],"includeAuthenticationContextClassReferences":[],"applicationFilter":null}`
	allUsers  = `{"includeUsers":["All"],"excludeUsers":[],"includeGroups":[],"excludeGroups":[],"includeRoles":[],"excludeRoles":[],"includeGuestsOrExternalUsers":null,"excludeGuestsOrExternalUsers":null}`
	mfaGrant  = `{"operator":"OR","builtInControls":["mfa"],"customAuthenticationFactors":[],"termsOfUse":[],"authenticationStrength":null}`
	blockAll  = `{"operator":"OR","builtInControls":["block"],"customAuthenticationFactors":[],"termsOfUse":[],"authenticationStrength":null}`
	legacyCAs = `["exchangeActiveSync","other"]`
)

func roleUsers(roles ...string) string {
	return `{"includeUsers":[],"excludeUsers":[],"includeGroups":[],"excludeGroups":[],"includeRoles":["` + strings.Join(roles, `","`) + `"],"excludeRoles":[],"includeGuestsOrExternalUsers":null,"excludeGuestsOrExternalUsers":null}`
}

// blockLegacy is Microsoft's "Block legacy authentication" template.
var blockLegacy = ca("c3000000-0000-4000-8000-0000000000b1", "Block legacy authentication", "enabled", allUsers, allApps, legacyCAs, "", blockAll)

// TestEntraPasswordOnlyAdminsOnly: the only enforced MFA policy targets a
// directory role; a report-only policy for everyone never enforces
// (learn.microsoft.com "Users and groups in Conditional Access policy":
// directory roles are an include option; "Conditional Access report-only
// mode": "policies in report-only mode ... aren't enforced"). Members
// without the role reach a session with the password alone, and EXC-02
// names them.
func TestEntraPasswordOnlyAdminsOnly(t *testing.T) {
	src, res := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a1", "MFA for admins", "enabled", roleUsers(globalAdm), allApps, "", "", mfaGrant),
		ca("c3000000-0000-4000-8000-0000000000a2", "MFA for everyone (report-only)", "enabledForReportingButNotEnforced", allUsers, allApps, "", "", mfaGrant),
		blockLegacy)
	if src.Policies.Engine != evidence.EngineEntra || len(src.Policies.Access) != 3 {
		t.Fatalf("engine %q, %d access policies", src.Policies.Engine, len(src.Policies.Access))
	}
	bob := explainAcct(t, src, bob)
	if !hasPathCtx(bob, checks.PathPasswordOnly, "password", "") || bob.Effective != checks.AAL1 {
		t.Errorf("bob (eligible, not active, for Global Administrator) has no password-only path:\n%s", pathsText(bob))
	}
	if !hasPathCtx(bob, checks.PathPasswordOnly, "password", "PIM-eligible") {
		t.Errorf("bob's path does not say the role policy applies only while activated:\n%s", pathsText(bob))
	}
	alice := explainAcct(t, src, alice)
	if hasPathCtx(alice, checks.PathPasswordOnly, "password", "") {
		t.Errorf("alice (Global Administrator) has a password-only path:\n%s", pathsText(alice))
	}
	exc02 := resultOf(t, res, "EXC-02")
	if exc02.Status != checks.Fail || !strings.Contains(exc02.Findings[0].Message, "for more than the password") {
		t.Errorf("EXC-02 %s: %+v", exc02.Status, exc02.Findings)
	}
}

// TestEntraORGrantDevice: "Require one of the selected controls" is met
// by any one (learn.microsoft.com "Conditional Access: Grant"): mfa OR
// compliantDevice lets a compliant device stand in for the second factor.
func TestEntraORGrantDevice(t *testing.T) {
	grant := `{"operator":"OR","builtInControls":["mfa","compliantDevice"],"customAuthenticationFactors":[],"termsOfUse":[],"authenticationStrength":null}`
	src, res := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a3", "MFA or compliant device", "enabled", allUsers, allApps, "", "", grant), blockLegacy)
	a := explainAcct(t, src, bob)
	if !hasPathCtx(a, checks.PathPasswordOnly, "password", "on a compliant device") {
		t.Errorf("no password-only path on a compliant device:\n%s", pathsText(a))
	}
	if !hasPathCtx(a, checks.PathSignIn, "password+push", "") {
		t.Errorf("the mfa alternative is gone:\n%s", pathsText(a))
	}
	if c := resultOf(t, res, "EXC-02"); c.Status != checks.Fail || c.Findings[0].Subject.ID != "c3000000-0000-4000-8000-0000000000a3" {
		t.Errorf("EXC-02 does not name the OR policy: %+v", c)
	}
	// AND needs both: no path without the second factor.
	grant = strings.Replace(grant, `"OR"`, `"AND"`, 1)
	src, _ = judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a3", "MFA and compliant device", "enabled", allUsers, allApps, "", "", grant), blockLegacy)
	a = explainAcct(t, src, bob)
	if hasPathCtx(a, checks.PathPasswordOnly, "password", "") || !hasPathCtx(a, checks.PathSignIn, "password+push", "on a compliant device") {
		t.Errorf("AND grant:\n%s", pathsText(a))
	}
}

// TestEntraTrustedLocationExclusion: a policy that excludes AllTrusted does
// not apply from trusted locations (learn.microsoft.com "Network
// assignment in Conditional Access policy": "All trusted locations"
// covers named locations marked as trusted); the policy that does apply
// there only asks for a compliant device.
func TestEntraTrustedLocationExclusion(t *testing.T) {
	locs := `"locations":{"includeLocations":["All"],"excludeLocations":["AllTrusted"]}`
	src, res := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a4", "MFA outside trusted locations", "enabled", allUsers, allApps, "", locs, mfaGrant), blockLegacy)
	if s := src.Policies.Entra; s == nil || !s.NamedLocationsKnown || len(s.NamedLocations) != 2 || !s.NamedLocations[0].Trusted {
		t.Fatalf("named locations: %+v", src.Policies.Entra)
	}
	a := explainAcct(t, src, bob)
	if !hasPathCtx(a, checks.PathPasswordOnly, "password", "from trusted locations") {
		t.Errorf("no password-only path from trusted locations:\n%s", pathsText(a))
	}
	if !hasPathCtx(a, checks.PathSignIn, "password+push", "outside trusted locations") {
		t.Errorf("no MFA path outside trusted locations:\n%s", pathsText(a))
	}
	if c := resultOf(t, res, "EXC-02"); c.Status != checks.Fail || c.Findings[0].Subject.ID != "c3000000-0000-4000-8000-0000000000a4" {
		t.Errorf("EXC-02 does not name the policy whose exclusion opens the path: %+v", c)
	}
}

// TestEntraAppsAndRisk: a policy for all apps but one leaves that app; a
// second policy for that app covers it (learn.microsoft.com "Conditional
// Access: Target resources": include and exclude apps). A user-risk
// policy (mfa AND passwordChange) applies only at the risk levels it
// names (learn.microsoft.com "Conditional Access: Conditions", user risk),
// so it is not unconditional MFA.
func TestEntraAppsAndRisk(t *testing.T) {
	spo := "00000003-0000-0ff1-ce00-000000000000"
	exceptSPO := strings.Replace(allApps, `"excludeApplications":[]`, `"excludeApplications":["`+spo+`"]`, 1)
	onlySPO := strings.Replace(allApps, `"includeApplications":["All"]`, `"includeApplications":["`+spo+`"]`, 1)
	src, _ := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a5", "MFA except SharePoint", "enabled", allUsers, exceptSPO, "", "", mfaGrant), blockLegacy)
	a := explainAcct(t, src, bob)
	if !hasPathCtx(a, checks.PathPasswordOnly, "password", "for SharePoint Online") {
		t.Errorf("excluded app has no password-only path:\n%s", pathsText(a))
	}
	src, _ = judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a5", "MFA except SharePoint", "enabled", allUsers, exceptSPO, "", "", mfaGrant),
		ca("c3000000-0000-4000-8000-0000000000a6", "MFA for SharePoint", "enabled", allUsers, onlySPO, "", "", mfaGrant), blockLegacy)
	if a := explainAcct(t, src, bob); hasPathCtx(a, checks.PathPasswordOnly, "password", "") {
		t.Errorf("two policies covering every app still leave a password-only path:\n%s", pathsText(a))
	}
	// An authentication-context policy applies only to what requests the
	// context (learn.microsoft.com "Conditional Access: Target resources",
	// authentication context): a block on c1 does not block sign-in.
	authCtx := `{"includeApplications":[],"excludeApplications":[],"includeUserActions":[],"includeAuthenticationContextClassReferences":["c1"],"applicationFilter":null}`
	src, _ = judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a5", "MFA for all", "enabled", allUsers, allApps, "", "", mfaGrant),
		ca("c3000000-0000-4000-8000-0000000000a9", "Block sensitive action", "enabled", allUsers, authCtx, "", "", blockAll), blockLegacy)
	if a := explainAcct(t, src, bob); !hasPathCtx(a, checks.PathSignIn, "password+push", "") {
		t.Errorf("an authentication-context block blocks sign-in:\n%s", pathsText(a))
	}
	risk := `{"operator":"AND","builtInControls":["mfa","passwordChange"],"customAuthenticationFactors":[],"termsOfUse":[],"authenticationStrength":null}`
	userRisk := ca("c3000000-0000-4000-8000-0000000000a7", "User risk: MFA and password change", "enabled", allUsers, allApps, "", "", risk)
	userRisk = strings.Replace(userRisk, `"userRiskLevels":[]`, `"userRiskLevels":["high"]`, 1)
	src, _ = judgeCA(t, userRisk, blockLegacy)
	a = explainAcct(t, src, bob)
	if !hasPathCtx(a, checks.PathPasswordOnly, "password", "at a user risk other than high") || !hasPathCtx(a, checks.PathSignIn, "password+push", "at user risk high") {
		t.Errorf("user-risk policy read as unconditional MFA:\n%s", pathsText(a))
	}
}

// TestEntraSecurityDefaults: a fresh tenant has security defaults on and
// no CA policy (learn.microsoft.com "Security defaults in Microsoft Entra
// ID": administrators must do MFA at every sign-in, users when necessary;
// legacy authentication is blocked). No password-only and no legacy path;
// the contexts say how MFA is asked.
func TestEntraSecurityDefaults(t *testing.T) {
	dir := tenantWith(t, map[string]string{"conditionalAccessPolicies": caPolicies(),
		"identitySecurityDefaultsEnforcementPolicy": `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
		 "id":"00000000-0000-0000-0000-000000000005","displayName":"Security Defaults","description":"Security defaults is a set of basic identity security mechanisms recommended by Microsoft.","isEnabled":true}`})
	src, res := judge(t, dir)
	for _, id := range []string{alice, bob, grace} {
		a := explainAcct(t, src, id)
		for _, p := range a.Paths {
			if p.Kind == checks.PathPasswordOnly || p.Kind == checks.PathLegacy {
				t.Errorf("%s: %s path under security defaults:\n%s", id, p.Kind, pathsText(a))
			}
		}
	}
	if a := explainAcct(t, src, alice); !hasPathCtx(a, checks.PathSignIn, "password+fido2", "administrators always need MFA") {
		t.Errorf("alice:\n%s", pathsText(a))
	}
	if a := explainAcct(t, src, bob); !hasPathCtx(a, checks.PathSignIn, "password+push", "when Microsoft Entra decides") {
		t.Errorf("bob:\n%s", pathsText(a))
	}
	if c := resultOf(t, res, "EXC-02"); c.Status != checks.Pass {
		t.Errorf("EXC-02 %s: %+v", c.Status, c.Findings)
	}
	// Security defaults off and no policy: everyone has both paths.
	src, _ = judgeCA(t)
	a := explainAcct(t, src, alice)
	if !hasPathCtx(a, checks.PathPasswordOnly, "password", "") || !hasPathCtx(a, checks.PathLegacy, "password", "legacy clients") {
		t.Errorf("no policy, no security defaults:\n%s", pathsText(a))
	}
}

// TestEntraLegacyAuth: legacy clients cannot perform MFA; a block counts
// only where it covers both exchangeActiveSync and other clients
// (learn.microsoft.com "Block legacy authentication with Conditional
// Access": select Exchange ActiveSync clients and Other clients).
// Accounts excluded from the block keep a legacy path; declared
// break-glass accounts are EXC-01's concern.
func TestEntraLegacyAuth(t *testing.T) {
	easOnly := ca("c3000000-0000-4000-8000-0000000000b2", "Block ActiveSync", "enabled", allUsers, allApps, `["exchangeActiveSync"]`, "", blockAll)
	src, res := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a8", "MFA for all", "enabled", strings.Replace(allUsers, `"excludeGroups":[]`, `"excludeGroups":[]`, 1), allApps, `["browser","mobileAppsAndDesktopClients"]`, "", mfaGrant), easOnly)
	a := explainAcct(t, src, bob)
	if !hasPathCtx(a, checks.PathLegacy, "password", "other clients") || hasPathCtx(a, checks.PathLegacy, "password", "Exchange ActiveSync") {
		t.Errorf("legacy paths:\n%s", pathsText(a))
	}
	if c := resultOf(t, res, "EXC-02"); c.Status != checks.Fail {
		t.Errorf("EXC-02 %s", c.Status)
	}
	excl := strings.Replace(allUsers, `"excludeGroups":[]`, `"excludeGroups":["`+salesGroup+`"]`, 1)
	src, _ = judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a8", "MFA for all", "enabled", allUsers, allApps, `["browser","mobileAppsAndDesktopClients"]`, "", mfaGrant),
		ca("c3000000-0000-4000-8000-0000000000b1", "Block legacy authentication", "enabled", excl, allApps, legacyCAs, "", blockAll))
	if a := explainAcct(t, src, bob); !hasPathCtx(a, checks.PathLegacy, "password", "legacy clients") {
		t.Errorf("Sales (excluded from the block) has no legacy path:\n%s", pathsText(a))
	}
	if a := explainAcct(t, src, alice); hasPathCtx(a, checks.PathLegacy, "password", "") {
		t.Errorf("alice (blocked) has a legacy path:\n%s", pathsText(a))
	}
}

// TestEntraSSPRAdministratorsOnly: allowedToUseSSPR switches the
// administrator SSPR policy only (Graph authorizationPolicy:
// "administrators of the tenant can use the Self-Service Password Reset";
// learn.microsoft.com "Self-service password reset policies",
// Administrator reset policy differences: two gates from mobile phone,
// email, Authenticator app; never security questions). Users' scope is
// the registration report's isSsprEnabled; after the reset the new
// password signs in under Conditional Access.
func TestEntraSSPRAdministratorsOnly(t *testing.T) {
	off := edited(t, "authorizationPolicy", `"allowedToUseSSPR":true`, `"allowedToUseSSPR":false`)
	src, res := judge(t, tenantWith(t, map[string]string{"authorizationPolicy": off}))
	if src.Policies.SelfServiceRecoveryEnabled != nil {
		t.Fatalf("allowedToUseSSPR read as a tenant switch")
	}
	g := explainAcct(t, src, grace) // isSsprEnabled, office phone
	if !hasPathCtx(g, checks.PathRecovery, "voice", "number of methods required not in Graph") {
		t.Errorf("grace lost her user SSPR path:\n%s", pathsText(g))
	}
	for _, p := range explainAcct(t, src, frank).Paths {
		if p.Kind == checks.PathRecovery {
			t.Errorf("frank (active Helpdesk Administrator) recovers with admin SSPR off: %+v", p)
		}
	}
	if c := resultOf(t, res, "REC-02"); c.Status != checks.Manual || !strings.Contains(c.Rationale, "Graph") {
		t.Errorf("REC-02 %s: %s", c.Status, c.Rationale)
	}
	// Administrator SSPR on: two different methods, a mobile phone counting once.
	two := edited(t, "userRegistrationDetails", `"methodsRegistered":["microsoftAuthenticatorPush","securityQuestion"]`, `"methodsRegistered":["microsoftAuthenticatorPush","securityQuestion","mobilePhone"]`)
	src, _ = judge(t, tenantWith(t, map[string]string{"userRegistrationDetails": two}))
	f := explainAcct(t, src, frank)
	var admin []string
	for _, p := range f.Paths {
		if p.Kind == checks.PathRecovery {
			admin = append(admin, strings.Join(p.Proofs, "+")+" "+p.Policies[0].ID)
			if slices.Contains(p.Proofs, "security_question") {
				t.Errorf("administrator SSPR admits security questions: %+v", p)
			}
		}
	}
	if len(admin) == 0 || !strings.Contains(strings.Join(admin, ";"), "sspr-admin") {
		t.Errorf("frank has no administrator SSPR path: %v\n%s", admin, pathsText(f))
	}
}

// TestEntraAuthenticationStrength: a strength admits only its allowed
// combinations where its policy applies (learn.microsoft.com
// "Conditional Access authentication strengths"); a custom strength may
// admit a single factor (SMS sign-in), which is no MFA.
func TestEntraAuthenticationStrength(t *testing.T) {
	strength := func(combos string) string {
		return `{"operator":"OR","builtInControls":[],"customAuthenticationFactors":[],"termsOfUse":[],
		 "authenticationStrength":{"id":"d6000000-0000-4000-8000-000000000001","displayName":"Custom","description":"","policyType":"custom",
		  "requirementsSatisfied":"mfa","allowedCombinations":` + combos + `,"createdDateTime":"2025-01-01T00:00:00Z","modifiedDateTime":"2025-01-01T00:00:00Z"}}`
	}
	src, _ := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a9", "SMS or passkeys", "enabled", allUsers, allApps, "", "", strength(`["password,sms","fido2"]`)), blockLegacy)
	if s := src.Policies.Access[0].Rules[0].Requirement.Strength; s == nil || !slices.Equal(s.AllowedCombinations, []string{"password,sms", "fido2"}) {
		t.Fatalf("strength %+v", s)
	}
	if a := explainAcct(t, src, bob); !hasPathCtx(a, checks.PathRegistration, "password+push", "") || hasPathCtx(a, checks.PathSignIn, "password+push", "") {
		t.Errorf("bob (push, TOTP) must register a method the strength admits:\n%s", pathsText(a))
	}
	if a := explainAcct(t, src, alice); !hasPathCtx(a, checks.PathSignIn, "fido2", "") || hasPathCtx(a, checks.PathSignIn, "password+fido2", "") {
		t.Errorf("alice:\n%s", pathsText(a))
	}
	smsForAll := edited(t, "authenticationMethodsPolicy", `"id":"b2000000-0000-4000-8000-000000000001","isRegistrationRequired":false,"isUsableForSignIn":true`, `"id":"all_users","isRegistrationRequired":false,"isUsableForSignIn":true`)
	dir := tenantWith(t, map[string]string{"authenticationMethodsPolicy": smsForAll, "conditionalAccessPolicies": caPolicies(
		ca("c3000000-0000-4000-8000-0000000000a9", "SMS sign-in", "enabled", allUsers, allApps, "", "", strength(`["sms"]`)), blockLegacy)})
	src, _ = judge(t, dir)
	if a := explainAcct(t, src, dave); !hasPathCtx(a, checks.PathSignIn, "sms", "") || a.Effective != checks.AAL1 {
		t.Errorf("single-factor strength:\n%s", pathsText(a))
	}
}

// TestEntraMigrationAndPhones: an Authenticator app's notifications and
// codes are one device (learn.microsoft.com "Authentication methods in
// Microsoft Entra ID - Microsoft Authenticator app"). Before the methods policy migration is
// complete the legacy MFA policy may still allow text messages and calls
// (learn.microsoft.com "How to migrate MFA and SSPR policy settings to the
// Authentication methods policy"); a mobile phone receives texts or calls,
// an office phone calls only where Voice allows office phones
// (learn.microsoft.com "Phone authentication methods").
func TestEntraMigrationAndPhones(t *testing.T) {
	src, res := judge(t, "../../testdata/entra")
	// Push and codes of one Authenticator app are one method (MFA-02):
	// bob (microsoftAuthenticatorPush, softwareOneTimePasscode) has no backup.
	found := false
	for _, f := range resultOf(t, res, "MFA-02").Findings {
		found = found || f.Subject.ID == bob
	}
	if !found {
		t.Errorf("MFA-02 counts bob's Authenticator push and codes as two methods")
	}
	if a := explainAcct(t, src, dave); !hasPathCtx(a, checks.PathSignIn, "password+voice", "") || hasPathCtx(a, checks.PathSignIn, "password+sms", "") {
		t.Errorf("dave (mobile phone; SMS for Sales only, Voice for all):\n%s", pathsText(a))
	}
	pre := edited(t, "authenticationMethodsPolicy", `"policyMigrationState":"migrationComplete"`, `"policyMigrationState":"preMigration"`)
	src, _ = judge(t, tenantWith(t, map[string]string{"authenticationMethodsPolicy": pre}))
	if src.Policies.Entra.MigrationState != "preMigration" {
		t.Fatalf("migration state %q", src.Policies.Entra.MigrationState)
	}
	if a := explainAcct(t, src, dave); !hasPathCtx(a, checks.PathSignIn, "password+sms", "") {
		t.Errorf("preMigration: the legacy MFA policy may allow SMS:\n%s", pathsText(a))
	}
	if a := explainAcct(t, src, grace); !hasPathCtx(a, checks.PathRecovery, "voice", "migration not complete") {
		t.Errorf("preMigration SSPR note missing:\n%s", pathsText(a))
	}
	noOffice := edited(t, "authenticationMethodsPolicy", `"isOfficePhoneAllowed":true`, `"isOfficePhoneAllowed":false`)
	src, _ = judge(t, tenantWith(t, map[string]string{"authenticationMethodsPolicy": noOffice}))
	if a := explainAcct(t, src, grace); hasPathCtx(a, checks.PathSignIn, "password+voice", "") {
		t.Errorf("office phone used with isOfficePhoneAllowed false:\n%s", pathsText(a))
	}
}

// TestEntraScopedRoles: a role-assigned policy does not target a holder
// whose role is scoped to an administrative unit (learn.microsoft.com
// "Users and groups in Conditional Access policy": directory roles
// "scoped to administrative units ... aren't supported").
func TestEntraScopedRoles(t *testing.T) {
	scoped := edited(t, "roleAssignments", `"value":[`, `"value":[{"id":"au-scoped-1","principalId":"`+carol+`","roleDefinitionId":"`+globalAdm+`","directoryScopeId":"/administrativeUnits/e7000000-0000-4000-8000-000000000001","appScopeId":null,"resourceScope":"/administrativeUnits/e7000000-0000-4000-8000-000000000001"},`)
	dir := tenantWith(t, map[string]string{"roleAssignments": scoped, "conditionalAccessPolicies": caPolicies(
		ca("c3000000-0000-4000-8000-0000000000a1", "MFA for admins", "enabled", roleUsers(globalAdm), allApps, "", "", mfaGrant), blockLegacy)})
	src, _ := judge(t, dir)
	if a := explainAcct(t, src, carol); !hasPathCtx(a, checks.PathPasswordOnly, "password", "") {
		t.Errorf("carol (Global Administrator scoped to an administrative unit) is treated as targeted:\n%s", pathsText(a))
	}
}

// TestEntraREC05: combined registration asks a user who already has an
// MFA method to pass MFA before changing security info
// (learn.microsoft.com "Combined security information registration");
// only members without one can register with the password alone.
func TestEntraREC05(t *testing.T) {
	_, res := judgeCA(t,
		ca("c3000000-0000-4000-8000-0000000000a8", "MFA for all", "enabled", allUsers, allApps, "", "", mfaGrant), blockLegacy)
	c := resultOf(t, res, "REC-05")
	if c.Status != checks.Fail {
		t.Fatalf("REC-05 %s", c.Status)
	}
	f := c.Findings[0]
	sample, _ := f.Evidence["sample"].([]string)
	if !slices.Contains(sample, carol) || slices.Contains(sample, bob) || slices.Contains(sample, alice) {
		t.Errorf("REC-05 counts %v, want carol and svc-backup only", sample)
	}
}

// TestEntraWorkloadSAMLAndFirstParty: a SAML app's token-signing
// certificate is a Sign/Verify key pair plus the password of its private
// key, sharing one customKeyIdentifier (Graph "servicePrincipal:
// addTokenSigningCertificate"): one signing certificate, not a client
// secret (NHI-04) nor a spare credential (NHI-07). Service principals
// owned by either Microsoft tenant are first-party (learn.microsoft.com
// "Verify first-party Microsoft applications in sign-in reports").
func TestEntraWorkloadSAMLAndFirstParty(t *testing.T) {
	saml := `{"id":"d5000000-0000-4000-8000-0000000000c1","appId":"d4000000-0000-4000-8000-0000000000c1","displayName":"Contoso SAML portal","accountEnabled":true,
	  "appOwnerOrganizationId":"8a2e6c1f-3b4d-4e5f-9a0b-1c2d3e4f5a6b","servicePrincipalType":"Application","preferredSingleSignOnMode":"saml",
	  "preferredTokenSigningKeyThumbprint":"41424344",
	  "passwordCredentials":[{"customKeyIdentifier":"QUJDRA==","displayName":"CN=Microsoft Azure Federated SSO Certificate","endDateTime":"2028-01-01T00:00:00Z","hint":null,"keyId":"f6000000-0000-4000-8000-0000000000c3","secretText":null,"startDateTime":"2025-01-01T00:00:00Z"}],
	  "keyCredentials":[
	   {"customKeyIdentifier":"QUJDRA==","displayName":"CN=Microsoft Azure Federated SSO Certificate","endDateTime":"2028-01-01T00:00:00Z","key":null,"keyId":"f6000000-0000-4000-8000-0000000000c1","startDateTime":"2025-01-01T00:00:00Z","type":"AsymmetricX509Cert","usage":"Sign"},
	   {"customKeyIdentifier":"QUJDRA==","displayName":"CN=Microsoft Azure Federated SSO Certificate","endDateTime":"2028-01-01T00:00:00Z","key":null,"keyId":"f6000000-0000-4000-8000-0000000000c2","startDateTime":"2025-01-01T00:00:00Z","type":"AsymmetricX509Cert","usage":"Verify"}]},
	 {"id":"d5000000-0000-4000-8000-0000000000c2","appId":"00000002-0000-0ff1-ce00-000000000000","displayName":"Office 365 Exchange Online","accountEnabled":true,
	  "appOwnerOrganizationId":"72f988bf-86f1-41af-91ab-2d7cd011db47","servicePrincipalType":"Application","passwordCredentials":[],"keyCredentials":[]},`
	withSAML := edited(t, "servicePrincipals", `"value":[`, `"value":[`+saml)
	src, res := judge(t, tenantWith(t, map[string]string{"servicePrincipals": withSAML}))
	w := workload(t, src, "d5000000-0000-4000-8000-0000000000c1")
	if len(w.Credentials) != 1 || w.Credentials[0].Type != evidence.CredCertificate || !strings.HasPrefix(w.Credentials[0].Name, "SAML token signing") {
		t.Errorf("SAML signing credentials: %+v", w.Credentials)
	}
	if ms := workload(t, src, "d5000000-0000-4000-8000-0000000000c2"); ms.ThirdParty {
		t.Errorf("a service principal of tenant 72f988bf… is third-party")
	}
	for check, subject := range map[string]string{
		"NHI-04": "d5000000-0000-4000-8000-0000000000c1",
		"NHI-03": "d5000000-0000-4000-8000-0000000000c2", "NHI-01": "d5000000-0000-4000-8000-0000000000c2",
	} {
		for _, f := range resultOf(t, res, check).Findings {
			if f.Subject.ID == subject {
				t.Errorf("%s: %s", check, f.Message)
			}
		}
	}
	// NHI-07 judges it as one certificate (its lifetime against the
	// certificate threshold), never as a spare credential.
	for _, f := range resultOf(t, res, "NHI-07").Findings {
		if f.Subject.ID == "d5000000-0000-4000-8000-0000000000c1" && strings.Contains(f.Message, "more than one") {
			t.Errorf("NHI-07: %s", f.Message)
		}
	}
}

// TestEntraPerUserMFA: per-user MFA (Graph beta "Get authentication
// requirements", perUserMfaState) is read only for the accounts no
// enforced policy asks for MFA in every context; enforced, it closes their
// password-only path; unreadable, the path says unverified.
func TestEntraPerUserMFA(t *testing.T) {
	dir := tenantWith(t, map[string]string{"perUserMfaState": `{"` + breakGlass + `":"enforced"}`})
	s := graphtest.NewServer(t, graphtest.WithFixtureDir(dir))
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	if n := s.RequestCount("/beta/"); n != 1 {
		t.Errorf("%d per-user MFA reads, want 1 (only breakglass1 is outside every MFA policy)", n)
	}
	if a := account(t, got.src, breakGlass); a.PerUserMFA != "enforced" {
		t.Fatalf("breakglass1 per-user MFA %q", a.PerUserMFA)
	}
	a := explainAcct(t, got.src, breakGlass)
	if hasPathCtx(a, checks.PathPasswordOnly, "password", "") || !hasPathCtx(a, checks.PathSignIn, "password+fido2", "per-user MFA enforced") {
		t.Errorf("per-user MFA enforced:\n%s", pathsText(a))
	}
	s.AssertReadOnly(t)

	s = graphtest.NewServer(t, graphtest.WithFixtureDir(dir))
	s.Deny("/beta/")
	got = collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	if a := explainAcct(t, got.src, breakGlass); !hasPathCtx(a, checks.PathPasswordOnly, "password", "per-user MFA state not read: unverified") {
		t.Errorf("per-user MFA denied:\n%s", pathsText(a))
	}
	// Policies that cover everyone cost no per-user call.
	s = graphtest.NewServer(t, graphtest.WithFixtureDir(tenantWith(t, map[string]string{"conditionalAccessPolicies": caPolicies(
		ca("c3000000-0000-4000-8000-0000000000a8", "MFA for all", "enabled", allUsers, allApps, "", "", mfaGrant))})))
	if got = collect(t, config(s)); got.err != nil {
		t.Fatal(got.err)
	}
	if n := s.RequestCount("/beta/"); n != 0 {
		t.Errorf("%d per-user MFA reads with everyone covered", n)
	}
}
