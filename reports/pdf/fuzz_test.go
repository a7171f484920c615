package pdf

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"

	"github.com/shadowpath/shadowpath/templates"
)

var fuzzDoc = sync.OnceValue(func() *gofpdf.Fpdf {
	f := gofpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("dejavu", "", templates.FontRegular())
	f.SetFont("dejavu", "", 9)
	f.AddPage()
	return f
})

// FuzzClean checks that whatever goes in, the sanitizer's output contains
// only runes the font draws, and gofpdf can measure and wrap it.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"Zoë", "Kai 👩🏽‍💻", "\u202Eadmin\u202C", "a\x00b", "王小明", `=HYPERLINK("x")`, "\xff\xfe"} {
		f.Add(s)
	}
	san, err := newSanitizer(templates.FontRegular(), templates.FontBold())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := san.clean(in)
		if !utf8.ValidString(out) {
			t.Fatalf("clean(%q) is not UTF-8", in)
		}
		for _, r := range out {
			if r != ' ' && r != san.repl && !san.ok(r) {
				t.Fatalf("clean(%q) kept %U", in, r)
			}
		}
		doc := fuzzDoc()
		_ = doc.GetStringWidth(out)
		// The report's wrapper: no text is lost (only spaces and line
		// breaks), and no line is wider than the column unless it is a
		// single rune that alone is wider.
		lines := wrap(out, 20, doc.GetStringWidth)
		var words, joined []string
		for _, p := range strings.Split(out, "\n") {
			words = append(words, strings.Fields(p)...)
		}
		for _, l := range lines {
			joined = append(joined, strings.Fields(l)...)
			if doc.GetStringWidth(l) > 20 && utf8.RuneCountInString(strings.TrimSpace(l)) > 1 {
				t.Fatalf("wrap(%q): line %q is wider than the column", out, l)
			}
		}
		if strings.Join(words, "") != strings.Join(joined, "") {
			t.Fatalf("wrap(%q) lost text: %q", out, lines)
		}
	})
}
