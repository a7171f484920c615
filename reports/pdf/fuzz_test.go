package pdf

import (
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
		_ = doc.SplitText(out, 20)
	})
}
