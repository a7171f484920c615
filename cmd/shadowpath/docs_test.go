package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsInSync fails when docs/cli no longer matches the commands:
// run `go run ./cmd/shadowpath docs --dir docs/cli`.
func TestDocsInSync(t *testing.T) {
	c := newCLI()
	dir := t.TempDir()
	if code := c.run(t, "docs", "--dir", dir, "-q"); code != 0 {
		t.Fatalf("docs: exit %d %s", code, c.stderr.String())
	}
	gen, _ := os.ReadDir(dir)
	committed, _ := os.ReadDir(filepath.Join("..", "..", "docs", "cli"))
	if len(gen) != len(committed) {
		t.Fatalf("docs/cli has %d files, the commands give %d: regenerate", len(committed), len(gen))
	}
	for _, e := range gen {
		a, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		b, _ := os.ReadFile(filepath.Join("..", "..", "docs", "cli", e.Name()))
		if !bytes.Equal(a, b) {
			t.Errorf("docs/cli/%s is stale: run go run ./cmd/shadowpath docs --dir docs/cli", e.Name())
		}
	}
}
