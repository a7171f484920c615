// Package templates holds what the reports ship with: the narrative text
// (what each check looks for, why it matters, how to fix it, the glossary and
// the methodology) as text/template files, and the DejaVu Sans font the PDF
// embeds. Everything is embedded with go:embed and parsed once with
// missingkey=error; Load lets a directory (--template-dir) replace any file by
// giving one of the same name.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/shadowpath/shadowpath/internal/safeio"
)

//go:embed text
var textFS embed.FS

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

//go:embed fonts/LICENSE
var fontLicense string

// FontRegular returns DejaVu Sans (Bitstream Vera licence, see FontLicense).
// Callers must not modify the slice.
func FontRegular() []byte { return fontRegular }

// FontBold returns DejaVu Sans Bold. Callers must not modify the slice.
func FontBold() []byte { return fontBold }

// FontLicense returns the DejaVu fonts' licence text.
func FontLicense() string { return fontLicense }

// Names of the non-check templates.
const (
	Glossary    = "glossary.tmpl"
	Methodology = "methodology.tmpl"
)

// CheckBlocks are the blocks every checks/<ID>.tmpl must define.
var CheckBlocks = []string{"fails_when", "headline", "why", "remediation"}

// CheckData is what a check template is executed with.
type CheckData struct {
	ID           string
	Title        string
	Provider     string // okta | entra
	ProviderName string // Okta | Microsoft Entra ID
	Status       string
	// Affected is the number of open (unwaived) findings.
	Affected int
	// Params are the thresholds used (results.parameters over the catalog
	// defaults), e.g. .Params.tap_max_lifetime.
	Params map[string]string
}

// CheckText is a check's rendered narrative; paragraphs are separated by a
// blank line.
type CheckText struct {
	FailsWhen   string `json:"fails_when"`
	Headline    string `json:"headline"`
	Why         string `json:"why"`
	Remediation string `json:"remediation"`
}

// DocData is what the glossary and methodology templates are executed with.
type DocData struct {
	Organization string
	Providers    []string // provider display names
	Window       string   // the audit window, printable
	Params       map[string]string
}

// Set is a parsed set of templates. It is immutable and safe for concurrent use.
type Set struct {
	files map[string]*template.Template // by slash path relative to text/
}

var funcs = template.FuncMap{
	// plural picks the singular or plural form for n.
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

var defaultSet = sync.OnceValues(func() (*Set, error) { return load("") })

// Default returns the embedded templates, parsed once.
func Default() (*Set, error) { return defaultSet() }

// Load returns the embedded templates with every file of dir that has the
// name of an embedded one (relative path, e.g. checks/MFA-01.tmpl or
// glossary.tmpl) parsed in its place. An empty dir means Default. A file in
// dir that matches no embedded template is an error, so a misspelt override
// is not silently ignored.
func Load(dir string) (*Set, error) {
	if dir == "" {
		return Default()
	}
	return load(dir)
}

func load(dir string) (*Set, error) {
	s := &Set{files: map[string]*template.Template{}}
	err := fs.WalkDir(textFS, "text", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := textFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "text/")
		t, err := parse(name, "embedded "+name, string(b))
		if err != nil {
			return err
		}
		s.files[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if dir == "" {
		return s, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("templates: %s is not a directory", dir)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Templates are data: a symlink could pull any readable file (a
		// secret file included) into the PDF, a FIFO could hang the run.
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("templates: %s: is a symbolic link: copy the file instead", p)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("templates: %s: not a regular file", p)
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if path.Ext(name) != ".tmpl" {
			return nil // README, editor backups
		}
		if _, ok := s.files[name]; !ok {
			return fmt.Errorf("templates: %s: no embedded template named %q to replace", p, name)
		}
		b, err := safeio.ReadFileNoFollow(p, safeio.MaxSmall)
		if err != nil {
			return fmt.Errorf("templates: %w", err)
		}
		t, err := parse(name, p, string(b))
		if err != nil {
			return err
		}
		s.files[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// parse parses one file; origin names it in errors.
func parse(name, origin, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("templates: %s: %w", origin, err)
	}
	if err := checkBounds(t, origin); err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "checks/") {
		for _, b := range CheckBlocks {
			if t.Lookup(b) == nil {
				return nil, fmt.Errorf("templates: %s: missing {{define %q}}", origin, b)
			}
		}
	}
	return t, nil
}

// Names lists the template files, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.files))
	for n := range s.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckIDs lists the check ids that have a template, sorted.
func (s *Set) CheckIDs() []string {
	var ids []string
	for _, n := range s.Names() {
		if id, ok := strings.CutPrefix(n, "checks/"); ok {
			ids = append(ids, strings.TrimSuffix(id, ".tmpl"))
		}
	}
	return ids
}

// HasCheck reports whether check id has a template.
func (s *Set) HasCheck(id string) bool {
	return slices.Contains(s.CheckIDs(), id)
}

// ErrNoTemplate is returned for a check id or name without a template.
var ErrNoTemplate = errors.New("no template")

// Check renders every block of check d.ID's template.
func (s *Set) Check(d CheckData) (CheckText, error) {
	name := "checks/" + d.ID + ".tmpl"
	t, ok := s.files[name]
	if !ok {
		return CheckText{}, fmt.Errorf("templates: check %s: %w", d.ID, ErrNoTemplate)
	}
	var out CheckText
	for _, b := range []struct {
		block string
		dst   *string
	}{{"fails_when", &out.FailsWhen}, {"headline", &out.Headline}, {"why", &out.Why}, {"remediation", &out.Remediation}} {
		out, err := execute(t, b.block, d)
		if err != nil {
			return CheckText{}, fmt.Errorf("templates: %s: %w", name, err)
		}
		*b.dst = Normalize(out)
	}
	return out, nil
}

// Doc renders a document template (Glossary, Methodology).
func (s *Set) Doc(name string, d DocData) (string, error) {
	t, ok := s.files[name]
	if !ok {
		return "", fmt.Errorf("templates: %s: %w", name, ErrNoTemplate)
	}
	out, err := execute(t, "", d)
	if err != nil {
		return "", fmt.Errorf("templates: %s: %w", name, err)
	}
	return Normalize(out), nil
}

// Normalize turns template output into paragraphs: lines within a paragraph
// are joined with single spaces, paragraphs are separated by one blank line,
// and lines starting with "- " stay separate list items.
func Normalize(s string) string {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "- "):
			flush()
			cur = []string{line}
			flush()
		default:
			cur = append(cur, line)
		}
	}
	flush()
	return strings.Join(paras, "\n\n")
}

// Paragraphs splits normalized text into its paragraphs.
func Paragraphs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n\n")
}
