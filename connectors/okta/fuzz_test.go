package okta

import (
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// FuzzVendorJSON feeds arbitrary policy settings, rule actions and log
// events to the reducers: whatever an org returns, they must not panic.
func FuzzVendorJSON(f *testing.F) {
	f.Add([]byte(`{"recovery":{"factors":{"okta_email":{"status":"ACTIVE"}}}}`),
		[]byte(`{"selfServicePasswordReset":{"access":"ALLOW","requirement":{"primary":{"methods":["EMAIL"]},"stepUp":{"required":true,"methods":["PUSH"]}}}}`),
		[]byte(`{"uuid":"u","published":"2026-11-01T00:00:00.000Z","eventType":"user.mfa.factor.deactivate","actor":{"id":"a","type":"User"},"target":[{"id":"b","type":"User"}]}`))
	f.Add([]byte(`{"type":"AUTHENTICATORS","authenticators":[{"key":"okta_phone","enroll":{"self":"OPTIONAL"}}]}`),
		[]byte(`{"appSignOn":{"access":"ALLOW","verificationMethod":{"factorMode":"2FA","constraints":[{"possession":{"methods":["WEBAUTHN"],"phishingResistant":"REQUIRED"}}]}}}`),
		[]byte(`{"published":"not a time"}`))
	f.Add([]byte(`null`), []byte(`{"signon":{"access":"DENY","requireFactor":"yes"}}`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, settings, actions, event []byte) {
		r := &run{
			log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
			src:      &evidence.Source{},
			factorOf: map[string]evidence.MethodKind{},
			warned:   map[string]bool{},
		}
		var people rawConditions
		_ = json.Unmarshal(settings, &people)
		rules := []rawRule{{ID: "0pr1", Status: "ACTIVE", Actions: actions, Conditions: &people}}
		for _, typ := range policyTypes {
			p := &rawPolicy{ID: "00p1", Type: typ, Status: "ACTIVE", Settings: settings, Conditions: &people, rules: rules}
			switch typ {
			case "PASSWORD":
				r.recovery(p)
			case "MFA_ENROLL":
				r.registration(p, p)
			case "OKTA_SIGN_ON":
				r.accessPolicy(p, evidence.APOktaGlobalSession, policyExtras{conditions: settings, ruleConditions: map[string]json.RawMessage{"0pr1": settings}})
			default:
				r.accessPolicy(p, evidence.APOktaAuthentication, policyExtras{conditions: settings, ruleConditions: map[string]json.RawMessage{"0pr1": settings}})
			}
			r.enrollTargets(&readPolicies{byType: map[string][]*rawPolicy{"MFA_ENROLL": {p}}, ok: true})
		}
		var e rawEvent
		if json.Unmarshal(event, &e) == nil {
			r.event(e)
		}
	})
}
