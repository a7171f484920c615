package history

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// TestDemoRun keeps a real run (the demo tenants evaluated by the catalog,
// written by the results.json writer) and reads its trend back.
func TestDemoRun(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	r, err := checks.Evaluate(snap, checks.DefaultParams(now))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (reports.JSON{}).Write(t.Context(), &buf, r); err != nil {
		t.Fatal(err)
	}
	s := Store{Dir: t.TempDir()}
	e := mustSave(t, s, buf.Bytes(), demo.SnapshotJSON, r.GeneratedAt)
	pts, err := s.Trend(5)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 {
		t.Fatalf("trend has %d points, want 1", len(pts))
	}
	p := pts[0]
	if diff := cmp.Diff(Point(e.ID, r), p); diff != "" {
		t.Errorf("trend point from disk differs from the in-memory results (-want +got):\n%s", diff)
	}
	if p.Accounts == 0 || p.Failing.Total() == 0 || p.BelowNominal == 0 || !p.Complete {
		t.Errorf("demo trend point looks wrong: %+v", p)
	}
}

// TestTrendFiguresAreTheSummarys: a run's trend point counts what the
// executive summary counts, by the same definitions (checks.Identity's
// BelowNominal and WeakFallback): page 2's "N of M privileged accounts have
// a weak fallback" and page 3's trend agree for the same run (issue 15:
// "8 privileged accounts with a weak fallback" vs "7 privileged below
// nominal").
func TestTrendFiguresAreTheSummarys(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r, err := checks.Evaluate(snap, checks.DefaultParams(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := reports.BuildView(r, reports.ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := Point("", r).ForResults()
	if p.PrivilegedWeak != v.Summary.PrivilegedWeak.Count || p.PrivilegedWeak == 0 {
		t.Errorf("trend: %d privileged with a weak fallback, summary %d", p.PrivilegedWeak, v.Summary.PrivilegedWeak.Count)
	}
	if p.BelowNominal != v.Summary.GapAccounts || p.BelowNominal == 0 {
		t.Errorf("trend: %d below nominal, summary %d", p.BelowNominal, v.Summary.GapAccounts)
	}
	if p.PrivilegedBelowNominal > p.PrivilegedWeak {
		t.Errorf("privileged below nominal %d > privileged with a weak fallback %d: the second includes the first", p.PrivilegedBelowNominal, p.PrivilegedWeak)
	}
}
