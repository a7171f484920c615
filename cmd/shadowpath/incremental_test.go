package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// TestCollectSinceSnapshot: a scheduled run collects incrementally from the
// previous snapshot, says so (and the rate-limit share) in its summary,
// and verify re-derives results from the incremental snapshot.
func TestCollectSinceSnapshot(t *testing.T) {
	c, ok, _ := fakes(t)
	dir := t.TempDir()
	prev, next := filepath.Join(dir, "prev.json"), filepath.Join(dir, "next.json")
	if code := c.run(t, "collect", "--source", "okta", "--out", prev); code != exitOK {
		t.Fatalf("first collect: exit %d\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "okta: full read of 8 users, rate-limit share 50%") {
		t.Errorf("first collect summary:\n%s", c.stderr.String())
	}
	factorReads := ok.RequestCount("/api/v1/users/*/factors")
	if code := c.run(t, "collect", "--source", "okta", "--out", next, "--since-snapshot", prev); code != exitOK {
		t.Fatalf("incremental collect: exit %d\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "okta: incremental, 0 of 8 users re-read (8 carried over), rate-limit share 50%") {
		t.Errorf("incremental collect summary:\n%s", c.stderr.String())
	}
	if n := ok.RequestCount("/api/v1/users/*/factors") - factorReads; n != 0 {
		t.Errorf("%d factor reads in the incremental run", n)
	}
	snap, _, err := readSnapshot(next)
	if err != nil {
		t.Fatal(err)
	}
	if col := snap.Sources[0].Collection; col == nil || col.Mode != evidence.CollectIncremental {
		t.Fatalf("collection record %+v", col)
	}

	out := t.TempDir()
	if code := c.run(t, "scan", "--snapshot", next, "--format", "json", "--out", out); code != exitOK {
		t.Fatalf("scan of the incremental snapshot: exit %d\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "; okta: incremental, 0 of 8 users re-read") {
		t.Errorf("scan summary line lacks the collection:\n%s", c.stderr.String())
	}
	if code := c.run(t, "verify", next, "--results", filepath.Join(out, "results.json")); code != exitOK || !strings.Contains(c.stdout.String(), "results: ok") {
		t.Errorf("verify of an incremental snapshot: exit %d\n%s", code, c.stdout.String())
	}

	// --full reads everyone and records why.
	if code := c.run(t, "collect", "--source", "okta", "--out", next, "--since-snapshot", prev, "--full"); code != exitOK {
		t.Fatalf("--full: exit %d", code)
	}
	if !strings.Contains(c.stderr.String(), "okta: full read of 8 users (a full read was asked for (--full))") {
		t.Errorf("--full summary:\n%s", c.stderr.String())
	}
	ok.AssertReadOnly(t)
}

// TestSinceSnapshotUnusable: a missing or foreign-version snapshot makes a
// full read that says why (a schedule's first run has no snapshot yet).
func TestSinceSnapshotUnusable(t *testing.T) {
	c, _, _ := fakes(t)
	dir := t.TempDir()
	// A snapshot of an older version (still readable: the demo before
	// access paths) is not carried over.
	v1 := filepath.Join("..", "..", "testdata", "checks", "snapshot-v1.json")
	v2 := filepath.Join(dir, "v3.json")
	if err := os.WriteFile(v2, []byte(`{"schema_version":"3","sources":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, reason string }{
		{filepath.Join(dir, "missing.json"), "the previous snapshot could not be used"},
		{v1, `the previous snapshot has schema_version "1", not "2"`},
		{v2, `the previous snapshot has schema_version "3", not "2"`},
	} {
		if code := c.run(t, "scan", "--source", "okta", "--format", "json", "--out", t.TempDir(), "--since-snapshot", tc.file); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", tc.file, code, c.stderr.String())
		}
		if !strings.Contains(c.stderr.String(), "okta: full read of 8 users ("+tc.reason) {
			t.Errorf("%s: summary lacks %q:\n%s", tc.file, tc.reason, c.stderr.String())
		}
	}
	if code := c.run(t, "scan", "--source", "entra", "--since-snapshot", v2); code != exitIncomplete {
		t.Errorf("--since-snapshot with --source entra: exit %d, want a usage error", code)
	}
}

func TestConfigRateShare(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want float64
		err  bool
	}{{"0.3", 0.3, false}, {`"25%"`, 0.25, false}, {"1", 1, false}, {`"150%"`, 0, true}, {"0", 0, true}, {"half", 0, true}} {
		c, err := parseConfig("cfg.yaml", []byte("okta:\n  rate_share: "+tc.val+"\n"), func(string) string { return "" }, nil)
		switch {
		case tc.err && (err == nil || !strings.Contains(err.Error(), `cfg.yaml:2: field "okta.rate_share"`)):
			t.Errorf("%s: err %v, want one naming the line and field", tc.val, err)
		case !tc.err && (err != nil || c.oktaRateShare != tc.want):
			t.Errorf("%s: %v %v, want %v", tc.val, c, err, tc.want)
		}
	}
	cl, _, _ := fakes(t)
	cfg := filepath.Join(t.TempDir(), "shadowpath.yaml")
	if err := os.WriteFile(cfg, []byte("okta:\n  rate_share: 30%\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := cl.run(t, "collect", "--source", "okta", "--config", cfg, "--out", filepath.Join(t.TempDir(), "s.json")); code != exitOK {
		t.Fatalf("exit %d\n%s", code, cl.stderr.String())
	}
	if !strings.Contains(cl.stderr.String(), "rate-limit share 30%") {
		t.Errorf("summary lacks the configured share:\n%s", cl.stderr.String())
	}
}
