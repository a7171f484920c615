package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
)

// connectorFor builds a provider's connector from the environment, with the
// config file's non-secret settings and secret-file references filling gaps.
func connectorFor(f *factory, cfg *config, provider, cloud string) (evidence.Connector, error) {
	getenv := cfg.envWithFiles(f.getenv)
	switch provider {
	case "okta":
		c, err := okta.ConfigFromEnv(getenv)
		if err != nil {
			return nil, usageErr(err) // connector errors name the provider
		}
		if f.httpClient != nil {
			c.HTTPClient = f.httpClient
		}
		if cfg.oktaTimeout > 0 {
			c.RequestTimeout = cfg.oktaTimeout
		}
		c.RateShare = cfg.oktaRateShare
		c.RateLimitsScope = cfg.Okta.RateLimitsScope
		c.Base = cfg.oktaBase
		if ignored := okta.IgnoredSDKEnv(f.getenv); len(ignored) > 0 && f.warn != nil {
			f.warn(fmt.Sprintf("ignoring %s: shadowpath configures the Okta SDK explicitly (OKTA_ORG_URL, OKTA_API_TOKEN, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY_FILE)", strings.Join(ignored, ", ")))
		}
		conn, err := okta.New(c)
		return conn, usageErr(err)
	case "entra":
		if cloud == "" {
			cloud = cfg.Entra.Cloud
		}
		switch cloud {
		case "", "global", "usgov", "usgov-dod", "china":
		default:
			return nil, usageErr(fmt.Errorf("--entra-cloud %q: want global, usgov, usgov-dod or china", cloud))
		}
		c, err := entra.ConfigFromEnv(getenv, cloud)
		if err != nil {
			return nil, usageErr(err)
		}
		if f.httpClient != nil {
			c.HTTPClient = f.httpClient
		}
		if cfg.entraTimeout > 0 {
			c.RequestTimeout = cfg.entraTimeout
		}
		conn, err := entra.New(c)
		return conn, usageErr(err)
	}
	return nil, usageErr(fmt.Errorf("unknown source %q", provider))
}

// envWithFiles layers the config file under the environment: a variable
// set in the environment wins; otherwise the config's value (or the content
// of the secret file it names) is used.
func (c *config) envWithFiles(getenv func(string) string) func(string) string {
	fromCfg := map[string]string{
		"OKTA_ORG_URL":                  c.Okta.OrgURL,
		"OKTA_CLIENT_ID":                c.Okta.ClientID,
		"OKTA_PRIVATE_KEY_FILE":         c.Okta.PrivateKeyFile,
		"OKTA_KEY_ID":                   c.Okta.KeyID,
		"AZURE_TENANT_ID":               c.Entra.TenantID,
		"AZURE_CLIENT_ID":               c.Entra.ClientID,
		"AZURE_CLIENT_CERTIFICATE_PATH": c.Entra.CertificatePath,
		"ENTRA_GRAPH_ENDPOINT":          c.Entra.GraphEndpoint,
		"AZURE_AUTHORITY_HOST":          c.Entra.AuthorityHost,
	}
	secretFiles := map[string]string{
		"OKTA_API_TOKEN":      c.Okta.TokenFile,
		"AZURE_CLIENT_SECRET": c.Entra.ClientSecretFile,
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		if v := fromCfg[k]; v != "" {
			return v
		}
		if p := secretFiles[k]; p != "" {
			b, err := os.ReadFile(p)
			if err == nil {
				return strings.TrimSpace(string(b))
			}
		}
		return ""
	}
}

