package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// parseArgs runs a command's flag parsing and checks under the root
// command, as the binary would, with runF capturing the options instead of
// running the command: no scan, no network, no files written.
func parseArgs[O any](t *testing.T, newCmd func(*factory, func(*O) error) *cobra.Command, env map[string]string, args ...string) (*O, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	f := newFactory(&stdout, &stderr, func(k string) string { return env[k] })
	f.now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 123, time.UTC) }
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	root := newBareRootCmd(f)
	root.AddCommand(cmd)
	root.SetArgs(append([]string{cmd.Name()}, args...))
	err := root.ExecuteContext(t.Context())
	if err == nil && got == nil {
		t.Fatalf("%s %q: runF not called", cmd.Name(), args)
	}
	if stdout.Len() > 0 {
		t.Errorf("%s %q printed %q: parsing must not run the command", cmd.Name(), args, stdout.String())
	}
	return got, err
}

// flagCase is one row of a command's flag table: the options are the
// defaults edited by want, or the error names wantErr and exits 2.
type flagCase[O any] struct {
	name    string
	args    []string
	env     map[string]string
	want    func(*O)
	wantErr string
}

func testFlags[O any](t *testing.T, newCmd func(*factory, func(*O) error) *cobra.Command, defaults func() O, tests []flagCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArgs(t, newCmd, tt.env, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				if code := exitCodeOf(err); code != exitIncomplete {
					t.Errorf("exit %d, want %d (bad usage)", code, exitIncomplete)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			if tt.want != nil {
				tt.want(&want)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, want)
			}
		})
	}
}

var epoch = map[string]string{"SOURCE_DATE_EPOCH": "1795000000"}

