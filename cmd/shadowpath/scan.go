package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// scanOptions are the flags of `shadowpath scan`.
type scanOptions struct {
	evidenceFlags
	formats      []string
	out          string
	waiversPath  string
	baseline     string
	saveSnapshot string
	failOn       failOn
	failOnNew    bool
	history      string
	templateDir  string
	signKey      string
	incr         incrementalFlags
	// reportAt is generated_at: SOURCE_DATE_EPOCH, else the wall clock.
	reportAt time.Time
}

var allFormats = []string{"pdf", "xlsx", "json", "oscal"}

// newScanCmd is `shadowpath scan`. runF, when set, gets the parsed and
// checked options instead of scanRun (tests of the flags run no scan);
// the root command passes nil.
func newScanCmd(f *factory, runF func(*scanOptions) error) *cobra.Command {
	opts := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan (--source okta,entra | --snapshot FILE... | --demo)",
		Short: "Collect (or load) evidence, evaluate the catalog and write reports",
		Long: `scan reads the tenants named by --source (credentials from the environment,
see README), or evidence snapshots (--snapshot), or the built-in demo tenants
(--demo), evaluates every catalog check and writes the reports to --out.

Exit codes: 0 completed, nothing failing at or above --fail-on; 1 failing
checks at or above --fail-on; 2 incomplete scan (a dataset could not be read,
so some checks are not_assessed) or bad usage/config; 3 internal error.`,
		Example: `  shadowpath scan --demo --out ./shadowpath-report
  shadowpath scan --source okta,entra --config shadowpath.yaml --fail-on high
  shadowpath scan --snapshot evidence-2026Q3.json --format json,pdf`,
		Args: noArgs,
		RunE: runE(f, opts, runF, scanRun),
	}
	fl := cmd.Flags()
	opts.evidenceFlags.bind(fl)
	fl.StringSliceVar(&opts.formats, "format", []string{"pdf", "xlsx", "json"}, "report formats: pdf, xlsx, json, oscal")
	fl.StringVar(&opts.out, "out", "./shadowpath-report", "output directory")
	fl.StringVar(&opts.waiversPath, "waivers", "", "waivers file (YAML)")
	fl.StringVar(&opts.baseline, "baseline", "", "an earlier results.json to compare with (drift)")
	fl.StringVar(&opts.saveSnapshot, "save-snapshot", "", "also write the collected evidence to this file")
	bindFailOn(fl, &opts.failOn, "a check fails")
	fl.BoolVar(&opts.failOnNew, "fail-on-new", false, "with --baseline: count only failures that are new since the baseline")
	fl.StringVar(&opts.history, "history", "", "keep this run's results and evidence in this directory (never overwritten)")
	fl.StringVar(&opts.templateDir, "template-dir", "", "directory of report text templates overriding the embedded ones")
	fl.StringVar(&opts.signKey, "sign-key", "", "with --save-snapshot: ed25519 private key (PKCS#8 PEM) to sign the snapshot (SNAPSHOT.sig)")
	opts.incr.bind(fl)
	return cmd
}

func (o *scanOptions) complete(f *factory, _ []string) error {
	if err := o.validate(); err != nil {
		return err
	}
	var err error
	o.reportAt, err = f.reportTime()
	return err
}

func (o *scanOptions) validate() error {
	if err := o.evidenceFlags.validate(); err != nil {
		return err
	}
	if len(o.formats) == 0 {
		return usageErr(errors.New("--format: give at least one of pdf, xlsx, json, oscal"))
	}
	for _, ft := range o.formats {
		if !slices.Contains(allFormats, ft) {
			return usageErr(fmt.Errorf("--format %q: want pdf, xlsx, json or oscal", ft))
		}
	}
	if o.signKey != "" && o.saveSnapshot == "" {
		return usageErr(errors.New("--sign-key needs --save-snapshot"))
	}
	if o.failOnNew && o.baseline == "" {
		return usageErr(errors.New("--fail-on-new needs --baseline"))
	}
	return o.incr.validate(o.sources)
}

