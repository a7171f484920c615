package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	pathpkg "path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// maxConfigBytes bounds config and waiver files.
const maxConfigBytes = 1 << 20

// fileConfig is the YAML configuration file (README "Configuration").
// Secrets are never inline: connectors take them from the environment or
// from files named here (*_file).
type fileConfig struct {
	Organization    string        `yaml:"organization"`
	BreakGlass      []string      `yaml:"break_glass"`
	ServiceAccounts serviceAccCfg `yaml:"service_accounts"`
	Thresholds      thresholdsCfg `yaml:"thresholds"`
	Okta            oktaFileCfg   `yaml:"okta"`
	Entra           entraFileCfg  `yaml:"entra"`
	Waivers         string        `yaml:"waivers"` // path, relative to the config file
	TemplateDir     string        `yaml:"template_dir"`
	Plan            planCfg       `yaml:"plan"`
}

// planCfg configures the remediation plan: who owns each action (per
// provider, optionally per check: "okta", "entra", "MFA-04",
// "okta/REC-03"; the most specific wins) and how much more a privileged
// account weighs.
type planCfg struct {
	Owners           map[string]string `yaml:"owners"`
	PrivilegedWeight int               `yaml:"privileged_weight"`
}

// ownerFor returns the configured owner of an action on a check.
func (c *config) ownerFor(provider, check string) string {
	for _, k := range []string{provider + "/" + check, check, provider} {
		if o, ok := c.Plan.Owners[k]; ok && k != "/" {
			return o
		}
	}
	return ""
}

type serviceAccCfg struct {
	Patterns []string `yaml:"patterns"`
	Accounts []string `yaml:"accounts"`
}

// thresholdsCfg holds `thresholds:` by key; checks.LookupThreshold says
// which keys exist and what each holds.
type thresholdsCfg map[string]yaml.Node

