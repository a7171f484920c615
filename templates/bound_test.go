package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// checkTmpl is a complete check template whose headline is body.
func checkTmpl(body string) string {
	return `{{define "fails_when"}}f{{end}}{{define "headline"}}` + body + `{{end}}{{define "why"}}w{{end}}{{define "remediation"}}r{{end}}`
}

// TestLoadRefusesLinksAndSpecialFiles: --template-dir followed symlinks, so
// any readable file (the secret file included) could end up in the PDF.
func TestLoadRefusesLinksAndSpecialFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(checkTmpl("s3cr3t")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("symlinked file", func(t *testing.T) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "checks"), 0o700)
		if err := os.Symlink(secret, filepath.Join(dir, "checks", "MFA-01.tmpl")); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Load = %v, want a symlink refusal", err)
		}
	})
	t.Run("symlinked directory", func(t *testing.T) {
		dir, other := t.TempDir(), t.TempDir()
		os.WriteFile(filepath.Join(other, "MFA-01.tmpl"), []byte(checkTmpl("x")), 0o600)
		if err := os.Symlink(other, filepath.Join(dir, "checks")); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Load = %v, want a symlink refusal", err)
		}
	})
	t.Run("fifo", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(dir, "glossary.tmpl"), 0o600); err != nil {
			t.Skip(err)
		}
		done := make(chan error, 1)
		go func() { _, err := Load(dir); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Load = %v, want a refusal", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Load blocked on a FIFO")
		}
	})
}

// TestTemplatesAreBounded: {{range 2000000000}} ran unbounded and
// uninterruptible; a template's output is bounded too.
func TestTemplatesAreBounded(t *testing.T) {
	tests := []struct{ name, body string }{
		{"huge literal loop", `{{range 2000000000}}{{end}}`},
		{"huge loop via a variable", `{{$n := 2000000000}}{{range $n}}{{end}}`},
		{"nested loops", `{{range 5000}}{{range 5000}}x{{end}}{{end}}`},
		{"nested through a template call", `{{range 9000}}{{template "inner"}}{{end}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("checks/MFA-01.tmpl", "test", checkTmpl(tt.body)+`{{define "inner"}}{{range 9000}}y{{end}}{{end}}`)
			if !errors.Is(err, ErrTooExpensive) {
				t.Errorf("parse = %v, want ErrTooExpensive", err)
			}
		})
	}
	t.Run("output", func(t *testing.T) {
		tm, err := parse("checks/MFA-01.tmpl", "test", checkTmpl(`{{range 1000}}`+strings.Repeat("z", 2000)+`{{end}}`))
		if err != nil {
			t.Fatal(err)
		}
		s := &Set{files: map[string]*template.Template{"checks/MFA-01.tmpl": tm}}
		if _, err := s.Check(CheckData{ID: "MFA-01", Params: params()}); !errors.Is(err, ErrTooExpensive) {
			t.Errorf("Check = %v, want ErrTooExpensive", err)
		}
	})
	t.Run("ordinary loops pass", func(t *testing.T) {
		if _, err := parse("checks/MFA-01.tmpl", "test", checkTmpl(`{{range 3}}a{{end}}{{range $k, $v := .Params}}{{$k}}{{end}}`)); err != nil {
			t.Error(err)
		}
	})
}
