package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// cli runs the command line in-process with captured streams.
type cli struct {
	stdout, stderr bytes.Buffer
	env            map[string]string
	client         *http.Client
}

func (c *cli) run(t *testing.T, args ...string) int {
	t.Helper()
	c.stdout.Reset()
	c.stderr.Reset()
	f := newFactory(&c.stdout, &c.stderr, func(k string) string { return c.env[k] })
	f.httpClient = c.client
	f.now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	return run(t.Context(), args, f)
}

func newCLI() *cli { return &cli{env: map[string]string{"SOURCE_DATE_EPOCH": "1795000000"}} }

// writeSnapshot writes snap to path as collect does.
func writeSnapshot(path string, snap *evidence.Snapshot) error {
	b, err := evidence.EncodeSnapshot(snap)
	if err != nil {
		return err
	}
	return safeio.WriteSet(filepath.Dir(path), []safeio.File{{Name: filepath.Base(path), Data: b}})
}

func readResults(t *testing.T, dir string) *checks.Results {
	t.Helper()
	res, err := readResultsFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScanDemoResultsContract(t *testing.T) {
	c := newCLI()
	out := t.TempDir()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", out); code != exitOK {
		t.Fatalf("exit %d, stderr: %s", code, c.stderr.String())
	}
	res := readResults(t, out)
	if res.SchemaVersion != "1" || res.Tool.Name != "shadowpath" {
		t.Errorf("schema/tool = %q %+v", res.SchemaVersion, res.Tool)
	}
	if want := time.Unix(1795000000, 0).UTC(); !res.GeneratedAt.Equal(want) {
		t.Errorf("generated_at = %s, want SOURCE_DATE_EPOCH %s", res.GeneratedAt, want)
	}
	cat := checks.Catalog()
	if len(cat) != 24 {
		t.Fatalf("catalog has %d checks, want 24", len(cat))
	}
	if len(res.Checks) != 2*len(cat) {
		t.Fatalf("results have %d check entries, want %d (every check for okta and entra)", len(res.Checks), 2*len(cat))
	}
	seen := map[string]bool{}
	var sum checks.Summary
	for i, cr := range res.Checks {
		seen[cr.ID+"/"+cr.Provider] = true
		sum.Add(cr.Status)
		if i > 0 {
			prev := res.Checks[i-1]
			if prev.ID > cr.ID || (prev.ID == cr.ID && prev.Provider >= cr.Provider) {
				t.Errorf("checks not sorted by id, provider at %d: %s/%s after %s/%s", i, cr.ID, cr.Provider, prev.ID, prev.Provider)
			}
		}
		if cr.Rationale == "" {
			t.Errorf("%s/%s has no rationale", cr.ID, cr.Provider)
		}
	}
	for _, ch := range cat {
		for _, p := range []string{"okta", "entra"} {
			if !seen[ch.ID+"/"+p] {
				t.Errorf("missing %s for %s", ch.ID, p)
			}
		}
	}
	if sum != res.Summary {
		t.Errorf("summary %+v does not count the checks (%+v)", res.Summary, sum)
	}
	if res.Summary.Fail == 0 || res.Summary.Pass == 0 || res.Summary.Waived == 0 || res.Summary.Manual == 0 {
		t.Errorf("demo should show a mix of statuses, got %+v", res.Summary)
	}
	if len(res.Identities) < 50 {
		t.Errorf("identities = %d, want every demo account", len(res.Identities))
	}
	for _, s := range res.Sources {
		if len(s.EvidenceSHA256) != 64 {
			t.Errorf("source %s evidence_sha256 %q", s.Provider, s.EvidenceSHA256)
		}
	}
	if !strings.Contains(c.stderr.String(), "shadowpath: entra+okta: 48 checks") {
		t.Errorf("no summary line on stderr: %q", c.stderr.String())
	}
}

func TestScanExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"fail-on none", []string{"--fail-on", "none"}, exitOK},
		{"fail-on high fails on the demo's high findings", []string{"--fail-on", "high"}, exitFailing},
		{"fail-on critical", []string{"--fail-on", "critical"}, exitFailing},
		{"bad fail-on", []string{"--fail-on", "severe"}, exitIncomplete},
		{"bad format", []string{"--format", "docx"}, exitIncomplete},
		{"bad since", []string{"--since", "yesterday"}, exitIncomplete},
		{"unknown flag", []string{"--frobnicate"}, exitIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI()
			args := append([]string{"scan", "--demo", "--format", "json", "--out", t.TempDir()}, tt.args...)
			if got := c.run(t, args...); got != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", got, tt.want, c.stderr.String())
			}
		})
	}
	t.Run("no mode", func(t *testing.T) {
		c := newCLI()
		if got := c.run(t, "scan"); got != exitIncomplete {
			t.Errorf("exit %d, want 2", got)
		}
		if !strings.Contains(c.stderr.String(), "exactly one of --source, --snapshot or --demo") {
			t.Errorf("stderr %q", c.stderr.String())
		}
	})
}

func TestScanDeterministic(t *testing.T) {
	c := newCLI()
	// Both runs write to the same directory (results.json names it for the
	// cover's verify command); the first run's reports are moved aside.
	out, a, b := filepath.Join(t.TempDir(), "out"), t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if code := c.run(t, "scan", "--demo", "--format", "json,oscal,pdf,xlsx", "--out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, c.stderr.String())
		}
		os.Remove(d)
		if err := os.Rename(out, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"results.json", "assessment-results.oscal.json", "shadowpath-report.pdf", "shadowpath-report.xlsx"} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with SOURCE_DATE_EPOCH set", name)
		}
	}
}

// writeDemoSnapshot writes the demo evidence, changed by mutate, to a file.
func writeDemoSnapshot(t *testing.T, mutate func(*evidence.Snapshot)) string {
	t.Helper()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(snap)
	}
	path := filepath.Join(t.TempDir(), "evidence.json")
	if err := writeSnapshot(path, snap); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScanSnapshotDeniedDatasetIsIncomplete(t *testing.T) {
	path := writeDemoSnapshot(t, func(s *evidence.Snapshot) {
		for _, src := range s.Sources {
			if src.Provider == evidence.Okta {
				src.SetCoverage(evidence.Coverage{Dataset: evidence.DSSystemLog, Status: evidence.Denied, Detail: "okta: /api/v1/logs: HTTP 403 E0000006 (needs okta.logs.read)"})
			}
		}
	})
	c := newCLI()
	out := t.TempDir()
	if code := c.run(t, "scan", "--snapshot", path, "--format", "json", "--out", out); code != exitIncomplete {
		t.Fatalf("exit %d, want 2 (incomplete); stderr %s", code, c.stderr.String())
	}
	res := readResults(t, out)
	for _, cr := range res.Checks {
		if cr.Provider == "okta" && (cr.ID == "REC-06" || cr.ID == "REC-07") {
			if cr.Status != checks.NotAssessed || !strings.Contains(cr.Rationale, "system_log") {
				t.Errorf("%s/okta = %s (%q), want not_assessed naming system_log", cr.ID, cr.Status, cr.Rationale)
			}
		}
		if cr.Provider == "okta" && cr.ID == "MFA-01" && cr.Status == checks.NotAssessed {
			t.Errorf("MFA-01/okta does not need the system log but is not_assessed")
		}
	}
}

