package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func TestScanHistoryKeepsRunsAndTrend(t *testing.T) {
	hist := t.TempDir()
	c := newCLI()
	var out string
	for i := 1; i <= 3; i++ {
		c.env["SOURCE_DATE_EPOCH"] = strconv.Itoa(1795000000 + i*86400)
		out = t.TempDir()
		if code := c.run(t, "scan", "--demo", "--format", "json", "--out", out, "--history", hist); code != 0 {
			t.Fatalf("run %d: exit %d %s", i, code, c.stderr.String())
		}
	}
	entries, _ := os.ReadDir(hist)
	if len(entries) != 3 {
		t.Fatalf("history has %d entries, want 3", len(entries))
	}
	for _, e := range entries {
		for _, f := range []string{"results.json", "evidence.json", "SHA256SUMS"} {
			if _, err := os.Stat(filepath.Join(hist, e.Name(), f)); err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
		}
	}
	res := readResults(t, out)
	if len(res.Trend) != 3 {
		t.Fatalf("trend has %d points, want the 3 runs", len(res.Trend))
	}
	if !res.Trend[2].GeneratedAt.Equal(res.GeneratedAt) || !res.Trend[0].GeneratedAt.Before(res.Trend[1].GeneratedAt) {
		t.Errorf("trend not oldest-first ending with this run: %v", res.Trend)
	}
	// The same run again (same time, same content, same report directory,
	// which results.json names for the cover's verify command) is not a new
	// entry.
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", out, "--history", hist); code != 0 {
		t.Fatal(code)
	}
	if entries, _ := os.ReadDir(hist); len(entries) != 3 {
		t.Errorf("re-saving the same run created an entry: %d", len(entries))
	}
}

// TestFirstSeenFromHistory: with --history, each finding carries when it
// was first seen (the evidence time of the earliest kept run that had it),
// for the Findings sheet's "First seen"; a finding new in this run is dated
// by this run's evidence; without an earlier run no date is claimed
// (issue 15: "first seen (from history)").
func TestFirstSeenFromHistory(t *testing.T) {
	early := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	gone := "marcus.chen@acme.com" // absent from the first run's evidence
	first := writeDemoSnapshot(t, func(s *evidence.Snapshot) {
		for _, src := range s.Sources {
			src.CollectedAt = early
			src.AuditWindow = evidence.Window{Since: early.AddDate(0, 0, -30), Until: early}
			kept := src.Accounts[:0]
			for _, a := range src.Accounts {
				if a.Login != gone {
					kept = append(kept, a)
				}
			}
			src.Accounts = kept
		}
	})
	hist, c := t.TempDir(), newCLI()
	out := t.TempDir()
	if code := c.run(t, "scan", "--snapshot", first, "--format", "json", "--out", out); code != 0 {
		t.Fatalf("scan: %d %s", code, c.stderr.String())
	}
	for _, ch := range readResults(t, out).Checks {
		for _, f := range ch.Findings {
			if f.FirstSeen != nil {
				t.Fatalf("%s %s: first seen %v without any earlier run", ch.ID, f.ID, f.FirstSeen)
			}
		}
	}
	for _, args := range [][]string{{"--snapshot", first}, {"--demo"}} {
		if code := c.run(t, append([]string{"scan", "--format", "json", "--out", out, "--history", hist}, args...)...); code != 0 {
			t.Fatalf("scan %v: %d %s", args, code, c.stderr.String())
		}
	}
	res := readResults(t, out)
	now := res.CollectedAt()
	fresh, old := 0, 0
	for _, ch := range res.Checks {
		for _, f := range ch.Findings {
			if f.FirstSeen == nil {
				t.Fatalf("%s %s: no first seen with a history", ch.ID, f.ID)
			}
			login, _ := f.Evidence["login"].(string)
			switch {
			case login == gone:
				fresh++
				if !f.FirstSeen.Equal(now) {
					t.Errorf("%s %s (%s): first seen %v, want this run's %v", ch.ID, f.ID, login, f.FirstSeen, now)
				}
			case f.FirstSeen.Equal(early):
				old++
			}
		}
	}
	if fresh == 0 || old == 0 {
		t.Errorf("%d findings new in this run, %d seen in the first: want both", fresh, old)
	}
}
