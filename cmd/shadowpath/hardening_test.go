package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Tests of issue 14 ("Hardening II"): each reproduces one defect.

// TestReportsAreOwnerOnly: reports hold the account names and weaknesses
// the snapshot holds, so they get its mode: files 0600, a created --out 0700.
func TestReportsAreOwnerOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "new", "report")
	c := newCLI()
	if code := c.run(t, "scan", "--demo", "--format", "pdf,xlsx,json,oscal", "--out", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, c.stderr.String())
	}
	for _, d := range []string{out, filepath.Dir(out)} {
		st, err := os.Stat(d)
		if err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %04o (%v), want 0700", d, st.Mode().Perm(), err)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 4 {
		t.Fatalf("want 4 reports, got %v", entries)
	}
	for _, e := range entries {
		st, _ := os.Stat(filepath.Join(out, e.Name()))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", e.Name(), st.Mode().Perm())
		}
	}
}

// TestReportSetIsAllOrNothing: when one report cannot be written, none of
// the previous set is replaced, the error names the file and exit is 2.
func TestReportSetIsAllOrNothing(t *testing.T) {
	out := t.TempDir()
	old := []byte(`{"previous":"results"}`)
	if err := os.WriteFile(filepath.Join(out, "results.json"), old, 0o600); err != nil {
		t.Fatal(err)
	}
	// The PDF's name is taken by a non-empty directory: its rename fails
	// after results.json's was written (the names sort that way).
	blocker := filepath.Join(out, "shadowpath-report.pdf")
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	c := newCLI()
	code := c.run(t, "scan", "--demo", "--format", "pdf,json,xlsx", "--out", out)
	if code != exitIncomplete {
		t.Errorf("exit %d, want 2 (an output error is the environment, not a bug); stderr %s", code, c.stderr.String())
	}
	if got, _ := os.ReadFile(filepath.Join(out, "results.json")); string(got) != string(old) {
		t.Errorf("results.json was replaced although the PDF could not be written")
	}
	if _, err := os.Stat(filepath.Join(out, "shadowpath-report.xlsx")); err == nil {
		t.Errorf("the XLSX was written although the PDF could not be")
	}
	msg := c.stderr.String()
	if !strings.Contains(msg, "shadowpath-report.pdf") || !strings.Contains(msg, "untouched") {
		t.Errorf("error should name the file and say the previous reports are untouched: %s", msg)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestOutputPathErrorsExit2: --out naming a file is bad input, exit 2 with
// the path in the message (it was exit 3, "internal error").
func TestOutputPathErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := newCLI()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", file); code != exitIncomplete {
		t.Errorf("exit %d, want 2; stderr %s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), file) {
		t.Errorf("error does not name %s: %s", file, c.stderr.String())
	}
}

// TestInterruptedCollectionWritesNoEvidence: Ctrl-C during collect or a
// single-source scan leaves the previous snapshot as it was, prints no
// "wrote" and exits 2.
func TestInterruptedCollectionWritesNoEvidence(t *testing.T) {
	for _, cmd := range []string{"collect", "scan"} {
		t.Run(cmd, func(t *testing.T) {
			gr := graphtest.NewServer(t, graphtest.WithFixtureDir(filepath.Join("..", "..", "testdata", "entra")), graphtest.WithLatency(300*time.Millisecond))
			c := entraCLI(gr)
			dir := t.TempDir()
			snap := filepath.Join(dir, "evidence.json")
			old := []byte(`{"previous":"evidence"}`)
			if err := os.WriteFile(snap, old, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"collect", "--source", "entra", "--out", snap}
			if cmd == "scan" {
				args = []string{"scan", "--source", "entra", "--format", "json", "--out", filepath.Join(dir, "report"), "--save-snapshot", snap}
			}
			ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
			defer cancel()
			f := newFactory(&c.stdout, &c.stderr, func(k string) string { return c.env[k] })
			f.httpClient = c.client
			code := run(ctx, args, f)
			if code != exitIncomplete {
				t.Errorf("exit %d, want 2 (interrupted)\n%s", code, c.stderr.String())
			}
			if got, _ := os.ReadFile(snap); string(got) != string(old) {
				t.Errorf("the previous snapshot was replaced by an interrupted collection")
			}
			if strings.Contains(c.stderr.String(), "wrote") || !strings.Contains(c.stderr.String(), "interrupted") {
				t.Errorf("stderr should say interrupted and not wrote:\n%s", c.stderr.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("interrupted %s left files: %v", cmd, entries)
			}
		})
	}
}

// TestValidateBeforeCollecting: a bad --sign-key, an impossible --out or
// --save-snapshot, or a template that fails to render stop the run before
// the first request to a tenant, exit 2.
func TestValidateBeforeCollecting(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	rsaKey := filepath.Join(dir, "rsa.pem")
	if err := os.WriteFile(rsaKey, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmplDir := filepath.Join(dir, "tmpl")
	if err := os.MkdirAll(filepath.Join(tmplDir, "checks"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Parses, but fails when executed (no such field).
	bad := `{{define "fails_when"}}x{{end}}{{define "headline"}}{{.NoSuchField}}{{end}}{{define "why"}}x{{end}}{{define "remediation"}}x{{end}}`
	if err := os.WriteFile(filepath.Join(tmplDir, "checks", "MFA-01.tmpl"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	snapIn := func(d string) string { return filepath.Join(d, "evidence.json") }
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"sign key missing", []string{"--save-snapshot", snapIn(dir), "--sign-key", filepath.Join(dir, "nope.pem")}, "nope.pem"},
		{"sign key not a key", []string{"--save-snapshot", snapIn(dir), "--sign-key", file}, "afile"},
		{"sign key not ed25519", []string{"--save-snapshot", snapIn(dir), "--sign-key", rsaKey}, "rsa.pem"},
		{"out under a file", []string{"--out", filepath.Join(file, "report")}, "afile"},
		{"snapshot under a file", []string{"--save-snapshot", filepath.Join(file, "e.json")}, "afile"},
		{"template fails to render", []string{"--format", "pdf", "--template-dir", tmplDir}, "MFA-01.tmpl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, _ := fakes(t)
			args := append([]string{"scan", "--source", "okta", "--format", "json", "--out", filepath.Join(t.TempDir(), "r")}, tt.args...)
			if code := c.run(t, args...); code != exitIncomplete {
				t.Errorf("exit %d, want 2\n%s", code, c.stderr.String())
			}
			if n := len(ok.Requests()); n != 0 {
				t.Errorf("%d requests reached the tenant before the bad input was reported", n)
			}
			if !strings.Contains(c.stderr.String(), tt.want) {
				t.Errorf("error does not name %q: %s", tt.want, c.stderr.String())
			}
		})
	}
	t.Run("snapshot inside a new --out", func(t *testing.T) {
		c, _, _ := fakes(t)
		out := filepath.Join(t.TempDir(), "new", "report")
		code := c.run(t, "scan", "--source", "okta", "--format", "json", "--out", out, "--save-snapshot", filepath.Join(out, "evidence.json"))
		if code != exitOK {
			t.Fatalf("exit %d, want 0\n%s", code, c.stderr.String())
		}
		if _, err := os.Stat(filepath.Join(out, "evidence.json")); err != nil {
			t.Error(err)
		}
	})
}

// TestUnreadableSecretFileIsAnError: a secret file named in the config that
// cannot be read is an error naming the file and the field, exit 2, before
// any request — never a silent fall-through to the default credential chain
// (which would authenticate as whatever principal the host offers).
func TestUnreadableSecretFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, source, yaml, unset, want string
	}{
		{"entra secret missing", "entra", "entra:\n  client_secret_file: /nonexistent/secret\n", "AZURE_CLIENT_SECRET", "entra.client_secret_file"},
		{"entra secret empty", "entra", "entra:\n  client_secret_file: " + empty + "\n", "AZURE_CLIENT_SECRET", "entra.client_secret_file"},
		{"entra secret is a directory", "entra", "entra:\n  client_secret_file: " + dir + "\n", "AZURE_CLIENT_SECRET", "not a regular file"},
		{"entra certificate missing", "entra", "entra:\n  certificate_path: /nonexistent/cert.pem\n", "AZURE_CLIENT_SECRET", "entra.certificate_path"},
		{"okta token missing", "okta", "okta:\n  api_token_file: /nonexistent/token\n", "OKTA_API_TOKEN", "okta.api_token_file"},
		{"okta key missing", "okta", "okta:\n  client_id: 0oa1\n  private_key_file: /nonexistent/key.pem\n", "OKTA_API_TOKEN", "okta.private_key_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok, gr := fakes(t)
			delete(c.env, tt.unset)
			cfg := filepath.Join(t.TempDir(), "cfg.yaml")
			if err := os.WriteFile(cfg, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			code := c.run(t, "scan", "--source", tt.source, "--config", cfg, "--format", "json", "--out", t.TempDir())
			if code != exitIncomplete {
				t.Errorf("exit %d, want 2\n%s", code, c.stderr.String())
			}
			msg := c.stderr.String()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "cfg.yaml") {
				t.Errorf("error should name the config field %q and the file: %s", tt.want, msg)
			}
			if n := len(ok.Requests()) + len(gr.Requests()) + gr.TokenRequests(); n != 0 {
				t.Errorf("%d requests were made with an unusable credential", n)
			}
		})
	}
}

// TestSummarySaysWhichCredential: the summary line, results.json and the
// snapshot say which kind of credential read each tenant.
func TestSummarySaysWhichCredential(t *testing.T) {
	c, _, _ := fakes(t)
	out := t.TempDir()
	if code := c.run(t, "scan", "--source", "okta,entra", "--format", "json", "--out", out); code != exitOK {
		t.Fatalf("exit %d\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "entra (client secret)+okta (api token)") {
		t.Errorf("summary line does not name the credentials:\n%s", c.stderr.String())
	}
	for _, s := range readResults(t, out).Sources {
		want := map[string]string{"okta": "api_token", "entra": "client_secret"}[s.Provider]
		if s.Credential != want {
			t.Errorf("%s: results.json credential %q, want %q", s.Provider, s.Credential, want)
		}
	}
}

// TestWorldReadableSecretFileWarns: a token file others can read gets the
// warning a world-readable config gets.
func TestWorldReadableSecretFileWarns(t *testing.T) {
	c, ok, _ := fakes(t)
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte(ok.Token()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tok, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "cfg.yaml")
	if err := os.WriteFile(cfg, []byte("okta:\n  api_token_file: "+tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(c.env, "OKTA_API_TOKEN")
	if code := c.run(t, "scan", "--source", "okta", "--config", cfg, "--format", "json", "--out", t.TempDir()); code != exitOK {
		t.Fatalf("exit %d\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), tok) || !strings.Contains(c.stderr.String(), "readable by group or others") {
		t.Errorf("no warning about the world-readable token file:\n%s", c.stderr.String())
	}
}

// badLink adds a Link header that url.Parse rejects to the responses whose
// path contains match: okta-sdk-golang v2 ignores the parse error and
// dereferences nil.
type badLink struct {
	next  http.RoundTripper
	match string
}

func (b badLink) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err == nil && strings.Contains(r.URL.Path, b.match) {
		resp.Header.Add("Link", `<https://[::1%zz/api/v1/users?after=x>; rel="next"`)
	}
	return resp, err
}

// TestMalformedLinkHeaderCostsOneDataset: a malformed Link header on a
// factors call or on /users fails that dataset with a clear error; the run
// completes (exit 2, incomplete) and writes its reports. It used to crash
// the process from a worker goroutine (factors) or exit 3 (users).
func TestMalformedLinkHeaderCostsOneDataset(t *testing.T) {
	for _, tt := range []struct{ match, dataset string }{
		{"/factors", "factors"},
		{"/api/v1/users", "users"},
	} {
		t.Run(tt.dataset, func(t *testing.T) {
			c, _, _ := fakes(t)
			c.client = &http.Client{Transport: badLink{next: c.client.Transport, match: tt.match}}
			out := t.TempDir()
			code := c.run(t, "scan", "--source", "okta", "--format", "json", "--out", out)
			if code != exitIncomplete {
				t.Fatalf("exit %d, want 2 (incomplete)\n%s", code, c.stderr.String())
			}
			res := readResults(t, out)
			found := false
			for _, cov := range res.Sources[0].Coverage {
				if cov.Dataset == tt.dataset {
					found = true
					if cov.Status == "complete" {
						t.Errorf("%s is complete despite the malformed Link header", tt.dataset)
					}
				}
			}
			if !found {
				t.Errorf("no coverage entry for %s", tt.dataset)
			}
			if !strings.Contains(c.stderr.String()+string(mustRead(t, filepath.Join(out, "results.json"))), "Link header") {
				t.Errorf("the error does not say what was wrong (the Link header)")
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// panicky is a connector with a bug.
type panicky struct{}

func (panicky) Provider() evidence.Provider { return evidence.Okta }
func (panicky) Collect(context.Context, evidence.CollectOptions) (*evidence.Source, error) {
	panic("a bug\nwith a stack")
}

func TestCollectOneRecoversPanic(t *testing.T) {
	_, err := collectOne(t.Context(), panicky{}, evidence.CollectOptions{})
	var cp *collectPanic
	if !errors.As(err, &cp) || !strings.Contains(err.Error(), "okta: internal error while collecting: a bug") {
		t.Fatalf("collectOne = %v, want a collectPanic", err)
	}
}

// TestTamperedHistoryEntryIsSkipped: one altered history entry costs its
// trend point and a warning, not the scan (it was exit 3).
func TestTamperedHistoryEntryIsSkipped(t *testing.T) {
	hist := t.TempDir()
	c := newCLI()
	for i := 1; i <= 2; i++ {
		c.env["SOURCE_DATE_EPOCH"] = strconv.Itoa(1795000000 + i*86400)
		if code := c.run(t, "scan", "--demo", "--format", "json", "--out", t.TempDir(), "--history", hist); code != exitOK {
			t.Fatalf("run %d: exit %d %s", i, code, c.stderr.String())
		}
	}
	entries, _ := os.ReadDir(hist)
	first := filepath.Join(hist, entries[0].Name(), "results.json")
	os.Chmod(first, 0o600)
	if err := os.WriteFile(first, []byte(`{"altered":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c.env["SOURCE_DATE_EPOCH"] = strconv.Itoa(1795000000 + 3*86400)
	out := t.TempDir()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", out, "--history", hist); code != exitOK {
		t.Fatalf("exit %d with one tampered entry, want 0\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "history entry skipped") || !strings.Contains(c.stderr.String(), entries[0].Name()) {
		t.Errorf("no warning naming the skipped entry:\n%s", c.stderr.String())
	}
	if n := len(readResults(t, out).Trend); n != 2 {
		t.Errorf("trend has %d points, want 2 (the intact entry and this run)", n)
	}
}

// TestBoundedInputs: /dev/zero or a FIFO named as any input file is an
// error naming the file, exit 2, at once. /dev/zero used to end in "fatal
// error: out of memory" and a FIFO as --config hung, deaf to SIGINT.
func TestBoundedInputs(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs:", err)
	}
	snap := writeDemoSnapshot(t, nil)
	results := filepath.Join(t.TempDir(), "r")
	if code := newCLI().run(t, "scan", "--demo", "--format", "json", "--out", results); code != exitOK {
		t.Fatal(code)
	}
	good := filepath.Join(results, "results.json")
	for _, bad := range []string{"/dev/zero", fifo} {
		for _, tt := range []struct {
			name string
			args []string
		}{
			{"config", []string{"scan", "--demo", "--config", bad}},
			{"waivers", []string{"scan", "--demo", "--waivers", bad}},
			{"baseline", []string{"scan", "--demo", "--baseline", bad}},
			{"snapshot", []string{"scan", "--snapshot", bad}},
			{"sign key", []string{"scan", "--demo", "--save-snapshot", filepath.Join(t.TempDir(), "e.json"), "--sign-key", bad}},
			{"diff old", []string{"diff", bad, good}},
			{"diff new", []string{"diff", good, bad}},
			{"verify snapshot", []string{"verify", bad}},
			{"verify public key", []string{"verify", snap, "--public-key", bad}},
			{"verify waivers", []string{"verify", snap, "--results", good, "--waivers", bad}},
		} {
			t.Run(filepath.Base(bad)+"/"+tt.name, func(t *testing.T) {
				c := newCLI()
				args := tt.args
				if args[0] == "scan" {
					args = append(args, "--format", "json", "--out", t.TempDir())
				}
				done := make(chan int, 1)
				go func() { done <- c.run(t, args...) }()
				select {
				case code := <-done:
					if tt.name == "verify public key" {
						// A bad key is a failed verification (exit 1), reported at once.
						if code != exitFailing || !strings.Contains(c.stdout.String(), bad) {
							t.Errorf("exit %d, want 1 naming %s\n%s%s", code, bad, c.stdout.String(), c.stderr.String())
						}
						return
					}
					if code != exitIncomplete || !strings.Contains(c.stderr.String(), bad) {
						t.Errorf("exit %d, want 2 naming %s\n%s", code, bad, c.stderr.String())
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%v did not return", args)
				}
			})
		}
	}
}

// TestSecondYAMLDocumentIsAnError: "---" and a second document in a config
// or waivers file used to be ignored.
func TestSecondYAMLDocumentIsAnError(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg.yaml")
	os.WriteFile(cfg, []byte("organization: Acme\n---\norganization: Other\n"), 0o600)
	w := filepath.Join(dir, "w.yaml")
	os.WriteFile(w, []byte("waivers: []\n---\nwaivers:\n  - check: MFA-01\n"), 0o600)
	for _, args := range [][]string{{"--config", cfg}, {"--waivers", w}} {
		c := newCLI()
		code := c.run(t, append([]string{"scan", "--demo", "--format", "json", "--out", t.TempDir()}, args...)...)
		if code != exitIncomplete || !strings.Contains(c.stderr.String(), "second YAML document") || !strings.Contains(c.stderr.String(), args[1]) {
			t.Errorf("%v: exit %d, want 2 naming the second document\n%s", args, code, c.stderr.String())
		}
	}
}

// TestTerminalOutputIsSanitised: display names from tenant data with ESC,
// BEL, CR, NUL and bidi overrides reached the terminal raw through diff.
func TestTerminalOutputIsSanitised(t *testing.T) {
	const hostile = "Eve\x1b[2J\x07\r\x00\u202eevil\u2066"
	c := newCLI()
	dir := t.TempDir()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", dir); code != exitOK {
		t.Fatal(code)
	}
	base := readResults(t, dir)
	write := func(name string, mutate func(*checks.CheckResult)) string {
		res := *base
		res.Checks = append([]checks.CheckResult(nil), base.Checks...)
		for i := range res.Checks {
			mutate(&res.Checks[i])
		}
		b, err := json.Marshal(&res)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	oldP := write("old.json", func(cr *checks.CheckResult) {
		if cr.ID == "MFA-01" {
			cr.Findings = nil
		}
	})
	newP := write("new.json", func(cr *checks.CheckResult) {
		if cr.ID == "MFA-01" {
			fs := append([]checks.Finding(nil), cr.Findings...)
			for i := range fs {
				fs[i].Subject.Name = hostile
				fs[i].Message = hostile
			}
			cr.Findings = fs
		}
	})
	if code := c.run(t, "diff", oldP, newP); code != exitOK {
		t.Fatalf("diff exit %d: %s", code, c.stderr.String())
	}
	out := c.stdout.String()
	if !strings.Contains(out, `Eve\u001b[2J\u0007\u000d\u0000\u202eevil\u2066`) {
		t.Errorf("the hostile name is not shown escaped:\n%s", out)
	}
	for _, r := range "\x1b\x07\r\x00\u202e\u2066" {
		if strings.ContainsRune(out, r) {
			t.Errorf("diff printed control character %U raw", r)
		}
	}
	// Errors too: a path with an escape sequence in it.
	c.run(t, "scan", "--snapshot", filepath.Join(dir, "x\x1b]0;pwned\x07.json"))
	if strings.ContainsAny(c.stderr.String(), "\x1b\x07") {
		t.Errorf("an error printed control characters raw: %q", c.stderr.String())
	}
}

func TestTermWriterKeepsSplitRunes(t *testing.T) {
	var b strings.Builder
	w := newTermWriter(&b)
	s := []byte("é\u202e\tok\n")
	for i := range s {
		w.Write(s[i : i+1])
	}
	if got := b.String(); got != "é\\u202e\tok\n" {
		t.Errorf("got %q", got)
	}
}

// TestLongNamesInEveryWriter: a tenant or organisation name of thousands
// of characters (and one past Excel's 32,767-character cell limit) renders
// in every format; the XLSX row used to exceed Excel's 409-point maximum:
// exit 3 and no report at all.
func TestLongNamesInEveryWriter(t *testing.T) {
	for _, n := range []int{2000, 40000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			long := strings.Repeat("Acme Holdings International ", n/28+1)[:n]
			word := strings.Repeat("W", n) // no break opportunity at all
			snap := writeDemoSnapshot(t, func(s *evidence.Snapshot) {
				for i := range s.Sources {
					s.Sources[i].TenantName = word
				}
				if len(s.Sources[0].Accounts) > 0 {
					s.Sources[0].Accounts[0].Name = word
				}
			})
			cfg := filepath.Join(t.TempDir(), "cfg.yaml")
			if err := os.WriteFile(cfg, []byte("organization: "+long+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			c := newCLI()
			out := t.TempDir()
			if code := c.run(t, "scan", "--snapshot", snap, "--config", cfg, "--format", "pdf,xlsx,json,oscal", "--out", out); code != exitOK {
				t.Fatalf("exit %d, want 0\n%s", code, c.stderr.String())
			}
			if entries, _ := os.ReadDir(out); len(entries) != 4 {
				t.Errorf("want 4 reports, got %v", entries)
			}
		})
	}
}

// TestConfigRefusesSecretVariables: ${OKTA_API_TOKEN} in organization put
// the token into every report; secret variables are never expanded.
func TestConfigRefusesSecretVariables(t *testing.T) {
	env := map[string]string{"OKTA_API_TOKEN": "tok-value-91", "AZURE_CLIENT_SECRET": "sec-value-92", "ORG": "Acme"}
	for _, y := range []string{
		"organization: ${OKTA_API_TOKEN}\n",
		"okta:\n  org_url: https://${AZURE_CLIENT_SECRET}.okta.com\n",
		"entra:\n  client_secret_file: /run/${AZURE_CLIENT_SECRET}\n",
	} {
		_, err := parseConfig("cfg.yaml", []byte(y), func(k string) string { return env[k] }, nil)
		if err == nil || !strings.Contains(err.Error(), "is a secret") || strings.Contains(err.Error(), "-value-") {
			t.Errorf("%q: err = %v, want a refusal that does not quote the value", y, err)
		}
	}
	c, err := parseConfig("cfg.yaml", []byte("organization: ${ORG} Ltd\n"), func(k string) string { return env[k] }, nil)
	if err != nil || c.Organization != "Acme Ltd" {
		t.Errorf("ordinary ${ORG}: %v %q", err, c.Organization)
	}
}

// TestVerifySaysWhenTheSignatureWasNotChecked: without --public-key, verify
// was silent about a .sig beside the snapshot.
func TestVerifySaysWhenTheSignatureWasNotChecked(t *testing.T) {
	dir := t.TempDir()
	priv, _ := writeKeys(t, dir)
	snap := filepath.Join(dir, "evidence.json")
	c := newCLI()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", dir, "--save-snapshot", snap, "--sign-key", priv); code != 0 {
		t.Fatalf("scan: %d %s", code, c.stderr.String())
	}
	c.run(t, "verify", snap)
	if out := c.stdout.String(); !strings.Contains(out, "signature: NOT CHECKED") || !strings.Contains(out, snap+".sig") {
		t.Errorf("verify without --public-key should say the .sig was not checked:\n%s", out)
	}
	os.Remove(snap + ".sig")
	c.run(t, "verify", snap)
	if out := c.stdout.String(); !strings.Contains(out, "signature: none") {
		t.Errorf("verify without a .sig should say there is none:\n%s", out)
	}
}

// TestTemplateErrorAtRenderIsExit2: a template that passes the dry run but
// fails on the real results is bad input (exit 2 naming the template), not
// an internal error.
func TestTemplateErrorAtRenderIsExit2(t *testing.T) {
	tmplDir := t.TempDir()
	os.MkdirAll(filepath.Join(tmplDir, "checks"), 0o700)
	body := checkTmplText(`{{if eq .Status "not_assessed"}}{{.NoSuchField}}{{else}}h{{end}}`)
	if err := os.WriteFile(filepath.Join(tmplDir, "checks", "REC-06.tmpl"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	path := writeDemoSnapshot(t, func(s *evidence.Snapshot) {
		for _, src := range s.Sources {
			if src.Provider == evidence.Okta {
				src.SetCoverage(evidence.Coverage{Dataset: evidence.DSSystemLog, Status: evidence.Denied, Detail: "denied"})
			}
		}
	})
	c := newCLI()
	code := c.run(t, "scan", "--snapshot", path, "--format", "pdf", "--out", t.TempDir(), "--template-dir", tmplDir)
	if code != exitIncomplete || !strings.Contains(c.stderr.String(), "REC-06.tmpl") {
		t.Errorf("exit %d, want 2 naming REC-06.tmpl\n%s", code, c.stderr.String())
	}
}

func checkTmplText(headline string) string {
	return `{{define "fails_when"}}f{{end}}{{define "headline"}}` + headline + `{{end}}{{define "why"}}w{{end}}{{define "remediation"}}r{{end}}`
}