type oktaFileCfg struct {
	OrgURL         string `yaml:"org_url"`
	TokenFile      string `yaml:"api_token_file"`
	ClientID       string `yaml:"client_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
	KeyID          string `yaml:"key_id"`
	// RequestTimeout bounds each API request (default 60s): a tenant that
	// stops answering costs at most this per dataset.
	RequestTimeout string `yaml:"request_timeout"`
	// RateShare is the share of each Okta rate-limit bucket a scan may
	// spend (0.5 or "50%"; default 50%, never above the org's warning
	// threshold).
	RateShare string `yaml:"rate_share"`
	// RateLimitsScope: a service app also asks for okta.rateLimits.read,
	// to read the org's warning threshold (grant it to the app first).
	RateLimitsScope bool `yaml:"rate_limits_scope"`
	// NetworkZonesScope: a service app also asks for okta.networkZones.read,
	// so rule contexts name network zones (grant it to the app first).
	NetworkZonesScope bool `yaml:"network_zones_scope"`
}

type entraFileCfg struct {
	TenantID         string `yaml:"tenant_id"`
	ClientID         string `yaml:"client_id"`
	ClientSecretFile string `yaml:"client_secret_file"`
	CertificatePath  string `yaml:"certificate_path"`
	Cloud            string `yaml:"cloud"`
	GraphEndpoint    string `yaml:"graph_endpoint"`
	AuthorityHost    string `yaml:"authority_host"`
	RequestTimeout   string `yaml:"request_timeout"`
}

// config is the parsed, validated configuration.
type config struct {
	path string
	// sha256 is the SHA-256 of the file's bytes, for the report's cover.
	sha256 string
	fileConfig
	thresholds checks.Thresholds
	// oktaTimeout, entraTimeout: parsed request_timeout (0 = connector default).
	oktaTimeout, entraTimeout time.Duration
	// oktaRateShare: parsed okta.rate_share (0 = connector default).
	oktaRateShare float64
	// oktaBase: set by --since-snapshot / --full for this run (not from the file).
	oktaBase *okta.Base
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// loadConfig reads and validates a config file. Errors name the file, the
// line and the field. Warnings (e.g. a world-readable file that names secret
// files) go to warn.
func loadConfig(path string, getenv func(string) string, warn func(string)) (*config, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return parseConfig(path, data, getenv, warn)
}

func readBounded(path string) ([]byte, error) {
	return safeio.ReadFile(path, maxConfigBytes)
}

// loadWaivers reads a waivers file through the bounded reader (regular
// files only: /dev/zero or a FIFO is an error, not a crash or a hang) and
// parses its single YAML document.
func loadWaivers(path string) ([]checks.Waiver, error) {
	w, _, err := loadWaiversFile(path)
	return w, err
}

// loadWaiversFile is loadWaivers that also returns the SHA-256 of the
// bytes it parsed.
func loadWaiversFile(path string) ([]checks.Waiver, string, error) {
	data, err := safeio.ReadFile(path, checks.MaxWaiverBytes)
	if err != nil {
		return nil, "", fmt.Errorf("waivers: %w", err)
	}
	if err := singleDocument(path, data); err != nil {
		return nil, "", err
	}
	w, err := checks.ParseWaivers(path, data)
	return w, sha256Hex(data), err
}

// singleDocument refuses YAML with more than one document: a second
// document ("---") used to be silently ignored, so half of a file could
// be without effect.
func singleDocument(path string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // the parser proper reports syntax errors with lines
		}
		if i == 1 {
			return fmt.Errorf("%s:%d: a second YAML document: give one document per file", path, n.Line)
		}
	}
}

func parseConfig(path string, data []byte, getenv func(string) string, warn func(string)) (*config, error) {
	c := &config{path: path, sha256: sha256Hex(data), thresholds: checks.DefaultThresholds()}
	if len(bytes.TrimSpace(data)) > 0 {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&c.fileConfig); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %s", path, yamlErr(err))
		}
		if err := singleDocument(path, data); err != nil {
			return nil, err
		}
	}
	// ${VAR} references in non-secret fields (org URL, tenant id, paths).
	// A secret variable is never expanded: its value would land in the
	// reports (organization), in errors (a URL, a path) or in logs.
	for _, fp := range []struct {
		field string
		p     *string
	}{
		{"organization", &c.Organization}, {"okta.org_url", &c.Okta.OrgURL}, {"okta.api_token_file", &c.Okta.TokenFile},
		{"okta.client_id", &c.Okta.ClientID}, {"okta.private_key_file", &c.Okta.PrivateKeyFile}, {"okta.key_id", &c.Okta.KeyID},
		{"entra.tenant_id", &c.Entra.TenantID}, {"entra.client_id", &c.Entra.ClientID}, {"entra.client_secret_file", &c.Entra.ClientSecretFile},
		{"entra.certificate_path", &c.Entra.CertificatePath}, {"entra.graph_endpoint", &c.Entra.GraphEndpoint},
		{"entra.authority_host", &c.Entra.AuthorityHost}, {"waivers", &c.Waivers}, {"template_dir", &c.TemplateDir},
	} {
		for _, m := range envRef.FindAllStringSubmatch(*fp.p, -1) {
			if secretVar(m[1]) {
				return nil, fmt.Errorf("%s:%d: field %q: ${%s} is a secret and is not expanded into the config (secrets come from the environment or a *_file)", path, lineOf(data, fp.field), fp.field, m[1])
			}
		}
		*fp.p = envRef.ReplaceAllStringFunc(*fp.p, func(m string) string { return getenv(envRef.FindStringSubmatch(m)[1]) })
	}
	if err := c.readThresholds(data); err != nil {
		return nil, err
	}
	// Durations: each field, its minimum, and the message's example.
	for _, d := range []struct {
		field, val string
		dst        *time.Duration
		min        time.Duration
		want       string
	}{
		{"okta.request_timeout", c.Okta.RequestTimeout, &c.oktaTimeout, time.Second, "a duration of at least 1s (e.g. 30s)"},
		{"entra.request_timeout", c.Entra.RequestTimeout, &c.entraTimeout, time.Second, "a duration of at least 1s (e.g. 30s)"},
	} {
		if d.val == "" {
			continue
		}
		v, err := parseDuration(d.val)
		if err != nil || v < d.min {
			return nil, fmt.Errorf("%s:%d: field %q: %q is not %s", path, lineOf(data, d.field), d.field, d.val, d.want)
		}
		*d.dst = v
	}
	if c.Plan.PrivilegedWeight < 0 {
		return nil, fmt.Errorf("%s:%d: field %q: must be 0 (default 5) or more", path, lineOf(data, "plan.privileged_weight"), "plan.privileged_weight")
	}
	for _, k := range sortedOwnerKeys(c.Plan.Owners) {
		if !validOwnerKey(k) {
			return nil, fmt.Errorf("%s:%d: field \"plan.owners\": key %q is not a provider (okta, entra), a check id (MFA-04) or provider/check (okta/MFA-04)", path, lineOf(data, "plan.owners"), k)
		}
	}
	if c.Okta.RateShare != "" {
		v, err := parseShare(c.Okta.RateShare)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: field %q: %q %v", path, lineOf(data, "okta.rate_share"), "okta.rate_share", c.Okta.RateShare, err)
		}
		c.oktaRateShare = v
	}
	if c.Entra.Cloud != "" && !knownCloud(c.Entra.Cloud) {
		return nil, fmt.Errorf("%s:%d: field %q: %q is not one of global, usgov, usgov-dod, china", path, lineOf(data, "entra.cloud"), "entra.cloud", c.Entra.Cloud)
	}
	for _, p := range c.ServiceAccounts.Patterns {
		if _, err := pathpkg.Match(p, "x"); err != nil {
			return nil, fmt.Errorf("%s:%d: field %q: bad pattern %q", path, lineOf(data, "service_accounts.patterns"), "service_accounts.patterns", p)
		}
	}
	if (c.Okta.TokenFile != "" || c.Okta.PrivateKeyFile != "" || c.Entra.ClientSecretFile != "") && warn != nil {
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
			warn(fmt.Sprintf("%s names secret files and is readable by group or others (mode %04o): chmod 600 it", path, st.Mode().Perm()))
		}
	}
	return c, nil
}

// secretVar reports whether an environment variable holds a secret: the
// credentials shadowpath reads, and by name anything that looks like one.
func secretVar(name string) bool {
	switch name {
	case "OKTA_API_TOKEN", "OKTA_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_PASSWORD":
		return true
	}
	u := strings.ToUpper(name)
	return strings.Contains(u, "SECRET") || strings.Contains(u, "PASSWORD") || strings.Contains(u, "PASSWD") ||
		strings.HasSuffix(u, "_TOKEN") || strings.HasSuffix(u, "_API_KEY")
}

// yamlErr turns yaml.v3's messages ("yaml: line 3: field foo not found in
// type main.fileConfig") into "line 3: unknown field foo".
func yamlErr(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	msg = regexp.MustCompile(`field (\S+) not found in type \S+`).ReplaceAllString(msg, "unknown field \"$1\"")
	msg = regexp.MustCompile(`cannot unmarshal !!(\w+) `+"`"+`([^`+"`"+`]*)`+"`"+` into \S+`).ReplaceAllString(msg, "cannot use $1 \"$2\" here")
	return strings.ReplaceAll(msg, "\n  ", "; ")
}

