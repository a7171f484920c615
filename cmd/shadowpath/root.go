package main

import (
	"context"

	"github.com/spf13/cobra"
)

func newRootCmd(f *factory) *cobra.Command {
	root := newBareRootCmd(f)
	// nil: each command runs for real (tests pass a runF to capture the
	// options instead).
	root.AddCommand(
		newScanCmd(f, nil),
		newCollectCmd(f, nil),
		newChecksCmd(f, nil),
		newDiffCmd(f, nil),
		newExplainCmd(f, nil),
		newPlanCmd(f, nil),
		newDoctorCmd(f, nil),
		newVerifyCmd(f, nil),
		newVersionCmd(f),
		newDocsCmd(f),
	)
	return root
}

// newBareRootCmd is the root command without its subcommands: the global
// flags and the error handling every command shares.
func newBareRootCmd(f *factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "shadowpath",
		Short: "Find the shadow login paths of Okta and Entra ID tenants",
		Long: `shadowpath reads MFA enrolment, recovery and workload-credential configuration
from Okta and Microsoft Entra ID (read-only), computes each account's effective
assurance level — the weakest path that yields a session — and reports the
findings against NIST SP 800-63B-4, NIST CSF 2.0 PR.AA and the OWASP
Non-Human Identities Top 10 as PDF, XLSX, JSON and OSCAL.

Try it with no credentials:  shadowpath scan --demo --out ./shadowpath-report`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetOut(f.stdout)
	root.SetErr(f.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&f.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&f.quiet, "quiet", "q", false, "print only warnings, errors and the requested output")
	return root
}

// commandOptions are what a command's flags bind into. complete fills in
// what flags do not carry (arguments, environment) and checks the whole,
// so that the command's run starts from valid options.
type commandOptions interface {
	complete(f *factory, args []string) error
}

// runE is the RunE of every command with options, cli/cli's runF seam:
// complete the options, then hand them to runF when a test set one (to
// assert what the flags parsed into, running nothing), else to run.
func runE[O commandOptions](f *factory, opts O, runF func(O) error, run func(context.Context, *factory, O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := opts.complete(f, args); err != nil {
			return err
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd.Context(), f, opts)
	}
}

// exactArgs wraps cobra.ExactArgs so arity errors exit 2.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return usageErr(cobra.ExactArgs(n)(cmd, args))
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	return usageErr(cobra.NoArgs(cmd, args))
}
