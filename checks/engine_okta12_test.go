package checks

import (
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Rules 7–12 and 14 of issue 12 on the evidence model; the connector tests
// (connectors/okta engine12_test.go) feed the same rules through Okta's
// wire format.

func okta(typ, provider, id, name string) evidence.Method {
	k, _ := evidence.OktaFactorKind(typ, provider)
	return evidence.Method{Kind: k, VendorType: typ, VendorProvider: provider, ID: id, Name: name, Status: "ACTIVE"}
}

func acctMgmt(rules ...evidence.AccessRule) evidence.AccessPolicy {
	return evidence.AccessPolicy{ID: oktaAcctMgmt, Name: "Okta Account Management Policy", Type: evidence.APOktaAccountManagement,
		Priority: 6, Status: "ACTIVE", Enabled: true, AppsKnown: true, Rules: rules}
}

func TestOktaREC05AccountManagementRules(t *testing.T) {
	// help.okta.com "Okta account management policy": rules by priority;
	// a rule tests the operation with accessRequest.operation == 'enroll';
	// its catch-all "allows access with two factors".
	twoFactors := evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE"}
	prOnly := evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE", Constraints: []evidence.Constraint{
		{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED"}}}}
	onlyFor := func(r evidence.AccessRule, op string) evidence.AccessRule {
		r.Conditions.Expression = "accessRequest.operation == '" + op + "'"
		return r
	}
	cases := []struct {
		name    string
		rules   []evidence.AccessRule
		email   bool // email allowed for sign-in
		fail    bool
		subject string
		proofs  string
	}{
		{"catch-all two factors, email allowed: password + email", []evidence.AccessRule{rule("0prcatch", "Catch-all Rule", 99, "ALLOW", twoFactors)}, true, true, oktaAcctMgmt, "password + email_otp"},
		{"catch-all two factors, email for recovery only", []evidence.AccessRule{rule("0prcatch", "Catch-all Rule", 99, "ALLOW", twoFactors)}, false, false, "", ""},
		{"enroll rule phishing-resistant above the catch-all", []evidence.AccessRule{
			onlyFor(rule("0prenroll", "Enrolment", 1, "ALLOW", prOnly), "enroll"),
			rule("0prcatch", "Catch-all Rule", 99, "ALLOW", twoFactors)}, true, false, "", ""},
		{"a recover-only rule does not decide enrolment", []evidence.AccessRule{
			onlyFor(rule("0prrecover", "Recovery", 1, "ALLOW", prOnly), "recover"),
			rule("0prcatch", "Catch-all Rule", 99, "ALLOW", twoFactors)}, true, true, oktaAcctMgmt, "password + email_otp"},
		{"enroll rule one factor", []evidence.AccessRule{
			onlyFor(rule("0prenroll", "Enrolment", 1, "ALLOW", evidence.Requirement{FactorMode: "1FA"}), "enroll"),
			rule("0prcatch", "Catch-all Rule", 99, "ALLOW", prOnly)}, false, true, oktaAcctMgmt, "password"},
		{"no account management policy: documented two-factor default", nil, true, true, "acme.okta.com", "password + email_otp"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := oktaDefaultOrg()
			setting(src, oktaEmail).SignIn = tc.email
			if tc.rules != nil {
				src.Policies.Access = append(src.Policies.Access, acctMgmt(tc.rules...))
			}
			c := result(t, evaluate(t, testParams(), src), "REC-05", evidence.Okta)
			if (c.Status == Fail) != tc.fail {
				t.Fatalf("status %s: %s %+v", c.Status, c.Rationale, c.Findings)
			}
			if !tc.fail {
				return
			}
			if len(c.Findings) != 1 || c.Findings[0].Subject.ID != tc.subject || !strings.Contains(c.Findings[0].Message, "with "+tc.proofs+",") {
				t.Fatalf("findings %+v", c.Findings)
			}
		})
	}
}

func TestOktaREC04TemporaryAccessCode(t *testing.T) {
	// Okta: not_applicable only when no tac authenticator is active.
	src := oktaGood()
	src.Policies.TemporaryAccess = []evidence.TemporaryAccessSetting{{ID: "auttac", Name: "Temporary Access Code", Enabled: false, MaxLifetimeMinutes: 14400, Reusable: true}}
	if c := result(t, evaluate(t, testParams(), src), "REC-04", evidence.Okta); c.Status != NotApplicable {
		t.Errorf("inactive TAC: %s %s", c.Status, c.Rationale)
	}
	src.Policies.TemporaryAccess[0].Enabled = true
	if c := result(t, evaluate(t, testParams(), src), "REC-04", evidence.Okta); c.Status != Fail || len(c.Findings) != 1 ||
		!strings.Contains(c.Findings[0].Message, "reusable and maximum lifetime 10 days") {
		t.Errorf("reusable 10-day TAC: %s %+v", c.Status, c.Findings)
	}
	src.Policies.TemporaryAccess[0].Reusable, src.Policies.TemporaryAccess[0].MaxLifetimeMinutes = false, 240
	if c := result(t, evaluate(t, testParams(), src), "REC-04", evidence.Okta); c.Status != Pass {
		t.Errorf("one-time 4h TAC: %s %+v", c.Status, c.Findings)
	}
}

func TestOktaMethodsPerAuthenticator(t *testing.T) {
	// A Google Authenticator factor belongs to google_otp: it is unusable
	// while that authenticator is inactive, although Okta Verify enables
	// totp_software (developer.okta.com Authenticators API, methods).
	src := oktaDefaultOrg()
	src.Policies.Methods = append(src.Policies.Methods, evidence.MethodSetting{ID: "autgoogle", Name: "Google Authenticator", VendorKey: "google_otp",
		Kinds: []evidence.MethodKind{evidence.KindTOTPSoftware}, Enabled: false, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}})
	src.Accounts[3].Methods = []evidence.Method{okta("token:software:totp", "GOOGLE", "uftgoogle", "")}
	a := assuranceOf(t, src, oktaCarol)
	if a.Nominal != AAL1 {
		t.Errorf("carol's Google TOTP counted: nominal %s\n%s", a.Nominal, pathList(a))
	}
	setting(src, "autgoogle").Enabled = true
	if a := assuranceOf(t, src, oktaCarol); a.Nominal != AAL2 {
		t.Errorf("carol's Google TOTP with google_otp active: nominal %s", a.Nominal)
	}
}

