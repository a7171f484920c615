package okta_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// Rules 7–12 and 14 of the Okta engine (issue 12), through Okta's wire
// format on the default Identity Engine org.

const dCarl = "00u1carl0000000004" // email only

func finding(c checks.CheckResult, subject string) *checks.Finding {
	for i := range c.Findings {
		if c.Findings[i].Subject.ID == subject {
			return &c.Findings[i]
		}
	}
	return nil
}

func TestEngineEnrolmentFollowsAccountManagementPolicy(t *testing.T) {
	// Enrolment is decided by the Okta account management policy's first
	// matching rule for accessRequest.operation == 'enroll' (help.okta.com
	// "Okta account management policy"; support.okta.com "Okta Account
	// Management Policy Enrollment for Specific Authenticators"). Its
	// default catch-all asks for two factors, which password + email meets
	// where email is allowed for authentication.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	_, res := judge(t, srv)
	rec := checkResult(t, res, "REC-05")
	f := finding(rec, "00p1acctmgmt000009")
	if rec.Status != checks.Fail || f == nil || !strings.Contains(f.Message, "password + email_otp") {
		t.Fatalf("REC-05 %s %+v", rec.Status, rec.Findings)
	}

	// An enroll rule above the catch-all demanding a phishing-resistant
	// possession factor: nobody enrols with password + email any more.
	srv.Org(func(o *oktatest.Org) {
		o.PolicyRules["00p1acctmgmt000009"] = acctMgmtRules(t, `{"id":"0pr1enroll00000009","status":"ACTIVE","name":"Enrolment: phishing-resistant","priority":1,"system":false,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"},"riskScore":{"level":"ANY"},
		    "elCondition":{"condition":"accessRequest.operation == 'enroll'"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT0S",
		    "constraints":[{"possession":{"required":true,"phishingResistant":"REQUIRED","userPresence":"REQUIRED"}}]}}},"type":"ACCESS_POLICY"}`)
	})
	_, res = judge(t, srv)
	if rec := checkResult(t, res, "REC-05"); rec.Status != checks.Pass {
		t.Errorf("REC-05 with a phishing-resistant enroll rule: %s %+v", rec.Status, rec.Findings)
	}

	// No account management policy returned: Okta's documented default
	// (a two-factor catch-all) decides, and the finding says it was assumed.
	srv.Org(func(o *oktatest.Org) {
		o.Policies = slices.DeleteFunc(o.Policies, func(p oktatest.Object) bool { return p["id"] == "00p1acctmgmt000009" })
	})
	src, res := judge(t, srv)
	rec = checkResult(t, res, "REC-05")
	f = finding(rec, src.Tenant)
	if rec.Status != checks.Fail || f == nil || f.Evidence["assumed"] == nil {
		t.Fatalf("REC-05 without an account management policy: %s %+v", rec.Status, rec.Findings)
	}
}

func TestEngineEnrolmentClassic(t *testing.T) {
	// Classic has no account management policy: enrolment happens in the
	// Okta session, which the default sign-on rule opens with the password.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(classicOrg)
	_, res := judge(t, srv)
	rec := checkResult(t, res, "REC-05")
	if f := finding(rec, "00p1gspdefault0001"); rec.Status != checks.Fail || f == nil || !strings.Contains(f.Message, "with password,") {
		t.Fatalf("REC-05 %s %+v", rec.Status, rec.Findings)
	}
}

// tac is a temporary access code authenticator in the wire format of
// okta-sdk-golang openapi.yaml AuthenticatorKeyTac (provider.configuration).
func tac(status string, maxTTL, defaultTTL int, multiUse bool) oktatest.Object {
	return oktatest.Object{"type": "tac", "id": "aut1tac0000000001", "key": "tac", "status": status, "name": "Temporary Access Code",
		"created": "2026-01-01T00:00:00.000Z", "lastUpdated": "2026-01-01T00:00:00.000Z",
		"provider": oktatest.Object{"type": "tac", "configuration": oktatest.Object{
			"minTtl": 10, "maxTtl": maxTTL, "defaultTtl": defaultTTL, "length": 16,
			"complexity": oktatest.Object{"numbers": true, "letters": true, "specialCharacters": false}, "multiUseAllowed": multiUse}},
		"_links": oktatest.Object{"self": oktatest.Object{"href": "https://acme-default.okta.com/api/v1/authenticators/aut1tac0000000001"}}}
}

