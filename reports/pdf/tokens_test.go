package pdf

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

// tokenRes match what an auditor copies out of a report: e-mail addresses,
// Okta ids (20 characters from "00"), GUIDs, SHA-256 hashes, Okta scopes.
var tokenRes = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}`),
	regexp.MustCompile(`\b00[a-zA-Z0-9]{18}\b`),
	regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`),
	regexp.MustCompile(`\b[0-9a-f]{64}\b`),
	regexp.MustCompile(`\bokta\.[a-zA-Z]+\.[a-zA-Z.]+\b`),
}

// TestNoTokenSplitMidWord renders the demo scan and finds every id, e-mail
// address, hash and scope of its results in the PDF's text: each must be
// printed whole, or wrapped only after one of its own separators
// ("identity-team@" / "acme.example"), and "…" must never stand inside one
// (issue 15: the cover's SHA-256 over three lines, "okta.users.man…",
// "33b04260-9bc6-4e13-a532-aa7f4" / "632ee0c").
func TestNoTokenSplitMidWord(t *testing.T) {
	r, err := fixture.Demo()
	if err != nil {
		t.Fatal(err)
	}
	sum := strings.Repeat("5e", 32)
	r.Inputs = []checks.Input{
		{Role: checks.InputSnapshot, Path: "templates/demo/snapshot.json", SHA256: sum, BuiltIn: true},
		{Role: checks.InputConfig, Path: "templates/demo/config.yaml", SHA256: sum, BuiltIn: true},
		{Role: checks.InputWaivers, Path: "templates/demo/waivers.yaml", SHA256: sum, BuiltIn: true},
		{Role: checks.InputResults, Path: "shadowpath-report/results.json"},
	}
	r.Parameters["break_glass"] = "bg-admin-01@acmecorp.onmicrosoft.com bg-admin-02@acmecorp.onmicrosoft.com"
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftotextRaw(t, write(t, t.Context(), r))
	// The cover holds everything an auditor needs on one page.
	pages := strings.Split(text, "\f")
	if len(pages) < 2 || !strings.Contains(pages[0], "Re-performing this assessment") || !strings.Contains(pages[1], "Executive summary") {
		t.Errorf("the cover does not fit on page 1 (page 2 begins %.80q)", pages[min(1, len(pages)-1)])
	}
	// Lines joined with a marker: a token wrapped over two lines reads
	// "head\ntail".
	flat := strings.ReplaceAll(text, "\f", "\n")

	seen, checked := map[string]bool{}, 0
	for _, re := range tokenRes {
		for _, tok := range re.FindAllString(string(js), -1) {
			if seen[tok] {
				continue
			}
			seen[tok] = true
			if strings.Contains(flat, tok) {
				checked++
				continue
			}
			// Printed at all? Then only wrapped after a separator.
			for i := 1; i < len(tok); i++ {
				head, tail := tok[:i], tok[i:]
				if !strings.Contains(flat, head+"\n"+tail) && !strings.Contains(flat, head+"\n"+strings.TrimLeft(tail, " ")) {
					continue
				}
				checked++
				if !strings.ContainsRune(breakAfter, rune(head[len(head)-1])) {
					t.Errorf("%q is wrapped mid-word as %q / %q", tok, head, tail)
				}
			}
			if cut := regexp.MustCompile(regexp.QuoteMeta(tok[:min(len(tok), 10)]) + `[^\s…]*…`); cut.MatchString(flat) {
				t.Errorf("%q is cut with … inside it: %q", tok, cut.FindString(flat))
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d of the %d tokens of the demo results are in the PDF: the test reads the wrong text", checked, len(seen))
	}
	if m := regexp.MustCompile(`[A-Za-z0-9@._/-]+[A-Za-z0-9]…`).FindAllString(flat, 5); len(m) > 0 {
		t.Errorf("text cut inside a word: %q", m)
	}
}

// TestDocLinksAreLinks: every section's vendor documentation is printed and
// is a link a reader can follow (a URI annotation), like Maester's help
// URLs (issue 15: "a documentation link per check").
func TestDocLinksAreLinks(t *testing.T) {
	r := fixture.Results()
	v, err := reports.BuildView(r, reports.ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := write(t, t.Context(), r)
	n := 0
	for _, sec := range v.Findings {
		if len(sec.Docs) == 0 {
			t.Errorf("%s: no vendor documentation", sec.CheckID)
		}
		for _, l := range sec.Docs {
			n++
			if !bytes.Contains(b, []byte("/URI ("+l.URL+")")) {
				t.Errorf("%s: %s is not a link in the PDF", sec.CheckID, l.URL)
			}
		}
	}
	if n == 0 {
		t.Fatal("no documentation links in the fixture's sections")
	}
}
