package entra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// These tests feed the Entra engine's rules (checks/engine_entra.go)
// through Graph's wire format: the fixture tenant (testdata/entra), changed
// per rule with the JSON Graph would return, collected with msgraph-sdk-go
// and azidentity over real sockets against graphtest, and judged by
// checks.Evaluate. Each test names the Microsoft page that states its rule.

// tenantWith copies the fixture tenant and replaces some of its files
// (name without .json → Graph JSON).
func tenantWith(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir("../../testdata/entra")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("../../testdata/entra", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, js := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(js), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// caPolicies wraps policies in a CA collection answer.
func caPolicies(ps ...string) string {
	return `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies","value":[` + strings.Join(ps, ",") + `]}`
}

// judge collects a tenant and evaluates it.
func judge(t *testing.T, dir string) (*evidence.Source, *checks.Results) {
	t.Helper()
	s := graphtest.NewServer(t, graphtest.WithFixtureDir(dir))
	got := collect(t, config(s))
	if got.err != nil {
		t.Fatal(got.err)
	}
	s.AssertOnlyGET(t)
	res, err := checks.Evaluate(&evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{got.src}}, checks.DefaultParams(scanTime))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return got.src, res
}

func explainAcct(t *testing.T, src *evidence.Source, id string) checks.Assurance {
	t.Helper()
	p := checks.DefaultParams(scanTime)
	p.BreakGlass = []string{breakGlass}
	a, ok := checks.AccountAssurance(src, id, p)
	if !ok {
		t.Fatalf("no account %s", id)
	}
	return a
}

func pathsText(a checks.Assurance) string {
	var b strings.Builder
	for _, p := range a.Paths {
		b.WriteString("  " + string(p.Kind) + " " + strings.Join(p.Proofs, "+") + " " + p.AAL + " [" + p.Context + "]\n")
	}
	return b.String()
}

// hasPathCtx: a path of that kind and proofs whose context contains ctx.
func hasPathCtx(a checks.Assurance, kind checks.PathKind, proofs, ctx string) bool {
	for _, p := range a.Paths {
		if p.Kind == kind && strings.Join(p.Proofs, "+") == proofs && strings.Contains(p.Context, ctx) {
			return true
		}
	}
	return false
}

func resultOf(t *testing.T, res *checks.Results, id string) checks.CheckResult {
	t.Helper()
	for _, c := range res.Checks {
		if c.ID == id && c.Provider == string(evidence.Entra) {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return checks.CheckResult{}
}

func TestEngineDebugFixture(t *testing.T) {
	src, res := judge(t, "../../testdata/entra")
	for _, a := range src.Accounts {
		t.Logf("%s %s\n%s", a.Login, a.Roles, pathsText(explainAcct(t, src, a.ID)))
	}
	for _, c := range res.Checks {
		if c.Provider == string(evidence.Entra) {
			t.Logf("%s %s %s", c.ID, c.Status, c.Rationale)
			for _, f := range c.Findings {
				t.Logf("   %s", f.Message)
			}
		}
	}
}