func TestEngineTemporaryAccessCode(t *testing.T) {
	// REC-04 reads the tac authenticator's provider.configuration: maxTtl
	// and defaultTtl in minutes, multiUseAllowed (openapi.yaml
	// AuthenticatorKeyTac_allOf_provider_configuration).
	cases := []struct {
		name   string
		a      oktatest.Object
		status checks.Status
		msg    string
	}{
		{"none", nil, checks.NotApplicable, ""},
		{"inactive", tac("INACTIVE", 14400, 120, true), checks.NotApplicable, ""},
		{"reusable and ten days", tac("ACTIVE", 14400, 120, true), checks.Fail, "reusable and maximum lifetime 10 days"},
		{"one-time, four hours", tac("ACTIVE", 240, 120, false), checks.Pass, ""},
		// A response without provider.configuration proves nothing: the
		// finding says the lifetime was not reported, never a pass.
		{"active, configuration not returned", func() oktatest.Object { a := tac("ACTIVE", 0, 0, false); delete(a, "provider"); return a }(), checks.Fail, "maximum lifetime not reported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
			if tc.a != nil {
				srv.Org(func(o *oktatest.Org) { o.Authenticators = append(o.Authenticators, tc.a) })
			}
			src, res := judge(t, srv)
			rec := checkResult(t, res, "REC-04")
			if rec.Status != tc.status || (tc.msg != "" && (len(rec.Findings) != 1 || !strings.Contains(rec.Findings[0].Message, tc.msg))) {
				t.Fatalf("REC-04 %s %q %+v (temporary access %+v)", rec.Status, rec.Rationale, rec.Findings, src.Policies.TemporaryAccess)
			}
		})
	}
}

func TestEngineMethodsPerAuthenticator(t *testing.T) {
	// Kinds are enabled per authenticator, by each method's own status
	// (GET /api/v1/authenticators/{id}/methods): a Google Authenticator
	// factor is unusable while google_otp is inactive even though Okta
	// Verify's TOTP is active, and Okta Verify's TOTP factor is unusable
	// once its totp method is switched off.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(func(o *oktatest.Org) {
		o.Authenticators = append(o.Authenticators, oktatest.Object{"type": "app", "id": "aut1google00000001", "key": "google_otp", "status": "INACTIVE",
			"name": "Google Authenticator", "created": "2026-01-01T00:00:00.000Z", "lastUpdated": "2026-01-01T00:00:00.000Z", "_links": oktatest.Object{}})
		o.Factors[dCarl] = append(o.Factors[dCarl], oktatest.Object{"id": "uft1carlgoogle0001", "factorType": "token:software:totp", "provider": "GOOGLE",
			"vendorName": "GOOGLE", "status": "ACTIVE", "created": "2026-02-01T00:00:00.000Z", "lastUpdated": "2026-02-01T00:00:00.000Z",
			"profile": oktatest.Object{"credentialId": "carl@acme-default.com"}})
	})
	_, res := judge(t, srv)
	if c := identity(t, res, dCarl); slices.Contains(c.Methods, "totp_software") {
		t.Errorf("carl's Google TOTP counted while google_otp is inactive: %v", c.Methods)
	}
	if m := checkResult(t, res, "MFA-01"); finding(m, dCarl) == nil {
		t.Errorf("MFA-01 does not name carl: %+v", m.Findings)
	}

	var ovID string
	srv.Org(func(o *oktatest.Org) {
		for _, a := range o.Authenticators {
			if a["key"] == "okta_verify" {
				ovID = a["id"].(string)
				ms := oktatest.DefaultMethods(a)
				for _, m := range ms {
					if m["type"] == "totp" {
						m["status"] = "INACTIVE"
					}
				}
				o.AuthenticatorMethods[ovID] = ms
			}
		}
		o.Factors[dCarl] = []oktatest.Object{{"id": "ost1carlokta000001", "factorType": "token:software:totp", "provider": "OKTA",
			"vendorName": "OKTA", "status": "ACTIVE", "created": "2026-02-01T00:00:00.000Z", "lastUpdated": "2026-02-01T00:00:00.000Z",
			"profile": oktatest.Object{"credentialId": "carl@acme-default.com"}}}
	})
	src, res := judge(t, srv)
	if c := identity(t, res, dCarl); slices.Contains(c.Methods, "totp_software") {
		t.Errorf("carl's Okta Verify TOTP counted while the totp method is inactive: %v", c.Methods)
	}
	for _, m := range src.Policies.Methods {
		if m.ID == ovID && slices.Contains(m.Kinds, evidence.KindTOTPSoftware) {
			t.Errorf("okta_verify still enables totp: %+v", m)
		}
	}
	if srv.RequestCount("/api/v1/authenticators/*/methods") == 0 {
		t.Error("authenticator methods were not read")
	}
	srv.AssertReadOnly(t)
}

