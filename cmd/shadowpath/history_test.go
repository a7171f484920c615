package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
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
