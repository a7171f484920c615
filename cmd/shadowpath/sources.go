package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// Credential kinds recorded in evidence.Source.Credential.
const (
	credAPIToken      = "api_token"
	credPrivateKeyJWT = "private_key_jwt"
	credClientSecret  = "client_secret"
	credClientCert    = "client_certificate"
	credDefaultChain  = "default_chain"
)

// connectorFor builds a provider's connector from the environment, with the
// config file's non-secret settings and secret-file references filling gaps.
// It also returns the kind of credential the connector will authenticate
// with, for the summary and the report.
func connectorFor(f *factory, cfg *config, provider string, cloud entraCloud) (evidence.Connector, string, error) {
	getenv, err := cfg.envWithFiles(f.getenv, provider, f.warn)
	if err != nil {
		return nil, "", err
	}
	if err := refuseUserinfo(cfg, provider, f.getenv, getenv); err != nil {
		return nil, "", err
	}
	switch provider {
	case "okta":
		c, err := okta.ConfigFromEnv(getenv)
		if err != nil {
			return nil, "", usageErr(err) // connector errors name the provider
		}
		kind := credAPIToken
		if c.Token.Empty() {
			kind = credPrivateKeyJWT
		}
		if f.httpClient != nil {
			c.HTTPClient = f.httpClient
		}
		if cfg.oktaTimeout > 0 {
			c.RequestTimeout = cfg.oktaTimeout
		}
		c.RateShare = cfg.oktaRateShare
		c.RateLimitsScope = cfg.Okta.RateLimitsScope
		c.NetworkZonesScope = cfg.Okta.NetworkZonesScope
		c.Base = cfg.oktaBase
		if ignored := okta.IgnoredSDKEnv(f.getenv); len(ignored) > 0 && f.warn != nil {
			f.warn(fmt.Sprintf("ignoring %s: shadowpath configures the Okta SDK explicitly (OKTA_ORG_URL, OKTA_API_TOKEN, OKTA_CLIENT_ID, OKTA_PRIVATE_KEY_FILE)", strings.Join(ignored, ", ")))
		}
		conn, err := okta.New(c)
		return conn, kind, usageErr(err)
	case "entra":
		// Both are checked already: the flag when parsed, the file when loaded.
		name := string(cloud)
		if name == "" {
			name = cfg.Entra.Cloud
		}
		c, err := entra.ConfigFromEnv(getenv, name)
		if err != nil {
			return nil, "", usageErr(err)
		}
		kind := credClientSecret
		switch {
		case c.CertificatePath != "":
			kind = credClientCert
		case c.UseDefaultChain:
			kind = credDefaultChain
			if f.warn != nil {
				f.warn("entra: no client secret or certificate is configured: authenticating with azidentity's default credential chain (environment, workload identity, managed identity, Azure CLI/azd/PowerShell sign-in) as whatever principal this host provides")
			}
		}
		if f.httpClient != nil {
			c.HTTPClient = f.httpClient
		}
		if cfg.entraTimeout > 0 {
			c.RequestTimeout = cfg.entraTimeout
		}
		conn, err := entra.New(c)
		return conn, kind, usageErr(err)
	}
	return nil, "", usageErr(fmt.Errorf("unknown source %q", provider))
}

// envWithFiles layers the config file under the environment for provider
// ("" = every provider): a variable set in the environment wins; otherwise
// the config's value, or the content of the secret file it names, is used.
// A secret file that is named but cannot be read (missing, unreadable, not a
// regular file, empty, oversized) is an error naming the file and the field:
// falling through to "no credential" would let the Entra connector pick
// azidentity's default chain and authenticate as another principal. A secret
// or key file readable by group or others is warned about, as a config is.
func (c *config) envWithFiles(getenv func(string) string, provider string, warn func(string)) (func(string) string, error) {
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
	get := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return fromCfg[k]
	}
	secrets := map[string]string{}
	for _, sf := range []struct {
		provider, env, field, path string
	}{
		{"okta", "OKTA_API_TOKEN", "okta.api_token_file", c.Okta.TokenFile},
		{"entra", "AZURE_CLIENT_SECRET", "entra.client_secret_file", c.Entra.ClientSecretFile},
	} {
		if sf.path == "" || getenv(sf.env) != "" || (provider != "" && provider != sf.provider) {
			continue
		}
		b, err := safeio.ReadFile(sf.path, safeio.MaxSmall)
		if err == nil && strings.TrimSpace(string(b)) == "" {
			err = fmt.Errorf("%s is empty", sf.path)
		}
		if err != nil {
			return nil, usageErr(fmt.Errorf("%s: field %q: secret file cannot be used: %w", c.path, sf.field, err))
		}
		warnReadable(sf.path, sf.field, warn)
		secrets[sf.env] = strings.TrimSpace(string(b))
	}
	// Key files the connectors read themselves: the same checks, up front.
	for _, kf := range []struct {
		provider, env, field, cfgPath string
	}{
		{"okta", "OKTA_PRIVATE_KEY_FILE", "okta.private_key_file", c.Okta.PrivateKeyFile},
		{"entra", "AZURE_CLIENT_CERTIFICATE_PATH", "entra.certificate_path", c.Entra.CertificatePath},
	} {
		p := get(kf.env)
		if p == "" || (provider != "" && provider != kf.provider) {
			continue
		}
		where := kf.env
		if getenv(kf.env) == "" {
			where = fmt.Sprintf("%s: field %q", c.path, kf.field)
		}
		if err := safeio.CheckRegular(p, safeio.MaxSmall); err != nil {
			return nil, usageErr(fmt.Errorf("%s: key file cannot be used: %w", where, err))
		}
		warnReadable(p, where, warn)
	}
	return func(k string) string {
		if v := get(k); v != "" {
			return v
		}
		return secrets[k]
	}, nil
}

