package pdf

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
	"github.com/shadowpath/shadowpath/templates"
)

var (
	update = flag.Bool("update", false, "rewrite golden files")
	outDir = flag.String("out", "", "also write the fixture PDF to this directory (for looking at it)")
)

func write(t testing.TB, ctx context.Context, r *checks.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := New(Options{}).Write(ctx, &buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// poppler runs one poppler-utils tool on pdf (written to a temporary file,
// its path appended to args, then "-" for tools that print to stdout),
// skipping the test when poppler-utils is not installed.
func poppler(t *testing.T, tool string, pdf []byte, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath(tool)
	if err != nil {
		t.Skip(tool + " not installed (Debian poppler-utils); CI installs it")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, path)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.CommandContext(t.Context(), bin, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return out
}

// pdftotext extracts the text of pages first..last (0: all) laid out as
// on the page.
func pdftotext(t *testing.T, pdf []byte, first, last int) string {
	t.Helper()
	args := []string{"-layout", "-enc", "UTF-8"}
	if first > 0 {
		args = append(args, "-f", itoa(first), "-l", itoa(last))
	}
	return string(poppler(t, "pdftotext", pdf, args...))
}

// pdftotextRaw extracts the text in content-stream order (pdftotext -raw):
// each printed line on a line of its own, without -layout's column padding.
func pdftotextRaw(t *testing.T, pdf []byte) string {
	t.Helper()
	return string(poppler(t, "pdftotext", pdf, "-raw", "-enc", "UTF-8"))
}

func itoa(n int) string { return strconv.Itoa(n) }

// pdfPages is the page count pdfinfo reads from the document's page tree.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	out := poppler(t, "pdfinfo", pdf)
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func TestWriterIdentity(t *testing.T) {
	var w reports.Writer = New(Options{})
	if w.Format() != "pdf" || w.Filename() != "shadowpath-report.pdf" {
		t.Errorf("Format/Filename = %q/%q", w.Format(), w.Filename())
	}
}

func TestPDFTextGolden(t *testing.T) {
	b := write(t, t.Context(), fixture.Results())
	if *outDir != "" {
		if err := os.WriteFile(filepath.Join(*outDir, "shadowpath-report.pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := pdftotext(t, b, 0, 0)
	path := filepath.Join("..", "..", "testdata", "reports", "pdf.golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("PDF text mismatch (-want +got):\n%s", diff)
	}
}

func TestPDFContent(t *testing.T) {
	b := write(t, t.Context(), fixture.Results())
	all := pdftotext(t, b, 0, 0)
	pages := strings.Split(all, "\f")
	t.Run("page X of Y", func(t *testing.T) {
		// The total printed in the footers must be the document's real page
		// count (pdfinfo reads it from the page tree), and page i must say i.
		n := pdfPages(t, b)
		if got := len(pages) - 1; got != n { // trailing form feed
			t.Fatalf("pdftotext gave %d pages, pdfinfo %d", got, n)
		}
		footer := regexp.MustCompile(`Page (\d+) of (\d+)`)
		for i, p := range pages[:n] {
			m := footer.FindAllStringSubmatch(p, -1)
			if i == 0 {
				if len(m) != 0 {
					t.Errorf("the cover has a footer: %q", m)
				}
				continue
			}
			if want := fmt.Sprintf("Page %d of %d", i+1, n); len(m) != 1 || m[0][0] != want {
				t.Errorf("page %d footer = %q, want %q", i+1, m, want)
			}
		}
	})
	t.Run("executive summary is one page", func(t *testing.T) {
		p2 := pages[1]
		for _, want := range []string{"Executive summary", "3 of 13 accounts", "Top risks", "Change since the baseline", "Scan incomplete", "Failing findings went from 41 to 35 since 2026-08-26"} {
			if !strings.Contains(p2, want) {
				t.Errorf("page 2 lacks %q", want)
			}
		}
		if strings.Contains(pages[2], "Top risks") || strings.Contains(pages[2], "Change since") || strings.Contains(pages[2], "Trend across the kept runs") {
			t.Error("summary spills onto page 3")
		}
	})
	t.Run("hostile names survive sanitized", func(t *testing.T) {
		for _, want := range []string{"Zoë Ångström-Łukasiewicz", "José Müller", "Kai � Nakamura", `=HYPERLINK("http://evil.exampl`, "Dana �nimda� Cohen�"} {
			if !strings.Contains(all, want) {
				t.Errorf("text lacks %q", want)
			}
		}
		if strings.ContainsAny(all, "\u202E\u200F\x00\x07🚀") {
			t.Error("unsanitized runes reached the PDF text")
		}
	})
	t.Run("sections present", func(t *testing.T) {
		for _, want := range []string{"Where the risk sits", "Control matrix", "Findings", "Appendix: scope and methodology", "supports the intent of", "Manual checks: a person must verify", "What was excluded and why", "Thresholds used", "403 Forbidden", "(expired)"} {
			if !strings.Contains(all, want) {
				t.Errorf("text lacks %q", want)
			}
		}
	})
}

func TestTrendPage(t *testing.T) {
	r := fixture.Results()
	pages := strings.Split(pdftotext(t, write(t, t.Context(), r), 0, 0), "\f")
	p3 := pages[2]
	for _, want := range []string{"Trend across runs", "Trend across the last 4 runs", "Failing findings", "Critical failing findings", "Accounts below nominal AAL", "incomplete run", "2026-08-26", "2026-11-26", "the one in bold is this report", "incomplete", "lower bounds"} {
		if !strings.Contains(p3, want) {
			t.Errorf("page 3 lacks %q", want)
		}
	}
	t.Run("many runs: all in the chart, the last 12 in the table", func(t *testing.T) {
		r := fixture.Results()
		last := r.Trend[len(r.Trend)-1]
		r.Trend = nil
		for i := 0; i < 40; i++ {
			p := last
			p.GeneratedAt = last.GeneratedAt.Add(time.Duration(i-40) * 12 * time.Hour)
			p.Failing = 1000 + 37*i
			r.Trend = append(r.Trend, p)
		}
		r.Trend = append(r.Trend, last)
		p3 := strings.Split(pdftotext(t, write(t, t.Context(), r), 0, 0), "\f")[2]
		if !strings.Contains(p3, "Trend across the last 41 runs") || !strings.Contains(p3, "The table shows the last 10 of 41 runs") || !strings.Contains(p3, "Page 3 of") {
			t.Errorf("page 3 = %s", p3)
		}
		// Date labels are single lines (times of same-day runs included),
		// the latest one always printed.
		if !strings.Contains(p3, "2026-11-26 12:00") || regexp.MustCompile(`(?m)^\s*12:00\s*$`).MatchString(p3) {
			t.Errorf("date labels wrap or lack the latest run:\n%s", p3)
		}
	})
	r.Trend = r.Trend[len(r.Trend)-1:]
	all := pdftotext(t, write(t, t.Context(), r), 0, 0)
	if strings.Contains(all, "Trend across") {
		t.Error("a single run drew a trend")
	}
}

func TestDeterministic(t *testing.T) {
	a := write(t, t.Context(), fixture.Results())
	b := write(t, t.Context(), fixture.Results())
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same results differ")
	}
	if !bytes.Contains(a, []byte("/Type /Outlines")) {
		t.Error("no outline (bookmarks)")
	}
	if !bytes.Contains(a, []byte("/CreationDate (D:20261126120000")) {
		t.Error("creation date is not the scan time")
	}
}

func TestBoundedForHugeTenants(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	small := write(t, t.Context(), fixture.Large(1000))
	big := write(t, t.Context(), fixture.Large(20000))
	if len(big) > 5<<20 {
		t.Errorf("PDF for 20k identities is %d bytes", len(big))
	}
	// Top-N lists: twenty times the accounts must not mean twenty times the pages.
	if len(big) > 2*len(small) {
		t.Errorf("PDF grows with identities: %d → %d bytes", len(small), len(big))
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var buf bytes.Buffer
	if err := New(Options{}).Write(ctx, &buf, fixture.Results()); err == nil || buf.Len() != 0 {
		t.Errorf("err = %v, %d bytes written", err, buf.Len())
	}
}

func TestNilResults(t *testing.T) {
	if err := New(Options{}).Write(t.Context(), &bytes.Buffer{}, nil); err == nil {
		t.Error("want an error for nil results")
	}
}

func TestSanitizer(t *testing.T) {
	s, err := newSanitizer(templates.FontRegular(), templates.FontBold())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, in, want string }{
		{"latin and diacritics", "Zoë Ångström-Łukasiewicz", "Zoë Ångström-Łukasiewicz"},
		{"greek cyrillic", "Ωμέγα Жанна", "Ωμέγα Жанна"},
		{"emoji sequence is one mark", "Kai 👩🏽‍💻 N", "Kai � N"},
		{"bidi override and marks", "a\u202Eb\u202Cc\u200F", "a�b�c�"},
		{"zero width", "x\u200By\uFEFF", "x�y�"},
		{"whitespace controls", "a\tb\nc\rd", "a b c d"},
		{"other controls", "a\x00\x07b", "a�b"},
		{"CJK not in DejaVu Sans", "王小明 (Wang)", "� (Wang)"},
		{"private use", "\uE000x", "�x"},
		{"formula kept as text", `=HYPERLINK("x")`, `=HYPERLINK("x")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if _, err := newSanitizer([]byte("not a font")); err == nil {
		t.Error("want an error for a non-font")
	}
}

// TestHostileTextNeverPanics renders results whose every free-text field is
// random runes from the whole Unicode range (gofpdf panics on runes beyond
// its width table unless the sanitizer catches them).
func TestHostileTextNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randText := func() string {
		var b strings.Builder
		for i := 0; i < 5+rng.IntN(60); i++ {
			switch rng.IntN(4) {
			case 0:
				b.WriteRune(rune(rng.IntN(0x110000)))
			case 1:
				b.WriteRune(rune(0x1F300 + rng.IntN(0x400)))
			case 2:
				b.WriteRune(rune(rng.IntN(0x20)))
			default:
				b.WriteRune(rune('a' + rng.IntN(26)))
			}
		}
		return b.String()
	}
	for i := 0; i < 5; i++ {
		r := fixture.Results()
		r.Organization = randText()
		for j := range r.Identities {
			r.Identities[j].Name = randText()
			r.Identities[j].WeakestPath = randText()
		}
		for j := range r.Checks {
			r.Checks[j].Rationale = randText()
			r.Checks[j].Title = randText()
			for k := range r.Checks[j].Findings {
				f := &r.Checks[j].Findings[k]
				f.Subject.Name, f.Message = randText(), randText()
				f.Evidence[randText()] = randText()
			}
		}
		r.Warnings = append(r.Warnings, randText())
		write(t, t.Context(), r)
	}
}

// outlineEntry is a bookmark and its parent's title ("" at the top).
type outlineEntry struct{ title, parent string }

// outline reads the bookmarks of a gofpdf document (outline objects are not
// compressed; titles are UTF-16BE with a BOM, PDF-string escaped).
func outline(t *testing.T, pdf []byte) []outlineEntry {
	t.Helper()
	re := regexp.MustCompile(`(?s)\n(\d+) 0 obj\n<</Title \((.*?)\)\n/Parent (\d+) 0 R`)
	titles := map[string]string{}
	var order []string
	parents := map[string]string{}
	for _, m := range re.FindAllSubmatch(pdf, -1) {
		raw := m[2]
		var b []byte
		for i := 0; i < len(raw); i++ {
			if raw[i] == '\\' && i+1 < len(raw) {
				i++
				switch raw[i] {
				case 'r':
					b = append(b, '\r')
				case 'n':
					b = append(b, '\n')
				default:
					b = append(b, raw[i])
				}
				continue
			}
			b = append(b, raw[i])
		}
		title := string(b)
		if len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF {
			var rs []rune
			for i := 2; i+1 < len(b); i += 2 {
				rs = append(rs, rune(b[i])<<8|rune(b[i+1]))
			}
			title = string(rs)
		}
		id := string(m[1])
		titles[id] = title
		parents[id] = string(m[3])
		order = append(order, id)
	}
	if len(order) == 0 {
		t.Fatal("no outline entries found")
	}
	out := make([]outlineEntry, len(order))
	for i, id := range order {
		out[i] = outlineEntry{title: titles[id], parent: titles[parents[id]]}
	}
	return out
}

func TestOneSectionPerCheck(t *testing.T) {
	r := fixture.Results()
	b := write(t, t.Context(), r)
	v, err := reports.BuildView(r, reports.ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ol := outline(t, b)
	children := map[string][]string{}
	for _, e := range ol {
		children[e.parent] = append(children[e.parent], e.title)
	}
	for _, s := range v.Findings {
		title := s.CheckID + " · " + s.Title
		var n int
		for _, e := range ol {
			if strings.HasPrefix(e.title, s.CheckID+" ") {
				n++
				if e.title != title || e.parent != "Findings" {
					t.Errorf("bookmark %q under %q, want %q under Findings", e.title, e.parent, title)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d bookmarks, want 1", s.CheckID, n)
		}
		if diff := cmp.Diff([]string{"Okta", "Microsoft Entra ID"}, children[title]); diff != "" {
			t.Errorf("%s provider bookmarks (-want +got):\n%s", s.CheckID, diff)
		}
	}
	all := pdftotext(t, b, 0, 0)
	if got := strings.Count(all, "Fails when"); got != len(v.Findings) {
		t.Errorf("%d \"Fails when\" blocks for %d sections", got, len(v.Findings))
	}
	// Per-provider remediation under provider headings: MFA-04's two texts.
	for _, want := range []string{"Okta Admin Console", "Conditional Access policy for the directory roles"} {
		if !strings.Contains(all, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// TestIncompleteAndPaths: a check whose findings are a lower bound carries
// an Incomplete badge and "at least N affected"; the privileged accounts'
// paths get their own table (DESIGN.md "Partial data", "Access paths").
func TestIncompleteAndPaths(t *testing.T) {
	r := fixture.Results()
	marked := ""
	for i := range r.Checks {
		if c := &r.Checks[i]; c.Status == checks.Fail && marked == "" {
			c.Incomplete = true
			marked = c.ID
		}
	}
	text := pdftotext(t, write(t, t.Context(), r), 0, 0)
	if !strings.Contains(text, "Incomplete") || !strings.Contains(text, "at least") {
		t.Errorf("%s marked incomplete, but the PDF shows no Incomplete badge or lower-bound count", marked)
	}
	if !strings.Contains(text, "every path to a session") || !strings.Contains(text, "Decided by") {
		t.Errorf("no privileged access-path table")
	}
}

// TestDriftWithoutChanges: a baseline with nothing changed says so, and
// promises no list of changes.
func TestDriftWithoutChanges(t *testing.T) {
	r := fixture.Results()
	d := *r.Drift
	d.New, d.Resolved, d.Changed, d.AALDowngrades, d.NewlyWaived, d.NoLongerAssessed = nil, nil, nil, nil, nil, nil
	r.Drift = &d
	text := strings.Join(strings.Fields(pdftotext(t, write(t, t.Context(), r), 0, 0)), " ")
	if !strings.Contains(text, "No finding, check status or account assurance changed.") || strings.Contains(text, "listed below") {
		t.Errorf("drift without changes:\n%s", text[strings.Index(text, "Change since the baseline"):][:600])
	}
}