func TestEngineOktaVerifyOneDevice(t *testing.T) {
	// Push, TOTP and FastPass of one Okta Verify enrolment are one
	// backup-relevant method: resetting push resets the others
	// (developer.okta.com Factors API); devices are told apart by the push
	// factor's profile.name (openapi.yaml UserFactorPushProfile).
	ov := func(id, typ, device string) oktatest.Object {
		f := oktatest.Object{"id": id, "factorType": typ, "provider": "OKTA", "vendorName": "OKTA", "status": "ACTIVE",
			"created": "2026-02-01T00:00:00.000Z", "lastUpdated": "2026-02-01T00:00:00.000Z", "profile": oktatest.Object{"credentialId": dAlice}}
		if device != "" {
			f["profile"] = oktatest.Object{"credentialId": dAlice, "deviceType": "SmartPhone_IPhone", "name": device, "platform": "IOS", "version": "17.4"}
		}
		return f
	}
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(func(o *oktatest.Org) {
		o.Factors[dAlice] = append(o.Factors[dAlice], ov("ost1alicetotp00001", "token:software:totp", ""), ov("sgn1alicefp0000001", "signed_nonce", "iPhone 15"))
	})
	_, res := judge(t, srv)
	if f := finding(checkResult(t, res, "MFA-02"), dAlice); f == nil {
		t.Errorf("alice (push, TOTP and FastPass on one iPhone) is not an MFA-02 finding")
	}
	srv.Org(func(o *oktatest.Org) {
		o.Factors[dAlice] = append(o.Factors[dAlice], ov("opf1alicepad000001", "push", "iPad Air"))
	})
	_, res = judge(t, srv)
	if f := finding(checkResult(t, res, "MFA-02"), dAlice); f != nil {
		t.Errorf("alice with Okta Verify on two devices is an MFA-02 finding: %s", f.Message)
	}
}

func TestEngineSyncedPasskeys(t *testing.T) {
	// profile.authenticatorName is "set from the AAGUID metadata during
	// enrollment" (openapi.yaml UserFactorWebAuthnProfile): a synced
	// passkey provider is passkey_synced (AAL2); an unknown authenticator
	// is AAL3 only where the webauthn method blocks syncable passkeys
	// (settings.allowSyncablePasskeys, default true).
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(func(o *oktatest.Org) {
		for _, f := range o.Factors[dBob] {
			if f["factorType"] == "webauthn" {
				f["profile"] = oktatest.Object{"credentialId": "aK9sYnc", "authenticatorName": "iCloud Keychain"}
			}
		}
		o.Factors[dCarl] = append(o.Factors[dCarl], oktatest.Object{"id": "fwf1carlunknown001", "factorType": "webauthn", "provider": "FIDO",
			"vendorName": "FIDO", "status": "ACTIVE", "created": "2026-02-01T00:00:00.000Z", "lastUpdated": "2026-02-01T00:00:00.000Z",
			"profile": oktatest.Object{"credentialId": "cRl", "authenticatorName": "Acme Authenticator"}})
	})
	src, _ := judge(t, srv)
	kindOf := func(src *evidence.Source, user string) []evidence.MethodKind {
		for _, a := range src.Accounts {
			if a.ID == user {
				var out []evidence.MethodKind
				for _, m := range a.Methods {
					if m.VendorType == "webauthn" {
						out = append(out, m.Kind)
					}
				}
				return out
			}
		}
		return nil
	}
	if k := kindOf(src, dBob); !slices.Equal(k, []evidence.MethodKind{evidence.KindPasskeySynced}) {
		t.Errorf("bob's iCloud Keychain passkey: %v", k)
	}
	if k := kindOf(src, dAda); !slices.Equal(k, []evidence.MethodKind{evidence.KindFIDO2}) {
		t.Errorf("ada's YubiKey: %v", k)
	}
	if k := kindOf(src, dCarl); !slices.Equal(k, []evidence.MethodKind{evidence.KindPasskeySynced}) {
		t.Errorf("carl's unknown authenticator with syncable passkeys allowed: %v", k)
	}
	if a := explain(t, src, dBob); a.Nominal != checks.AAL2 {
		t.Errorf("bob nominal %s with a synced passkey", a.Nominal)
	}
	srv.Org(func(o *oktatest.Org) {
		for _, a := range o.Authenticators {
			if a["key"] == "webauthn" {
				o.AuthenticatorMethods[a["id"].(string)] = objects(t, `[{"type":"webauthn","status":"ACTIVE",
				  "settings":{"userVerification":"REQUIRED","attachment":"ANY","allowSyncablePasskeys":false},"_links":{}}]`)
			}
		}
	})
	src, _ = judge(t, srv)
	if k := kindOf(src, dCarl); !slices.Equal(k, []evidence.MethodKind{evidence.KindFIDO2}) {
		t.Errorf("carl's unknown authenticator with syncable passkeys blocked: %v", k)
	}
	if k := kindOf(src, dBob); !slices.Equal(k, []evidence.MethodKind{evidence.KindPasskeySynced}) {
		t.Errorf("bob's iCloud Keychain passkey (enrolled before the block): %v", k)
	}
}

