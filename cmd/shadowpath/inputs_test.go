package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// verifyCommand is the command the report's cover prints, as arguments.
func verifyCommand(t *testing.T, res *checks.Results) []string {
	t.Helper()
	v, err := reports.BuildView(res, reports.ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cmds := v.Cover.Reperform.Commands
	if len(cmds) != 1 {
		t.Fatalf("cover commands %q (note %q), want one", cmds, v.Cover.Reperform.Note)
	}
	args := strings.Fields(cmds[0])
	if args[0] != "shadowpath" {
		t.Fatalf("command %q", cmds[0])
	}
	return args[1:]
}

// TestCoverVerifyCommandReperforms: the inputs' SHA-256 are what sha256sum
// gives for the files, and the verify command printed on the cover, run as
// printed, re-derives the results (issue 15: "the snapshot file's SHA-256,
// the config and waiver files' hashes … and the exact shadowpath verify
// command that re-performs the test").
func TestCoverVerifyCommandReperforms(t *testing.T) {
	c := newCLI()
	t.Run("demo", func(t *testing.T) {
		out := t.TempDir()
		if code := c.run(t, "scan", "--demo", "--format", "json", "--out", out); code != 0 {
			t.Fatalf("scan: %d %s", code, c.stderr.String())
		}
		res := readResults(t, out)
		roles := map[string]checks.Input{}
		for _, in := range res.Inputs {
			roles[in.Role] = in
		}
		for role, data := range map[string][]byte{checks.InputSnapshot: demo.SnapshotJSON, checks.InputConfig: demo.ConfigYAML, checks.InputWaivers: demo.WaiversYAML} {
			in := roles[role]
			file, err := os.ReadFile(filepath.Join("..", "..", in.Path))
			if err != nil {
				t.Fatalf("%s: %v", role, err)
			}
			if in.SHA256 != sha256Hex(file) || in.SHA256 != sha256Hex(data) || !in.BuiltIn {
				t.Errorf("%s input %+v: the file's SHA-256 is %s", role, in, sha256Hex(file))
			}
		}
		args := verifyCommand(t, res)
		for i, a := range args {
			if strings.HasPrefix(a, "templates/demo/") {
				args[i] = filepath.Join("..", "..", a) // the test runs in cmd/shadowpath
			}
		}
		if code := c.run(t, args...); code != 0 || !strings.Contains(c.stdout.String(), "results: ok") {
			t.Fatalf("%q: exit %d\n%s%s", args, code, c.stdout.String(), c.stderr.String())
		}
	})
	t.Run("snapshot config and waivers files", func(t *testing.T) {
		dir := t.TempDir()
		cfg, wv, snap := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "waivers.yaml"), filepath.Join(dir, "q4 evidence.json")
		os.WriteFile(cfg, demo.ConfigYAML, 0o600)
		os.WriteFile(wv, demo.WaiversYAML, 0o600)
		os.WriteFile(filepath.Join(dir, "in.json"), demo.SnapshotJSON, 0o600)
		out := filepath.Join(dir, "out")
		if code := c.run(t, "scan", "--snapshot", filepath.Join(dir, "in.json"), "--config", cfg, "--waivers", wv, "--save-snapshot", snap, "--format", "json", "--out", out); code != 0 {
			t.Fatalf("scan: %d %s", code, c.stderr.String())
		}
		res := readResults(t, out)
		saved, _ := os.ReadFile(snap)
		var got []string
		for _, in := range res.Inputs {
			got = append(got, in.Role)
			if in.Role == checks.InputSavedSnapshot && in.SHA256 != sha256Hex(saved) {
				t.Errorf("saved snapshot hash %s, file %s", in.SHA256, sha256Hex(saved))
			}
			if in.Role == checks.InputSnapshot && in.SHA256 != sha256Hex(demo.SnapshotJSON) {
				t.Errorf("snapshot read: hash %s, file %s", in.SHA256, sha256Hex(demo.SnapshotJSON))
			}
		}
		if want := "snapshot config waivers saved_snapshot results"; strings.Join(got, " ") != want {
			t.Errorf("inputs %q, want %q", got, want)
		}
		// The path with a space is quoted on the cover; unquote it here as
		// a shell would.
		v, _ := reports.BuildView(res, reports.ViewOptions{})
		cmd := v.Cover.Reperform.Commands[0]
		if !strings.Contains(cmd, "'"+snap+"'") {
			t.Fatalf("cover command %q does not quote %q", cmd, snap)
		}
		args := strings.Fields(strings.Replace(cmd, "'"+snap+"'", "SNAP", 1))[1:]
		for i := range args {
			if args[i] == "SNAP" {
				args[i] = snap
			}
		}
		if code := c.run(t, args...); code != 0 || !strings.Contains(c.stdout.String(), "results: ok") {
			t.Fatalf("%q: exit %d\n%s%s", args, code, c.stdout.String(), c.stderr.String())
		}
	})
}
