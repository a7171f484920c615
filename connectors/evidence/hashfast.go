package evidence

import (
	"reflect"
	"time"
	"unicode/utf8"
)

// The streaming hash spends its time encoding accounts. appendAccount writes
// an account exactly as the canonical encoder does (encoding/json, HTML
// escaping off, indented at depth two) without reflection. It knows the
// fields of Account, Method and Role; fastAccounts checks them at start-up
// against the struct definitions, so a field added later silently falls back
// to encoding/json instead of changing the digest.

// accountFields, methodFields and roleFields are the JSON keys appendAccount
// writes, in order, with ",omitempty" where it omits empty values.
var (
	accountFields = []string{"id", "name", "login", "status", "user_type", "privileged", "roles,omitempty", "groups,omitempty", "methods", "methods_error,omitempty", "sspr,omitempty", "per_user_mfa,omitempty", "last_sign_in,omitempty", "created,omitempty", "factors_read_at,omitempty", "carried_over,omitempty"}
	methodFields  = []string{"kind", "vendor_type", "vendor_provider,omitempty", "id,omitempty", "name,omitempty", "status,omitempty", "created,omitempty", "last_used,omitempty"}
	roleFields    = []string{"id", "name", "via,omitempty"}
)

// fastAccounts: the structs still have exactly the fields appendAccount knows.
var fastAccounts = sameTags(reflect.TypeFor[Account](), accountFields) &&
	sameTags(reflect.TypeFor[Method](), methodFields) &&
	sameTags(reflect.TypeFor[Role](), roleFields)

func sameTags(t reflect.Type, want []string) bool {
	if t.NumField() != len(want) {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("json") != want[i] {
			return false
		}
	}
	return true
}

// jsonWriter appends indented JSON; depth counts indents after the prefix.
type jsonWriter struct {
	b      []byte
	breaks []string
	prefix string
	indent string
}

func (w *jsonWriter) newline(depth int) {
	for len(w.breaks) <= depth {
		s := "\n" + w.prefix
		for range len(w.breaks) {
			s += w.indent
		}
		w.breaks = append(w.breaks, s)
	}
	w.b = append(w.b, w.breaks[depth]...)
}

// key starts a field: a separator unless it is the first, a new line, the key.
func (w *jsonWriter) key(first bool, depth int, k string) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.newline(depth)
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':', ' ')
}

func (w *jsonWriter) bool(v bool) {
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

func (w *jsonWriter) time(t *time.Time) bool {
	b, err := t.MarshalJSON()
	if err != nil {
		return false
	}
	w.b = append(w.b, b...)
	return true
}

const hexDigits = "0123456789abcdef"

// string escapes as encoding/json does with HTML escaping off.
func (w *jsonWriter) string(s string) {
	dst := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	w.b = append(dst, '"')
}

func (w *jsonWriter) strings(depth int, ss []string) {
	if len(ss) == 0 {
		w.b = append(w.b, '[', ']')
		return
	}
	w.b = append(w.b, '[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.newline(depth + 1)
		w.string(s)
	}
	w.newline(depth)
	w.b = append(w.b, ']')
}

// appendAccount writes a at the given depth; ok is false when a value
// (a time out of range) needs encoding/json's error instead.
func (w *jsonWriter) appendAccount(depth int, a *Account) (ok bool) {
	d := depth + 1
	w.b = append(w.b, '{')
	w.key(true, d, "id")
	w.string(a.ID)
	w.key(false, d, "name")
	w.string(a.Name)
	w.key(false, d, "login")
	w.string(a.Login)
	w.key(false, d, "status")
	w.string(a.Status)
	w.key(false, d, "user_type")
	w.string(a.UserType)
	w.key(false, d, "privileged")
	w.bool(a.Privileged)
	if len(a.Roles) > 0 {
		w.key(false, d, "roles")
		w.b = append(w.b, '[')
		for i := range a.Roles {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.newline(d + 1)
			r := &a.Roles[i]
			w.b = append(w.b, '{')
			w.key(true, d+2, "id")
			w.string(r.ID)
			w.key(false, d+2, "name")
			w.string(r.Name)
			if r.Via != "" {
				w.key(false, d+2, "via")
				w.string(r.Via)
			}
			w.newline(d + 1)
			w.b = append(w.b, '}')
		}
		w.newline(d)
		w.b = append(w.b, ']')
	}
	if len(a.Groups) > 0 {
		w.key(false, d, "groups")
		w.strings(d, a.Groups)
	}
	w.key(false, d, "methods")
	switch {
	case a.Methods == nil:
		w.b = append(w.b, "null"...)
	case len(a.Methods) == 0:
		w.b = append(w.b, '[', ']')
	default:
		w.b = append(w.b, '[')
		for i := range a.Methods {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.newline(d + 1)
			if !w.appendMethod(d+1, &a.Methods[i]) {
				return false
			}
		}
		w.newline(d)
		w.b = append(w.b, ']')
	}
	if a.MethodsError != "" {
		w.key(false, d, "methods_error")
		w.string(a.MethodsError)
	}
	if s := a.SSPR; s != nil {
		w.key(false, d, "sspr")
		w.b = append(w.b, '{')
		w.key(true, d+1, "enabled")
		w.bool(s.Enabled)
		w.key(false, d+1, "registered")
		w.bool(s.Registered)
		w.key(false, d+1, "capable")
		w.bool(s.Capable)
		w.newline(d)
		w.b = append(w.b, '}')
	}
	if a.PerUserMFA != "" {
		w.key(false, d, "per_user_mfa")
		w.string(a.PerUserMFA)
	}
	if a.LastSignIn != nil {
		w.key(false, d, "last_sign_in")
		if !w.time(a.LastSignIn) {
			return false
		}
	}
	if a.Created != nil {
		w.key(false, d, "created")
		if !w.time(a.Created) {
			return false
		}
	}
	if a.FactorsReadAt != nil {
		w.key(false, d, "factors_read_at")
		if !w.time(a.FactorsReadAt) {
			return false
		}
	}
	if a.CarriedOver {
		w.key(false, d, "carried_over")
		w.bool(true)
	}
	w.newline(depth)
	w.b = append(w.b, '}')
	return true
}

func (w *jsonWriter) appendMethod(depth int, m *Method) bool {
	d := depth + 1
	w.b = append(w.b, '{')
	w.key(true, d, "kind")
	w.string(string(m.Kind))
	w.key(false, d, "vendor_type")
	w.string(m.VendorType)
	for _, f := range [...]struct{ k, v string }{{"vendor_provider", m.VendorProvider}, {"id", m.ID}, {"name", m.Name}, {"status", m.Status}} {
		if f.v != "" {
			w.key(false, d, f.k)
			w.string(f.v)
		}
	}
	if m.Created != nil {
		w.key(false, d, "created")
		if !w.time(m.Created) {
			return false
		}
	}
	if m.LastUsed != nil {
		w.key(false, d, "last_used")
		if !w.time(m.LastUsed) {
			return false
		}
	}
	w.newline(depth)
	w.b = append(w.b, '}')
	return true
}
