package checks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// These tests pin the Okta engine's rules, each to the Okta documentation
// it follows. The connector tests (connectors/okta engine_test.go) feed the
// same rules through Okta's wire format, the real SDK and oktatest.

const (
	oktaGSP      = "00pgsp"
	oktaDashPol  = "00pdash"
	oktaAdminPol = "00padmin"
	oktaDefPol   = "00pdefault"
	oktaAcctMgmt = "00pacctmgmt"
	oktaBob      = "00u3bob"
	oktaCarol    = "00u4carol"
)

func rule(id, name string, prio int, access string, req evidence.Requirement) evidence.AccessRule {
	return evidence.AccessRule{ID: id, Name: name, Priority: prio, Status: "ACTIVE", Enabled: true, Access: access, Requirement: req}
}

// oktaDefaultOrg is an Identity Engine org in Okta's default shape: the
// global session policy's Default Rule does not require MFA and lets any
// factor start a session (PASSWORD_IDP_ANY_FACTOR); the Okta Dashboard,
// the Admin Console and the Default Policy's apps all ask for any two
// factors; email is allowed for authentication and recovery; self-service
// reset by email (help.okta.com: global session policies, authentication
// policies, preset policies; developer.okta.com Policy API examples).
func oktaDefaultOrg() *evidence.Source {
	src := oktaGood()
	src.Accounts = []evidence.Account{
		{ID: oktaAlice, Name: "Alice", Login: "alice@acme.com", Status: "ACTIVE", UserType: "member",
			Methods: []evidence.Method{method(evidence.KindPush, "opf1")}},
		{ID: oktaAdmin, Name: "Ada Admin", Login: "ada@acme.com", Status: "ACTIVE", UserType: "member", Privileged: true,
			Roles: []evidence.Role{{ID: "SUPER_ADMIN", Name: "Super Administrator", Via: "direct"}}, Groups: []string{oktaAdmins},
			Methods: []evidence.Method{method(evidence.KindFIDO2, "fwf3"), method(evidence.KindFastPass, "opf3")}},
		{ID: oktaBob, Name: "Bob", Login: "bob@acme.com", Status: "ACTIVE", UserType: "member",
			Methods: []evidence.Method{method(evidence.KindFIDO2, "fwf5")}},
		{ID: oktaCarol, Name: "Carol", Login: "carol@acme.com", Status: "ACTIVE", UserType: "member"},
	}
	setting(src, oktaEmail).SignIn = true // Email: "Used for authentication and recovery"
	src.Policies.Recovery[0].StepUpRequired = false
	src.Policies.Recovery[0].StepUpMethods = nil
	src.Policies.Recovery[0].EndsInSession = true
	twoFactors := evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE"}
	src.Policies.Engine = evidence.EngineOktaIdentity
	src.Policies.SignIn = nil
	src.Policies.Access = []evidence.AccessPolicy{
		{ID: oktaGSP, Name: "Default Policy", Type: evidence.APOktaGlobalSession, Priority: 1, Status: "ACTIVE", Enabled: true, System: true,
			Conditions: evidence.Conditions{People: evidence.Targets{All: true}},
			Rules: []evidence.AccessRule{rule("0prgspdef", "Default Rule", 1, "ALLOW",
				evidence.Requirement{PrimaryFactor: "PASSWORD_IDP_ANY_FACTOR"})}},
		{ID: oktaDashPol, Name: "Okta Dashboard", Type: evidence.APOktaAuthentication, Priority: 1, Status: "ACTIVE", Enabled: true,
			Apps: []evidence.AppRef{{ID: evidence.AppOktaDashboard, Name: "Okta Dashboard"}}, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("0prdash", "Catch-all Rule", 99, "ALLOW", twoFactors)}},
		{ID: oktaAdminPol, Name: "Okta Admin Console", Type: evidence.APOktaAuthentication, Priority: 2, Status: "ACTIVE", Enabled: true,
			Apps: []evidence.AppRef{{ID: evidence.AppOktaAdminConsole, Name: "Okta Admin Console"}}, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("0pradmin", "Catch-all Rule", 99, "ALLOW", twoFactors)}},
		{ID: oktaDefPol, Name: "Default Policy", Type: evidence.APOktaAuthentication, Priority: 3, Status: "ACTIVE", Enabled: true, System: true,
			Apps: []evidence.AppRef{{ID: "0oasalesforce", Name: "Salesforce"}}, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("0prdefault", "Catch-all Rule", 99, "ALLOW", twoFactors)}},
	}
	return src
}