func TestBadInputFilesGiveOneClearError(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badCfg := write("bad.yaml", "organization: Acme\nthresholds:\n  nhi_unusd: 30d\n")
	badDur := write("dur.yaml", "thresholds:\n  tap_max_lifetime: forever\n")
	badWaiver := write("w.yaml", "waivers:\n  - check: MFA-99\n    subject: '*'\n    reason: r\n    owner: o\n    approved_by: a\n    expires: 2027-01-01\n")
	badSnap := write("snap.json", `{"schema_version":"1","sources":[{"provider":"pingone","tenant":"x"}]}`)
	truncSnap := write("trunc.json", `{"schema_version":"1","sources":[{"provider":"okta",`)
	hugeCfg := write("huge.yaml", "organization: x\n# "+strings.Repeat("x", 2<<20)+"\n")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"config unknown field", []string{"--demo", "--config", badCfg}, []string{"bad.yaml", "line 3", "nhi_unusd"}},
		{"config bad duration", []string{"--demo", "--config", badDur}, []string{"dur.yaml:2", "thresholds.tap_max_lifetime"}},
		{"waiver unknown check", []string{"--demo", "--waivers", badWaiver}, []string{"w.yaml:2", "MFA-99"}},
		{"snapshot unknown provider", []string{"--snapshot", badSnap}, []string{"snap.json", "sources[0].provider", "pingone"}},
		{"snapshot truncated", []string{"--snapshot", truncSnap}, []string{"trunc.json", "truncated"}},
		{"missing file", []string{"--snapshot", filepath.Join(dir, "nope.json")}, []string{"nope.json", "no such file"}},
		{"oversized config", []string{"--demo", "--config", hugeCfg}, []string{"huge.yaml", "larger than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI()
			out := t.TempDir()
			args := append([]string{"scan", "--format", "json", "--out", out}, tt.args...)
			if code := c.run(t, args...); code != exitIncomplete {
				t.Fatalf("exit %d, want 2; stderr %s", code, c.stderr.String())
			}
			msg := strings.TrimSpace(c.stderr.String())
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("want one error line, got:\n%s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("bad input left %d files in the output directory", len(entries))
			}
		})
	}
}

func TestChecksCommand(t *testing.T) {
	c := newCLI()
	if code := c.run(t, "checks", "--format", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	var got struct {
		Checks []catalogEntry `json:"checks"`
	}
	if err := json.Unmarshal(c.stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Checks) != 24 {
		t.Fatalf("checks --format json lists %d checks", len(got.Checks))
	}
	for _, e := range got.Checks {
		if len(e.Controls) == 0 {
			t.Errorf("%s has no framework mapping", e.ID)
		}
		if !strings.HasPrefix(e.Docs["okta"], "https://") || !strings.HasPrefix(e.Docs["entra"], "https://") {
			t.Errorf("%s: vendor documentation %v, want one page per provider", e.ID, e.Docs)
		}
	}
	if code := c.run(t, "checks"); code != 0 || !strings.Contains(c.stdout.String(), "MFA-01") || !strings.Contains(c.stdout.String(), "supports the intent") {
		t.Errorf("table output: exit %d\n%s", code, c.stdout.String())
	}
}

// TestDiffAfterWaiverChange is the README walk-through: two demo runs, the
// second with one waiver removed, and diff between them.
func TestDiffAfterWaiverChange(t *testing.T) {
	c := newCLI()
	first, second := t.TempDir(), t.TempDir()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", first); code != 0 {
		t.Fatalf("first: %d %s", code, c.stderr.String())
	}
	waivers := strings.Replace(string(demo.WaiversYAML), "  - check: NHI-03", "  - check: NHI-03-removed", 1)
	waivers = waivers[:strings.Index(waivers, "  - check: NHI-03-removed")]
	wf := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(wf, []byte(waivers), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := c.run(t, "scan", "--demo", "--waivers", wf, "--format", "json", "--out", second, "--baseline", filepath.Join(first, "results.json"), "--fail-on-new", "--fail-on", "high"); code != exitFailing {
		t.Fatalf("second with --fail-on-new: exit %d, want 1 (the un-waived NHI-03 finding is new); %s", code, c.stderr.String())
	}
	res := readResults(t, second)
	if res.Drift == nil || len(res.Drift.New) == 0 {
		t.Fatalf("drift = %+v, want the NHI-03 finding as new", res.Drift)
	}
	if code := c.run(t, "diff", filepath.Join(first, "results.json"), filepath.Join(second, "results.json")); code != 0 {
		t.Fatalf("diff exit %d: %s", code, c.stderr.String())
	}
	if out := c.stdout.String(); !strings.Contains(out, "NEW") || !strings.Contains(out, "NHI-03") {
		t.Errorf("diff output lacks the new NHI-03 finding:\n%s", out)
	}
	// Same input twice: nothing new, --fail-on-new passes.
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", t.TempDir(), "--baseline", filepath.Join(first, "results.json"), "--fail-on-new", "--fail-on", "low"); code != 0 {
		t.Errorf("unchanged rerun with --fail-on-new: exit %d, want 0", code)
	}
}

