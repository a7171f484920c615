package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra"
)

// liveFlags are the flags of every command that reads tenants — scan,
// collect, doctor, explain and plan — declared once, so their help and
// their checks cannot drift apart. Credentials are not flags: they come
// from the environment or the config file's *_file references.
type liveFlags struct {
	sources    []string
	configPath string
	entraCloud entraCloud
}

func (o *liveFlags) bind(fl *pflag.FlagSet) {
	fl.StringSliceVar(&o.sources, "source", nil, "providers to read live: okta, entra, or both (okta,entra)")
	fl.StringVar(&o.configPath, "config", "", "configuration file (YAML): tenant settings and secret files, thresholds, break-glass and service accounts, plan owners")
	fl.Var(&o.entraCloud, "entra-cloud", "Entra national cloud: global, usgov, usgov-dod, china (default: the config's entra.cloud, else global)")
}

// evidenceFlags choose the evidence of scan, explain and plan: the tenants
// read live, snapshot files, or the built-in demo tenants.
type evidenceFlags struct {
	liveFlags
	snapshots []string
	demo      bool
	since     auditWindow
}

func (o *evidenceFlags) bind(fl *pflag.FlagSet) {
	o.liveFlags.bind(fl)
	fl.StringSliceVar(&o.snapshots, "snapshot", nil, "evidence snapshot file(s) to evaluate instead of reading tenants")
	fl.BoolVar(&o.demo, "demo", false, "evaluate the built-in demo tenants (no credentials, no network)")
	o.since.bind(fl)
}

// validate: exactly one kind of evidence, and known providers.
func (o *evidenceFlags) validate() error {
	modes := 0
	if len(o.sources) > 0 {
		modes++
	}
	if len(o.snapshots) > 0 {
		modes++
	}
	if o.demo {
		modes++
	}
	if modes != 1 {
		return usageErr(errors.New("give exactly one of --source, --snapshot or --demo"))
	}
	if len(o.sources) > 0 {
		return validateSources(o.sources)
	}
	return nil
}

// validateSources checks --source values: okta, entra or both.
func validateSources(sources []string) error {
	if len(sources) == 0 {
		return usageErr(errors.New("--source is required (okta, entra or okta,entra)"))
	}
	for _, s := range sources {
		if s != "okta" && s != "entra" {
			return usageErr(fmt.Errorf("--source %q: want okta, entra or both (okta,entra)", s))
		}
	}
	return nil
}

// checkFormat checks a --format value that names one output.
func checkFormat(got string, want ...string) error {
	if slices.Contains(want, got) {
		return nil
	}
	return usageErr(fmt.Errorf("--format %q: want %s", got, strings.Join(want, " or ")))
}

// auditWindow is --since: how far back audit events are read, parsed
// once, when the flag is.
type auditWindow struct {
	d    time.Duration
	text string
}

// defaultAuditWindow is the --since default (DESIGN.md).
var defaultAuditWindow = auditWindow{30 * 24 * time.Hour, "30d"}

func (w *auditWindow) bind(fl *pflag.FlagSet) {
	*w = defaultAuditWindow
	fl.Var(w, "since", "when reading tenants (--source): how far back to read audit events, e.g. 30d, 72h, 2w")
}

func (w *auditWindow) String() string { return w.text }
func (w *auditWindow) Type() string   { return "duration" }

func (w *auditWindow) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		return errors.New("want a positive duration such as 30d or 72h")
	}
	*w = auditWindow{d, s}
	return nil
}

// failOn is --fail-on: the lowest severity that fails the run, parsed once,
// when the flag is. Zero (none) never fails.
type failOn int

// bindFailOn declares --fail-on; what counts as failing differs per command.
func bindFailOn(fl *pflag.FlagSet, p *failOn, what string) {
	*p = 0
	fl.Var(p, "fail-on", "exit 1 when "+what+" at or above: none, low, medium, high, critical")
}

// rank is the minimum checks.Severity rank that fails (0 = never).
func (f failOn) rank() int { return int(f) }

func (f *failOn) String() string {
	for _, s := range checks.AllSeverities {
		if s.Rank() == int(*f) {
			return string(s)
		}
	}
	return "none"
}

func (f *failOn) Type() string { return "severity" }

func (f *failOn) Set(s string) error {
	if s == "" || s == "none" {
		*f = 0
		return nil
	}
	r := checks.Severity(s).Rank()
	if r == 0 {
		return errors.New("want none, low, medium, high or critical")
	}
	*f = failOn(r)
	return nil
}

// entraCloud is --entra-cloud, checked when the flag is parsed. Empty
// leaves the choice to the config file (entra.cloud), else global.
type entraCloud string

func (c *entraCloud) String() string { return string(*c) }
func (c *entraCloud) Type() string   { return "cloud" }

func (c *entraCloud) Set(s string) error {
	if !knownCloud(s) {
		return errors.New("want global, usgov, usgov-dod or china")
	}
	*c = entraCloud(s)
	return nil
}

// knownCloud reports whether s names one of the Entra national clouds
// (--entra-cloud, the config's entra.cloud).
func knownCloud(s string) bool {
	switch s {
	case entra.CloudGlobal, entra.CloudUSGov, entra.CloudUSGovDoD, entra.CloudChina:
		return true
	}
	return false
}