// oktaNoEmailNoReset is oktaDefaultOrg with e-mail for recovery only (not a
// sign-in factor) and self-service recovery off: what is left are the
// sign-in policies' own paths.
func oktaNoEmailNoReset() *evidence.Source {
	src := oktaDefaultOrg()
	setting(src, oktaEmail).SignIn = false
	src.Policies.Recovery[0].SelfService = false
	return src
}

func policy(src *evidence.Source, id string) *evidence.AccessPolicy {
	for i := range src.Policies.Access {
		if src.Policies.Access[i].ID == id {
			return &src.Policies.Access[i]
		}
	}
	panic("no access policy " + id)
}

// assuranceOf evaluates one account and returns its assurance.
func assuranceOf(t *testing.T, src *evidence.Source, id string) Assurance {
	t.Helper()
	a, ok := AccountAssurance(src, id, testParams())
	if !ok {
		t.Fatalf("no account %s", id)
	}
	return a
}

func hasPath(a Assurance, kind PathKind, proofs string, ctxPart string) bool {
	for _, p := range a.Paths {
		if p.Kind == kind && strings.Join(p.Proofs, "+") == proofs && strings.Contains(p.Context, ctxPart) {
			return true
		}
	}
	return false
}

func pathList(a Assurance) string {
	var out []string
	for _, p := range a.Paths {
		out = append(out, string(p.Kind)+" "+strings.Join(p.Proofs, "+")+" "+p.AAL+" ["+p.Context+"]")
	}
	return strings.Join(out, "\n")
}