// collectLive reads each requested provider. A provider that cannot be read
// at all (bad credentials, unreachable) is an incomplete scan: exit 2.
func collectLive(ctx context.Context, f *factory, cfg *config, providers []string, cloud string, now, since time.Time, log *slog.Logger) (*evidence.Snapshot, error) {
	snap := &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Tool: "shadowpath " + toolVersion()}
	var errs []error
	providers = dedupe(providers)
	for _, p := range providers {
		conn, err := connectorFor(f, cfg, p, cloud)
		if err != nil {
			return nil, err
		}
		opts := evidence.CollectOptions{Now: now, Since: since, Logger: log.With("provider", p)}
		if f.isTerminal() && !f.quiet {
			opts.Progress = func(format string, args ...any) {
				fmt.Fprintf(f.stderr, "\r\033[K%s: "+format, append([]any{p}, args...)...)
			}
		}
		start := time.Now()
		src, err := conn.Collect(ctx, opts)
		if opts.Progress != nil {
			fmt.Fprint(f.stderr, "\r\033[K")
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: interrupted: %w", p, ctx.Err())
			}
			errs = append(errs, err) // connectors prefix their errors with the provider
			log.Error("source could not be read: its checks will be not_assessed", "provider", p, "err", err)
			snap.Sources = append(snap.Sources, unreadableSource(p, cfg.envWithFiles(f.getenv), now, since, err))
			continue
		}
		log.Info("collected", "provider", p, "tenant", src.Tenant, "accounts", len(src.Accounts), "took", time.Since(start).Round(time.Millisecond))
		for _, c := range src.Coverage {
			if c.Status != evidence.Complete {
				log.Warn("dataset not fully read", "provider", p, "dataset", c.Dataset, "status", c.Status, "detail", c.Detail)
			}
		}
		snap.Sources = append(snap.Sources, src)
	}
	if len(errs) == len(providers) {
		return nil, &incompleteError{errors.Join(errs...)}
	}
	snap.Normalize()
	return snap, nil
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// unreadableSource stands in for a provider that could not be read at all
// when another one could: every dataset is recorded as an error, so every
// check of that provider is reported not_assessed instead of vanishing.
func unreadableSource(p string, getenv func(string) string, now, since time.Time, err error) *evidence.Source {
	src := &evidence.Source{Provider: evidence.Provider(p), CollectedAt: now, AuditWindow: evidence.Window{Since: since, Until: now}, Accounts: []evidence.Account{}}
	switch p {
	case "okta":
		src.Tenant = strings.TrimPrefix(strings.TrimPrefix(getenv("OKTA_ORG_URL"), "https://"), "http://")
	case "entra":
		src.Tenant = getenv("AZURE_TENANT_ID")
	}
	if src.Tenant == "" {
		src.Tenant = "unknown"
	}
	for _, ds := range evidence.Datasets[src.Provider] {
		src.Coverage = append(src.Coverage, evidence.CoverageFromError(ds, 0, err))
	}
	return src
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

// optionalConfig loads --config when given, else the defaults.
func optionalConfig(f *factory, path string, log *slog.Logger) (*config, error) {
	if path == "" {
		return &config{thresholds: checks.DefaultThresholds()}, nil
	}
	cfg, err := loadConfig(path, f.getenv, func(m string) { log.Warn(m) })
	return cfg, usageErr(err)
}

// incrementalFlags are --since-snapshot and --full, shared by scan and collect.
type incrementalFlags struct {
	sinceSnapshot string
	full          bool
}

func (o *incrementalFlags) bind(fl interface {
	StringVar(p *string, name, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}) {
	fl.StringVar(&o.sinceSnapshot, "since-snapshot", "", "incremental Okta collection: re-read factors only for users changed since this earlier snapshot (falls back to a full read, and says why, when it cannot prove the rest unchanged)")
	fl.BoolVar(&o.full, "full", false, "with --since-snapshot: read every user's factors anyway (the run still records the request)")
}

// base turns the flags into the Okta connector's incremental request; nil
// means an ordinary full collection. A previous snapshot that cannot be
// read is not an error: the collection is full and says why, so a
// schedule's first run (no snapshot yet) just works.
func (o *incrementalFlags) base() *okta.Base {
	if o.sinceSnapshot == "" {
		if o.full {
			return &okta.Base{Full: true}
		}
		return nil
	}
	b := &okta.Base{Full: o.full}
	data, err := readBoundedLarge(o.sinceSnapshot)
	if err != nil {
		b.Problem = err.Error()
		return b
	}
	var head struct {
		SchemaVersion string `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &head); err == nil && head.SchemaVersion != evidence.SchemaVersion {
		// Another snapshot version: planned as a full read with that reason.
		b.Snapshot = &evidence.Snapshot{SchemaVersion: head.SchemaVersion}
		return b
	}
	snap, err := evidence.DecodeSnapshot(bytes.NewReader(data))
	if err != nil {
		b.Problem = fmt.Sprintf("snapshot %s: %v", o.sinceSnapshot, err)
		return b
	}
	b.Snapshot = snap
	return b
}

// collectionSummary says, per source that records it, how it was
// collected: incremental or full (and why), and the rate-limit share.
func collectionSummary(snap *evidence.Snapshot) string {
	var parts []string
	for _, src := range snap.Sources {
		c := src.Collection
		if c == nil {
			continue
		}
		var s string
		switch {
		case c.Mode == evidence.CollectIncremental:
			s = fmt.Sprintf("%s: incremental, %d of %d users re-read (%d carried over)", src.Provider, c.Reread, c.Users, c.CarriedOver)
		case c.FullReason != "":
			s = fmt.Sprintf("%s: full read of %d users (%s)", src.Provider, c.Users, c.FullReason)
		default:
			s = fmt.Sprintf("%s: full read of %d users", src.Provider, c.Users)
		}
		if c.RateShare > 0 {
			s += fmt.Sprintf(", rate-limit share %.0f%%", c.RateShare*100)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// validate: the flags concern the Okta source only.
func (o *incrementalFlags) validate(sources []string) error {
	if o.sinceSnapshot == "" && !o.full {
		return nil
	}
	for _, s := range sources {
		if s == "okta" {
			return nil
		}
	}
	return usageErr(errors.New("--since-snapshot and --full apply to --source okta"))
}