func scanRun(ctx context.Context, f *factory, opts *scanOptions) (err error) {
	log, err := f.logger()
	if err != nil {
		return err
	}
	cfg, err := loadScanConfig(f, &opts.evidenceFlags, log)
	if err != nil {
		return err
	}
	waivers, waiversIn, err := loadScanWaivers(opts, cfg)
	if err != nil {
		return err
	}
	// Everything that can be checked without the tenants is checked before
	// the first network call: a bad key, path or template must not cost a
	// whole collection.
	signKey, err := loadSignKey(opts.signKey)
	if err != nil {
		return err
	}
	if err := checkOutputDir("--out", opts.out); err != nil {
		return err
	}
	if opts.saveSnapshot != "" {
		if err := checkOutputFile("--save-snapshot", opts.saveSnapshot); err != nil {
			return err
		}
	}
	tmplDir := opts.templateDir
	if tmplDir == "" {
		tmplDir = cfg.TemplateDir
	}
	tmpl, err := loadTemplates(ctx, tmplDir, opts.formats)
	if err != nil {
		return err
	}

	cfg.oktaBase = opts.incr.base()
	g, err := gatherEvidence(ctx, f, &opts.evidenceFlags, cfg, log)
	if err != nil {
		return err
	}
	// A connector bug recorded during collection outranks what follows.
	defer func() { err = errors.Join(g.bug, err) }()
	snap, evalAt, snapIn := g.snap, g.at, g.inputs
	// An interrupted collection is not evidence: write nothing.
	if err := interrupted(ctx, "during collection: nothing written"); err != nil {
		return err
	}
	// The evidence is encoded once, for the snapshot file and the history.
	var evidenceJSON []byte
	if opts.saveSnapshot != "" || opts.history != "" {
		if evidenceJSON, err = evidence.EncodeSnapshot(snap); err != nil {
			return err
		}
	}
	inputs := scanInputs(opts, cfg, snapIn, waiversIn)
	if opts.saveSnapshot != "" {
		sum, err := writeEvidence(opts.saveSnapshot, evidenceJSON, signKey)
		if err != nil {
			return err
		}
		log.Info("evidence snapshot written", "file", opts.saveSnapshot, "sha256", sum)
		inputs = append(inputs, checks.Input{Role: checks.InputSavedSnapshot, Path: opts.saveSnapshot, SHA256: sum})
	}

	res, err := evaluate(snap, cfg, waivers, evalAt)
	if err != nil {
		return err
	}
	res.GeneratedAt = opts.reportAt
	res.Inputs = inputs
	if slices.Contains(opts.formats, "json") {
		res.Inputs = append(res.Inputs, checks.Input{Role: checks.InputResults, Path: filepath.Join(opts.out, "results.json")})
	}
	if err := addPlan(res, snap, cfg, evalAt); err != nil {
		return err
	}

	seen := checks.SeenBefore{}
	if opts.baseline != "" {
		old, err := readResultsFile(opts.baseline)
		if err != nil {
			return usageErr(err)
		}
		res.Drift = compareResults(old, res)
		seen.SeeResults(old)
	}

	if opts.history != "" {
		if err := addHistory(opts.history, res, seen, log); err != nil {
			return err
		}
	}
	// First-seen dates only where an earlier run was compared.
	if opts.baseline != "" || opts.history != "" {
		res.SetFirstSeen(seen)
	}
	files, err := renderReports(ctx, opts.formats, tmpl, res)
	if err != nil {
		if ierr := interrupted(ctx, "before writing reports: the previous reports are untouched"); ierr != nil {
			return ierr
		}
		return err
	}
	// Ctrl-C during rendering: keep the previous reports, write nothing.
	if err := interrupted(ctx, "before writing reports: the previous reports are untouched"); err != nil {
		return err
	}
	if err := writeOutputs(opts.out, files); err != nil {
		return err
	}
	if opts.history != "" {
		if err := saveHistory(opts.history, files, evidenceJSON, res, log); err != nil {
			return err
		}
	}

	code := verdict(res, opts.failOn.rank(), opts.failOnNew)
	if !f.quiet {
		if strings.EqualFold(f.logFormat, "json") {
			// Schedulers parsing JSON logs get the summary as a record.
			s := res.Summary
			var creds []string
			for _, src := range res.Sources {
				creds = append(creds, src.Provider+":"+src.Credential)
			}
			log.Info("scan complete", "credentials", strings.Join(creds, ","), "checks", len(res.Checks), "pass", s.Pass, "fail", s.Fail, "waived", s.Waived,
				"not_assessed", s.NotAssessed, "manual", s.Manual, "not_applicable", s.NotApplicable,
				"identities", len(res.Identities), "out", opts.out, "exit_code", code, "collection", collectionSummary(snap))
		} else {
			line := summaryLine(res, opts.out, files, code)
			if cs := collectionSummary(snap); cs != "" {
				line += "; " + cs
			}
			fmt.Fprintln(f.stderr, line)
		}
	}
	return exitWith(code)
}

func loadScanConfig(f *factory, opts *evidenceFlags, log *slog.Logger) (*config, error) {
	warn := func(msg string) { log.Warn(msg) }
	switch {
	case opts.configPath != "":
		cfg, err := loadConfig(opts.configPath, f.getenv, warn)
		return cfg, usageErr(err)
	case opts.demo:
		cfg, err := parseConfig("demo config", demo.ConfigYAML, f.getenv, warn)
		return cfg, usageErr(err)
	}
	return &config{thresholds: checks.DefaultThresholds()}, nil
}