func TestScanFlags(t *testing.T) {
	defaults := func() scanOptions {
		return scanOptions{
			evidenceFlags: evidenceFlags{demo: true, since: defaultAuditWindow},
			formats:       []string{"pdf", "xlsx", "json"},
			out:           "./shadowpath-report",
			reportAt:      time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), // the clock, to the second
		}
	}
	testFlags(t, newScanCmd, defaults, []flagCase[scanOptions]{
		{name: "defaults", args: []string{"--demo"}},
		{name: "SOURCE_DATE_EPOCH sets generated_at", args: []string{"--demo"}, env: epoch,
			want: func(o *scanOptions) { o.reportAt = time.Unix(1795000000, 0).UTC() }},
		{name: "bad SOURCE_DATE_EPOCH", args: []string{"--demo"}, env: map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, wantErr: "SOURCE_DATE_EPOCH"},
		{name: "live sources", args: []string{"--source", "okta,entra", "--config", "sp.yaml", "--entra-cloud", "usgov", "--since", "72h"},
			want: func(o *scanOptions) {
				o.demo = false
				o.sources = []string{"okta", "entra"}
				o.configPath = "sp.yaml"
				o.entraCloud = "usgov"
				o.since = auditWindow{72 * time.Hour, "72h"}
			}},
		{name: "source repeated", args: []string{"--source", "okta", "--source", "entra"},
			want: func(o *scanOptions) { o.demo, o.sources = false, []string{"okta", "entra"} }},
		{name: "snapshots", args: []string{"--snapshot", "a.json,b.json"},
			want: func(o *scanOptions) { o.demo, o.snapshots = false, []string{"a.json", "b.json"} }},
		{name: "since in weeks", args: []string{"--demo", "--since", "2w"},
			want: func(o *scanOptions) { o.since = auditWindow{14 * 24 * time.Hour, "2w"} }},
		{name: "outputs", args: []string{"--demo", "--format", "json,oscal", "--out", "r", "--template-dir", "t", "--history", "h"},
			want: func(o *scanOptions) {
				o.formats, o.out, o.templateDir, o.history = []string{"json", "oscal"}, "r", "t", "h"
			}},
		{name: "fail-on", args: []string{"--demo", "--fail-on", "high"},
			want: func(o *scanOptions) { o.failOn = failOn(3) }},
		{name: "fail-on none", args: []string{"--demo", "--fail-on", "none"}},
		{name: "fail-on-new with baseline", args: []string{"--demo", "--baseline", "old.json", "--fail-on-new", "--fail-on", "critical"},
			want: func(o *scanOptions) { o.baseline, o.failOnNew, o.failOn = "old.json", true, failOn(4) }},
		{name: "signed snapshot", args: []string{"--demo", "--save-snapshot", "e.json", "--sign-key", "k.pem", "--waivers", "w.yaml"},
			want: func(o *scanOptions) { o.saveSnapshot, o.signKey, o.waiversPath = "e.json", "k.pem", "w.yaml" }},
		{name: "incremental okta", args: []string{"--source", "okta", "--since-snapshot", "prev.json", "--full"},
			want: func(o *scanOptions) {
				o.demo, o.sources = false, []string{"okta"}
				o.incr = incrementalFlags{sinceSnapshot: "prev.json", full: true}
			}},

		{name: "no evidence", args: nil, wantErr: "exactly one of --source, --snapshot or --demo"},
		{name: "two kinds of evidence", args: []string{"--demo", "--snapshot", "a.json"}, wantErr: "exactly one of --source, --snapshot or --demo"},
		{name: "unknown source", args: []string{"--source", "google"}, wantErr: `--source "google"`},
		{name: "bad fail-on", args: []string{"--demo", "--fail-on", "severe"}, wantErr: `invalid argument "severe" for "--fail-on" flag`},
		{name: "bad since", args: []string{"--demo", "--since", "yesterday"}, wantErr: `invalid argument "yesterday" for "--since" flag`},
		{name: "zero since", args: []string{"--demo", "--since", "0d"}, wantErr: `"--since" flag: want a positive duration`},
		{name: "negative since", args: []string{"--demo", "--since", "-3d"}, wantErr: `"--since" flag: want a positive duration`},
		{name: "bad entra cloud", args: []string{"--demo", "--entra-cloud", "mars"}, wantErr: `invalid argument "mars" for "--entra-cloud" flag`},
		{name: "bad format", args: []string{"--demo", "--format", "docx"}, wantErr: `--format "docx"`},
		{name: "empty format", args: []string{"--demo", "--format", ""}, wantErr: "--format: give at least one"},
		{name: "sign-key without save-snapshot", args: []string{"--demo", "--sign-key", "k.pem"}, wantErr: "--sign-key needs --save-snapshot"},
		{name: "fail-on-new without baseline", args: []string{"--demo", "--fail-on-new"}, wantErr: "--fail-on-new needs --baseline"},
		{name: "incremental without okta", args: []string{"--source", "entra", "--full"}, wantErr: "apply to --source okta"},
		{name: "unknown flag", args: []string{"--demo", "--frobnicate"}, wantErr: "--frobnicate"},
		{name: "arguments", args: []string{"--demo", "extra"}, wantErr: "unknown command"},
	})
}

func TestCollectFlags(t *testing.T) {
	defaults := func() collectOptions {
		return collectOptions{liveFlags: liveFlags{sources: []string{"okta"}}, out: "s.json", since: defaultAuditWindow}
	}
	testFlags(t, newCollectCmd, defaults, []flagCase[collectOptions]{
		{name: "defaults", args: []string{"--source", "okta", "--out", "s.json"}},
		{name: "every flag", args: []string{"--source", "okta,entra", "--out", "s.json", "--config", "c.yaml", "--since", "7d",
			"--sign-key", "k.pem", "--entra-cloud", "china", "--since-snapshot", "prev.json", "--full"},
			want: func(o *collectOptions) {
				o.sources, o.configPath, o.entraCloud = []string{"okta", "entra"}, "c.yaml", "china"
				o.since = auditWindow{7 * 24 * time.Hour, "7d"}
				o.signKey = "k.pem"
				o.incr = incrementalFlags{sinceSnapshot: "prev.json", full: true}
			}},
		{name: "no source", args: []string{"--out", "s.json"}, wantErr: "--source is required"},
		{name: "no out", args: []string{"--source", "okta"}, wantErr: "--out SNAPSHOT.json is required"},
		{name: "bad since", args: []string{"--source", "okta", "--out", "s.json", "--since", "soon"}, wantErr: `"--since" flag`},
		{name: "bad cloud", args: []string{"--source", "entra", "--out", "s.json", "--entra-cloud", "eu"}, wantErr: `"--entra-cloud" flag`},
		{name: "incremental without okta", args: []string{"--source", "entra", "--out", "s.json", "--since-snapshot", "p.json"}, wantErr: "apply to --source okta"},
		{name: "no demo here", args: []string{"--demo"}, wantErr: "unknown flag: --demo"},
	})
}

