package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// MaxSnapshotBytes bounds what DecodeSnapshot accepts (1M accounts with methods
// is about 600 MB of JSON).
const MaxSnapshotBytes = 2 << 30

// Canonical returns the canonical JSON encoding of v: sorted-key maps,
// fixed field order, two-space indent, trailing newline. The SHA-256 of a
// snapshot is taken over these bytes.
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Hash returns the hex SHA-256 of the source's canonical JSON: the
// "evidence_sha256" printed in every report.
func (s *Source) Hash() (string, error) { return s.StreamHash() }

// Normalize sorts every list so that the same tenant state always produces
// the same bytes.
func (s *Snapshot) Normalize() {
	sort.SliceStable(s.Sources, func(i, j int) bool {
		if s.Sources[i].Provider != s.Sources[j].Provider {
			return s.Sources[i].Provider < s.Sources[j].Provider
		}
		return s.Sources[i].Tenant < s.Sources[j].Tenant
	})
	for _, src := range s.Sources {
		src.Normalize()
	}
}

// Normalize sorts the source's lists.
func (s *Source) Normalize() {
	sort.SliceStable(s.Coverage, func(i, j int) bool { return s.Coverage[i].Dataset < s.Coverage[j].Dataset })
	sort.SliceStable(s.Accounts, func(i, j int) bool { return s.Accounts[i].ID < s.Accounts[j].ID })
	for i := range s.Accounts {
		a := &s.Accounts[i]
		sort.Strings(a.Groups)
		sort.SliceStable(a.Roles, func(i, j int) bool { return a.Roles[i].ID < a.Roles[j].ID })
		sort.SliceStable(a.Methods, func(i, j int) bool {
			if a.Methods[i].Kind != a.Methods[j].Kind {
				return a.Methods[i].Kind < a.Methods[j].Kind
			}
			return a.Methods[i].ID < a.Methods[j].ID
		})
	}
	sort.SliceStable(s.Groups, func(i, j int) bool { return s.Groups[i].ID < s.Groups[j].ID })
	sort.SliceStable(s.Events, func(i, j int) bool {
		if !s.Events[i].Time.Equal(s.Events[j].Time) {
			return s.Events[i].Time.Before(s.Events[j].Time)
		}
		return s.Events[i].ID < s.Events[j].ID
	})
	sort.SliceStable(s.Workloads, func(i, j int) bool { return s.Workloads[i].ID < s.Workloads[j].ID })
	for i := range s.Workloads {
		w := &s.Workloads[i]
		sort.SliceStable(w.Credentials, func(i, j int) bool { return w.Credentials[i].ID < w.Credentials[j].ID })
		sort.SliceStable(w.Owners, func(i, j int) bool { return w.Owners[i].ID < w.Owners[j].ID })
		sort.Strings(w.Grants)
	}
	sort.SliceStable(s.OutOfScope, func(i, j int) bool { return s.OutOfScope[i].Reason < s.OutOfScope[j].Reason })
	sort.Strings(s.Warnings)
}

// EncodeSnapshot normalizes s and returns the canonical bytes a snapshot
// file holds, for callers that write them more than once (a snapshot file
// and a history entry).
func EncodeSnapshot(s *Snapshot) ([]byte, error) {
	if s.SchemaVersion == "" {
		s.SchemaVersion = SchemaVersion
	}
	s.Normalize()
	b, err := Canonical(s)
	if err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return b, nil
}

// DecodeSnapshot decodes and validates snapshot JSON from r.
func DecodeSnapshot(r io.Reader) (*Snapshot, error) {
	lr := &io.LimitedReader{R: r, N: MaxSnapshotBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		if lr.N <= 0 {
			return nil, fmt.Errorf("larger than %d bytes", int64(MaxSnapshotBytes))
		}
		return nil, describeJSONError(err)
	}
	if dec.More() {
		return nil, errors.New("trailing data after the snapshot object")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func describeJSONError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Errorf("field %q: expected %s, got JSON %s (byte %d)", te.Field, te.Type, te.Value, te.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated JSON (unexpected end of file)")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

// Validate checks what decoding cannot: versions, enums, required ids.
func (s *Snapshot) Validate() error {
	if !slices.Contains(SupportedSchemaVersions, s.SchemaVersion) {
		return fmt.Errorf("field \"schema_version\": %q is not supported (this build reads %s): collect the evidence again with this version (shadowpath collect)",
			s.SchemaVersion, strings.Join(SupportedSchemaVersions, ", "))
	}
	if len(s.Sources) == 0 {
		return errors.New("field \"sources\": no source in snapshot")
	}
	seen := map[string]bool{}
	for i, src := range s.Sources {
		at := fmt.Sprintf("sources[%d]", i)
		if src == nil {
			return fmt.Errorf("field %q: null source", at)
		}
		if src.Provider != Okta && src.Provider != Entra {
			return fmt.Errorf("field %q: unknown provider %q (want okta or entra)", at+".provider", src.Provider)
		}
		if strings.TrimSpace(src.Tenant) == "" {
			return fmt.Errorf("field %q: empty tenant", at+".tenant")
		}
		key := string(src.Provider) + "/" + src.Tenant
		if seen[key] {
			return fmt.Errorf("field %q: tenant %s appears twice", at, key)
		}
		seen[key] = true
		for j, c := range src.Coverage {
			switch c.Status {
			case Complete, Partial, Denied, Errored:
			default:
				return fmt.Errorf("field %q: unknown coverage status %q", fmt.Sprintf("%s.coverage[%d].status", at, j), c.Status)
			}
		}
		for j, a := range src.Accounts {
			if a.ID == "" {
				return fmt.Errorf("field %q: empty account id", fmt.Sprintf("%s.accounts[%d].id", at, j))
			}
			for k, m := range a.Methods {
				if !ValidKind(m.Kind) {
					return fmt.Errorf("field %q: unknown method kind %q", fmt.Sprintf("%s.accounts[%d].methods[%d].kind", at, j, k), m.Kind)
				}
			}
		}
	}
	return nil
}
