package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/templates/demo"
)

func TestExplain(t *testing.T) {
	t.Run("found by login", func(t *testing.T) {
		c := newCLI()
		if code := c.run(t, "explain", "marcus.chen@acme.com", "--demo"); code != exitOK {
			t.Fatalf("exit %d: %s", code, c.stderr.String())
		}
		out := c.stdout.String()
		for _, want := range []string{"Marcus Chen <marcus.chen@acme.com>", "Privileged: Super Administrator", "Okta Identity Engine",
			"Effective AAL2", "password + sms", "for the Okta Dashboard", "decided by:", "Okta Dashboard / Everyone: any two factors"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("found by display name, as JSON, weakest first", func(t *testing.T) {
		c := newCLI()
		if code := c.run(t, "explain", "kiosk front desk", "--demo", "--format", "json"); code != exitOK {
			t.Fatalf("exit %d: %s", code, c.stderr.String())
		}
		var got struct {
			EffectiveAAL string `json:"effective_aal"`
			Paths        []struct {
				Kind string `json:"kind"`
				AAL  string `json:"aal"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(c.stdout.Bytes(), &got); err != nil {
			t.Fatalf("%v:\n%s", err, c.stdout.String())
		}
		if got.EffectiveAAL != "AAL1" || len(got.Paths) == 0 || got.Paths[0].Kind != "password_only" || got.Paths[0].AAL != "AAL1" {
			t.Errorf("kiosk: %+v", got)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		c := newCLI()
		if code := c.run(t, "explain", "nobody@acme.com", "--demo"); code != exitIncomplete {
			t.Fatalf("exit %d, want 2", code)
		}
		if !strings.Contains(c.stderr.String(), `"nobody@acme.com"`) {
			t.Errorf("stderr %q does not name the query", c.stderr.String())
		}
	})
	t.Run("ambiguous lists the candidates", func(t *testing.T) {
		snap, err := demo.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, src := range snap.Sources {
			src.Accounts[0].Name = "Sam Taylor"
			ids = append(ids, src.Accounts[0].ID)
		}
		path := filepath.Join(t.TempDir(), "snap.json")
		if err := writeSnapshot(path, snap); err != nil {
			t.Fatal(err)
		}
		c := newCLI()
		if code := c.run(t, "explain", "Sam Taylor", "--snapshot", path); code != exitIncomplete {
			t.Fatalf("exit %d, want 2", code)
		}
		for _, id := range ids {
			if !strings.Contains(c.stderr.String(), id) {
				t.Errorf("candidate %s not listed: %s", id, c.stderr.String())
			}
		}
	})
	t.Run("terminal output is escaped", func(t *testing.T) {
		if got := printable("Eve\x1b[31m\u202e"); got != `Eve\u001b[31m\u202e` {
			t.Errorf("printable = %q", got)
		}
	})
}
