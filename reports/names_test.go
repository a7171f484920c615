package reports

import (
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

func TestDirectoryResolve(t *testing.T) {
	r := &checks.Results{
		Identities: []checks.Identity{
			{ID: "00u6ZrCwFD7PDxQK0br2", Name: "Priya Raman", Privileged: true, EffectiveAAL: "AAL1"},
			{ID: "0f44a125-9342-4d30-a635-847724477c66", Name: "Carlos Mendes", Privileged: true, EffectiveAAL: "AAL3"},
			{ID: "00uStrongUser0000001", Name: "Ada Strong", EffectiveAAL: "AAL2"},
		},
		Checks: []checks.CheckResult{{Findings: []checks.Finding{{Subject: checks.Subject{Type: "app", ID: "b81dd9ad-1f42-432b-a0b4-ea1e002492cb", Name: "Reporting app"}}}}},
	}
	d := NewDirectory(r)
	for _, tc := range []struct {
		in    string
		actor bool
		self  string
		want  string
	}{
		{"00u6ZrCwFD7PDxQK0br2", true, "", "Priya Raman (00u6ZrCwFD7PDxQK0br2; privileged, weakest sign-in AAL1)"},
		{"00u6ZrCwFD7PDxQK0br2", false, "", "Priya Raman (00u6ZrCwFD7PDxQK0br2)"},
		{"0F44A125-9342-4D30-A635-847724477C66, 00uStrongUser0000001", true, "", "Carlos Mendes (0F44A125-9342-4D30-A635-847724477C66; privileged), Ada Strong (00uStrongUser0000001)"},
		{"owner deactivated (00u6ZrCwFD7PDxQK0br2)", false, "", "owner deactivated (Priya Raman, 00u6ZrCwFD7PDxQK0br2)"},
		{"b81dd9ad-1f42-432b-a0b4-ea1e002492cb (Reporting app)", false, "", "b81dd9ad-1f42-432b-a0b4-ea1e002492cb (Reporting app)"},
		{"00u6ZrCwFD7PDxQK0br2/0prlmxObuBEIqLAvQ4wg", false, "", "00u6ZrCwFD7PDxQK0br2/0prlmxObuBEIqLAvQ4wg"},
		// An Entra CA policy is its own rule: "id/id", neither half named.
		{"b81dd9ad-1f42-432b-a0b4-ea1e002492cb/b81dd9ad-1f42-432b-a0b4-ea1e002492cb", false, "", "b81dd9ad-1f42-432b-a0b4-ea1e002492cb/b81dd9ad-1f42-432b-a0b4-ea1e002492cb"},
		{"b81dd9ad-1f42-432b-a0b4-ea1e002492cb", false, "b81dd9ad-1f42-432b-a0b4-ea1e002492cb", "b81dd9ad-1f42-432b-a0b4-ea1e002492cb"},
		{"00uUnknownUser000001 and text", true, "", "00uUnknownUser000001 and text"},
		// Okta ids are case-sensitive: another case is another id.
		{"00U6ZRCWFD7PDXQK0BR2", false, "", "00U6ZRCWFD7PDXQK0BR2"},
	} {
		if got := d.resolve(tc.in, tc.actor, tc.self); got != tc.want {
			t.Errorf("resolve(%q, %v) = %q, want %q", tc.in, tc.actor, got, tc.want)
		}
	}
	var nilDir *Directory
	if got := nilDir.ResolveEvidence("actors", "00u6ZrCwFD7PDxQK0br2", ""); got != "00u6ZrCwFD7PDxQK0br2" {
		t.Errorf("nil directory rewrote %q", got)
	}
}

// TestDemoActorsNamedAndFlagged: in the demo's assisted-reset findings
// (REC-07) every actor is named with its id beside it, and an actor who is
// privileged or signs in weakly says so (issue 15: "flag an actor who is
// itself privileged or weak").
func TestDemoActorsNamedAndFlagged(t *testing.T) {
	r, err := fixture.Demo()
	if err != nil {
		t.Fatal(err)
	}
	v, err := BuildView(r, ViewOptions{TopSubjects: 1000})
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, sec := range v.Findings {
		if sec.CheckID != "REC-07" {
			continue
		}
		for _, p := range sec.Providers {
			for _, row := range p.Subjects {
				for _, f := range row.Facts {
					if f.Label != "Actors" {
						continue
					}
					if idToken.MatchString(f.Value) && !strings.Contains(f.Value, " (") {
						t.Errorf("%s: actors printed as bare ids: %q", row.Name, f.Value)
					}
					if strings.Contains(f.Value, "; privileged") {
						flagged++
					}
				}
			}
		}
	}
	if flagged == 0 {
		t.Error("no REC-07 actor of the demo is flagged privileged: the demo's help-desk admins are")
	}
}
