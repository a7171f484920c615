package evidence

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleSnapshot() *Snapshot {
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	return &Snapshot{SchemaVersion: SchemaVersion, Sources: []*Source{{
		Provider: Okta, Tenant: "acme.okta.com", CollectedAt: now,
		Coverage: []Coverage{{Dataset: DSUsers, Status: Complete, Items: 2}},
		Accounts: []Account{
			{ID: "00u2", Name: "Zoë Ångström", Methods: []Method{{Kind: KindSMS, VendorType: "sms"}, {Kind: KindFIDO2, VendorType: "webauthn"}}},
			{ID: "00u1", Name: "José Müller", Methods: []Method{}},
		},
	}}}
}

func TestWriteReadRoundTripAndHash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ev.json")
	sum1, err := WriteSnapshot(path, sampleSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Sources[0].Accounts[0].ID != "00u1" {
		t.Errorf("accounts not sorted by id: %s first", got.Sources[0].Accounts[0].ID)
	}
	// Same content, shuffled input: same bytes, same hash.
	s := sampleSnapshot()
	s.Sources[0].Accounts[0].Methods[0], s.Sources[0].Accounts[0].Methods[1] = s.Sources[0].Accounts[0].Methods[1], s.Sources[0].Accounts[0].Methods[0]
	sum2, err := WriteSnapshot(filepath.Join(t.TempDir(), "ev.json"), s)
	if err != nil {
		t.Fatal(err)
	}
	if sum1 != sum2 {
		t.Errorf("hash depends on input order: %s vs %s", sum1, sum2)
	}
	h1, _ := got.Sources[0].Hash()
	got.Sources[0].Accounts[1].Name = "Marcus"
	h2, _ := got.Sources[0].Hash()
	if h1 == h2 || len(h1) != 64 {
		t.Errorf("source hash did not change with the evidence: %s %s", h1, h2)
	}
}

func TestDecodeSnapshotErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"version", `{"schema_version":"9","sources":[]}`, `"schema_version"`},
		{"version says what to do", `{"schema_version":"3","sources":[]}`, `collect the evidence again`},
		{"no sources", `{"schema_version":"1","sources":[]}`, `"sources"`},
		{"provider", `{"schema_version":"1","sources":[{"provider":"ping","tenant":"t"}]}`, `sources[0].provider`},
		{"tenant", `{"schema_version":"1","sources":[{"provider":"okta","tenant":" "}]}`, `sources[0].tenant`},
		{"coverage", `{"schema_version":"1","sources":[{"provider":"okta","tenant":"t","coverage":[{"dataset":"users","status":"fine"}]}]}`, `sources[0].coverage[0].status`},
		{"kind", `{"schema_version":"1","sources":[{"provider":"okta","tenant":"t","accounts":[{"id":"1","methods":[{"kind":"telepathy"}]}]}]}`, `methods[0].kind`},
		{"type", `{"schema_version":"1","sources":[{"provider":"okta","tenant":"t","accounts":[{"id":1}]}]}`, `"sources.accounts.id"`},
		{"unknown field", `{"schema_version":"1","sourcez":[]}`, `unknown field "sourcez"`},
		{"syntax", `{"schema_version":"1",,}`, `invalid JSON at byte`},
		{"truncated", `{"schema_version":"1","sources":[`, `truncated`},
		{"trailing", `{"schema_version":"1","sources":[{"provider":"okta","tenant":"t"}]} {}`, `trailing data`},
		{"duplicate tenant", `{"schema_version":"1","sources":[{"provider":"okta","tenant":"t"},{"provider":"okta","tenant":"t"}]}`, `appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSnapshot(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want mention of %s", err, tt.want)
			}
		})
	}
}

func TestWriteFileAtomicKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "results.json")
	if err := WriteFileAtomic(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Make the directory read-only: the temp file cannot be created, the
	// old report must stay whole and no temp file may be left behind.
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if os.Geteuid() != 0 { // root ignores directory permissions
		if err := WriteFileAtomic(path, []byte("new"), 0o644); err == nil {
			t.Fatal("write into a read-only directory succeeded")
		}
	}
	os.Chmod(dir, 0o755)
	b, _ := os.ReadFile(path)
	if string(b) != "old" && string(b) != "new" {
		t.Errorf("file holds %q: neither the old nor the new content", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func TestCoverageFromError(t *testing.T) {
	pe := &PermissionError{APIError: APIError{Provider: Okta, Status: 403, Code: "E0000006", Endpoint: "/api/v1/logs"}, Needed: "okta.logs.read"}
	c := CoverageFromError(DSSystemLog, 0, pe)
	if c.Status != Denied || !strings.Contains(c.Detail, "okta.logs.read") {
		t.Errorf("permission error ⇒ %+v", c)
	}
	var ae *APIError
	if !errors.As(pe, &ae) || ae.Status != 403 {
		t.Error("PermissionError does not unwrap to APIError")
	}
	if c := CoverageFromError(DSUsers, 5, errors.New("boom")); c.Status != Errored || c.Items != 5 {
		t.Errorf("plain error ⇒ %+v", c)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("SSWS-very-secret")
	var buf bytes.Buffer
	for _, v := range []string{s.String(), s.GoString(), s.LogValue().String()} {
		buf.WriteString(v)
	}
	b, _ := s.MarshalJSON()
	buf.Write(b)
	if strings.Contains(buf.String(), "very-secret") || s.Reveal() != "SSWS-very-secret" {
		t.Errorf("secret leaked or lost: %s", buf.String())
	}
}

// FuzzDecodeSnapshot: any input either decodes into a valid snapshot or
// errors — never panics — and what decodes re-encodes and decodes again.
func FuzzDecodeSnapshot(f *testing.F) {
	seed, _ := Canonical(sampleSnapshot())
	f.Add(seed)
	f.Add([]byte(`{"schema_version":"1","sources":[{"provider":"entra","tenant":"x","accounts":[{"id":"a","methods":null}]}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSnapshot(bytes.NewReader(data))
		if err != nil {
			return
		}
		s.Normalize()
		for _, src := range s.Sources {
			if _, err := src.Hash(); err != nil {
				t.Fatalf("hash of a decoded source: %v", err)
			}
		}
		b, err := Canonical(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodeSnapshot(bytes.NewReader(b)); err != nil {
			t.Fatalf("re-decode of canonical form: %v", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	dial := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}
	dns := &net.DNSError{Err: "no such host", Name: "acme.okta.com"}
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("okta: get users: %w", dial), true},
		{fmt.Errorf("wrapped: %w", dns), true},
		{x509.UnknownAuthorityError{}, true},
		{fmt.Errorf("okta: page 2: %w", read), false},
		{context.DeadlineExceeded, false},
		{errors.New("invalid JSON"), false},
	} {
		if got := Unreachable(tt.err); got != tt.want {
			t.Errorf("Unreachable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