// readThresholds sets c.thresholds from the file's `thresholds:`, each key
// as its checks.ThresholdSpec says: a positive duration or a count of at
// least 1.
func (c *config) readThresholds(data []byte) error {
	for _, k := range slices.Sorted(maps.Keys(c.Thresholds)) {
		n := c.Thresholds[k]
		spec, ok := checks.LookupThreshold(k)
		if !ok {
			return fmt.Errorf("%s: line %d: unknown field %q", c.path, n.Line, k)
		}
		if n.Kind == yaml.ScalarNode && n.Value == "" {
			continue // empty or null: the default
		}
		field := "thresholds." + k
		if spec.Count {
			var v int
			if err := n.Decode(&v); err != nil || v < 1 {
				return fmt.Errorf("%s:%d: field %q: must be at least 1", c.path, lineOf(data, field), field)
			}
			spec.SetCount(&c.thresholds, v)
			continue
		}
		v, err := parseDuration(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || v <= 0 {
			return fmt.Errorf("%s:%d: field %q: %q is not a positive duration (e.g. 8h, 7d, 2w)", c.path, lineOf(data, field), field, n.Value)
		}
		spec.SetDuration(&c.thresholds, v)
	}
	return nil
}

// lineOf finds the line of a dotted key ("thresholds.nhi_unused") for messages; 0 if not found.
func lineOf(data []byte, dotted string) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	n := root.Content[0]
	line := 0
	for _, key := range strings.Split(dotted, ".") {
		found := false
		for i := 0; n != nil && n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				line = n.Content[i].Line
				n = n.Content[i+1]
				found = true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}

// parseShare reads a share of a rate limit: 0.5 or "50%", in (0, 1].
func parseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if num, ok := strings.CutSuffix(s, "%"); ok {
		s, div = strings.TrimSpace(num), 100
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v/div <= 0 || v/div > 1 {
		return 0, errors.New("is not a share between 0 and 1 (e.g. 0.5 or 50%)")
	}
	return v / div, nil
}

// parseDuration accepts Go durations plus d (days) and w (weeks).
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if num, ok := strings.CutSuffix(s, suffix); ok {
			n, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(n * float64(unit)), nil
		}
	}
	return time.ParseDuration(s)
}

func sortedOwnerKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func validOwnerKey(k string) bool {
	known := func(id string) bool { _, ok := checks.Lookup(id); return ok }
	prov, check, both := strings.Cut(k, "/")
	switch {
	case both:
		return (prov == "okta" || prov == "entra") && known(check)
	case k == "okta" || k == "entra":
		return true
	}
	return known(k)
}
