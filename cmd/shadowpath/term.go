package main

import (
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// termWriter escapes what must not reach a terminal raw: C0 control
// characters other than tab and newline (ESC, BEL, CR, NUL…), DEL, C1
// controls, and the bidirectional-text and line-separator controls (an
// RLO in a display name would reorder the line it is printed on). Tenant
// data — display names, messages, error texts — reaches stdout and stderr
// through diff, verify, doctor, the summary and errors; every line is
// sanitised here, once, rather than at each print.
//
// Escapes use the \uXXXX form, which is also a JSON escape of the same
// character, so JSON written through it (--format json, JSON logs) stays
// valid and means the same. Invalid UTF-8 becomes U+FFFD.
type termWriter struct {
	w       io.Writer
	pending []byte // an incomplete UTF-8 sequence from the previous write
}

func newTermWriter(w io.Writer) *termWriter { return &termWriter{w: w} }

func (t *termWriter) Write(p []byte) (int, error) {
	data := p
	if len(t.pending) > 0 {
		data = append(t.pending, p...)
		t.pending = nil
	}
	// Keep a trailing incomplete rune for the next write.
	if cut := incompleteTail(data); cut > 0 {
		t.pending = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	out := make([]byte, 0, len(data)+16)
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && size <= 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		case unsafeRune(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, data[:size]...)
		}
		data = data[size:]
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteTail returns the length of a UTF-8 sequence cut off at the end
// of b (0 when b ends on a rune boundary or with invalid bytes).
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a leading byte
			if !utf8.FullRune(b[len(b)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

// unsafeRune reports the characters termWriter escapes: printable's, bar
// newline and tab, and the line and paragraph separators.
func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return controlRune(r) || r == 0x2028 || r == 0x2029
}

// controlRune reports the control characters (C0, DEL, C1) and the
// bidirectional-text controls (an RLO reorders the line it is printed on).
func controlRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