func TestEngineFederatedUsers(t *testing.T) {
	// FEDERATION and SOCIAL users "don't support a password or recovery
	// question credential" (openapi.yaml AuthenticationProviderType): no
	// Okta reset path; password policies apply by conditions.authProvider.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(func(o *oktatest.Org) {
		for _, u := range o.Users {
			if u["id"] == dCarl {
				u["credentials"] = oktatest.Object{"provider": oktatest.Object{"type": "FEDERATION", "name": "FEDERATION"}}
			}
		}
	})
	src, _ := judge(t, srv)
	if src.CredentialProviders[dCarl] != "FEDERATION" {
		t.Fatalf("credential providers %v", src.CredentialProviders)
	}
	carl := explain(t, src, dCarl)
	for _, p := range carl.Paths {
		if p.Kind == checks.PathRecovery {
			t.Errorf("federated carl has a recovery path: %+v", p)
		}
	}
	if len(carl.Paths) == 0 || !strings.Contains(carl.Paths[0].Context, "external identity provider") {
		t.Errorf("carl's paths do not say the first factor is at the IdP:\n%s", paths(carl))
	}
	if a := explain(t, src, dAlice); !hasPath(a, checks.PathRecovery, "email_otp", "") {
		t.Errorf("alice (OKTA) lost her email recovery:\n%s", paths(a))
	}

	// An ACTIVE_DIRECTORY password policy above the default applies to
	// AD-sourced users only.
	srv.Org(func(o *oktatest.Org) {
		o.Policies = append(o.Policies, objects(t, `[{"type":"PASSWORD","id":"00p1pwad0000000010","status":"ACTIVE","name":"AD users","priority":0,"system":false,
		  "conditions":{"people":{"groups":{"include":["00g1everyone000001"]}},"authProvider":{"provider":"ACTIVE_DIRECTORY"}},
		  "settings":{"recovery":{"factors":{"okta_email":{"status":"INACTIVE"},"okta_sms":{"status":"INACTIVE"},"okta_call":{"status":"INACTIVE"}}}},
		  "created":"2026-01-01T00:00:00.000Z","lastUpdated":"2026-01-01T00:00:00.000Z","_links":{}}]`)...)
		o.PolicyRules["00p1pwad0000000010"] = objects(t, `[{"id":"0pr1pwad0000000010","status":"ACTIVE","name":"AD rule","priority":1,"system":false,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"}},
		  "actions":{"passwordChange":{"access":"DENY"},"selfServicePasswordReset":{"access":"DENY"},"selfServiceUnlock":{"access":"DENY"}},"type":"PASSWORD"}]`)
	})
	src, _ = judge(t, srv)
	if a := explain(t, src, dAlice); !hasPath(a, checks.PathRecovery, "email_otp", "") {
		t.Errorf("the ACTIVE_DIRECTORY policy decided alice's (OKTA) recovery:\n%s", paths(a))
	}
}