func TestOktaVerifyOneEnrolment(t *testing.T) {
	// Push, TOTP and FastPass on one Okta Verify device are one method for
	// MFA-02 (Factors API: resetting push resets totp and signed_nonce).
	src := oktaDefaultOrg()
	src.Accounts[0].Methods = []evidence.Method{okta("push", "OKTA", "opf1", "iPhone 15"), okta("token:software:totp", "OKTA", "ost1", ""), okta("signed_nonce", "OKTA", "sgn1", "iPhone 15")}
	c := result(t, evaluate(t, testParams(), src), "MFA-02", evidence.Okta)
	found := false
	for _, f := range c.Findings {
		found = found || (f.Subject.ID == oktaAlice && strings.Contains(f.Message, "one enrolment on one device"))
	}
	if !found {
		t.Errorf("alice (one Okta Verify device) not an MFA-02 finding: %+v", c.Findings)
	}
	src.Accounts[0].Methods = append(src.Accounts[0].Methods, okta("push", "OKTA", "opf2", "iPad"))
	c = result(t, evaluate(t, testParams(), src), "MFA-02", evidence.Okta)
	for _, f := range c.Findings {
		if f.Subject.ID == oktaAlice {
			t.Errorf("alice with two Okta Verify devices is an MFA-02 finding")
		}
	}
}

func TestOktaFederatedAccounts(t *testing.T) {
	// FEDERATION / SOCIAL users have no Okta password or recovery question
	// (openapi.yaml AuthenticationProviderType); password policies apply
	// by conditions.authProvider.
	src := oktaDefaultOrg()
	src.Policies.Recovery[0].Targets = evidence.Targets{All: true}
	src.CredentialProviders = map[string]string{oktaBob: "FEDERATION"}
	bob := assuranceOf(t, src, oktaBob)
	for _, p := range bob.Paths {
		if p.Kind == PathRecovery {
			t.Errorf("federated bob has a recovery path: %+v", p)
		}
		if !strings.Contains(p.Context, "external identity provider") {
			t.Errorf("bob's path does not say the first factor is at the IdP: %q", p.Context)
		}
	}
	if a := assuranceOf(t, src, oktaAlice); !hasPath(a, PathRecovery, "email_otp", "") {
		t.Errorf("alice (OKTA) lost her recovery:\n%s", pathList(a))
	}
	// An ACTIVE_DIRECTORY policy is not an OKTA user's.
	src.CredentialProviders = nil
	src.Policies.Recovery[0].AuthProvider = "ACTIVE_DIRECTORY"
	if a := assuranceOf(t, src, oktaAlice); hasPath(a, PathRecovery, "email_otp", "") {
		t.Errorf("an ACTIVE_DIRECTORY password policy decided alice's recovery:\n%s", pathList(a))
	}
	src.CredentialProviders = map[string]string{oktaAlice: "ACTIVE_DIRECTORY"}
	if a := assuranceOf(t, src, oktaAlice); !hasPath(a, PathRecovery, "email_otp", "") {
		t.Errorf("the ACTIVE_DIRECTORY policy does not decide AD-sourced alice:\n%s", pathList(a))
	}
}

