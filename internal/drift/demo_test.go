package drift

import (
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/templates/demo"
)

func evalDemo(t *testing.T, now time.Time, withWaivers bool) *checks.Results {
	t.Helper()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	p := checks.DefaultParams(now)
	if withWaivers {
		if p.Waivers, err = checks.ParseWaivers("waivers.yaml", demo.WaiversYAML); err != nil {
			t.Fatal(err)
		}
	}
	r, err := checks.Evaluate(snap, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDemoWaiverLifecycle drives Compare with real evaluations of the demo
// tenants: adding the waivers makes the findings they cover newly waived
// (not resolved: a decision, not a fix) and adds no failure; once they
// lapse, those findings come back as new, saying their waiver expired.
func TestDemoWaiverLifecycle(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	bare, waived := evalDemo(t, now, false), evalDemo(t, now, true)
	lapsed := evalDemo(t, time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC), true) // after every demo waiver

	t.Run("waivers added", func(t *testing.T) {
		d := Compare(bare, waived)
		if len(d.New) != 0 {
			t.Errorf("adding waivers made %d new failures: %+v", len(d.New), d.New)
		}
		covered := 0
		for _, c := range waived.Checks {
			for _, f := range c.Findings {
				if f.Waiver != nil && !f.Waiver.Expired {
					covered++
					if !containsFinding(d.NewlyWaived, c.ID, c.Provider, f.Subject) {
						t.Errorf("%s %s %s covered by a waiver but not newly waived", c.ID, c.Provider, f.Subject.ID)
					}
				}
			}
		}
		if covered == 0 || len(d.NewlyWaived) != covered || len(d.Resolved) != 0 {
			t.Errorf("newly waived %d, resolved %d; want the %d waived findings newly waived and none resolved", len(d.NewlyWaived), len(d.Resolved), covered)
		}
		if !containsStatus(d.Changed, checks.Fail, checks.Waived) {
			t.Errorf("no fail→waived status change: %+v", d.Changed)
		}
	})
	t.Run("waivers lapsed", func(t *testing.T) {
		d := Compare(waived, lapsed)
		// Later checks may also see time-driven changes (unused credentials,
		// audit window): require the covered findings among the new ones.
		for _, c := range waived.Checks {
			for _, f := range c.Findings {
				if f.Waiver != nil && !f.Waiver.Expired && !containsFinding(d.New, c.ID, c.Provider, f.Subject) {
					t.Errorf("%s %s %s: waiver lapsed but the finding is not new", c.ID, c.Provider, f.Subject.ID)
				}
				for _, n := range d.New {
					if f.Waiver != nil && !f.Waiver.Expired && n.CheckID == c.ID && n.Provider == c.Provider && n.Subject.ID == f.Subject.ID && n.Reason != "waiver expired" {
						t.Errorf("%s %s %s: new because its waiver expired, but says %q", c.ID, c.Provider, f.Subject.ID, n.Reason)
					}
				}
			}
		}
		if !containsStatus(d.Changed, checks.Waived, checks.Fail) {
			t.Errorf("no waived→fail status change: %+v", d.Changed)
		}
	})
}

func containsFinding(fs []checks.DriftFinding, id, provider string, s checks.Subject) bool {
	for _, f := range fs {
		if f.CheckID == id && f.Provider == provider && f.Subject.Type == s.Type && f.Subject.ID == s.ID {
			return true
		}
	}
	return false
}

func containsStatus(cs []checks.DriftStatus, from, to checks.Status) bool {
	for _, c := range cs {
		if c.From == from && c.To == to {
			return true
		}
	}
	return false
}
