package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/shadowpath/shadowpath/checks"
)

// inspectFlags are the flags explain and plan share: the evidence and the
// output format.
type inspectFlags struct {
	evidenceFlags
	format string
}

// explainOptions are the flags and argument of `shadowpath explain`.
type explainOptions struct {
	inspectFlags
	query string // ACCOUNT
}

// newExplainCmd is `shadowpath explain`; runF as in newScanCmd.
func newExplainCmd(f *factory, runF func(*explainOptions) error) *cobra.Command {
	opts := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain ACCOUNT (--demo | --snapshot FILE... | --source okta,entra)",
		Short: "Show every access path of one account and the policies that decide each",
		Long: `explain prints every way one account reaches a session — sign-in, password-only
contexts, registration, self-service recovery — weakest first, with the assurance
each gives, the context it applies in, and the policies and rules that decide it.
ACCOUNT is an account id, a login or a display name. It is what to run when a
finding surprises you.

Exit codes: 0 the account was found; 2 no account or more than one matches
(the candidates are listed), or bad usage.`,
		Example: `  shadowpath explain dana.whitfield@acme.com --demo
  shadowpath explain 00u1alice000000001 --snapshot evidence.json --format json`,
		Args: exactArgs(1),
		RunE: runE(f, opts, runF, explainRun),
	}
	opts.bind(cmd.Flags())
	return cmd
}

func (o *inspectFlags) bind(fl *pflag.FlagSet) {
	o.evidenceFlags.bind(fl)
	fl.StringVarP(&o.format, "format", "o", "text", "output: text or json")
}

// validate: the same evidence checks and errors as scan.
func (o *inspectFlags) validate() error {
	if err := checkFormat(o.format, "text", "json"); err != nil {
		return err
	}
	return o.evidenceFlags.validate()
}

func (o *explainOptions) complete(_ *factory, args []string) error {
	o.query = args[0]
	return o.validate()
}

// evidence reads the evidence the flags name, with the config, as scan does.
func (o *inspectFlags) evidence(ctx context.Context, f *factory) (*config, *gathered, error) {
	log, err := f.logger()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := loadScanConfig(f, &o.evidenceFlags, log)
	if err != nil {
		return nil, nil, err
	}
	g, err := gatherEvidence(ctx, f, &o.evidenceFlags, cfg, log)
	return cfg, g, err
}

func explainRun(ctx context.Context, f *factory, opts *explainOptions) (err error) {
	query := opts.query
	cfg, g, err := opts.evidence(ctx, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(g.bug, err) }()
	snap, at := g.snap, g.at
	refs := checks.FindAccounts(snap, query)
	switch len(refs) {
	case 0:
		return usageErr(fmt.Errorf("no in-scope account has the id, login or display name %q", printable(query)))
	case 1:
	default:
		var b strings.Builder
		fmt.Fprintf(&b, "%d accounts match %q; give an id or login:", len(refs), printable(query))
		for _, r := range refs {
			fmt.Fprintf(&b, "\n  %s  %s  %s  %s", r.Provider, r.ID, printable(r.Login), printable(r.Name))
		}
		return usageErr(errors.New(b.String()))
	}
	p := paramsFor(cfg, at)
	ex, ok := checks.Explain(snap, refs[0], p)
	if !ok {
		return fmt.Errorf("explain: account %s vanished from the snapshot", refs[0].ID)
	}
	if opts.format == "json" {
		enc := json.NewEncoder(f.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(explanationJSON(ex))
	}
	writeExplanation(f.stdout, ex)
	return nil
}

// explanationJSON is the --format json shape: the results.json identity
// fields plus every path.
func explanationJSON(ex *checks.Explanation) any {
	paths := ex.Paths
	if paths == nil {
		paths = []checks.Path{}
	}
	return struct {
		Provider     string        `json:"provider"`
		ID           string        `json:"id"`
		Login        string        `json:"login,omitempty"`
		Name         string        `json:"name,omitempty"`
		Privileged   bool          `json:"privileged"`
		Roles        []string      `json:"roles,omitempty"`
		Methods      []string      `json:"methods"`
		MethodsError string        `json:"methods_error,omitempty"`
		Engine       string        `json:"engine"`
		NominalAAL   string        `json:"nominal_aal"`
		EffectiveAAL string        `json:"effective_aal"`
		WeakestPath  string        `json:"weakest_path"`
		Paths        []checks.Path `json:"paths"`
	}{string(ex.Account.Provider), ex.Account.ID, ex.Account.Login, ex.Account.Name, ex.Privileged, ex.Roles, ex.Methods,
		ex.MethodsError, ex.Engine, ex.Nominal.String(), ex.Effective.String(), ex.WeakestPath, paths}
}

func writeExplanation(w io.Writer, ex *checks.Explanation) {
	a := ex.Account
	fmt.Fprintf(w, "%s <%s>  %s %s\n", printable(a.Name), printable(a.Login), a.Provider, a.ID)
	if ex.Privileged {
		fmt.Fprintf(w, "Privileged: %s\n", printable(strings.Join(ex.Roles, ", ")))
	}
	methods := strings.Join(ex.Methods, ", ")
	if methods == "" {
		methods = "none registered"
	}
	fmt.Fprintf(w, "Methods: %s\n", methods)
	if ex.MethodsError != "" {
		fmt.Fprintf(w, "Methods could not be read: %s (the paths below assume none)\n", printable(ex.MethodsError))
	}
	fmt.Fprintf(w, "Engine: %s\n", ex.Engine)
	fmt.Fprintf(w, "Nominal %s (strongest method) · Effective %s (weakest path)\n\n", ex.Nominal, ex.Effective)
	if len(ex.Paths) == 0 {
		fmt.Fprintln(w, "No path to a session: every applicable rule denies access.")
		return
	}
	fmt.Fprintf(w, "%d access paths, weakest first:\n", len(ex.Paths))
	for i, p := range ex.Paths {
		pr := ""
		if p.PhishingResistant {
			pr = ", phishing-resistant"
		}
		fmt.Fprintf(w, "%2d. %-5s %-13s %s%s\n", i+1, p.AAL, p.Kind, strings.Join(p.Proofs, " + "), pr)
		ctx := p.Context
		if ctx == "" {
			ctx = "any context"
		}
		fmt.Fprintf(w, "    when:       %s\n", printable(ctx))
		for j, pol := range p.Policies {
			label := "decided by:"
			if j > 0 {
				label = "and:"
			}
			id := pol.ID
			if pol.RuleID != "" {
				id += "/" + pol.RuleID
			}
			fmt.Fprintf(w, "    %-11s %s [%s]\n", label, printable(pol.Label()), id)
		}
	}
}

// printable escapes control and bidi-override characters so tenant data
// cannot drive the terminal.
func printable(s string) string {
	if strings.IndexFunc(s, controlRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if controlRune(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