func TestOktaIdentityEngineDefaultOrg(t *testing.T) {
	// In Okta's default shape no app, the Okta Dashboard included, is
	// reachable with a password alone: the global session Default Rule does
	// not require MFA, but every app's authentication policy asks for two
	// factor types, and both layers must be satisfied (help.okta.com
	// "Global session policies": the authentication policy of the app is
	// evaluated after it; okta-sdk-golang openapi.yaml primaryFactor).
	t.Run("no password-only path", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		a := assuranceOf(t, src, oktaAlice)
		if a.Effective != AAL2 || hasPath(a, PathPasswordOnly, "password", "") {
			t.Fatalf("alice effective %s via %q; paths:\n%s", a.Effective, a.WeakestPath, pathList(a))
		}
		if !hasPath(a, PathSignIn, "password+push", "for the Okta Dashboard") {
			t.Errorf("no password+push Dashboard path:\n%s", pathList(a))
		}
		if b := assuranceOf(t, src, oktaBob); b.Effective != AAL3 {
			t.Errorf("bob (FIDO2 only) effective %s via %q:\n%s", b.Effective, b.WeakestPath, pathList(b))
		}
	})
	// Email is a possession factor: where a reachable two-factor rule admits
	// it and the email authenticator is allowed for sign-in, password +
	// email satisfies "any two factor types" — an AAL1 path, since 800-63B-4
	// 3.1.3.1 does not accept email as an out-of-band authenticator.
	t.Run("password + email is an AAL1 path", func(t *testing.T) {
		src := oktaDefaultOrg()
		src.Policies.Recovery[0].SelfService = false
		a := assuranceOf(t, src, oktaAlice)
		if a.Effective != AAL1 || !hasPath(a, PathSignIn, "password+email_otp", "for the Okta Dashboard") {
			t.Fatalf("alice effective %s via %q; paths:\n%s", a.Effective, a.WeakestPath, pathList(a))
		}
	})
	t.Run("the Admin Console is for administrators only", func(t *testing.T) {
		src := oktaDefaultOrg()
		if a := assuranceOf(t, src, oktaAlice); hasPath(a, PathSignIn, "password+push", "Admin Console") {
			t.Errorf("a non-administrator has an Admin Console path:\n%s", pathList(a))
		}
		if a := assuranceOf(t, src, oktaAdmin); !hasPath(a, PathSignIn, "fido2", "Admin Console") {
			t.Errorf("the administrator has no passwordless FIDO2 Admin Console path:\n%s", pathList(a))
		}
	})
	t.Run("a policy mapped to no app decides nothing", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		src.Policies.Access = append(src.Policies.Access, evidence.AccessPolicy{ID: "00punused", Name: "Password only", Type: evidence.APOktaAuthentication,
			Priority: 4, Status: "ACTIVE", Enabled: true, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("0prpw", "Catch-all Rule", 99, "ALLOW", evidence.Requirement{FactorMode: "1FA"})}})
		if a := assuranceOf(t, src, oktaAlice); a.Effective != AAL2 {
			t.Errorf("an unmapped one-factor policy lowered alice to %s via %q", a.Effective, a.WeakestPath)
		}
	})
	t.Run("a one-factor app rule is a password-only path", func(t *testing.T) {
		src := oktaDefaultOrg()
		policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA", Type: "ASSURANCE"}
		a := assuranceOf(t, src, oktaBob)
		if a.Effective != AAL1 || !hasPath(a, PathPasswordOnly, "password", "Salesforce") {
			t.Fatalf("bob effective %s via %q:\n%s", a.Effective, a.WeakestPath, pathList(a))
		}
		r := evaluate(t, testParams(), src)
		if exc := result(t, r, "EXC-02", evidence.Okta); exc.Status != Fail || !contains(subjects(exc), oktaDefPol) {
			t.Errorf("EXC-02 %s %v: %s", exc.Status, subjects(exc), exc.Rationale)
		}
		// The finding's counts and evidence (no golden has an EXC-02 finding).
		exc := result(t, r, "EXC-02", evidence.Okta)
		const want = "map[accounts:4 path_policies:[00pgsp/0prgspdef (Default Policy / Default Rule) 00pdefault/0prdefault (Default Policy / Catch-all Rule)] " +
			"paths:[password (password only: Default Policy / Catch-all Rule; for Salesforce (if assigned))] privileged_accounts:1 " +
			"rules:[Default Policy / Catch-all Rule] sample:[00u1alice 00u2admin 00u3bob 00u4carol]]"
		if len(exc.Findings) != 1 || fmt.Sprint(exc.Findings[0].Evidence) != want {
			t.Errorf("EXC-02 findings %+v, want one with evidence %s", exc.Findings, want)
		}
	})
	// A 1FA rule whose constraints admit only phishing-resistant,
	// user-verifying possession factors is not "password only"
	// (developer.okta.com AccessPolicyConstraints: possession
	// phishingResistant/userVerification REQUIRED).
	t.Run("1FA with a phishing-resistant possession constraint", func(t *testing.T) {
		src := oktaDefaultOrg()
		policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA", Type: "ASSURANCE",
			Constraints: []evidence.Constraint{{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED", UserVerification: "REQUIRED"}}}}
		b := assuranceOf(t, src, oktaBob)
		if hasPath(b, PathPasswordOnly, "password", "") || !hasPath(b, PathSignIn, "fido2", "Salesforce") {
			t.Errorf("bob paths:\n%s", pathList(b))
		}
		a := assuranceOf(t, src, oktaAlice) // push only: must enrol a key first
		if !hasPath(a, PathRegistration, "password+push", "Salesforce") || hasPath(a, PathSignIn, "password+push", "Salesforce") {
			t.Errorf("alice paths:\n%s", pathList(a))
		}
	})
	t.Run("PASSWORD_IDP keeps the password as one factor", func(t *testing.T) {
		src := oktaDefaultOrg()
		policy(src, oktaGSP).Rules[0].Requirement.PrimaryFactor = "PASSWORD_IDP"
		b := assuranceOf(t, src, oktaBob)
		if hasPath(b, PathSignIn, "fido2", "") || !hasPath(b, PathSignIn, "password+fido2", "Okta Dashboard") {
			t.Errorf("bob paths:\n%s", pathList(b))
		}
	})
	t.Run("global session requireFactor adds to a one-factor app rule", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		policy(src, oktaGSP).Rules[0].Requirement.RequireFactor = true
		policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA"}
		if a := assuranceOf(t, src, oktaAlice); a.Effective != AAL2 || hasPath(a, PathPasswordOnly, "password", "") {
			t.Errorf("alice effective %s:\n%s", a.Effective, pathList(a))
		}
	})
}

