package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
)

// checksOptions are the flags of `shadowpath checks`.
type checksOptions struct {
	format string
}

// newChecksCmd is `shadowpath checks`; runF as in newScanCmd.
func newChecksCmd(f *factory, runF func(*checksOptions) error) *cobra.Command {
	opts := &checksOptions{}
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the check catalog and its framework mappings",
		Args:  noArgs,
		RunE:  runE(f, opts, runF, checksRun),
	}
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: table or json")
	return cmd
}

func (o *checksOptions) complete(_ *factory, _ []string) error {
	return checkFormat(o.format, "table", "json")
}

func checksRun(_ context.Context, f *factory, opts *checksOptions) error {
	if opts.format == "json" {
		return printCatalogJSON(f, checks.Catalog())
	}
	return printCatalogTable(f, checks.Catalog())
}

func controlList(cs []checks.Control, framework string) string {
	var ids []string
	for _, c := range cs {
		if c.Framework == framework {
			id := c.ID
			if c.Interpretive {
				id += "*"
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "–"
	}
	return strings.Join(ids, ", ")
}

func printCatalogTable(f *factory, cat []checks.Check) error {
	tw := tabwriter.NewWriter(f.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE\t800-63B-4\tCSF 2.0\tOWASP NHI")
	for _, c := range cat {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Title,
			controlList(c.Controls, checks.FwNIST63B), controlList(c.Controls, checks.FwCSF), controlList(c.Controls, checks.FwNHI))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(f.stdout, "\n* supports the intent of the control (an interpretation, not the standard's own words)")
	return err
}

// catalogEntry is the JSON shape of `shadowpath checks --format json`.
type catalogEntry struct {
	ID       string              `json:"id"`
	Title    string              `json:"title"`
	Severity checks.Severity     `json:"severity"`
	Summary  string              `json:"fails_when"`
	Controls []checks.Control    `json:"controls"`
	Sources  map[string]string   `json:"sources"`
	Datasets map[string][]string `json:"datasets"`
	// Docs is, per provider, the vendor documentation the rule follows.
	Docs map[string]string `json:"docs,omitempty"`
}

func printCatalogJSON(f *factory, cat []checks.Check) error {
	out := make([]catalogEntry, 0, len(cat))
	for _, c := range cat {
		e := catalogEntry{ID: c.ID, Title: c.Title, Severity: c.Severity, Summary: c.Summary, Controls: c.Controls,
			Sources: map[string]string{}, Datasets: map[string][]string{}}
		for p, s := range c.Sources {
			e.Sources[string(p)] = s
		}
		for p, ds := range c.Datasets {
			e.Datasets[string(p)] = ds
		}
		for p, u := range c.Docs {
			if e.Docs == nil {
				e.Docs = map[string]string{}
			}
			e.Docs[string(p)] = u
		}
		out = append(out, e)
	}
	return writeJSON(f.stdout, map[string]any{"catalog_version": "1", "checks": out})
}