func TestDoctorFlags(t *testing.T) {
	defaults := func() doctorOptions {
		return doctorOptions{liveFlags: liveFlags{sources: []string{"okta", "entra"}}, format: "table"}
	}
	testFlags(t, newDoctorCmd, defaults, []flagCase[doctorOptions]{
		{name: "defaults", args: []string{"--source", "okta,entra"}},
		{name: "every flag", args: []string{"--source", "okta,entra", "--config", "c.yaml", "--entra-cloud", "usgov-dod", "--format", "json"},
			want: func(o *doctorOptions) { o.configPath, o.entraCloud, o.format = "c.yaml", "usgov-dod", "json" }},
		{name: "no source", args: nil, wantErr: "--source is required"},
		{name: "unknown source", args: []string{"--source", "okta,ldap"}, wantErr: `--source "ldap"`},
		{name: "bad format", args: []string{"--source", "okta", "--format", "yaml"}, wantErr: `--format "yaml"`},
		{name: "bad cloud", args: []string{"--source", "entra", "--entra-cloud", "mars"}, wantErr: `"--entra-cloud" flag`},
		{name: "no since here", args: []string{"--source", "okta", "--since", "30d"}, wantErr: "unknown flag: --since"},
	})
}

func TestExplainFlags(t *testing.T) {
	defaults := func() explainOptions {
		return explainOptions{inspectFlags: inspectFlags{evidenceFlags: evidenceFlags{demo: true, since: defaultAuditWindow}, format: "text"}, query: "dana@acme.com"}
	}
	testFlags(t, newExplainCmd, defaults, []flagCase[explainOptions]{
		{name: "defaults", args: []string{"dana@acme.com", "--demo"}},
		{name: "json, short flag", args: []string{"dana@acme.com", "--demo", "-o", "json"},
			want: func(o *explainOptions) { o.format = "json" }},
		{name: "live", args: []string{"dana@acme.com", "--source", "entra", "--entra-cloud", "usgov", "--since", "1d", "--config", "c.yaml"},
			want: func(o *explainOptions) {
				o.demo, o.sources, o.entraCloud, o.configPath = false, []string{"entra"}, "usgov", "c.yaml"
				o.since = auditWindow{24 * time.Hour, "1d"}
			}},
		{name: "no account", args: []string{"--demo"}, wantErr: "accepts 1 arg(s)"},
		{name: "no evidence", args: []string{"dana@acme.com"}, wantErr: "exactly one of --source, --snapshot or --demo"},
		{name: "bad format", args: []string{"dana@acme.com", "--demo", "--format", "table"}, wantErr: `--format "table"`},
	})
}