// Policy evaluation (developer.okta.com Policy API "Policy evaluation",
// "Rule priority"): rules by priority, the first whose conditions all hold
// applies and lower rules are not evaluated; a rule that holds only in some
// contexts (a network zone) leaves the others to the rules below it.
func TestOktaFirstMatchAndContexts(t *testing.T) {
	src := oktaNoEmailNoReset()
	def := policy(src, oktaDefPol)
	office := rule("0proffice", "Office network", 1, "ALLOW", evidence.Requirement{FactorMode: "1FA"})
	office.Conditions.Network = &evidence.Network{Connection: "ZONE", Include: []string{"nzoOffice"}, Names: map[string]string{"nzoOffice": "Corporate"}}
	never := rule("0prnever", "Below the catch-all", 100, "ALLOW", evidence.Requirement{FactorMode: "1FA"})
	def.Rules = append([]evidence.AccessRule{office}, append(def.Rules, never)...)
	a := assuranceOf(t, src, oktaAlice)
	if !hasPath(a, PathPasswordOnly, "password", "from zone Corporate") {
		t.Errorf("no password-only path from the Corporate zone:\n%s", pathList(a))
	}
	if !hasPath(a, PathSignIn, "password+push", "outside zone Corporate") {
		t.Errorf("no two-factor path outside the Corporate zone:\n%s", pathList(a))
	}
	for _, p := range a.Paths {
		for _, pol := range p.Policies {
			if pol.RuleID == "0prnever" {
				t.Errorf("a rule below an unconditional match decided a path: %+v", p)
			}
		}
	}
	// People conditions exclude: an excluded account falls through to the next rule.
	def.Rules[0].Conditions.Network = nil
	def.Rules[0].Conditions.People = evidence.Targets{All: true, ExcludeUsers: []string{oktaAlice}}
	a = assuranceOf(t, src, oktaAlice)
	if hasPath(a, PathPasswordOnly, "password", "") {
		t.Errorf("alice is excluded from the one-factor rule but got its path:\n%s", pathList(a))
	}
	if b := assuranceOf(t, src, oktaBob); !hasPath(b, PathPasswordOnly, "password", "Salesforce") {
		t.Errorf("bob should reach Salesforce with a password:\n%s", pathList(b))
	}
}