func TestEngineAssistedResets(t *testing.T) {
	// REC-07 reads admin password expiry (user.account.expire_password:
	// "whether a temporary password was created") and Desktop MFA recovery
	// PINs (device.desktop_mfa.recovery_pin.generate: "generated by admin")
	// (developer.okta.com event types); a factor reset whose only target is
	// the enrolment is attributed to the enrolment's owner, never read as
	// the admin's own change.
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	var adaKey string
	srv.Org(func(o *oktatest.Org) {
		for _, f := range o.Factors[dAda] {
			if f["factorType"] == "webauthn" {
				adaKey = f["id"].(string)
			}
		}
		o.Logs = objects(t, `[
		 {"uuid":"e12a0001-0000-4000-8000-000000000001","published":"2026-11-20T10:00:00.000Z","eventType":"user.account.expire_password","version":"0","severity":"INFO",
		  "displayMessage":"Expire user password","actor":{"id":"00u1bob00000000002","type":"User","alternateId":"bob@acme-default.com","displayName":"Bob"},
		  "outcome":{"result":"SUCCESS"},"target":[{"id":"00u1ada00000000003","type":"User","alternateId":"ada@acme-default.com","displayName":"Ada"}],
		  "client":{"ipAddress":"198.51.100.7"},"transaction":{"type":"WEB","id":"tx1"},"debugContext":{"debugData":{}}},
		 {"uuid":"e12a0002-0000-4000-8000-000000000002","published":"2026-11-20T10:05:00.000Z","eventType":"user.mfa.factor.deactivate","version":"0","severity":"INFO",
		  "displayMessage":"Reset factor for user","actor":{"id":"00u1bob00000000002","type":"User","alternateId":"bob@acme-default.com","displayName":"Bob"},
		  "outcome":{"result":"SUCCESS"},"target":[{"id":"`+adaKey+`","type":"AuthenticatorEnrollment","alternateId":"unknown","displayName":"Security Key or Biometric"}],
		  "client":{"ipAddress":"198.51.100.7"},"transaction":{"type":"WEB","id":"tx2"},"debugContext":{"debugData":{}}},
		 {"uuid":"e12a0003-0000-4000-8000-000000000003","published":"2026-11-20T10:10:00.000Z","eventType":"device.desktop_mfa.recovery_pin.generate","version":"0","severity":"INFO",
		  "displayMessage":"Device recovery PIN generated by admin","actor":{"id":"00u1bob00000000002","type":"User","alternateId":"bob@acme-default.com","displayName":"Bob"},
		  "outcome":{"result":"SUCCESS"},"target":[{"id":"00u1ada00000000003","type":"User","alternateId":"ada@acme-default.com","displayName":"Ada"},
		    {"id":"guo1adamac00000001","type":"Device","alternateId":"unknown","displayName":"Ada's MacBook"}],
		  "client":{"ipAddress":"198.51.100.7"},"transaction":{"type":"WEB","id":"tx3"},"debugContext":{"debugData":{}}}]`)
	})
	src, res := judge(t, srv)
	kinds := map[evidence.EventKind]string{}
	for _, ev := range src.Events {
		kinds[ev.Kind] = ev.Target.ID
	}
	if kinds[evidence.EvPasswordResetAdmin] != dAda || kinds[evidence.EvFactorReset] != dAda || kinds[evidence.EvRecoveryPINIssued] != dAda {
		t.Fatalf("events %+v", src.Events)
	}
	if _, self := kinds[evidence.EvMethodRemoved]; self {
		t.Error("the admin's reset of ada's key was read as a self-service removal")
	}
	rec := checkResult(t, res, "REC-07")
	f := finding(rec, dAda)
	if rec.Status != checks.Fail || f == nil || f.Evidence["event_count"] != 3 {
		t.Fatalf("REC-07 %s %+v", rec.Status, rec.Findings)
	}
}

