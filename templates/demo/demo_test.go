package demo

import (
	"bytes"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// TestSnapshotInSync fails when snapshot.json no longer matches Build():
// run `go generate ./templates/demo`.
func TestSnapshotInSync(t *testing.T) {
	want, err := evidence.Canonical(Build())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, SnapshotJSON) {
		t.Fatal("templates/demo/snapshot.json is stale: run go generate ./templates/demo")
	}
}

func TestSnapshotDecodes(t *testing.T) {
	s, err := Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Sources) != 2 {
		t.Fatalf("sources = %d, want okta and entra", len(s.Sources))
	}
	total := 0
	for _, src := range s.Sources {
		total += len(src.Accounts)
		for _, c := range src.Coverage {
			if c.Status != evidence.Complete {
				t.Errorf("%s %s coverage %s: the demo must be a complete scan", src.Provider, c.Dataset, c.Status)
			}
		}
		for _, a := range src.Accounts {
			for _, m := range a.Methods {
				if m.Kind == evidence.KindUnknown {
					t.Errorf("%s %s: unknown method %s", src.Provider, a.Login, m.VendorType)
				}
			}
		}
	}
	if total < 50 || total > 70 {
		t.Errorf("demo has %d accounts, want about 60", total)
	}
}
