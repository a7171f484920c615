package checks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func TestParseWaiversFile(t *testing.T) {
	path := filepath.Join("..", "testdata", "checks", "waivers.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ParseWaivers(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 {
		t.Fatalf("got %d waivers", len(ws))
	}
	w := ws[0]
	if w.Check != "EXC-01" || w.Provider != "entra" || w.Subject != entraAdmin || w.Ticket != "RISK-1234" ||
		!w.Expires.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) || w.Source != path+":3" {
		t.Errorf("waiver 0 = %+v", w)
	}
	if ws[1].Provider != "" || ws[1].Subject != "*" || ws[1].Source != path+":11" {
		t.Errorf("waiver 1 = %+v", ws[1])
	}
}

func TestParseWaiversErrors(t *testing.T) {
	const good = "  - check: MFA-01\n    subject: '*'\n    reason: r\n    owner: o\n    approved_by: a\n    expires: 2027-01-01\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown check", strings.Replace("waivers:\n"+good, "MFA-01", "MFA-99", 1), `w.yaml:2: field "check": unknown check id "MFA-99"`},
		{"unknown provider", "waivers:\n" + good + "    provider: google\n", `w.yaml:8: field "provider": unknown provider "google"`},
		{"bad date", strings.Replace("waivers:\n"+good, "2027-01-01", "31/12/2027", 1), `w.yaml:7: field "expires": "31/12/2027" is not an ISO date`},
		{"missing owner", strings.Replace("waivers:\n"+good, "    owner: o\n", "", 1), `w.yaml:2: field "owner": is required`},
		{"missing expires", strings.Replace("waivers:\n"+good, "    expires: 2027-01-01\n", "", 1), `w.yaml:2: field "expires": is required`},
		{"empty reason", strings.Replace("waivers:\n"+good, "reason: r", "reason: ''", 1), `w.yaml:4: field "reason": is empty`},
		{"null subject", strings.Replace("waivers:\n"+good, "subject: '*'", "subject:", 1), `w.yaml:3: field "subject": is empty`},
		{"unknown field", "waivers:\n" + good + "    approver: x\n", `w.yaml:8: field "approver": unknown field`},
		{"duplicate field", "waivers:\n" + good + "    owner: p\n", `w.yaml:8: field "owner": appears twice`},
		{"unknown top-level key", "waiver:\n" + good, `w.yaml:1: field "waiver": unknown field`},
		{"list expected", "waivers: yes\n", `w.yaml:1: field "waivers": expected a list`},
		{"item not a mapping", "waivers:\n  - MFA-01\n", `w.yaml:2: expected a waiver`},
		{"nested value", strings.Replace("waivers:\n"+good, "reason: r", "reason: [a, b]", 1), `w.yaml:4: field "reason": expected a single value`},
		{"not a mapping", "- a\n- b\n", `w.yaml:1: expected a mapping`},
		{"syntax", "waivers:\n  - check: [\n", `w.yaml: `},
		{"long value is cut", strings.Replace("waivers:\n"+good, "MFA-01", strings.Repeat("x", 5000), 1), `unknown check id "` + strings.Repeat("x", 64) + `"…`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWaivers("w.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
	for _, empty := range []string{"", "# nothing\n", "waivers:\n", "waivers: []\n", "~\n"} {
		ws, err := ParseWaivers("w.yaml", []byte(empty))
		if err != nil || len(ws) != 0 {
			t.Errorf("ParseWaivers(%q) = %v, %v; want no waivers", empty, ws, err)
		}
	}
}

// TestWaiversApplied: a check is waived only when every finding is covered
// by a valid waiver; an expired waiver leaves the finding failing and says so.
func TestWaiversApplied(t *testing.T) {
	exclude := func(s *evidence.Source) {
		s.Policies.SignIn[0].Targets.ExcludeUsers = []string{entraAdmin, entraAlice}
	}
	w := func(subject, expires string) Waiver {
		d, _ := time.Parse(time.DateOnly, expires)
		return Waiver{Check: "EXC-01", Provider: "entra", Subject: subject, Reason: "break-glass", Owner: "o@x", ApprovedBy: "ciso@x", Expires: d, Source: "w.yaml:3"}
	}
	cases := []struct {
		name      string
		waivers   []Waiver
		want      Status
		waived    int // findings with a valid waiver
		expired   int
		severity  Severity
		warning   string
		rationale string
	}{
		{name: "one of two covered", waivers: []Waiver{w(entraAdmin, "2027-01-01")}, want: Fail, waived: 1, severity: High},
		{name: "all covered", waivers: []Waiver{w(entraAdmin, "2027-01-01"), w(entraAlice, "2027-01-01")}, want: Waived, waived: 2, rationale: "Waived: every finding"},
		{name: "wildcard", waivers: []Waiver{w("*", "2027-01-01")}, want: Waived, waived: 2},
		{name: "valid through the expiry day", waivers: []Waiver{w("*", "2026-11-26")}, want: Waived, waived: 2},
		{name: "expired the day before", waivers: []Waiver{w("*", "2026-11-25")}, want: Fail, expired: 2, severity: Critical,
			warning: "w.yaml:3: waiver for EXC-01 * expired on 2026-11-25", rationale: "expired and count as failing"},
		{name: "valid beats expired", waivers: []Waiver{w("*", "2026-01-01"), w(entraAdmin, "2027-01-01"), w(entraAlice, "2027-01-01")}, want: Waived, waived: 2},
		{name: "other provider does not apply", waivers: []Waiver{{Check: "EXC-01", Provider: "okta", Subject: "*", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}, want: Fail,
			warning: "matches no failing finding"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := entraGood()
			exclude(src)
			p := testParams()
			p.Waivers = tc.waivers
			r := evaluate(t, p, src)
			c := result(t, r, "EXC-01", evidence.Entra)
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s (%s)", c.Status, tc.want, c.Rationale)
			}
			waived, expired := 0, 0
			for _, f := range c.Findings {
				switch {
				case f.Waiver == nil:
				case f.Waiver.Expired:
					expired++
					// The waiver is data; the reports say it expired
					// (reports.WaiverLabel), the message stays the check's.
					if strings.Contains(f.Message, "waiver") || f.Waiver.Expires == "" {
						t.Errorf("message %q carries waiver text, or the expiry %q is missing", f.Message, f.Waiver.Expires)
					}
				default:
					waived++
				}
			}
			if waived != tc.waived || expired != tc.expired {
				t.Errorf("waived %d expired %d, want %d and %d", waived, expired, tc.waived, tc.expired)
			}
			if tc.severity != "" && c.Severity != tc.severity {
				t.Errorf("severity %s, want %s", c.Severity, tc.severity)
			}
			if tc.rationale != "" && !strings.Contains(c.Rationale, tc.rationale) {
				t.Errorf("rationale %q lacks %q", c.Rationale, tc.rationale)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(r.Warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q lack %q", r.Warnings, tc.warning)
			}
			if tc.want == Waived && (r.Summary.Waived != 1 || r.Summary.Fail != 0) {
				t.Errorf("summary %+v", r.Summary)
			}
		})
	}
}

// FuzzParseWaivers: any input yields waivers or an error naming the file,
// never a panic; every accepted waiver is complete.
func FuzzParseWaivers(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "testdata", "checks", "waivers.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("waivers:\n  - check: MFA-01\n    subject: x\n"))
	f.Add([]byte("waivers: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ParseWaivers("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			if len(err.Error()) > 1024 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		for _, w := range ws {
			if _, ok := Lookup(w.Check); !ok || w.Subject == "" || w.Reason == "" || w.Owner == "" || w.ApprovedBy == "" || w.Expires.IsZero() {
				t.Fatalf("incomplete waiver accepted: %+v", w)
			}
			if w.Provider != "" && w.Provider != "okta" && w.Provider != "entra" {
				t.Fatalf("bad provider accepted: %q", w.Provider)
			}
		}
		if _, err := json.Marshal(ws); err != nil {
			t.Fatal(err)
		}
	})
}
