package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
	"github.com/shadowpath/shadowpath/templates"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/reports/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "reports", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func viewJSON(t *testing.T, v *View) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBuildViewGolden(t *testing.T) {
	v, err := BuildView(fixture.Results(), ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "view.golden.json", viewJSON(t, v))
}

func TestBuildViewDeterministic(t *testing.T) {
	a, err := BuildView(fixture.Results(), ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b, err := BuildView(fixture.Results(), ViewOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(viewJSON(t, a), viewJSON(t, b)) {
			t.Fatal("two builds of the same results differ")
		}
	}
}

func TestBuildViewContent(t *testing.T) {
	r := fixture.Results()
	v, err := BuildView(r, ViewOptions{Organization: "Override Ltd", TopSubjects: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("cover", func(t *testing.T) {
		if v.Cover.Organization != "Override Ltd" || v.Cover.Classification != "Confidential" {
			t.Errorf("cover = %+v", v.Cover)
		}
		if len(v.Cover.Tenants) != 2 || v.Cover.Tenants[0].Provider != "okta" || v.Cover.Tenants[1].EvidenceSHA256 == "" {
			t.Errorf("tenants = %+v", v.Cover.Tenants)
		}
	})
	t.Run("headline gap", func(t *testing.T) {
		// zoe (AAL3→AAL2), dana (AAL3→AAL2), finance admin (AAL3→AAL2).
		if v.Summary.GapAccounts != 3 || v.Summary.Accounts != 13 {
			t.Errorf("gap = %d of %d", v.Summary.GapAccounts, v.Summary.Accounts)
		}
		if !strings.HasPrefix(v.Summary.Headline, "3 of 13 accounts (23%)") {
			t.Errorf("headline = %q", v.Summary.Headline)
		}
		if v.Summary.PrivilegedWeak.Count != 3 || v.Summary.PrivilegedWeak.Total != 4 {
			t.Errorf("privileged weak = %+v", v.Summary.PrivilegedWeak)
		}
	})
	t.Run("incomplete datasets named", func(t *testing.T) {
		joined := strings.Join(v.Summary.Incomplete, "\n")
		for _, want := range []string{"Okta api_tokens: denied", "Microsoft Entra ID directory_audits: partial"} {
			if !strings.Contains(joined, want) {
				t.Errorf("incomplete %q lacks %q", joined, want)
			}
		}
	})
	t.Run("top risks start with critical", func(t *testing.T) {
		// With a remediation plan, its decisions take the place of risks 4 and 5.
		if len(v.Summary.TopRisks) != 3 || len(v.Summary.Decisions.Actions) == 0 {
			t.Fatalf("top risks = %d with %d decisions", len(v.Summary.TopRisks), len(v.Summary.Decisions.Actions))
		}
		for i, risk := range v.Summary.TopRisks {
			if i > 0 && risk.Severity.Rank() > v.Summary.TopRisks[i-1].Severity.Rank() {
				t.Errorf("risk %d (%s) ranks above %s", i, risk.Severity, v.Summary.TopRisks[i-1].Severity)
			}
			if risk.Text == "" {
				t.Errorf("risk %s has no text", risk.CheckID)
			}
		}
		if v.Summary.TopRisks[0].Severity != checks.Critical {
			t.Errorf("first risk = %+v", v.Summary.TopRisks[0])
		}
	})
	t.Run("one section per check", func(t *testing.T) {
		seen := map[checks.Status]int{}
		ids := map[string]bool{}
		for i, s := range v.Findings {
			seen[s.Status]++
			if ids[s.CheckID] {
				t.Errorf("%s has two sections", s.CheckID)
			}
			ids[s.CheckID] = true
			if s.FailsWhen == "" || s.Why == "" {
				t.Errorf("%s: narrative missing: %+v", s.CheckID, s)
			}
			if len(s.Providers) != 2 || s.Providers[0].Provider != "okta" || s.Providers[1].Provider != "entra" {
				t.Errorf("%s: providers = %+v", s.CheckID, s.Providers)
			}
			if i > 0 && s.Status == checks.Fail && v.Findings[i-1].Status == checks.Fail && s.Severity.Rank() > v.Findings[i-1].Severity.Rank() {
				t.Errorf("%s (%s) after %s (%s)", s.CheckID, s.Severity, v.Findings[i-1].CheckID, v.Findings[i-1].Severity)
			}
			for _, p := range s.Providers {
				if p.Action != (p.Status == checks.Fail || p.Status == checks.Waived || p.Status == checks.NotAssessed) {
					t.Errorf("%s/%s: action %v for %s", s.CheckID, p.Provider, p.Action, p.Status)
				}
				if len(p.Subjects) > 1 {
					t.Errorf("%s/%s lists %d subjects, want ≤1", s.CheckID, p.Provider, len(p.Subjects))
				}
				if p.Total > 1 && (p.More != p.Total-1 || !strings.Contains(p.MoreNote, WorkbookFilename)) {
					t.Errorf("%s/%s: more=%d note=%q", s.CheckID, p.Provider, p.More, p.MoreNote)
				}
				if !p.Action && (p.Remediation != "" || p.Total != 0) {
					t.Errorf("%s/%s (%s) carries a remediation or findings", s.CheckID, p.Provider, p.Status)
				}
				if p.FailsWhen != "" || p.Why != "" {
					t.Errorf("%s/%s repeats the narrative", s.CheckID, p.Provider)
				}
			}
		}
		// 24 checks: REC-08 is manual for both providers; MFA-07 is waived
		// for Okta and passes for Entra; NHI-05 is not assessed for Okta and
		// passes for Entra; every other check fails for at least one.
		if seen[checks.Fail] != 21 || seen[checks.Waived] != 1 || seen[checks.NotAssessed] != 1 || len(v.Findings) != 23 {
			t.Errorf("sections by status = %v (%d sections)", seen, len(v.Findings))
		}
		if ids["REC-08"] {
			t.Error("a check manual for every provider got a section")
		}
	})
	t.Run("remediation per provider", func(t *testing.T) {
		for _, s := range v.Findings {
			switch s.CheckID {
			case "MFA-04": // both fail, provider-specific text
				if s.Remediation != "" || !strings.Contains(s.Providers[0].Remediation, "Okta") || !strings.Contains(s.Providers[1].Remediation, "Conditional Access") {
					t.Errorf("MFA-04 remediation = %q / %+v", s.Remediation, s.Providers)
				}
			case "MFA-07": // only Okta needs action: still under its provider
				if s.Remediation != "" || s.Providers[0].Remediation == "" || s.Providers[1].Remediation != "" {
					t.Errorf("MFA-07 remediation = %q / %+v", s.Remediation, s.Providers)
				}
			}
		}
	})
	t.Run("expired waiver is open", func(t *testing.T) {
		for _, s := range v.Findings {
			if s.CheckID == "NHI-10" {
				p := s.Providers[0]
				if p.Provider != "okta" || p.Open != 1 || p.WaivedCount != 0 || len(p.Waivers) != 1 || !p.Waivers[0].Expired {
					t.Errorf("NHI-10 okta = %+v", p)
				}
				if p.Subjects[0].Waiver != "waiver expired 2026-06-30" {
					t.Errorf("waiver label = %q", p.Subjects[0].Waiver)
				}
				if p.Subjects[0].Login != "svc-backup@acme.example" || len(p.Subjects[0].Facts) != 2 {
					t.Errorf("subject row = %+v", p.Subjects[0])
				}
				return
			}
		}
		t.Error("no NHI-10 section")
	})
	t.Run("matrix interpretive and aggregate", func(t *testing.T) {
		var found bool
		for _, row := range v.Matrix {
			if row.Framework == checks.FwNIST63B && row.Control == "4.1.3" {
				found = true
				if row.Checks[0].Relation != RelIntent || row.Status != checks.Fail {
					t.Errorf("4.1.3 = %+v", row)
				}
			}
			if row.Framework == checks.FwCSF && row.Control == "PR.AA-03" && row.Status != checks.Fail {
				t.Errorf("PR.AA-03 status = %s", row.Status)
			}
		}
		if !found {
			t.Error("no 4.1.3 row")
		}
	})
	t.Run("manual checks listed", func(t *testing.T) {
		if len(v.Appendix.Manual) != 4 || v.Appendix.Manual[0].Detail == "" {
			t.Errorf("manual = %+v", v.Appendix.Manual)
		}
	})
}

func TestBuildViewEdgeCases(t *testing.T) {
	tests := []struct {
		name  string
		r     *checks.Results
		check func(t *testing.T, v *View, err error)
	}{
		{"nil results", nil, func(t *testing.T, v *View, err error) {
			if err == nil {
				t.Error("want an error")
			}
		}},
		{"empty results", &checks.Results{}, func(t *testing.T, v *View, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(v.Summary.Headline, "unknown") || v.Cover.Organization != "Unnamed organisation" {
				t.Errorf("summary = %+v cover = %+v", v.Summary, v.Cover)
			}
		}},
		{"no drift, unknown check, odd values", func() *checks.Results {
			r := fixture.Results()
			r.Drift = nil
			r.Checks = append(r.Checks, checks.CheckResult{ID: "ZZZ-01", Provider: "okta", Title: "Future check", Status: checks.Fail, Severity: "weird",
				Findings: []checks.Finding{{Subject: checks.Subject{ID: "x"}, Evidence: map[string]any{"n": nil, "m": map[string]any{"b": 1, "a": 2}}}}})
			r.Identities = append(r.Identities, checks.Identity{Provider: "okta", ID: "y", NominalAAL: "", EffectiveAAL: "bogus"})
			return r
		}(), func(t *testing.T, v *View, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if v.Summary.Drift != nil {
				t.Error("drift summary without drift")
			}
			last := v.Summary.AAL[len(v.Summary.AAL)-1]
			if last.Level != "None/unknown" || last.Effective != 1 {
				t.Errorf("AAL rows = %+v", v.Summary.AAL)
			}
			for _, s := range v.Findings {
				if s.CheckID == "ZZZ-01" {
					want := []Fact{{"M", "A 2; B 1"}, {"N", "not recorded"}}
					if diff := cmp.Diff(want, s.Providers[0].Subjects[0].Facts); diff != "" {
						t.Errorf("facts (-want +got):\n%s", diff)
					}
					return
				}
			}
			t.Error("unknown check has no section")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := BuildView(tt.r, ViewOptions{})
			tt.check(t, v, err)
		})
	}
}

func TestBuildViewTemplateErrorSurfaces(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "checks"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := `{{define "fails_when"}}{{.Params.nope}}{{end}}{{define "headline"}}h{{end}}{{define "why"}}w{{end}}{{define "remediation"}}r{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "checks", "MFA-01.tmpl"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = BuildView(fixture.Results(), ViewOptions{Templates: set})
	if err == nil || !strings.Contains(err.Error(), "MFA-01") {
		t.Fatalf("err = %v, want a template error naming MFA-01", err)
	}
}

// TestSectionKeepsProviderNarrative: a --template-dir override whose "fails
// when" differs per provider must not lose the second provider's text.
func TestSectionKeepsProviderNarrative(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "checks"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmpl := `{{define "fails_when"}}fails on {{.ProviderName}}{{end}}{{define "headline"}}h{{end}}{{define "why"}}same why{{end}}{{define "remediation"}}same fix{{end}}`
	if err := os.WriteFile(filepath.Join(dir, "checks", "MFA-04.tmpl"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := templates.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := BuildView(fixture.Results(), ViewOptions{Templates: set})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range v.Findings {
		if s.CheckID != "MFA-04" {
			continue
		}
		if s.FailsWhen != "fails on Okta" || s.Providers[0].FailsWhen != "" || s.Providers[1].FailsWhen != "fails on Microsoft Entra ID" {
			t.Errorf("fails when = %q / %q / %q", s.FailsWhen, s.Providers[0].FailsWhen, s.Providers[1].FailsWhen)
		}
		if s.Why != "same why" || s.Providers[1].Why != "" {
			t.Errorf("why = %q / %q", s.Why, s.Providers[1].Why)
		}
		if s.Remediation != "same fix" || s.Providers[0].Remediation != "" || s.Providers[1].Remediation != "" {
			t.Errorf("shared remediation = %q / %+v", s.Remediation, s.Providers)
		}
		return
	}
	t.Error("no MFA-04 section")
}

func TestHelpers(t *testing.T) {
	less := []struct{ a, b string }{{"2.2.1", "2.2.2"}, {"2.3.1", "3.1.1.2"}, {"4.1", "4.1.2.1"}, {"NHI3", "NHI10"}, {"PR.AA-01", "PR.AA-05"}}
	for _, tt := range less {
		t.Run(tt.a+"<"+tt.b, func(t *testing.T) {
			if !naturalLess(tt.a, tt.b) || naturalLess(tt.b, tt.a) {
				t.Errorf("naturalLess(%q, %q) wrong", tt.a, tt.b)
			}
		})
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := EvidenceText(map[string]any{"a": "okta.users.manage okta.groups.read"}, 25); got != "a: okta.users.manage …" {
		t.Errorf("EvidenceText cut = %q", got)
	}
}

// TestReperform: the cover's verify command is built from the run's inputs
// exactly as the verify command takes them (issue 15: "the exact shadowpath
// verify command that re-performs the test").
func TestReperform(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		name     string
		in       []checks.Input
		commands []string
		note     string
	}{
		{name: "not recorded", in: nil},
		{
			name: "snapshot written, config and waivers",
			in: []checks.Input{
				{Role: checks.InputConfig, Path: "cfg/shadowpath.yaml", SHA256: sum},
				{Role: checks.InputWaivers, Path: "cfg/waivers.yaml", SHA256: sum},
				{Role: checks.InputSavedSnapshot, Path: "q4 evidence.json", SHA256: sum},
				{Role: checks.InputResults, Path: "out/results.json"},
			},
			commands: []string{"shadowpath verify 'q4 evidence.json' --results out/results.json --config cfg/shadowpath.yaml --waivers cfg/waivers.yaml"},
		},
		{
			name:     "snapshot read, no config",
			in:       []checks.Input{{Role: checks.InputSnapshot, Path: "/audit/okta.json", SHA256: sum}, {Role: checks.InputResults, Path: "r/results.json"}},
			commands: []string{"shadowpath verify /audit/okta.json --results r/results.json"},
		},
		{
			name: "live scan, nothing kept",
			in:   []checks.Input{{Role: checks.InputResults, Path: "r/results.json"}},
			note: "No evidence snapshot was kept, so this run cannot be re-performed: scan again with --save-snapshot FILE (or --history DIR).",
		},
		{
			name:     "no results.json",
			in:       []checks.Input{{Role: checks.InputSnapshot, Path: "s.json", SHA256: sum}},
			commands: []string{"shadowpath verify s.json"},
			note:     "results.json was not written (--format without json), so verify can check the snapshot's hashes but not re-derive the results.",
		},
		{
			name:     "two snapshots",
			in:       []checks.Input{{Role: checks.InputSnapshot, Path: "a.json"}, {Role: checks.InputSnapshot, Path: "b.json"}, {Role: checks.InputResults, Path: "results.json"}},
			commands: []string{"shadowpath verify a.json", "shadowpath verify b.json"},
			note:     "verify re-derives results from one snapshot: run it on each file to check its hashes.",
		},
		{
			name:     "demo",
			in:       []checks.Input{{Role: checks.InputSnapshot, Path: "templates/demo/snapshot.json", BuiltIn: true}, {Role: checks.InputConfig, Path: "templates/demo/config.yaml", BuiltIn: true}, {Role: checks.InputResults, Path: "x/results.json"}},
			commands: []string{"shadowpath verify templates/demo/snapshot.json --results x/results.json --config templates/demo/config.yaml"},
			note:     "The demo's data is built in: run the command in a checkout of the shadowpath source, where the files named hold the same bytes.",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := reperform(tc.in)
			if diff := cmp.Diff(tc.commands, r.Commands); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
			if r.Note != tc.note {
				t.Errorf("note = %q, want %q", r.Note, tc.note)
			}
			if len(r.Files) != len(tc.in) {
				t.Errorf("%d files listed, want %d", len(r.Files), len(tc.in))
			}
		})
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

// TestNotAssessedSaysHowToGetAssessed: a not-assessed provider's section
// says how to get the data read (the permission, the retention, the error
// to rerun past), never the control's remediation, which fixes nothing yet
// (issue 15).
func TestNotAssessedSaysHowToGetAssessed(t *testing.T) {
	r := fixture.Results()
	v, err := BuildView(r, ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sec := range v.Findings {
		chk, _ := checks.Lookup(sec.CheckID)
		for _, p := range sec.Providers {
			if p.Status != checks.NotAssessed {
				continue
			}
			n++
			text := p.Remediation
			if text == "" {
				text = sec.Remediation
			}
			if text == "" || strings.Contains(text, chk.Remediation[:min(40, len(chk.Remediation))]) {
				t.Errorf("%s/%s: %q is not how to get it assessed", sec.CheckID, p.Provider, text)
			}
			if !strings.Contains(text, "rerun") {
				t.Errorf("%s/%s: %q does not say to rerun", sec.CheckID, p.Provider, text)
			}
			if p.Provider == "okta" && !strings.Contains(text, "okta.apiTokens.read") {
				t.Errorf("%s/%s: %q does not name the missing permission", sec.CheckID, p.Provider, text)
			}
			if p.Provider == "entra" && !strings.Contains(text, "P1 or P2 licence") {
				t.Errorf("%s/%s: %q does not name the licence", sec.CheckID, p.Provider, text)
			}
		}
	}
	if n == 0 {
		t.Fatal("the fixture has no not-assessed provider: the test checks nothing")
	}
}

// TestFixesFromThePlan: each finding section says where the plan's actions
// for its check are made, console path and API field (issue 15: "per
// finding: the console path … and the API field to change").
func TestFixesFromThePlan(t *testing.T) {
	r := fixture.Results()
	if len(r.Actions) == 0 {
		t.Fatal("the fixture has no plan: the test checks nothing")
	}
	v, err := BuildView(r, ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range r.Actions {
		found := false
		for _, sec := range v.Findings {
			for _, fx := range sec.Fixes {
				if sec.CheckID == a.Check && fx.ActionID == a.ID && fx.ConsolePath == a.ConsolePath && fx.APIField == a.APIField && fx.Provider == a.Provider {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("action %s (%s/%s) is in no section's fixes", a.ID, a.Check, a.Provider)
		}
	}
}
