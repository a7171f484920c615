package oscal

import (
	"bytes"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

// TestDemoScan renders what `scan --demo --format oscal` would: the demo
// evidence evaluated by the real catalog with the demo waivers. The document
// must validate and carry one observation and finding per check result and a
// risk per failing or waived one, with satisfied exactly for pass and
// not_applicable.
func TestDemoScan(t *testing.T) {
	r, err := fixture.Demo()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (OSCAL{}).Write(t.Context(), &buf, r); err != nil { // validates
		t.Fatal(err)
	}
	res := decode(t, buf.Bytes()).Results[0]

	wantRisks, wantSatisfied := 0, 0
	for _, c := range r.Checks {
		switch c.Status {
		case checks.Fail, checks.Waived:
			wantRisks++
		case checks.Pass, checks.NotApplicable:
			wantSatisfied++
		}
	}
	if wantRisks == 0 || r.Summary.Waived == 0 {
		t.Fatalf("the demo should have failing and waived checks (summary %+v)", r.Summary)
	}
	satisfied := 0
	for _, f := range *res.Findings {
		if f.Target.Status.State == "satisfied" {
			satisfied++
		}
	}
	if n := len(*res.Findings); n != len(r.Checks) || len(*res.Observations) != len(r.Checks) {
		t.Errorf("findings %d, observations %d, want %d each", n, len(*res.Observations), len(r.Checks))
	}
	if satisfied != wantSatisfied {
		t.Errorf("satisfied findings = %d, want %d (pass + not_applicable)", satisfied, wantSatisfied)
	}
	if res.Risks == nil || len(*res.Risks) != wantRisks {
		t.Errorf("risks = %v, want %d", res.Risks, wantRisks)
	}
}
