package main

import (
	"fmt"

	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/oscal"
	"github.com/shadowpath/shadowpath/reports/pdf"
	"github.com/shadowpath/shadowpath/reports/xlsx"
	"github.com/shadowpath/shadowpath/templates"
)

// writerFor returns the report writer of a --format name.
func writerFor(format string, tmpl *templates.Set) (reports.Writer, error) {
	switch format {
	case "json":
		return reports.JSON{}, nil
	case "oscal":
		return oscal.OSCAL{}, nil
	case "pdf":
		return pdf.New(pdf.Options{Templates: tmpl}), nil
	case "xlsx":
		return xlsx.New(xlsx.Options{Templates: tmpl}), nil
	}
	return nil, usageErr(fmt.Errorf("--format %q: want pdf, xlsx, json or oscal", format))
}

// loadTemplates returns the report text: the embedded set, with files from
// --template-dir (or the config's template_dir) replacing embedded ones.
func loadTemplates(dir string) (*templates.Set, error) {
	if dir == "" {
		return templates.Default()
	}
	s, err := templates.Load(dir)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--template-dir %s: %w", dir, err))
	}
	return s, nil
}
