package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
)

// StreamHash returns the same digest as Hash without holding the canonical
// JSON in memory: the accounts, which are nearly all of a large source, are
// encoded in parallel chunks straight into the hash. For a million accounts
// Hash needs several gigabytes; StreamHash needs a few megabytes.
func (s *Source) StreamHash() (string, error) {
	h := sha256.New()
	if err := s.WriteCanonical(h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// accountsMarker is how the canonical encoding prints an empty accounts list:
// a top-level key (two-space indent), which no nested value or string can
// reproduce because strings escape their newlines and quotes.
var accountsMarker = []byte("\n  \"accounts\": []")

// WriteCanonical writes exactly the bytes of Canonical(s), streaming the
// accounts.
func (s *Source) WriteCanonical(w io.Writer) error {
	if len(s.Accounts) == 0 {
		b, err := Canonical(s)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	shell := *s
	shell.Accounts = []Account{}
	b, err := Canonical(&shell)
	if err != nil {
		return err
	}
	i := bytes.Index(b, accountsMarker)
	if i < 0 || bytes.Contains(b[i+1:], accountsMarker) {
		return errors.New("canonical encoding: accounts key not found once")
	}
	open := i + len(accountsMarker) - 1 // the ']' of "[]"
	if _, err := w.Write(b[:open]); err != nil {
		return err
	}
	if err := writeAccounts(w, s.Accounts); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\n  "); err != nil {
		return err
	}
	_, err = w.Write(b[open:])
	return err
}

// writeAccounts writes the elements of the accounts array as the canonical
// encoder indents them at depth two, in order, encoding chunks concurrently.
func writeAccounts(w io.Writer, accounts []Account) error {
	const chunk = 2048
	workers := runtime.GOMAXPROCS(0)
	outs := make([][]byte, workers) // reused between batches
	errs := make([]error, workers)
	for start := 0; start < len(accounts); start += chunk * workers {
		var wg sync.WaitGroup
		for k := 0; k < workers; k++ {
			lo := start + k*chunk
			if lo >= len(accounts) {
				break
			}
			hi := min(lo+chunk, len(accounts))
			wg.Add(1)
			go func(k, lo, hi int) {
				defer wg.Done()
				w := jsonWriter{b: outs[k][:0], prefix: "    ", indent: "  "}
				defer func() { outs[k] = w.b }()
				var compact bytes.Buffer
				enc := json.NewEncoder(&compact)
				enc.SetEscapeHTML(false)
				for i := lo; i < hi; i++ {
					if i == 0 {
						w.b = append(w.b, "\n    "...)
					} else {
						w.b = append(w.b, ",\n    "...)
					}
					mark := len(w.b)
					if fastAccounts && w.appendAccount(0, &accounts[i]) {
						continue
					}
					// encoding/json: for a struct appendAccount does not know,
					// and for its error on a value it cannot encode.
					w.b = w.b[:mark]
					compact.Reset()
					if err := enc.Encode(&accounts[i]); err != nil {
						errs[k] = err
						return
					}
					b := compact.Bytes()
					w.b = appendIndentCompact(w.b, b[:len(b)-1], "    ", "  ")
				}
			}(k, lo, hi)
		}
		wg.Wait()
		for k := 0; k < workers; k++ {
			if errs[k] != nil {
				return errs[k]
			}
			if start+k*chunk >= len(accounts) {
				break
			}
			if _, err := w.Write(outs[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendIndentCompact indents compact JSON (no whitespace outside strings,
// as json.Marshal writes it) exactly as json.Indent would, without
// json.Indent's per-byte scanner: on the hash path that scanner is most of
// the cost. The input must be valid compact JSON.
func appendIndentCompact(dst, src []byte, prefix, indent string) []byte {
	// breaks[d] is a newline, the prefix and d indents: one append per line.
	var breaks []string
	newline := func(depth int) {
		for len(breaks) <= depth {
			breaks = append(breaks, "\n"+prefix+strings.Repeat(indent, len(breaks)))
		}
		dst = append(dst, breaks[depth]...)
	}
	inString, escaped, needIndent := false, false, false
	depth := 0
	for _, c := range src {
		if inString {
			dst = append(dst, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if needIndent && c != '}' && c != ']' {
			needIndent = false
			depth++
			newline(depth)
		}
		switch c {
		case '"':
			inString = true
			dst = append(dst, c)
		case '{', '[':
			// Delay the newline so that empty values stay {} and [].
			needIndent = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline(depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if needIndent {
				needIndent = false
			} else {
				depth--
				newline(depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
