package checks

import (
	"testing"
	"time"
)

// TestFirstSeen: a finding is dated by the earliest run that had it: an
// earlier run's own first_seen, else that run's collection time, else this
// run's (new).
func TestFirstSeen(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	u := func(id string) Subject { return Subject{Type: "user", ID: id} }
	run := func(at time.Time, fs ...Finding) *Results {
		return &Results{Sources: []SourceInfo{{CollectedAt: at}}, Checks: []CheckResult{{ID: "MFA-01", Provider: "okta", Findings: fs}}}
	}
	d1 := day(1)
	older := run(day(5), Finding{Subject: u("a"), FirstSeen: &d1}, Finding{Subject: u("b")})
	old := run(day(10), Finding{Subject: u("a")}, Finding{Subject: u("b")}, Finding{Subject: u("c")})
	seen := SeenBefore{}
	seen.SeeResults(old)
	seen.SeeResults(older)
	now := run(day(20), Finding{Subject: u("a")}, Finding{Subject: u("b")}, Finding{Subject: u("c")}, Finding{Subject: u("d")})
	now.SetFirstSeen(seen)
	want := map[string]time.Time{"a": day(1), "b": day(5), "c": day(10), "d": day(20)}
	for _, f := range now.Checks[0].Findings {
		if f.FirstSeen == nil || !f.FirstSeen.Equal(want[f.Subject.ID]) {
			t.Errorf("%s: first seen %v, want %v", f.Subject.ID, f.FirstSeen, want[f.Subject.ID])
		}
	}
}
