package templates

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
)

// catalogIDs are the 24 check ids of CATALOG.md.
var catalogIDs = []string{
	"EXC-01", "EXC-02", "LOG-01", "MFA-01", "MFA-02", "MFA-03", "MFA-04", "MFA-05", "MFA-06", "MFA-07",
	"NHI-01", "NHI-03", "NHI-04", "NHI-05", "NHI-07", "NHI-10",
	"REC-01", "REC-02", "REC-03", "REC-04", "REC-05", "REC-06", "REC-07", "REC-08",
}

// params are the catalog's thresholds as results.json records them (the
// package itself must not import checks: reports → templates, checks is a
// sibling; its tests may).
func params() map[string]string { return checks.DefaultThresholds().Describe() }

func TestEveryCheckRendersForEveryProviderAndCount(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CheckIDs(); strings.Join(got, ",") != strings.Join(catalogIDs, ",") {
		t.Fatalf("CheckIDs = %v, want %v", got, catalogIDs)
	}
	section := regexp.MustCompile(`§\d|NHI\d+:2025|PR\.AA-0\d`)
	for _, id := range catalogIDs {
		for _, p := range []struct{ id, name string }{{"okta", "Okta"}, {"entra", "Microsoft Entra ID"}} {
			for _, n := range []int{0, 1, 7} {
				t.Run(id+"/"+p.id, func(t *testing.T) {
					txt, err := s.Check(CheckData{ID: id, Title: "t", Provider: p.id, ProviderName: p.name, Status: "fail", Affected: n, Params: params()})
					if err != nil {
						t.Fatal(err)
					}
					for name, v := range map[string]string{"fails_when": txt.FailsWhen, "headline": txt.Headline, "why": txt.Why, "remediation": txt.Remediation} {
						if len(v) < 20 {
							t.Errorf("%s is too short: %q", name, v)
						}
						if strings.Contains(v, "<no value>") || strings.Contains(v, "{{") {
							t.Errorf("%s has template residue: %q", name, v)
						}
					}
					if !section.MatchString(txt.Why) {
						t.Errorf("why cites no section: %q", txt.Why)
					}
					if strings.HasPrefix(id, "NHI-") && strings.Contains(txt.Why, "800-63B-4 §") {
						t.Errorf("NHI check cites SP 800-63B (human subscribers only): %q", txt.Why)
					}
				})
			}
		}
	}
}

func TestMissingKeyIsAnError(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Check(CheckData{ID: "REC-04", Provider: "entra", ProviderName: "Microsoft Entra ID", Params: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), "tap_max_lifetime") {
		t.Fatalf("err = %v, want a missing tap_max_lifetime error", err)
	}
	if _, err := s.Check(CheckData{ID: "XYZ-99"}); !errors.Is(err, ErrNoTemplate) {
		t.Fatalf("unknown id: err = %v, want ErrNoTemplate", err)
	}
}

func TestDocs(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{Glossary, Methodology} {
		t.Run(name, func(t *testing.T) {
			out, err := s.Doc(name, DocData{Organization: "Acme", Providers: []string{"Okta", "Microsoft Entra ID"}, Window: "2026-10-27 to 2026-11-26", Params: params()})
			if err != nil {
				t.Fatal(err)
			}
			if len(Paragraphs(out)) < 3 {
				t.Errorf("want several paragraphs, got %q", out)
			}
		})
	}
}

func TestLoadOverrides(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
		check   func(t *testing.T, s *Set)
	}{
		{
			name:  "replaces a check",
			files: map[string]string{"checks/MFA-01.tmpl": `{{define "fails_when"}}custom fails when{{end}}{{define "headline"}}h {{.Affected}}{{end}}{{define "why"}}w{{end}}{{define "remediation"}}r{{end}}`},
			check: func(t *testing.T, s *Set) {
				txt, err := s.Check(CheckData{ID: "MFA-01", Affected: 3, Params: params()})
				if err != nil {
					t.Fatal(err)
				}
				if txt.FailsWhen != "custom fails when" || txt.Headline != "h 3" {
					t.Errorf("override not used: %+v", txt)
				}
				other, err := s.Check(CheckData{ID: "MFA-02", Affected: 3, Params: params(), Provider: "okta"})
				if err != nil || !strings.Contains(other.Why, "§4.1.2.1") {
					t.Errorf("embedded MFA-02 lost: %v %+v", err, other)
				}
			},
		},
		{name: "unknown name", files: map[string]string{"checks/MFA-99.tmpl": `x`}, wantErr: "MFA-99.tmpl"},
		{name: "syntax error names file", files: map[string]string{"glossary.tmpl": `{{if}}`}, wantErr: "glossary.tmpl"},
		{name: "missing block", files: map[string]string{"checks/MFA-01.tmpl": `{{define "why"}}w{{end}}`}, wantErr: `missing {{define "fails_when"}}`},
		{name: "non-template files ignored", files: map[string]string{"README.md": "notes"}, check: func(t *testing.T, s *Set) {
			if len(s.CheckIDs()) != len(catalogIDs) {
				t.Errorf("CheckIDs = %v", s.CheckIDs())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Load(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("Load of a missing directory: want an error")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"joins lines", "a\n  b\n", "a b"},
		{"paragraphs", "a\n\n\nb", "a\n\nb"},
		{"list items", "intro\n- one\n- two\nafter", "intro\n\n- one\n\n- two\n\nafter"},
		{"empty", "\n \n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFonts(t *testing.T) {
	for name, b := range map[string][]byte{"regular": FontRegular(), "bold": FontBold()} {
		if len(b) < 100_000 || string(b[:4]) != "\x00\x01\x00\x00" {
			t.Errorf("%s: not a TrueType font (%d bytes)", name, len(b))
		}
	}
	if !strings.Contains(FontLicense(), "Bitstream") {
		t.Error("font licence text missing")
	}
}