// loadScanWaivers reads the waivers of a scan and says which file they came
// from, with its SHA-256 (nil when there are none).
func loadScanWaivers(opts *scanOptions, cfg *config) ([]checks.Waiver, *checks.Input, error) {
	path := opts.waiversPath
	if path == "" && cfg.Waivers != "" {
		path = cfg.Waivers
		if !filepath.IsAbs(path) && cfg.path != "" {
			path = filepath.Join(filepath.Dir(cfg.path), path)
		}
	}
	switch {
	case path != "":
		w, sum, err := loadWaiversFile(path)
		if err != nil {
			return nil, nil, usageErr(err)
		}
		return w, &checks.Input{Role: checks.InputWaivers, Path: path, SHA256: sum}, nil
	case opts.demo:
		w, err := checks.ParseWaivers("demo waivers", demo.WaiversYAML)
		if err != nil {
			return nil, nil, usageErr(err)
		}
		return w, &checks.Input{Role: checks.InputWaivers, Path: demoWaiversPath, SHA256: sha256Hex(demo.WaiversYAML), BuiltIn: true}, nil
	}
	return nil, nil, nil
}

// gatherEvidence returns the evidence the flags name: the demo tenants,
// snapshot files, or the tenants read live.
func gatherEvidence(ctx context.Context, f *factory, opts *evidenceFlags, cfg *config, log *slog.Logger) (*gathered, error) {
	switch {
	case opts.demo:
		snap, err := demo.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("demo snapshot: %w", err)
		}
		in := []checks.Input{{Role: checks.InputSnapshot, Path: demoSnapshotPath, SHA256: sha256Hex(demo.SnapshotJSON), BuiltIn: true}}
		return &gathered{snap: snap, at: latestCollection(snap), inputs: in}, nil
	case len(opts.snapshots) > 0:
		snap, in, err := readSnapshots(opts.snapshots)
		if err != nil {
			return nil, usageErr(err)
		}
		return &gathered{snap: snap, at: latestCollection(snap), inputs: in}, nil
	}
	now := f.now().UTC().Truncate(time.Second)
	return collectLive(ctx, f, cfg, &opts.liveFlags, now, now.Add(-opts.since.d), log)
}

// readSnapshots reads one or more snapshot files into one snapshot.
func readSnapshots(paths []string) (*evidence.Snapshot, []checks.Input, error) {
	merged := &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion}
	seen := map[evidence.Provider]string{}
	var inputs []checks.Input
	for _, p := range paths {
		s, sum, err := readSnapshot(p)
		if err != nil {
			return nil, nil, err
		}
		inputs = append(inputs, checks.Input{Role: checks.InputSnapshot, Path: p, SHA256: sum})
		for _, src := range s.Sources {
			if prev, dup := seen[src.Provider]; dup {
				return nil, nil, fmt.Errorf("snapshot %s: a second %s source (%s; %s came first): scan one tenant per provider at a time", p, src.Provider, src.Tenant, prev)
			}
			seen[src.Provider] = src.Tenant
			merged.Sources = append(merged.Sources, src)
		}
		if merged.Tool == "" {
			merged.Tool = s.Tool
		}
	}
	merged.Normalize()
	return merged, inputs, nil
}

func latestCollection(s *evidence.Snapshot) time.Time {
	var t time.Time
	for _, src := range s.Sources {
		if src.CollectedAt.After(t) {
			t = src.CollectedAt
		}
	}
	return t.UTC()
}

func evaluate(snap *evidence.Snapshot, cfg *config, waivers []checks.Waiver, at time.Time) (*checks.Results, error) {
	p := paramsFor(cfg, at)
	p.Waivers = waivers
	return checks.Evaluate(snap, p)
}

// paramsFor turns the configuration into evaluation parameters at time at.
func paramsFor(cfg *config, at time.Time) checks.Params {
	p := checks.DefaultParams(at)
	p.Thresholds = cfg.thresholds
	p.BreakGlass = cfg.BreakGlass
	if len(cfg.ServiceAccounts.Patterns) > 0 {
		p.ServiceAccountPatterns = cfg.ServiceAccounts.Patterns
	}
	p.ServiceAccounts = cfg.ServiceAccounts.Accounts
	p.ToolVersion = toolVersion()
	p.Organization = cfg.Organization
	return p
}

// outputFile is one rendered report.
type outputFile struct {
	name string
	data []byte
}