// refuseUserinfo refuses a configured URL that carries a user name or
// password: it would reach errors, logs, reports and the snapshot. The
// message names the variable or config field, never the value.
func refuseUserinfo(cfg *config, provider string, env, getenv func(string) string) error {
	for _, u := range []struct{ provider, env, field string }{
		{"okta", "OKTA_ORG_URL", "okta.org_url"},
		{"entra", "AZURE_AUTHORITY_HOST", "entra.authority_host"},
		{"entra", "ENTRA_GRAPH_ENDPOINT", "entra.graph_endpoint"},
	} {
		if u.provider != provider || !safeio.HasUserinfo(getenv(u.env)) {
			continue
		}
		where := u.env
		if env(u.env) == "" {
			where = fmt.Sprintf("%s: field %q", cfg.path, u.field)
		}
		return usageErr(fmt.Errorf("%s: %s contains a user name or password (user:pass@host): refused, and not shown; give the bare URL and the credential in its own setting", provider, where))
	}
	return nil
}

// warnReadable warns about a secret file that group or others can read.
func warnReadable(path, what string, warn func(string)) {
	if warn == nil {
		return
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		warn(fmt.Sprintf("secret file %s (%s) is readable by group or others (mode %04o): chmod 600 it", path, what, st.Mode().Perm()))
	}
}

// gathered is the evidence a command evaluates.
type gathered struct {
	snap *evidence.Snapshot
	// at is the evaluation time: the collection time, so that re-evaluating
	// an old snapshot gives the results it gave then.
	at time.Time
	// inputs are the snapshot files read, with their SHA-256 (none when
	// the tenants were read live).
	inputs []checks.Input
	// bug is set when a connector panicked while the others were read: the
	// command completes (reports, snapshot) and then exits 3.
	bug error
}

// collectLive reads each requested provider. A provider that cannot be read
// at all (bad credentials, unreachable) is an incomplete scan: exit 2.
func collectLive(ctx context.Context, f *factory, cfg *config, live *liveFlags, now, since time.Time, log *slog.Logger) (*gathered, error) {
	snap := &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Tool: "shadowpath " + toolVersion()}
	var errs []error
	var bugs bool
	providers := dedupe(live.sources)
	for _, p := range providers {
		conn, cred, err := connectorFor(f, cfg, p, live.entraCloud)
		if err != nil {
			return nil, err
		}
		opts := evidence.CollectOptions{Now: now, Since: since, Logger: log.With("provider", p)}
		if f.isTerminal() && !f.quiet {
			opts.Progress = func(format string, args ...any) {
				// The line's own \r and ESC go raw; its text is escaped.
				fmt.Fprint(f.rawStderr, "\r\033[K")
				fmt.Fprintf(f.stderr, "%s: "+format, append([]any{p}, args...)...)
			}
		}
		start := time.Now()
		src, err := collectOne(ctx, conn, opts)
		var bug *collectPanic
		if errors.As(err, &bug) {
			// A bug, not the tenant: the other providers are still read and
			// the reports written, but the run exits 3.
			bugs = true
			log.Error("internal error while collecting: please report it", "provider", p, "stack", bug.stack)
		}
		if opts.Progress != nil {
			fmt.Fprint(f.rawStderr, "\r\033[K")
		}
		if err != nil {
			if err := interrupted(ctx, "while reading "+p+": nothing written"); err != nil {
				return nil, err
			}
			errs = append(errs, err) // connectors prefix their errors with the provider
			log.Error("source could not be read: its checks will be not_assessed", "provider", p, "err", err)
			getenv, _ := cfg.envWithFiles(f.getenv, p, nil) // read once already by connectorFor
			snap.Sources = append(snap.Sources, unreadableSource(p, getenv, now, since, err))
			continue
		}
		src.Credential = cred
		if cred == credDefaultChain {
			src.Warnings = append(src.Warnings, "read with azidentity's default credential chain (no client secret or certificate configured): the principal is whichever managed identity, workload identity or signed-in CLI the scanning host provided")
		}
		log.Info("collected", "provider", p, "tenant", src.Tenant, "credential", cred, "accounts", len(src.Accounts), "took", time.Since(start).Round(time.Millisecond))
		for _, c := range src.Coverage {
			if c.Status != evidence.Complete {
				log.Warn("dataset not fully read", "provider", p, "dataset", c.Dataset, "status", c.Status, "detail", c.Detail)
			}
		}
		snap.Sources = append(snap.Sources, src)
	}
	if len(errs) == len(providers) {
		return nil, incompleteErr(errors.Join(errs...))
	}
	snap.Normalize()
	g := &gathered{snap: snap, at: now}
	if bugs {
		g.bug = exitWith(exitInternal) // logged above, with the stack
	}
	return g, nil
}

// collectPanic is a panic recovered from a connector's Collect.
type collectPanic struct {
	provider string
	value    any
	stack    string
}

func (e *collectPanic) Error() string {
	return fmt.Sprintf("%s: internal error while collecting: %v", e.provider, e.value)
}

// collectOne runs conn.Collect and turns a panic (re-raised from a worker
// goroutine by the connectors' pools) into an error, so that one provider's
// bug costs that provider's datasets, not the run.
func collectOne(ctx context.Context, conn evidence.Connector, opts evidence.CollectOptions) (src *evidence.Source, err error) {
	defer func() {
		if r := recover(); r != nil {
			src, err = nil, &collectPanic{provider: string(conn.Provider()), value: firstLine(fmt.Sprint(r)), stack: string(debug.Stack())}
		}
	}()
	return conn.Collect(ctx, opts)
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
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