func TestPlanFlags(t *testing.T) {
	defaults := func() planOptions {
		return planOptions{inspectFlags: inspectFlags{evidenceFlags: evidenceFlags{snapshots: []string{"e.json"}, since: defaultAuditWindow}, format: "text"}}
	}
	testFlags(t, newPlanCmd, defaults, []flagCase[planOptions]{
		{name: "defaults", args: []string{"--snapshot", "e.json"}},
		{name: "what-if", args: []string{"--snapshot", "e.json", "--what-if", "ACT-1", "--format", "json"},
			want: func(o *planOptions) { o.whatIf, o.format = "ACT-1", "json" }},
		{name: "both evidence kinds", args: []string{"--snapshot", "e.json", "--source", "okta"}, wantErr: "exactly one of"},
		{name: "bad since", args: []string{"--snapshot", "e.json", "--since", "x"}, wantErr: `"--since" flag`},
		{name: "arguments", args: []string{"--snapshot", "e.json", "extra"}, wantErr: "unknown command"},
	})
}

func TestDiffFlags(t *testing.T) {
	defaults := func() diffOptions { return diffOptions{oldPath: "a.json", newPath: "b.json", format: "table"} }
	testFlags(t, newDiffCmd, defaults, []flagCase[diffOptions]{
		{name: "defaults", args: []string{"a.json", "b.json"}},
		{name: "every flag", args: []string{"a.json", "b.json", "--format", "json", "--all", "--fail-on", "medium"},
			want: func(o *diffOptions) { o.format, o.all, o.failOn = "json", true, failOn(2) }},
		{name: "one file", args: []string{"a.json"}, wantErr: "accepts 2 arg(s)"},
		{name: "bad fail-on", args: []string{"a.json", "b.json", "--fail-on", "urgent"}, wantErr: `invalid argument "urgent" for "--fail-on" flag`},
		{name: "bad format", args: []string{"a.json", "b.json", "--format", "html"}, wantErr: `--format "html"`},
	})
}

func TestVerifyFlags(t *testing.T) {
	defaults := func() verifyOptions { return verifyOptions{snapshot: "e.json"} }
	testFlags(t, newVerifyCmd, defaults, []flagCase[verifyOptions]{
		{name: "defaults", args: []string{"e.json"}},
		{name: "every flag", args: []string{"e.json", "--results", "r.json", "--public-key", "p.pem", "--signature", "e.sig", "--config", "c.yaml", "--waivers", "w.yaml"},
			want: func(o *verifyOptions) {
				*o = verifyOptions{snapshot: "e.json", results: "r.json", publicKey: "p.pem", signature: "e.sig", configPath: "c.yaml", waiversPath: "w.yaml"}
			}},
		{name: "no snapshot", args: nil, wantErr: "accepts 1 arg(s)"},
	})
}

func TestChecksFlags(t *testing.T) {
	defaults := func() checksOptions { return checksOptions{format: "table"} }
	testFlags(t, newChecksCmd, defaults, []flagCase[checksOptions]{
		{name: "defaults"},
		{name: "json", args: []string{"--format", "json"}, want: func(o *checksOptions) { o.format = "json" }},
		{name: "bad format", args: []string{"--format", "csv"}, wantErr: `--format "csv"`},
	})
}

// TestLiveFlagsHelpIsShared: the commands that read tenants describe
// their shared flags in the same words.
func TestLiveFlagsHelpIsShared(t *testing.T) {
	f := newFactory(&bytes.Buffer{}, &bytes.Buffer{}, func(string) string { return "" })
	cmds := []*cobra.Command{newScanCmd(f, nil), newCollectCmd(f, nil), newDoctorCmd(f, nil), newExplainCmd(f, nil), newPlanCmd(f, nil)}
	for _, name := range []string{"source", "config", "entra-cloud", "since"} {
		var first *cobra.Command
		for _, c := range cmds {
			fl := c.Flags().Lookup(name)
			if fl == nil {
				continue
			}
			if first == nil {
				first = c
				continue
			}
			if a, b := first.Flags().Lookup(name), fl; a.Usage != b.Usage || a.DefValue != b.DefValue {
				t.Errorf("--%s: %s says %q (default %q), %s says %q (default %q)", name, first.Name(), a.Usage, a.DefValue, c.Name(), b.Usage, b.DefValue)
			}
		}
	}
}