func TestVerifyRederivesResults(t *testing.T) {
	c := newCLI()
	dir := t.TempDir()
	snap := filepath.Join(dir, "evidence.json")
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", dir, "--save-snapshot", snap); code != 0 {
		t.Fatalf("scan: %d %s", code, c.stderr.String())
	}
	// The demo scan used the demo's config and waivers; re-derive with the same.
	cfg := filepath.Join(dir, "config.yaml")
	wv := filepath.Join(dir, "waivers.yaml")
	os.WriteFile(cfg, demo.ConfigYAML, 0o600)
	os.WriteFile(wv, demo.WaiversYAML, 0o600)
	if code := c.run(t, "verify", snap, "--results", filepath.Join(dir, "results.json"), "--config", cfg, "--waivers", wv); code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, c.stdout.String(), c.stderr.String())
	}
	if !strings.Contains(c.stdout.String(), "results: ok") {
		t.Errorf("verify output:\n%s", c.stdout.String())
	}
	// Without the waivers the statuses no longer follow: verify says so.
	if code := c.run(t, "verify", snap, "--results", filepath.Join(dir, "results.json"), "--config", cfg); code != exitFailing {
		t.Errorf("verify without the waivers: exit %d, want 1\n%s", code, c.stdout.String())
	}
	// A tampered snapshot no longer matches the hashes in results.json.
	data, _ := os.ReadFile(snap)
	os.WriteFile(snap, bytes.Replace(data, []byte(`"Marcus Chen"`), []byte(`"Marcus Chan"`), 1), 0o600)
	if code := c.run(t, "verify", snap, "--results", filepath.Join(dir, "results.json"), "--config", cfg, "--waivers", wv); code != exitFailing {
		t.Errorf("tampered snapshot: exit %d, want 1", code)
	}
	if !strings.Contains(c.stdout.String(), "evidence_sha256") {
		t.Errorf("tamper not reported as a hash mismatch:\n%s", c.stdout.String())
	}
}

func TestVersion(t *testing.T) {
	c := newCLI()
	if code := c.run(t, "version"); code != 0 || !strings.HasPrefix(c.stdout.String(), "shadowpath ") {
		t.Errorf("version: %d %q", code, c.stdout.String())
	}
}

// TestReevaluateOldSnapshot: an auditor re-running last quarter's evidence
// months later gets the results it gave then (evaluation happens at the
// evidence's collection time, not the wall clock).
func TestReevaluateOldSnapshot(t *testing.T) {
	snap := writeDemoSnapshot(t, nil)
	first, later := t.TempDir(), t.TempDir()
	c := newCLI()
	delete(c.env, "SOURCE_DATE_EPOCH")
	if code := c.run(t, "scan", "--snapshot", snap, "--format", "json", "--out", first); code != 0 {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	f := newFactory(&c.stdout, &c.stderr, func(string) string { return "" })
	f.now = func() time.Time { return time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC) } // a quarter later
	if code := run(t.Context(), []string{"scan", "--snapshot", snap, "--format", "json", "--out", later}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	a, b := readResults(t, first), readResults(t, later)
	if a.GeneratedAt.Equal(b.GeneratedAt) {
		t.Fatal("the two runs should differ in generated_at")
	}
	a.GeneratedAt, b.GeneratedAt = time.Time{}, time.Time{}
	// The reports went to two directories: the results.json each names.
	for _, r := range []*checks.Results{a, b} {
		for i := range r.Inputs {
			if r.Inputs[i].Role == checks.InputResults {
				r.Inputs[i].Path = ""
			}
		}
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("re-evaluating the same evidence a quarter later changed the results")
	}
}

func TestJSONLogsCarryTheSummary(t *testing.T) {
	c := newCLI()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", t.TempDir(), "--log-format", "json"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(c.stderr.String()), "\n")
	var last map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatalf("last stderr line is not JSON: %q", lines[len(lines)-1])
	}
	if last["msg"] != "scan complete" || last["checks"] != float64(48) || last["exit_code"] != float64(0) {
		t.Errorf("summary record = %v", last)
	}
}
