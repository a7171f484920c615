package evidence

import "log/slog"

// Secret holds a credential (API token, client secret, private key). Its
// String, GoString, LogValue and MarshalJSON never reveal the value, so a
// Secret that reaches a log line, an error or a snapshot says REDACTED.
type Secret struct{ v string }

// NewSecret wraps a credential value.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the value, for the one place that hands it to an SDK.
func (s Secret) Reveal() string { return s.v }

// Empty reports whether no value is set.
func (s Secret) Empty() bool { return s.v == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return "REDACTED" }

// GoString implements fmt.GoStringer (%#v).
func (s Secret) GoString() string { return "REDACTED" }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }
