package main

import (
	"context"
	"fmt"

	"github.com/shadowpath/shadowpath/checks"

	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/oscal"
	"github.com/shadowpath/shadowpath/reports/pdf"
	"github.com/shadowpath/shadowpath/reports/xlsx"
	"github.com/shadowpath/shadowpath/templates"
	"github.com/shadowpath/shadowpath/templates/demo"
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
// --template-dir (or the config's template_dir) replacing embedded ones. A
// replaced set is rendered once against the demo tenants in every requested
// format that uses it, so a template error is reported before any tenant is
// read, not after the collection.
func loadTemplates(ctx context.Context, dir string, formats []string) (*templates.Set, error) {
	if dir == "" {
		return templates.Default()
	}
	s, err := templates.Load(dir)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--template-dir %s: %w", dir, err))
	}
	if err := dryRun(ctx, s, formats); err != nil {
		return nil, usageErr(fmt.Errorf("--template-dir %s: rendering the demo: %w", dir, err))
	}
	return s, nil
}

// dryRun renders the demo results with tmpl in the formats that use
// templates (pdf, xlsx), discarding the output.
func dryRun(ctx context.Context, tmpl *templates.Set, formats []string) error {
	var use []string
	for _, ft := range dedupe(formats) {
		if ft == "pdf" || ft == "xlsx" {
			use = append(use, ft)
		}
	}
	if len(use) == 0 {
		return nil
	}
	snap, err := demo.Snapshot()
	if err != nil {
		return err
	}
	cfg, err := parseConfig("demo config", demo.ConfigYAML, func(string) string { return "" }, nil)
	if err != nil {
		return err
	}
	waivers, err := checks.ParseWaivers("demo waivers", demo.WaiversYAML)
	if err != nil {
		return err
	}
	res, err := evaluate(snap, cfg, waivers, latestCollection(snap))
	if err != nil {
		return err
	}
	res.GeneratedAt = latestCollection(snap)
	_, err = renderReports(ctx, use, tmpl, res)
	return err
}