// renderReports renders every requested format in memory first, so that a
// failing renderer leaves no half-written set of reports behind.
func renderReports(ctx context.Context, formats []string, tmpl *templates.Set, res *checks.Results) ([]outputFile, error) {
	var files []outputFile
	for _, ft := range dedupe(formats) {
		w, err := writerFor(ft, tmpl)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := w.Write(ctx, &buf, res); err != nil {
			var ee template.ExecError
			if errors.As(err, &ee) || errors.Is(err, templates.ErrTooExpensive) {
				// A replaced template failing on these results: bad input.
				return nil, usageErr(fmt.Errorf("render %s: %w", ft, err))
			}
			return nil, fmt.Errorf("render %s: %w", ft, err)
		}
		files = append(files, outputFile{name: w.Filename(), data: buf.Bytes()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	return files, nil
}

// writeOutputs writes the report set into dir as one unit: every file goes
// to a temporary file first and the renames happen only when all of them
// were written, so a full disk leaves the previous set whole. A directory
// it creates is owner-only, and so is every report (they hold what the
// snapshot holds).
func writeOutputs(dir string, files []outputFile) error {
	if err := safeio.MkdirAll(dir); err != nil {
		return envErr(fmt.Errorf("--out %s: %w", dir, err))
	}
	set := make([]safeio.File, len(files))
	for i, fl := range files {
		set[i] = safeio.File{Name: fl.name, Data: fl.data}
	}
	if err := safeio.WriteSet(dir, set); err != nil {
		return envErr(fmt.Errorf("--out %s: reports not written: %w", dir, err))
	}
	return nil
}

// verdict maps results to an exit code: 2 when anything could not be
// assessed, else 1 when a failing check reaches failRank, else 0.
func verdict(res *checks.Results, failRank int, onlyNew bool) int {
	if !res.Complete() {
		return exitIncomplete
	}
	if failRank == 0 {
		return exitOK
	}
	if onlyNew && res.Drift != nil {
		if newAtOrAbove(res.Drift, failRank) {
			return exitFailing
		}
		return exitOK
	}
	for _, c := range res.Checks {
		if c.Status == checks.Fail && c.Severity.Rank() >= failRank {
			return exitFailing
		}
	}
	return exitOK
}

func summaryLine(res *checks.Results, out string, files []outputFile, code int) string {
	s := res.Summary
	var providers []string
	for _, src := range res.Sources {
		if src.Credential != "" {
			// Which principal read the tenant is part of the result.
			providers = append(providers, src.Provider+" ("+strings.ReplaceAll(src.Credential, "_", " ")+")")
		} else {
			providers = append(providers, src.Provider)
		}
	}
	bySev := map[checks.Severity]int{}
	for _, c := range res.Checks {
		if c.Status == checks.Fail {
			bySev[c.Severity]++
		}
	}
	var sev []string
	for i := len(checks.AllSeverities) - 1; i >= 0; i-- {
		if n := bySev[checks.AllSeverities[i]]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, checks.AllSeverities[i]))
		}
	}
	failPart := fmt.Sprintf("%d fail", s.Fail)
	if len(sev) > 0 {
		failPart += " (" + strings.Join(sev, ", ") + ")"
	}
	var names []string
	for _, fl := range files {
		names = append(names, fl.name)
	}
	return fmt.Sprintf("shadowpath: %s: %d checks: %d pass, %s, %d waived, %d not assessed, %d manual, %d n/a; %d identities; wrote %s in %s; exit %d",
		strings.Join(providers, "+"), len(res.Checks), s.Pass, failPart, s.Waived, s.NotAssessed, s.Manual, s.NotApplicable,
		len(res.Identities), strings.Join(names, ", "), out, code)
}

func readResultsFile(path string) (*checks.Results, error) {
	data, err := readBoundedLarge(path)
	if err != nil {
		return nil, err
	}
	res, err := reports.ReadResults(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a results.json: %w", path, err)
	}
	if res.SchemaVersion != checks.ResultsSchemaVersion {
		return nil, fmt.Errorf("%s: field \"schema_version\": %q is not supported (want %q)", path, res.SchemaVersion, checks.ResultsSchemaVersion)
	}
	return res, nil
}

func readBoundedLarge(path string) ([]byte, error) {
	return safeio.ReadFile(path, safeio.MaxLarge)
}

// readSnapshot reads a snapshot file through safeio (regular files only,
// opened without blocking) and decodes it, bounded by DecodeSnapshot.
// readSnapshot decodes a snapshot file and returns the SHA-256 of its bytes
// (what sha256sum prints), hashed as they are read.
func readSnapshot(path string) (*evidence.Snapshot, string, error) {
	f, err := safeio.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("snapshot %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	r := io.TeeReader(f, h)
	s, err := evidence.DecodeSnapshot(r)
	if err == nil {
		_, err = io.Copy(io.Discard, r) // trailing bytes count in the file's hash
	}
	if err != nil {
		return nil, "", fmt.Errorf("snapshot %s: %w", path, err)
	}
	return s, hex.EncodeToString(h.Sum(nil)), nil
}

// renderOne renders results.json alone (history keeps it even when the
// user asked for other formats).
func renderOne(res *checks.Results) ([]byte, error) {
	var buf bytes.Buffer
	if err := (reports.JSON{}).Write(context.Background(), &buf, res); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
