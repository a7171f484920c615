package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/checks"
)

// TestPlanCommandAndOwners: the plan on the terminal, --what-if for one
// action, and owners from the config reaching results.json, the XLSX and
// the PDF (README "Remediation plan").
func TestPlanCommandAndOwners(t *testing.T) {
	c := newCLI()
	if code := c.run(t, "plan", "--demo"); code != exitOK {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	out := c.stdout.String()
	for _, want := range []string{"Remediation plan:", "effect:", "where:", "owner:      helpdesk-lead@acme.com", "downgraded accounts restored"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	c = newCLI()
	if code := c.run(t, "plan", "--demo", "--format", "json"); code != exitOK {
		t.Fatal(c.stderr.String())
	}
	var pl checks.Plan
	if err := json.Unmarshal(c.stdout.Bytes(), &pl); err != nil || len(pl.Steps) == 0 {
		t.Fatalf("plan JSON: %v %+v", err, pl)
	}
	id := pl.Steps[0].ID
	c = newCLI()
	if code := c.run(t, "plan", "--demo", "--what-if", id); code != exitOK || !strings.Contains(c.stdout.String(), id) || !strings.Contains(c.stdout.String(), "accounts raised") {
		t.Errorf("what-if %s: exit %d\n%s", id, code, c.stdout.String())
	}
	c = newCLI()
	if code := c.run(t, "plan", "--demo", "--what-if", "ACT-NOPE"); code != exitIncomplete {
		t.Errorf("unknown action: exit %d", code)
	}

	dir := t.TempDir()
	c = newCLI()
	if code := c.run(t, "scan", "--demo", "--out", dir, "--format", "json,xlsx,pdf"); code != exitOK {
		t.Fatalf("scan exit %d: %s", code, c.stderr.String())
	}
	res := readResults(t, dir)
	if len(res.Actions) == 0 {
		t.Fatal("results.json has no actions")
	}
	owners := map[string]string{}
	for _, a := range res.Actions {
		owners[a.Provider+"/"+a.Check] = a.Owner
		if a.Owner == "" {
			t.Errorf("action %s has no owner although the demo config names one per provider", a.ID)
		}
	}
	if o, ok := owners["okta/REC-03"]; ok && o != "helpdesk-lead@acme.com" {
		t.Errorf("okta/REC-03 owner %q, want the per-check owner", o)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "shadowpath-report.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Action plan")
	if err != nil || len(rows) < 3+len(res.Actions) {
		t.Fatalf("Action plan sheet: %v, %d rows", err, len(rows))
	}
	if got := rows[3][13]; got != res.Actions[0].Owner {
		t.Errorf("Action plan owner %q, want %q", got, res.Actions[0].Owner)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "shadowpath-report.pdf"))
	if err != nil || len(pdf) == 0 {
		t.Fatal(err)
	}
}
