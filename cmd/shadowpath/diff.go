package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/internal/drift"
)

// diffOptions are the flags and arguments of `shadowpath diff`.
type diffOptions struct {
	oldPath, newPath string
	format           string
	all              bool
	failOn           failOn
}

// newDiffCmd is `shadowpath diff`; runF as in newScanCmd.
func newDiffCmd(f *factory, runF func(*diffOptions) error) *cobra.Command {
	opts := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD-results.json NEW-results.json",
		Short: "Show drift between two audits: new, resolved and still-failing findings",
		Long: `diff compares two results.json files: findings that are new, resolved or still
failing, checks whose status changed, and accounts whose effective AAL went down.
With --fail-on it exits 1 when a new failing finding is at or above that severity.`,
		Args: exactArgs(2),
		RunE: runE(f, opts, runF, diffRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.format, "format", "table", "output format: table or json")
	fl.BoolVar(&opts.all, "all", false, "list every still-failing finding (default: a count per check)")
	bindFailOn(fl, &opts.failOn, "a new failing finding is")
	return cmd
}

func (o *diffOptions) complete(_ *factory, args []string) error {
	o.oldPath, o.newPath = args[0], args[1]
	return checkFormat(o.format, "table", "json")
}

func diffRun(_ context.Context, f *factory, opts *diffOptions) error {
	old, err := readResultsFile(opts.oldPath)
	if err != nil {
		return usageErr(err)
	}
	cur, err := readResultsFile(opts.newPath)
	if err != nil {
		return usageErr(err)
	}
	d := compareResults(old, cur)
	if opts.format == "json" {
		if err := writeJSON(f.stdout, d); err != nil {
			return err
		}
	} else if err := printDrift(f.stdout, d, opts.all); err != nil {
		return err
	}
	if rank := opts.failOn.rank(); rank > 0 && newAtOrAbove(d, rank) {
		return exitWith(exitFailing)
	}
	return nil
}

// newAtOrAbove reports whether a finding new in d has a severity of at
// least rank: diff --fail-on, and scan --fail-on with --fail-on-new.
func newAtOrAbove(d *checks.Drift, rank int) bool {
	for _, n := range d.New {
		if n.Severity.Rank() >= rank {
			return true
		}
	}
	return false
}

func compareResults(old, cur *checks.Results) *checks.Drift { return drift.Compare(old, cur) }

func printDrift(w io.Writer, d *checks.Drift, all bool) error {
	fmt.Fprintf(w, "Drift since %s: %d new, %d resolved, %d newly waived, %d no longer assessed, %d still failing, %d status changes, %d AAL downgrades\n",
		d.BaselineGeneratedAt.Format("2006-01-02 15:04 UTC"), len(d.New), len(d.Resolved), len(d.NewlyWaived), len(d.NoLongerAssessed), len(d.StillFailing), len(d.Changed), len(d.AALDowngrades))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	section := func(title string, fs []checks.DriftFinding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s\n", title)
		for _, x := range fs {
			name := x.Subject.Name
			if name == "" {
				name = x.Subject.ID
			}
			msg := x.Message
			if x.Reason != "" {
				msg += " (" + x.Reason + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\t%s\n", x.CheckID, x.Provider, x.Severity, x.Subject.Type, name, msg)
		}
	}
	section("NEW", d.New)
	section("RESOLVED", d.Resolved)
	section("NEWLY WAIVED (accepted, not fixed)", d.NewlyWaived)
	section("NO LONGER ASSESSED (not shown to be fixed)", d.NoLongerAssessed)
	if all {
		section("STILL FAILING", d.StillFailing)
	} else if len(d.StillFailing) > 0 {
		fmt.Fprintf(tw, "\nSTILL FAILING (a count per check; --all lists them)\n")
		type key struct{ id, provider string }
		var order []key
		count := map[key]int{}
		for _, x := range d.StillFailing {
			k := key{x.CheckID, x.Provider}
			if count[k] == 0 {
				order = append(order, k)
			}
			count[k]++
		}
		for _, k := range order {
			fmt.Fprintf(tw, "  %s\t%s\t%d\n", k.id, k.provider, count[k])
		}
	}
	if len(d.Changed) > 0 {
		fmt.Fprintf(tw, "\nSTATUS CHANGES\n")
		for _, c := range d.Changed {
			fmt.Fprintf(tw, "  %s\t%s\t%s → %s\n", c.CheckID, c.Provider, c.From, c.To)
		}
	}
	if len(d.AALDowngrades) > 0 {
		fmt.Fprintf(tw, "\nEFFECTIVE AAL DOWNGRADES\n")
		for _, a := range d.AALDowngrades {
			fmt.Fprintf(tw, "  %s\t%s\t%s → %s\n", a.Provider, a.Name, a.From, a.To)
		}
	}
	return tw.Flush()
}
