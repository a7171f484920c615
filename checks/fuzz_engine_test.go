package checks_test

import (
	"bytes"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// FuzzEvaluateSnapshot: any snapshot the decoder accepts evaluates, explains
// and plans without a panic — odd policies (nil conditions, unknown
// requirement values, empty rule lists, cyclic-looking priorities) included.
func FuzzEvaluateSnapshot(f *testing.F) {
	f.Add(demo.SnapshotJSON)
	f.Add([]byte(`{"schema_version":"2","sources":[{"provider":"okta","tenant":"t","coverage":[],"accounts":[{"id":"00u1","methods":[{"kind":"fido2"}]}],
	  "policies":{"engine":"okta_identity_engine","access":[{"id":"p","type":"okta_global_session","enabled":true,"rules":[{"id":"r","enabled":true,"access":"ALLOW","conditions":{"people":{}},"requirement":{"factor_mode":"3FA","constraints":[{"possession":{"required":false}}]}}]},
	  {"id":"a","type":"okta_authentication","enabled":true,"apps":[{"id":"okta:dashboard"}],"rules":[{"enabled":true,"access":"ALLOW","conditions":{"network":{"connection":"ZONE"},"expression":"accessRequest.operation == 'recover' ||"},"requirement":{"type":"AUTH_METHOD_CHAIN","chains":[{"steps":[[]]}]}}]}],
	  "recovery":[{"id":"x","enabled":true,"self_service":true,"access_control":"AUTH_POLICY","methods":["email_otp"]}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := evidence.DecodeSnapshot(bytes.NewReader(data))
		if err != nil {
			return
		}
		p := checks.DefaultParams(demo.CollectedAt)
		if _, err := checks.Evaluate(snap, p); err != nil {
			return
		}
		for _, ref := range checks.FindAccounts(snap, "00u1") {
			checks.Explain(snap, ref, p)
		}
		if _, err := checks.ComputePlan(snap, p, checks.PlanOptions{MaxSteps: 2, MaxCandidates: 5}); err != nil {
			t.Fatalf("plan: %v", err)
		}
	})
}