func TestEngineZoneNames(t *testing.T) {
	// Contexts name network zones (GET /api/v1/zones, listNetworkZones,
	// okta.networkZones.read); without the list they name the zone id and
	// a warning says why.
	oneFactorFromZone := func(o *oktatest.Org) {
		o.PolicyRules["00p1appdefault0008"] = objects(t, `[
		 {"id":"0pr1office00000008","status":"ACTIVE","name":"Office: password only","priority":1,"system":false,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ZONE","include":["nzo1corporate00001"]},"riskScore":{"level":"ANY"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"1FA","type":"ASSURANCE","reauthenticateIn":"PT12H",
		    "constraints":[{"knowledge":{"types":["password"],"reauthenticateIn":"PT12H"}}]}}},"type":"ACCESS_POLICY"},
		 {"id":"0pr1appdefcatch008","status":"ACTIVE","name":"Catch-all Rule","priority":99,"system":true,
		  "conditions":{"people":{"users":{"exclude":[]}},"network":{"connection":"ANYWHERE"},"riskScore":{"level":"ANY"}},
		  "actions":{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","type":"ASSURANCE","reauthenticateIn":"PT12H","constraints":[]}}},"type":"ACCESS_POLICY"}]`)
		o.Zones = objects(t, `[
		 {"type":"IP","id":"nzo1corporate00001","name":"Corporate HQ","status":"ACTIVE","usage":"POLICY","system":false,
		  "gateways":[{"type":"CIDR","value":"203.0.113.0/24"}],"proxies":null,"created":"2026-01-01T00:00:00.000Z","lastUpdated":"2026-01-01T00:00:00.000Z",
		  "_links":{"self":{"href":"https://acme-default.okta.com/api/v1/zones/nzo1corporate00001"}}},
		 {"type":"IP","id":"nzo1legacyipzone01","name":"LegacyIpZone","status":"ACTIVE","usage":"POLICY","system":true,"gateways":[],"proxies":null,
		  "created":"2026-01-01T00:00:00.000Z","lastUpdated":"2026-01-01T00:00:00.000Z","_links":{}}]`)
	}
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Org(oneFactorFromZone)
	src, _ := judge(t, srv)
	if a := explain(t, src, dBob); !hasPath(a, checks.PathPasswordOnly, "password", "from zone Corporate HQ") {
		t.Errorf("no path named after the zone:\n%s", paths(a))
	}
	srv.Deny("/api/v1/zones")
	src, _ = judge(t, srv)
	if a := explain(t, src, dBob); !hasPath(a, checks.PathPasswordOnly, "password", "from zone nzo1corporate00001") {
		t.Errorf("zone ids not used when the names are unreadable:\n%s", paths(a))
	}
	warned := false
	for _, w := range src.Warnings {
		warned = warned || strings.Contains(w, "okta.networkZones.read")
	}
	if !warned {
		t.Errorf("no warning naming the zone scope: %v", src.Warnings)
	}
	if c, _ := src.CoverageOf(evidence.DSPolicies); c.Status != evidence.Complete {
		t.Errorf("unreadable zone names made policies %s", c.Status)
	}
}

func TestEngineMethodsUnreadable(t *testing.T) {
	// A methods read that fails leaves the authenticators dataset partial
	// and each authenticator's key standing for its methods (every kind it
	// can enable counts as enabled: no account looks stronger for it).
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.FailNext("/api/v1/authenticators/*/methods", 500, 100)
	src := collect(t, connector(t, srv))
	c, _ := src.CoverageOf(evidence.DSAuthn)
	if c.Status != evidence.Partial || !strings.Contains(c.Detail, "kinds taken from the authenticator key") {
		t.Fatalf("authenticators coverage %+v", c)
	}
	for _, m := range src.Policies.Methods {
		if m.VendorKey == "okta_verify" && !slices.Equal(m.Kinds, []evidence.MethodKind{evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass}) {
			t.Errorf("okta_verify kinds %v", m.Kinds)
		}
	}
}

func TestProbeMethodsAndZones(t *testing.T) {
	// doctor probes an authenticator's methods (okta.authenticators.read)
	// and the zone list (okta.networkZones.read, best effort).
	srv := oktatest.NewServer(t, oktatest.WithFixtures(defaultOrg))
	srv.Deny("/api/v1/zones")
	got := probeByDataset(t, srv)
	if p := got["authenticators (methods)"]; p.Status != evidence.Complete || p.Needed != "okta.authenticators.read" {
		t.Errorf("methods probe %+v", p)
	}
	if p := got["network zones (names)"]; p.Status != evidence.Denied || p.Needed != "okta.networkZones.read" || !strings.Contains(p.Detail, "best effort") {
		t.Errorf("zones probe %+v", p)
	}
	if srv.RequestCount("/api/v1/authenticators/*/methods") != 1 {
		t.Errorf("methods probed %d times", srv.RequestCount("/api/v1/authenticators/*/methods"))
	}
	srv.AssertReadOnly(t)
}
