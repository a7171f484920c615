package evidence

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
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

func TestEncodeDecodeRoundTripAndHash(t *testing.T) {
	b1, err := EncodeSnapshot(sampleSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeSnapshot(bytes.NewReader(b1))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sources[0].Accounts[0].ID != "00u1" {
		t.Errorf("accounts not sorted by id: %s first", got.Sources[0].Accounts[0].ID)
	}
	// Same content, shuffled input: same bytes.
	s := sampleSnapshot()
	s.Sources[0].Accounts[0].Methods[0], s.Sources[0].Accounts[0].Methods[1] = s.Sources[0].Accounts[0].Methods[1], s.Sources[0].Accounts[0].Methods[0]
	b2, err := EncodeSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Errorf("encoding depends on input order:\n%s\n%s", b1, b2)
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