// Self-service recovery in Identity Engine: after the reset the session
// policies still apply, and the reset's proofs count toward them (the new
// password is chosen by whoever reset it, so it proves nothing). With
// accessControl AUTH_POLICY the reset's proofs come from the Okta account
// management policy (okta-sdk-golang openapi.yaml SsprRequirement
// accessControl; developer.okta.com "Configure an Okta account management
// policy": rules select the operation with accessRequest.operation).
func TestOktaIdentityEngineRecovery(t *testing.T) {
	t.Run("email reset then any two factors", func(t *testing.T) {
		src := oktaDefaultOrg()
		setting(src, oktaEmail).SignIn = false // email for recovery only
		b := assuranceOf(t, src, oktaBob)
		if b.Effective != AAL1 || !hasPath(b, PathRecovery, "email_otp", "Okta Dashboard") {
			t.Fatalf("bob effective %s via %q:\n%s", b.Effective, b.WeakestPath, pathList(b))
		}
	})
	t.Run("reset proofs do not satisfy a phishing-resistant app", func(t *testing.T) {
		src := oktaDefaultOrg()
		setting(src, oktaEmail).SignIn = false
		pr := evidence.Requirement{FactorMode: "2FA", Constraints: []evidence.Constraint{{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED"}}}}
		for _, id := range []string{oktaDashPol, oktaAdminPol, oktaDefPol} {
			policy(src, id).Rules[0].Requirement = pr
		}
		b := assuranceOf(t, src, oktaBob)
		if b.Effective != AAL3 || !hasPath(b, PathRecovery, "email_otp+fido2", "Okta Dashboard") {
			t.Fatalf("bob effective %s via %q:\n%s", b.Effective, b.WeakestPath, pathList(b))
		}
	})
	t.Run("AUTH_POLICY defers to the account management policy", func(t *testing.T) {
		src := oktaDefaultOrg()
		setting(src, oktaEmail).SignIn = false
		src.Policies.Recovery[0].AccessControl = "AUTH_POLICY"
		recover := rule("0prrecover", "Password recovery", 1, "ALLOW", evidence.Requirement{FactorMode: "2FA",
			Constraints: []evidence.Constraint{{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED"}}}})
		recover.Conditions.Expression = "accessRequest.operation == 'recover'"
		enroll := rule("0prenroll", "Enrollment", 2, "ALLOW", evidence.Requirement{FactorMode: "1FA"})
		enroll.Conditions.Expression = "accessRequest.operation == 'enroll'"
		src.Policies.Access = append(src.Policies.Access, evidence.AccessPolicy{ID: oktaAcctMgmt, Name: "Okta Account Management Policy",
			Type: evidence.APOktaAccountManagement, Status: "ACTIVE", Enabled: true, AppsKnown: true,
			Rules: []evidence.AccessRule{enroll, recover, rule("0pramcatch", "Catch-all Rule", 99, "ALLOW", evidence.Requirement{FactorMode: "2FA"})}})
		b := assuranceOf(t, src, oktaBob)
		if hasPath(b, PathRecovery, "email_otp", "") || b.Effective != AAL3 {
			t.Fatalf("bob effective %s via %q:\n%s", b.Effective, b.WeakestPath, pathList(b))
		}
		if !hasPath(b, PathRecovery, "fido2", "Okta Dashboard") {
			t.Errorf("no FIDO2 recovery path:\n%s", pathList(b))
		}
		if a := assuranceOf(t, src, oktaAlice); hasPath(a, PathRecovery, "email_otp", "") || hasPath(a, PathRecovery, "push", "") {
			t.Errorf("alice (push only) recovers although the recover rule wants a phishing-resistant factor:\n%s", pathList(a))
		}
	})
}

// Classic: the Okta sign-on policy alone decides the Okta session; a rule
// without requireFactor gives a one-factor session, and app sign-on rules
// are not readable through the API, which the path says.
func TestOktaClassic(t *testing.T) {
	src := oktaDefaultOrg()
	src.Policies.Engine = evidence.EngineOktaClassic
	a := assuranceOf(t, src, oktaBob)
	if a.Effective != AAL1 || !hasPath(a, PathPasswordOnly, "password", "app sign-on rules not readable") {
		t.Fatalf("bob effective %s via %q:\n%s", a.Effective, a.WeakestPath, pathList(a))
	}
	policy(src, oktaGSP).Rules[0].Requirement.RequireFactor = true
	setting(src, oktaEmail).SignIn = false
	src.Policies.Recovery[0].SelfService = false
	b := assuranceOf(t, src, oktaBob)
	if b.Effective != AAL3 || hasPath(b, PathPasswordOnly, "password", "") {
		t.Errorf("bob effective %s via %q:\n%s", b.Effective, b.WeakestPath, pathList(b))
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// EXC-01 on Okta rules: an account excluded from one rule falls through to
// the next (Policy API "Policy evaluation"); the exclusion is a finding only
// when the rule it lands on is weaker.
func TestOktaExclusionFallsThrough(t *testing.T) {
	src := oktaNoEmailNoReset()
	def := policy(src, oktaDefPol)
	strict := rule("0prstrict", "Everyone: phishing-resistant", 1, "ALLOW", evidence.Requirement{FactorMode: "2FA",
		Constraints: []evidence.Constraint{{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED"}}}})
	strict.Conditions.People = evidence.Targets{All: true, ExcludeUsers: []string{oktaAlice, oktaBob}}
	def.Rules = append([]evidence.AccessRule{strict}, def.Rules...)
	// Alice and Bob land on the catch-all ("any two factors"): Alice (push)
	// lands weaker than AAL2? No: password + push is AAL2, so no finding.
	r := evaluate(t, testParams(), src)
	if exc := result(t, r, "EXC-01", evidence.Okta); exc.Status != Pass {
		t.Fatalf("EXC-01 %s %v: %s", exc.Status, subjects(exc), exc.Rationale)
	}
	// The catch-all now takes one factor: the exclusion lands weaker.
	def.Rules[1].Requirement = evidence.Requirement{FactorMode: "1FA"}
	r = evaluate(t, testParams(), src)
	exc := result(t, r, "EXC-01", evidence.Okta)
	if exc.Status != Fail || len(exc.Findings) != 2 || !contains(subjects(exc), oktaAlice) || !contains(subjects(exc), oktaBob) {
		t.Fatalf("EXC-01 %s %v: %s", exc.Status, subjects(exc), exc.Rationale)
	}
	if !strings.Contains(exc.Findings[0].Message, "falls through to") {
		t.Errorf("message %q", exc.Findings[0].Message)
	}
}

// TestOktaContextSources: every condition other than people makes a rule
// match in some contexts only (AccessPolicyRuleConditions: network,
// riskScore, device, platform, userType, elCondition; unmodelled ones are
// kept as context-limiting, never ignored), so the path says where it holds
// and the rule below still decides elsewhere.
func TestOktaContextSources(t *testing.T) {
	yes := true
	cases := []struct {
		name  string
		cond  evidence.Conditions
		where string
	}{
		{"network zone excluded", evidence.Conditions{Network: &evidence.Network{Connection: "ZONE", Exclude: []string{"nzoBad"}, Names: map[string]string{"nzoBad": "Tor exit nodes"}}}, "outside zone Tor exit nodes"},
		{"risk", evidence.Conditions{RiskLevels: []string{"LOW"}}, "at sign-in risk LOW"},
		{"managed device", evidence.Conditions{Device: &evidence.Device{Managed: &yes}}, "on a managed device"},
		{"registered device", evidence.Conditions{Device: &evidence.Device{Registered: &yes}}, "on a registered device"},
		{"platform", evidence.Conditions{Platforms: &evidence.IncExc{Include: []string{"DESKTOP MACOS"}}}, "on DESKTOP MACOS"},
		{"user type", evidence.Conditions{UserTypes: &evidence.IncExc{Include: []string{"oty1contractor"}}}, "for user types matching oty1contractor"},
		{"expression", evidence.Conditions{Expression: "user.profile.department == 'Kiosk'"}, "when `user.profile.department == 'Kiosk'` holds"},
		{"unmodelled", evidence.Conditions{Other: []string{"identity provider SAML2"}}, "when the identity provider SAML2 condition holds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := oktaNoEmailNoReset()
			r := rule("0prctx", "Contextual one factor", 1, "ALLOW", evidence.Requirement{FactorMode: "1FA"})
			r.Conditions = tc.cond
			def := policy(src, oktaDefPol)
			def.Rules = append([]evidence.AccessRule{r}, def.Rules...)
			a := assuranceOf(t, src, oktaAlice)
			if !hasPath(a, PathPasswordOnly, "password", tc.where) {
				t.Errorf("no password-only path %q:\n%s", tc.where, pathList(a))
			}
			if !hasPath(a, PathSignIn, "password+push", "Salesforce") {
				t.Errorf("the catch-all no longer decides the other contexts:\n%s", pathList(a))
			}
		})
	}
}

// TestExclusionOneFindingPerPrincipal: a principal excluded from several MFA
// rules is one finding naming them all (a subject appears once per check:
// waivers and finding ids refer to it).
func TestExclusionOneFindingPerPrincipal(t *testing.T) {
	src := oktaNoEmailNoReset()
	for _, id := range []string{oktaDefPol, oktaDashPol} {
		p := policy(src, id)
		strict := rule("0prstrict"+id, "Everyone: two factors", 1, "ALLOW", evidence.Requirement{FactorMode: "2FA"})
		strict.Conditions.People = evidence.Targets{All: true, ExcludeUsers: []string{oktaAlice}}
		p.Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA"}
		p.Rules = append([]evidence.AccessRule{strict}, p.Rules...)
	}
	r := evaluate(t, testParams(), src)
	exc := result(t, r, "EXC-01", evidence.Okta)
	if len(exc.Findings) != 1 || exc.Findings[0].Subject.ID != oktaAlice {
		t.Fatalf("findings %v", subjects(exc))
	}
	if pols, _ := exc.Findings[0].Evidence["policies"].([]string); len(pols) != 2 {
		t.Errorf("policies %v, want both rules", exc.Findings[0].Evidence["policies"])
	}
}
