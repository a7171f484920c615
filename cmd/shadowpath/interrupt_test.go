package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
)

// TestInterruptKeepsPreviousReports: Ctrl-C (a cancelled context, which
// main wires to SIGINT/SIGTERM) mid-scan stops in bounded time and leaves
// the previous reports whole.
func TestInterruptKeepsPreviousReports(t *testing.T) {
	gr := graphtest.NewServer(t, graphtest.WithFixtureDir(filepath.Join("..", "..", "testdata", "entra")), graphtest.WithLatency(300*time.Millisecond))
	c := entraCLI(gr)

	out := t.TempDir()
	old := []byte(`{"previous":"report"}`)
	if err := os.WriteFile(filepath.Join(out, "results.json"), old, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
	defer cancel()
	f := newFactory(&c.stdout, &c.stderr, func(k string) string { return c.env[k] })
	f.httpClient = c.client
	start := time.Now()
	code := run(ctx, []string{"scan", "--source", "entra", "--format", "json,pdf", "--out", out}, f)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("interrupted scan took %s to stop", took)
	}
	if code == exitOK || code == exitFailing {
		t.Errorf("interrupted scan exited %d as if it had completed", code)
	}
	got, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if string(got) != string(old) {
		t.Errorf("results.json was changed by an interrupted scan: %q", got)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		t.Errorf("interrupted scan left files behind: %v", entries)
	}
}
