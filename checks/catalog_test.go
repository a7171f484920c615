package checks

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// catalogIDs are the 24 ids of CATALOG.md v1.
var catalogIDs = []string{
	"EXC-01", "EXC-02", "LOG-01",
	"MFA-01", "MFA-02", "MFA-03", "MFA-04", "MFA-05", "MFA-06", "MFA-07",
	"NHI-01", "NHI-03", "NHI-04", "NHI-05", "NHI-07", "NHI-10",
	"REC-01", "REC-02", "REC-03", "REC-04", "REC-05", "REC-06", "REC-07", "REC-08",
}

func TestCatalogRegistry(t *testing.T) {
	cs := Catalog()
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, catalogIDs) {
		t.Fatalf("catalog ids (sorted) %v,\nwant %v", ids, catalogIDs)
	}
	known := map[string]bool{}
	for _, ds := range evidence.Datasets {
		for _, d := range ds {
			known[d] = true
		}
	}
	frameworks := map[string]bool{FwNIST63B: true, FwCSF: true, FwNHI: true}
	for _, c := range cs {
		t.Run(c.ID, func(t *testing.T) {
			if c.Title == "" || c.Summary == "" || c.Remediation == "" {
				t.Error("title, summary and remediation must be set")
			}
			if c.Severity.Rank() == 0 {
				t.Errorf("severity %q", c.Severity)
			}
			if len(c.Controls) == 0 {
				t.Error("no control mapped")
			}
			for _, ctl := range c.Controls {
				if !frameworks[ctl.Framework] || ctl.ID == "" {
					t.Errorf("bad control %+v", ctl)
				}
				if ctl.Framework == FwNHI && !strings.HasPrefix(ctl.ID, "NHI") {
					t.Errorf("NHI control id %q", ctl.ID)
				}
			}
			for _, p := range evidence.Providers {
				if c.Sources[p] == "" {
					t.Errorf("%s: no data source text", p)
				}
				_, manual := c.Manual[p]
				if manual {
					if len(c.Datasets[p]) > 0 {
						t.Errorf("%s: inherently manual but lists datasets", p)
					}
					continue
				}
				if c.eval == nil {
					t.Errorf("%s: no evaluation function", p)
				}
				if len(c.Datasets[p]) == 0 {
					t.Errorf("%s: no dataset requirement", p)
				}
				for _, req := range c.Datasets[p] {
					for _, d := range strings.Split(req, "|") {
						if !known[d] || !slices.Contains(evidence.Datasets[p], d) {
							t.Errorf("%s: dataset %q is not a %s dataset", p, d, p)
						}
					}
				}
			}
		})
	}
}

// TestCatalogIsData: Catalog returns fresh values, so a caller cannot
// change what the next evaluation sees.
func TestCatalogIsData(t *testing.T) {
	a := Catalog()
	a[0].Controls[0].ID = "changed"
	a[0].Title = "changed"
	b := Catalog()
	if b[0].Controls[0].ID == "changed" || b[0].Title == "changed" {
		t.Fatal("Catalog shares state between calls")
	}
	if c, ok := Lookup("REC-03"); !ok || c.Title != "Recovery weaker than sign-in" {
		t.Errorf("Lookup(REC-03) = %q, %v", c.Title, ok)
	}
	if _, ok := Lookup("NOPE-1"); ok {
		t.Error("Lookup found an unknown id")
	}
}

func TestInterpretiveControls(t *testing.T) {
	want := map[string][]string{ // check → interpretive 800-63B-4 ids, per CATALOG.md
		"MFA-03": {"2.2.1", "2.3.1", "4.1.3"},
		"REC-01": {"3.1.1.2"},
		"REC-04": {"4.1.2.2", "4.2.1.2"},
		"EXC-01": {"2.2.1"},
	}
	for _, c := range Catalog() {
		var got []string
		for _, ctl := range c.Controls {
			if ctl.Interpretive {
				got = append(got, ctl.ID)
			}
		}
		if !slices.Equal(got, want[c.ID]) {
			t.Errorf("%s interpretive controls %v, want %v", c.ID, got, want[c.ID])
		}
	}
}

// TestEveryCheckStatesItsRequirement: the control matrix prints each check
// as the requirement it verifies (never a problem title beside "Pass").
func TestEveryCheckStatesItsRequirement(t *testing.T) {
	for _, c := range Catalog() {
		if c.Requirement == "" || c.Requirement == c.Title {
			t.Errorf("%s has no requirement statement", c.ID)
		}
	}
}

// TestDocsLinks: every check links the vendor page its rule follows, for
// each provider, on the vendors' documentation sites, over https.
func TestDocsLinks(t *testing.T) {
	hosts := map[evidence.Provider][]string{
		evidence.Okta:  {"help.okta.com", "developer.okta.com"},
		evidence.Entra: {"learn.microsoft.com"},
	}
	for _, c := range Catalog() {
		for p, allowed := range hosts {
			u, err := url.Parse(c.Docs[p])
			if err != nil || u.Scheme != "https" || !slices.Contains(allowed, u.Host) {
				t.Errorf("%s %s: doc link %q, want https on %v", c.ID, p, c.Docs[p], allowed)
			}
		}
	}
	if len(docs) != len(Catalog()) {
		t.Errorf("docs table has %d entries for %d checks", len(docs), len(Catalog()))
	}
}
