package okta_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// These tests feed the Okta engine's rules through Okta's wire format: an
// Identity Engine org in its default shape (testdata/okta-default-org,
// see its README), changed per rule with the JSON Okta would return,
// collected with the real SDK over real sockets and judged by checks.

const defaultOrg = "../../testdata/okta-default-org"

const (
	dAlice = "00u1alice000000001" // email, Okta Verify push
	dBob   = "00u1bob00000000002" // email, security key, push
	dAda   = "00u1ada00000000003" // Super Administrator: email, security key
)

// objects parses wire JSON for the fake.
func objects(t *testing.T, js string) []oktatest.Object {
	t.Helper()
	var out []oktatest.Object
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		t.Fatalf("fixture JSON: %v", err)
	}
	return out
}

// judge collects the fake org and evaluates it.
func judge(t *testing.T, srv *oktatest.Server) (*evidence.Source, *checks.Results) {
	t.Helper()
	src := collect(t, connector(t, srv))
	res, err := checks.Evaluate(&evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{src}}, checks.DefaultParams(scanNow))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return src, res
}

func identity(t *testing.T, res *checks.Results, id string) checks.Identity {
	t.Helper()
	for _, x := range res.Identities {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no identity %s", id)
	return checks.Identity{}
}

func checkResult(t *testing.T, res *checks.Results, id string) checks.CheckResult {
	t.Helper()
	for _, c := range res.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return checks.CheckResult{}
}

func explain(t *testing.T, src *evidence.Source, id string) checks.Assurance {
	t.Helper()
	a, ok := checks.AccountAssurance(src, id, checks.DefaultParams(scanNow))
	if !ok {
		t.Fatalf("no account %s", id)
	}
	return a
}

func hasPath(a checks.Assurance, kind checks.PathKind, proofs, ctx string) bool {
	for _, p := range a.Paths {
		if p.Kind == kind && strings.Join(p.Proofs, "+") == proofs && strings.Contains(p.Context, ctx) {
			return true
		}
	}
	return false
}

func paths(a checks.Assurance) string {
	var b strings.Builder
	for _, p := range a.Paths {
		b.WriteString("  " + string(p.Kind) + " " + strings.Join(p.Proofs, "+") + " " + p.AAL + " [" + p.Context + "]\n")
	}
	return b.String()
}

// emailRecoveryOnly: the Email authenticator "used for recovery" only
// (authenticator settings.allowedFor: recovery).
func emailRecoveryOnly(o *oktatest.Org) {
	for _, a := range o.Authenticators {
		if a["key"] == "okta_email" {
			a["settings"] = map[string]any{"allowedFor": "recovery", "tokenLifetimeInMinutes": 5}
		}
	}
}

// noSelfServiceReset: the password policy rule denies self-service reset.
func noSelfServiceReset(t *testing.T) func(o *oktatest.Org) {
	return func(o *oktatest.Org) {
		o.PolicyRules["00p1pwdefault00002"] = objects(t, `[{"id":"0pr1pwdefault00002","status":"ACTIVE","name":"Default Rule","priority":1,"system":true,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"}},
		  "actions":{"passwordChange":{"access":"ALLOW"},"selfServicePasswordReset":{"access":"DENY"},"selfServiceUnlock":{"access":"DENY"}},"type":"PASSWORD"}]`)
	}
}

// acctMgmtRules is the account management policy's rules: rule (one rule
// in Okta's wire format) above a two-factor catch-all.
func acctMgmtRules(t *testing.T, rule string) []oktatest.Object {
	t.Helper()
	return objects(t, "["+rule+`,
		 {"id":"0pr1acctcatch00009","status":"ACTIVE","name":"Catch-all Rule","priority":99,"system":true,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"},"riskScore":{"level":"ANY"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT0S","constraints":[]}}},"type":"ACCESS_POLICY"}]`)
}

// classicOrg turns the default org into a Classic one (pipeline v1): no
// authenticators, no app sign-on (access) policies.
func classicOrg(o *oktatest.Org) {
	o.WellKnown = oktatest.Object{"id": "00o1acmedefault001", "pipeline": "v1"}
	o.Authenticators = nil
	o.Policies = slices.DeleteFunc(o.Policies, func(p oktatest.Object) bool { return p["type"] == "ACCESS_POLICY" })
}

func TestEngineIdentityEngineDefaultOrg(t *testing.T) {
	// Okta's default shape: no app is reachable with a password alone, but
	// email (allowed for authentication) is a second factor Okta accepts:
	// password + email is the weakest sign-in, at AAL1 (800-63B-4 3.1.3.1).
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	src, res := judge(t, srv)
	if src.Policies.Engine != evidence.EngineOktaIdentity {
		t.Fatalf("engine %q", src.Policies.Engine)
	}
	for _, id := range []string{dAlice, dBob, dAda} {
		a := explain(t, src, id)
		if hasPath(a, checks.PathPasswordOnly, "password", "") {
			t.Errorf("%s has a password-only path in the default org:\n%s", id, paths(a))
		}
		if !hasPath(a, checks.PathSignIn, "password+email_otp", "for the Okta Dashboard") {
			t.Errorf("%s has no password + email Dashboard path:\n%s", id, paths(a))
		}
	}
	if exc := checkResult(t, res, "EXC-02"); exc.Status != checks.Pass {
		t.Errorf("EXC-02 %s: %s", exc.Status, exc.Rationale)
	}
	if bob := identity(t, res, dBob); bob.EffectiveAAL != "AAL1" || strings.Contains(bob.WeakestPath, "password only") {
		t.Errorf("bob %s via %q", bob.EffectiveAAL, bob.WeakestPath)
	}

	// With email for recovery only and no self-service reset, the weakest
	// path is the second factor the policies admit.
	srv.Org(emailRecoveryOnly)
	srv.Org(noSelfServiceReset(t))
	src, res = judge(t, srv)
	if alice := identity(t, res, dAlice); alice.EffectiveAAL != "AAL2" {
		t.Errorf("alice (push) %s via %q:\n%s", alice.EffectiveAAL, alice.WeakestPath, paths(explain(t, src, dAlice)))
	}
	if bob := identity(t, res, dBob); bob.EffectiveAAL != "AAL2" || !strings.Contains(bob.WeakestPath, "push") {
		t.Errorf("bob (key + push) %s via %q", bob.EffectiveAAL, bob.WeakestPath)
	}
	if ada := identity(t, res, dAda); ada.EffectiveAAL != "AAL3" {
		t.Errorf("ada (key) %s via %q:\n%s", ada.EffectiveAAL, ada.WeakestPath, paths(explain(t, src, dAda)))
	}
	// "Password only" is mapped to no app: it decides nothing.
	for _, x := range res.Identities {
		for _, p := range x.Paths {
			for _, pol := range p.Policies {
				if pol.ID == "00p1pwonly00000007" {
					t.Errorf("%s: the unmapped Password only policy decided %q", x.ID, p.Label)
				}
			}
		}
	}
}

func TestEngineOneFactorAppRule(t *testing.T) {
	// A one-factor rule for an app makes a password-only path for the
	// people it matches, in the contexts it matches: here from the
	// Corporate zone only (Policy API "Policy evaluation": the catch-all
	// below still decides elsewhere).
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(emailRecoveryOnly)
	srv.Org(noSelfServiceReset(t))
	srv.Org(func(o *oktatest.Org) {
		o.PolicyRules["00p1appdefault0008"] = objects(t, `[
		 {"id":"0pr1office00000008","status":"ACTIVE","name":"Office: password only","priority":1,"system":false,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ZONE","include":["nzo1corporate00001"]},"riskScore":{"level":"ANY"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"1FA","type":"ASSURANCE","reauthenticateIn":"PT12H",
		    "constraints":[{"knowledge":{"types":["password"],"reauthenticateIn":"PT12H"}}]}}},"type":"ACCESS_POLICY"},
		 {"id":"0pr1appdefcatch008","status":"ACTIVE","name":"Catch-all Rule","priority":99,"system":true,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"},"riskScore":{"level":"ANY"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT12H","constraints":[]}}},"type":"ACCESS_POLICY"}]`)
	})
	src, res := judge(t, srv)
	a := explain(t, src, dBob)
	if !hasPath(a, checks.PathPasswordOnly, "password", "from zone nzo1corporate00001") {
		t.Errorf("no password-only path from the Corporate zone:\n%s", paths(a))
	}
	if !hasPath(a, checks.PathSignIn, "password+push", "outside zone nzo1corporate00001") {
		t.Errorf("no two-factor path outside the zone:\n%s", paths(a))
	}
	exc := checkResult(t, res, "EXC-02")
	if exc.Status != checks.Fail || len(exc.Findings) != 1 || exc.Findings[0].Subject.ID != "00p1appdefault0008" {
		t.Fatalf("EXC-02 %s %+v", exc.Status, exc.Findings)
	}
}

func TestEngineClassic(t *testing.T) {
	// A Classic org (pipeline v1): the Okta sign-on policy alone decides
	// the Okta session; without requireFactor it is one factor.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(classicOrg)
	src, res := judge(t, srv)
	if src.Policies.Engine != evidence.EngineOktaClassic {
		t.Fatalf("engine %q", src.Policies.Engine)
	}
	a := explain(t, src, dBob)
	if !hasPath(a, checks.PathPasswordOnly, "password", "app sign-on rules not readable") {
		t.Errorf("bob paths:\n%s", paths(a))
	}
	if exc := checkResult(t, res, "EXC-02"); exc.Status != checks.Fail {
		t.Errorf("EXC-02 %s", exc.Status)
	}
}

func TestEngineWellKnownUnreadable(t *testing.T) {
	// The engine is inferred when the metadata cannot be read, and the
	// report says so.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.FailNext("/.well-known/okta-organization", 500, 10)
	src, _ := judge(t, srv)
	if src.Policies.Engine != evidence.EngineOktaIdentity {
		t.Fatalf("engine %q", src.Policies.Engine)
	}
	found := false
	for _, w := range src.Warnings {
		found = found || strings.Contains(w, "okta-organization")
	}
	if !found {
		t.Errorf("no warning about the engine inference: %v", src.Warnings)
	}
}

func TestEngineRecoveryThroughAccountManagementPolicy(t *testing.T) {
	// accessControl AUTH_POLICY defers the reset's proofs to the Okta
	// account management policy, whose rules select the operation with
	// accessRequest.operation (okta-sdk-golang openapi.yaml SsprRequirement;
	// developer.okta.com "Configure an Okta account management policy").
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(emailRecoveryOnly)
	srv.Org(func(o *oktatest.Org) {
		o.PolicyRules["00p1pwdefault00002"] = objects(t, `[{"id":"0pr1pwdefault00002","status":"ACTIVE","name":"Default Rule","priority":1,"system":true,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"}},
		  "actions":{"passwordChange":{"access":"ALLOW"},"selfServicePasswordReset":{"access":"ALLOW","requirement":{"accessControl":"AUTH_POLICY"}},"selfServiceUnlock":{"access":"ALLOW"}},"type":"PASSWORD"}]`)
		o.PolicyRules["00p1acctmgmt000009"] = acctMgmtRules(t, `{"id":"0pr1recover0000009","status":"ACTIVE","name":"Password recovery: phishing-resistant","priority":1,"system":false,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"},"riskScore":{"level":"ANY"},
		    "elCondition":{"condition":"accessRequest.operation == 'recover'"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"1FA","type":"ASSURANCE","reauthenticateIn":"PT0S",
		    "constraints":[{"possession":{"required":true,"phishingResistant":"REQUIRED","userPresence":"REQUIRED"}}]}}},"type":"ACCESS_POLICY"}`)
	})
	src, _ := judge(t, srv)
	bob := explain(t, src, dBob)
	if hasPath(bob, checks.PathRecovery, "email_otp", "") || !hasPath(bob, checks.PathRecovery, "fido2", "Okta Dashboard") {
		t.Errorf("bob recovery paths:\n%s", paths(bob))
	}
	alice := explain(t, src, dAlice)
	for _, p := range alice.Paths {
		if p.Kind == checks.PathRecovery {
			t.Errorf("alice (no phishing-resistant factor) has a recovery path: %+v", p)
		}
	}
}
