package safeio

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileRefusesNonRegularAndOversized(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 2048), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       error
	}{
		{"fifo", fifo, ErrNotRegular},
		{"device", "/dev/zero", ErrNotRegular},
		{"directory", dir, ErrNotRegular},
		{"oversized", big, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := ReadFile(tt.path, 1024); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.path) {
					t.Errorf("ReadFile(%s) = %v, want %v naming the path", tt.path, err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("ReadFile(%s) blocked", tt.path)
			}
		})
	}
	if b, err := ReadFile(ok, 1024); err != nil || string(b) != "hello" {
		t.Errorf("ReadFile(ok) = %q, %v", b, err)
	}
}

func TestWriteSetIsOwnerOnlyAndAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSet(dir, []File{{"a", []byte("old a")}, {"b", []byte("old b")}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		st, err := os.Stat(filepath.Join(dir, n))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", n, st.Mode().Perm(), err)
		}
	}
	// The second file cannot be written (its name is a directory with
	// content, so the rename fails): the first must keep its old content.
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c", "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteSet(dir, []File{{"a", []byte("new a")}, {"b", []byte("new b")}, {"c", []byte("new c")}})
	var se *SetError
	if !errors.As(err, &se) || se.Replaced {
		t.Fatalf("WriteSet = %v, want a SetError with nothing replaced", err)
	}
	for n, want := range map[string]string{"a": "old a", "b": "old b"} {
		if got, _ := os.ReadFile(filepath.Join(dir, n)); string(got) != want {
			t.Errorf("%s = %q after a failed set, want %q", n, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteSetKeepsOldFileWhenTheDirectoryIsReadOnly: the temporary file
// cannot be created, the old file stays whole and nothing is left behind.
func TestWriteSetKeepsOldFileWhenTheDirectoryIsReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	if err := WriteSet(dir, []File{{"results.json", []byte("old")}}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := WriteSet(dir, []File{{"results.json", []byte("new")}}); err == nil {
		t.Fatal("write into a read-only directory succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "results.json")); string(b) != "old" {
		t.Errorf("file holds %q, want the old content", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestHasUserinfo(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://acme.okta.com":              false,
		"https://user:pass@acme.okta.com":    true,
		"https://user@acme.okta.com":         true,
		"https://u:p@[::1%zz/":               true,
		"https://acme.okta.com/path@x":       false,
		"https://login.microsoftonline.com/": false,
		" https://a:b@graph.microsoft.com ":  true,
	} {
		if got := HasUserinfo(raw); got != want {
			t.Errorf("HasUserinfo(%q) = %v, want %v", raw, got, want)
		}
	}
}
