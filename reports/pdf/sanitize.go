package pdf

import (
	"encoding/binary"
	"errors"
	"strings"
	"unicode"
)

// sanitizer maps every rune the embedded font cannot draw to one replacement
// rune. gofpdf indexes its width table by rune and panics beyond the Basic
// Multilingual Plane (emoji) and silently draws nothing for missing glyphs,
// so every string is cleaned before it is measured or drawn.
type sanitizer struct {
	covered map[rune]bool
	repl    rune
}

// newSanitizer builds a sanitizer accepting the runes every given TrueType
// font maps to a glyph.
func newSanitizer(fonts ...[]byte) (*sanitizer, error) {
	var covered map[rune]bool
	for _, f := range fonts {
		cov, err := cmapCoverage(f)
		if err != nil {
			return nil, err
		}
		if covered == nil {
			covered = cov
			continue
		}
		for r := range covered {
			if !cov[r] {
				delete(covered, r)
			}
		}
	}
	s := &sanitizer{covered: covered, repl: '?'}
	if covered['\uFFFD'] {
		s.repl = '\uFFFD'
	}
	return s, nil
}

// ok reports whether r can be drawn as is.
func (s *sanitizer) ok(r rune) bool {
	if r > 0xFFFF || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Co, r) {
		return false // control, format (bidi, zero-width), private use
	}
	return s.covered[r]
}

// clean returns text safe to measure and draw on one line: whitespace
// controls become spaces, anything else the font lacks becomes the
// replacement rune (one per run, so an emoji sequence is one mark).
func (s *sanitizer) clean(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	lastRepl := false
	for _, r := range text {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u00A0':
			b.WriteByte(' ')
			lastRepl = false
		case s.ok(r):
			b.WriteRune(r)
			lastRepl = false
		case !lastRepl:
			b.WriteRune(s.repl)
			lastRepl = true
		}
	}
	return b.String()
}

// cmapCoverage reads the runes a TrueType font maps to a non-zero glyph from
// its cmap table (format 4 and 12 subtables of the Unicode encodings).
func cmapCoverage(font []byte) (map[rune]bool, error) {
	bad := errors.New("pdf: font: malformed TrueType cmap")
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(font) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(font[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(font) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(font[off:])), true
	}
	n, ok := u16(4)
	if !ok {
		return nil, bad
	}
	cmap := -1
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return nil, bad
		}
		if string(font[rec:rec+4]) == "cmap" {
			cmap, _ = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return nil, errors.New("pdf: font: no cmap table")
	}
	nsub, ok := u16(cmap + 2)
	if !ok {
		return nil, bad
	}
	best, bestRank := -1, 0
	for i := 0; i < nsub; i++ {
		rec := cmap + 4 + 8*i
		pid, ok1 := u16(rec)
		eid, ok2 := u16(rec + 2)
		off, ok3 := u32(rec + 4)
		if !ok1 || !ok2 || !ok3 {
			return nil, bad
		}
		rank := 0
		switch {
		case pid == 3 && eid == 10, pid == 0 && (eid == 4 || eid == 6):
			rank = 3
		case pid == 3 && eid == 1, pid == 0:
			rank = 2
		}
		if rank > bestRank {
			best, bestRank = cmap+off, rank
		}
	}
	if best < 0 {
		return nil, errors.New("pdf: font: no Unicode cmap subtable")
	}
	format, ok := u16(best)
	if !ok {
		return nil, bad
	}
	cov := map[rune]bool{}
	switch format {
	case 4:
		segX2, ok := u16(best + 6)
		if !ok {
			return nil, bad
		}
		ends, starts := best+14, best+16+segX2
		deltas, ranges := starts+segX2, starts+2*segX2
		for i := 0; i < segX2/2; i++ {
			end, ok1 := u16(ends + 2*i)
			start, ok2 := u16(starts + 2*i)
			delta, ok3 := u16(deltas + 2*i)
			ro, ok4 := u16(ranges + 2*i)
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return nil, bad
			}
			for c := start; c <= end && c != 0xFFFF; c++ {
				g := 0
				if ro == 0 {
					g = (c + delta) & 0xFFFF
				} else if v, ok := u16(ranges + 2*i + ro + 2*(c-start)); ok && v != 0 {
					g = (v + delta) & 0xFFFF
				}
				if g != 0 {
					cov[rune(c)] = true
				}
			}
		}
	case 12:
		groups, ok := u32(best + 12)
		if !ok {
			return nil, bad
		}
		for i := 0; i < groups; i++ {
			g := best + 16 + 12*i
			start, ok1 := u32(g)
			end, ok2 := u32(g + 4)
			if !ok1 || !ok2 || end < start || end > unicode.MaxRune {
				return nil, bad
			}
			for c := start; c <= end; c++ {
				cov[rune(c)] = true
			}
		}
	default:
		return nil, errors.New("pdf: font: unsupported cmap format")
	}
	return cov, nil
}
