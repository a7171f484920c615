package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// planFor computes the remediation plan for a snapshot with the config's
// owners and weight.
func planFor(snap *evidence.Snapshot, cfg *config, at time.Time) (*checks.Plan, error) {
	return checks.ComputePlan(snap, paramsFor(cfg, at), checks.PlanOptions{
		PrivilegedWeight: cfg.Plan.PrivilegedWeight,
		Owner:            cfg.ownerFor,
	})
}

// addPlan puts the plan into the results (results.json "actions").
func addPlan(res *checks.Results, snap *evidence.Snapshot, cfg *config, at time.Time) error {
	pl, err := planFor(snap, cfg, at)
	if err != nil {
		return err
	}
	res.Actions, res.ActionsNote = pl.Steps, pl.Note
	return nil
}

// planOptions are the flags of `shadowpath plan`.
type planOptions struct {
	inspectFlags
	whatIf string
}

// newPlanCmd is `shadowpath plan`; runF as in newScanCmd.
func newPlanCmd(f *factory, runF func(*planOptions) error) *cobra.Command {
	opts := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan (--demo | --snapshot FILE... | --source okta,entra)",
		Short: "The remediation plan: candidate changes ranked by their measured effect",
		Long: `plan generates candidate changes from the policies that decide the weak access paths
and from the findings (turn off or narrow self-service recovery, require a second factor in a
rule, narrow an exclusion, remove a Conditional Access location exclusion, turn on a
report-only Conditional Access policy, block legacy authentication, stop a weak method being
used for sign-in, bound the temporary access pass, enrol phishing-resistant methods for
privileged accounts), applies each to a copy
of the evidence (no tenant is ever written) and measures its effect by evaluating again:
accounts whose effective AAL rises, findings closed, checks that would pass, and accounts left
without a usable method (they must enrol first). The plan orders them greedily, each step
measured after the previous ones. --what-if ACTION_ID shows one action's effect account by
account.`,
		Example: `  shadowpath plan --demo
  shadowpath plan --snapshot evidence.json --what-if ACT-1A2B3C4D`,
		Args: noArgs,
		RunE: runE(f, opts, runF, planRun),
	}
	opts.bind(cmd.Flags())
	cmd.Flags().StringVar(&opts.whatIf, "what-if", "", "show one action's effect (an id from the plan or its candidates)")
	return cmd
}

func (o *planOptions) complete(_ *factory, _ []string) error { return o.validate() }

func planRun(ctx context.Context, f *factory, opts *planOptions) (err error) {
	cfg, g, err := opts.evidence(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(g.bug, err) }()
	snap, at := g.snap, g.at
	pl, err := planFor(snap, cfg, at)
	if err != nil {
		return err
	}
	if opts.whatIf != "" {
		for _, a := range append(append([]checks.Action(nil), pl.Steps...), pl.Candidates...) {
			if a.ID == opts.whatIf {
				if opts.format == "json" {
					return writeJSON(f.stdout, a)
				}
				writeWhatIf(f.stdout, a)
				return nil
			}
		}
		return usageErr(fmt.Errorf("--what-if %q: no such action in the plan or its %d candidates", printable(opts.whatIf), len(pl.Candidates)))
	}
	if opts.format == "json" {
		return writeJSON(f.stdout, pl)
	}
	writePlan(f.stdout, pl)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writePlan(w io.Writer, pl *checks.Plan) {
	if len(pl.Steps) == 0 {
		fmt.Fprintln(w, pl.Note)
		return
	}
	fmt.Fprintf(w, "Remediation plan: %d steps, each measured after the ones before it (%d candidates considered)\n\n", len(pl.Steps), len(pl.Candidates))
	for i, a := range pl.Steps {
		fmt.Fprintf(w, "%2d. %s  [%s, %s]  %s\n", i+1, a.ID, a.Provider, a.Check, printable(a.Title))
		fmt.Fprintf(w, "    effect:     %s\n", effectText(a.Effect))
		if c := a.Cumulative; c != nil {
			fmt.Fprintf(w, "    after 1–%d: %d of %d downgraded accounts restored, %d findings closed\n", i+1, c.Restored, c.Downgraded, c.FindingsClosed)
		}
		if a.Effect.LockedOut > 0 {
			fmt.Fprintf(w, "    side effect: %d accounts left without a usable MFA method: they must enrol first (%s)\n", a.Effect.LockedOut, strings.Join(a.Effect.LockedOutSample, ", "))
		}
		fmt.Fprintf(w, "    where:      %s\n", a.ConsolePath)
		fmt.Fprintf(w, "    API:        %s\n", a.APIField)
		if a.Owner != "" {
			fmt.Fprintf(w, "    owner:      %s\n", printable(a.Owner))
		}
	}
}

func effectText(e checks.Effect) string {
	parts := []string{fmt.Sprintf("%d accounts raised (%d privileged)", e.AccountsRaised, e.PrivilegedRaised)}
	for _, l := range []string{"AAL3", "AAL2", "AAL1"} {
		if n := e.To[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, l))
		}
	}
	parts = append(parts, fmt.Sprintf("%d findings closed", e.FindingsClosed))
	if len(e.ChecksPassing) > 0 {
		parts = append(parts, "passes "+strings.Join(e.ChecksPassing, ", "))
	}
	return strings.Join(parts, "; ")
}

func writeWhatIf(w io.Writer, a checks.Action) {
	fmt.Fprintf(w, "%s [%s, %s]: %s\n", a.ID, a.Provider, a.Check, printable(a.Title))
	fmt.Fprintf(w, "change: %s\nwhere:  %s\nAPI:    %s\n\n", a.Change, a.ConsolePath, a.APIField)
	fmt.Fprintf(w, "effect: %s\n", effectText(a.Effect))
	if len(a.Effect.Sample) > 0 {
		fmt.Fprintf(w, "accounts raised (first %d): %s\n", len(a.Effect.Sample), strings.Join(a.Effect.Sample, ", "))
	}
	if a.Effect.LockedOut > 0 {
		fmt.Fprintf(w, "left without a usable MFA method (%d, first %d): %s\n", a.Effect.LockedOut, len(a.Effect.LockedOutSample), strings.Join(a.Effect.LockedOutSample, ", "))
	}
}
