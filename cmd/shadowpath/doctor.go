package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

type doctorOptions struct {
	liveFlags
	format string
}

// newDoctorCmd is `shadowpath doctor`; runF as in newScanCmd.
func newDoctorCmd(f *factory, runF func(*doctorOptions) error) *cobra.Command {
	opts := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor --source okta,entra",
		Short: "Check reachability, credentials and every permission the catalog needs",
		Long: `doctor makes one cheap read per dataset with the configured credentials and
prints which datasets are readable, what each needs (scope, role, permission or
licence) and which checks would be not_assessed, and why — before a scheduled
scan fails at 3 a.m. Exit 0 when everything is readable, 2 otherwise.`,
		Args: noArgs,
		RunE: runE(f, opts, runF, doctorRun),
	}
	fl := cmd.Flags()
	opts.liveFlags.bind(fl)
	fl.StringVar(&opts.format, "format", "table", "output: table or json")
	return cmd
}

// doctorReport is doctor's JSON output.
type doctorReport struct {
	Provider    string           `json:"provider"`
	Error       string           `json:"error,omitempty"`
	Probes      []evidence.Probe `json:"probes"`
	NotAssessed []string         `json:"would_be_not_assessed"`
}

func (o *doctorOptions) complete(_ *factory, _ []string) error {
	if err := validateSources(o.sources); err != nil {
		return err
	}
	return checkFormat(o.format, "table", "json")
}

func doctorRun(ctx context.Context, f *factory, opts *doctorOptions) error {
	log, err := f.logger()
	if err != nil {
		return err
	}
	cfg, err := optionalConfig(f, opts.configPath, log)
	if err != nil {
		return err
	}
	var out []doctorReport
	healthy := true
	for _, p := range dedupe(opts.sources) {
		rep := doctorReport{Provider: p}
		conn, _, err := connectorFor(f, cfg, p, opts.entraCloud)
		if err != nil {
			return err
		}
		prober, ok := conn.(evidence.Prober)
		if !ok {
			return fmt.Errorf("%s connector cannot probe", p)
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		probes, err := prober.Probe(pctx)
		cancel()
		if err != nil {
			rep.Error = err.Error()
			healthy = false
		}
		rep.Probes = probes
		rep.NotAssessed = wouldBeNotAssessed(evidence.Provider(p), probes, err != nil)
		if len(rep.NotAssessed) > 0 {
			healthy = false
		}
		out = append(out, rep)
	}
	var werr error
	if opts.format == "json" {
		enc := json.NewEncoder(f.stdout)
		enc.SetIndent("", "  ")
		werr = enc.Encode(out)
	} else {
		werr = printDoctor(f, out)
	}
	if werr != nil || healthy {
		return werr
	}
	return exitWith(exitIncomplete)
}

// wouldBeNotAssessed lists the checks that need a dataset the probes could
// not read, as checks.Evaluate would judge them (alternative datasets
// included, e.g. the registration report or per-user methods).
func wouldBeNotAssessed(p evidence.Provider, probes []evidence.Probe, failed bool) []string {
	src := &evidence.Source{Provider: p}
	for _, pr := range probes {
		c := evidence.Coverage{Dataset: pr.Dataset, Status: pr.Status}
		if pr.Status != evidence.Complete && pr.Needed != "" {
			c.Detail = "needs " + pr.Needed
		}
		if failed {
			c = evidence.Coverage{Dataset: pr.Dataset, Status: evidence.Errored, Detail: "provider unreachable or credentials rejected"}
		}
		src.SetCoverage(c)
	}
	if failed && len(probes) == 0 {
		for _, ds := range evidence.Datasets[p] {
			src.SetCoverage(evidence.Coverage{Dataset: ds, Status: evidence.Errored, Detail: "provider unreachable or credentials rejected"})
		}
	}
	var out []string
	for _, c := range checks.Catalog() {
		if why := c.MissingData(src); why != "" {
			out = append(out, c.ID+": "+why)
		} else if why := c.LowerBound(src); why != "" {
			out = append(out, c.ID+": incomplete (findings a lower bound, not_assessed if none): "+why)
		}
	}
	sort.Strings(out)
	return out
}

func printDoctor(f *factory, reps []doctorReport) error {
	tw := tabwriter.NewWriter(f.stdout, 0, 4, 2, ' ', 0)
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\n", strings.ToUpper(r.Provider))
		if r.Error != "" {
			fmt.Fprintf(tw, "  ERROR\t%s\n", r.Error)
		}
		for _, p := range r.Probes {
			mark := "ok"
			if p.Status != evidence.Complete {
				mark = "FAIL"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tneeds %s\t%s\n", mark, p.Dataset, p.Status, p.Needed, p.Detail)
		}
		if len(r.NotAssessed) == 0 {
			fmt.Fprintf(tw, "  every check can be assessed\n")
		} else {
			fmt.Fprintf(tw, "  checks that would be not_assessed:\n")
			for _, n := range r.NotAssessed {
				fmt.Fprintf(tw, "    %s\n", n)
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