func TestOktaREC07RecoveryPIN(t *testing.T) {
	// An admin-generated recovery PIN (device.desktop_mfa.recovery_pin.generate)
	// for a privileged account is an assisted reset to review.
	src := oktaGood()
	src.Events = []evidence.Event{{ID: "ev-pin", Kind: evidence.EvRecoveryPINIssued, Time: testNow.Add(-2 * day), VendorType: "device.desktop_mfa.recovery_pin.generate",
		Actor: evidence.Principal{ID: oktaAlice, Type: "user"}, Target: evidence.Principal{ID: oktaAdmin, Type: "user"}, Outcome: "SUCCESS"}}
	c := result(t, evaluate(t, testParams(), src), "REC-07", evidence.Okta)
	if c.Status != Fail || len(c.Findings) != 1 || c.Findings[0].Subject.ID != oktaAdmin {
		t.Fatalf("REC-07 %s %+v", c.Status, c.Findings)
	}
}

func TestOktaOperationsExpression(t *testing.T) {
	for _, tc := range []struct{ expr, rest string }{
		{"accessRequest.operation == 'enroll'", ""},
		{"accessRequest.operation == 'enroll' || accessRequest.operation == 'recover'", ""},
		{"accessRequest.operation == 'enroll' && accessRequest.authenticator.key == 'okta_verify'", "accessRequest.operation == 'enroll' && accessRequest.authenticator.key == 'okta_verify'"},
	} {
		if _, rest := operations(tc.expr); rest != tc.rest {
			t.Errorf("operations(%q) rest %q, want %q", tc.expr, rest, tc.rest)
		}
	}
}

func TestOktaFederatedSignature(t *testing.T) {
	// Two accounts alike in every way but the credential provider are
	// judged apart: the engines' per-signature memo must not give the
	// federated one the other's recovery path.
	src := oktaDefaultOrg()
	src.Policies.Recovery[0].Targets = evidence.Targets{All: true}
	dave := src.Accounts[2] // like bob: one FIDO2 key
	dave.ID, dave.Name, dave.Login = "00u5dave", "Dave", "dave@acme.com"
	src.Accounts = append(src.Accounts, dave)
	src.CredentialProviders = map[string]string{"00u5dave": "SOCIAL"}
	r := evaluate(t, testParams(), src)
	var bob, dv Identity
	for _, x := range r.Identities {
		switch x.ID {
		case oktaBob:
			bob = x
		case "00u5dave":
			dv = x
		}
	}
	recovers := func(x Identity) bool {
		for _, p := range x.Paths {
			if p.Kind == PathRecovery {
				return true
			}
		}
		return false
	}
	if !recovers(bob) || recovers(dv) {
		t.Errorf("bob recovers %t (want true), social dave recovers %t (want false)", recovers(bob), recovers(dv))
	}
}

func TestOktaSyncedPasskeys(t *testing.T) {
	// A synced passkey is AAL2, not AAL3 (DESIGN.md method table;
	// help.okta.com "Configure the Passkeys (FIDO2 WebAuthn) access
	// controls"), and blocking synced passkeys applies to new enrolments:
	// one enrolled before the block stays usable.
	src := oktaDefaultOrg()
	src.Accounts[2].Methods = []evidence.Method{{Kind: evidence.KindPasskeySynced, VendorType: "webauthn", VendorProvider: "FIDO", ID: "fwf5", Name: "iCloud Keychain", Status: "ACTIVE"}}
	setting(src, oktaWebAu).Kinds = []evidence.MethodKind{evidence.KindFIDO2} // allowSyncablePasskeys: false
	a := assuranceOf(t, src, oktaBob)
	if a.Nominal != AAL2 {
		t.Errorf("bob (synced passkey) nominal %s:\n%s", a.Nominal, pathList(a))
	}
	if !hasPath(a, PathSignIn, "passkey_synced", "") {
		t.Errorf("bob's synced passkey is not usable after the block:\n%s", pathList(a))
	}
}
