// Package okta reads an Okta org into shadowpath's evidence model: users and
// their enrolled factors, groups, admin roles, authenticators, password /
// enrollment / sign-on / access policies, the System Log, API tokens and
// OAuth service apps.
//
// It talks to Okta through the official okta-sdk-golang v2 client (auth,
// Link headers); 429 and 5xx retries, the per-attempt deadline and the page
// guard (a next link that repeats a page, a list past Config.MaxPages) are
// its own (api.go). Where the v2 models lack fields the
// catalog needs (factor profiles, policy settings, OIE rule actions, API
// tokens, role assignees, client roles) it decodes the raw JSON through the
// SDK's request executor, so every dataset is read the same way. A
// transport below the SDK refuses anything but GET (and the OAuth token
// POST), and paces each rate-limit bucket from the X-Rate-Limit-* headers.
package okta

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	oktasdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// Config says how to reach and authenticate to an Okta org. Exactly one of
// Token (SSWS) or ClientID + PrivateKey (OAuth 2.0 service app,
// private_key_jwt) is set.
type Config struct {
	// OrgURL is the org's base URL, https://acme.okta.com (no -admin host).
	OrgURL string
	// Token is an SSWS API token of a read-only administrator.
	Token evidence.Secret
	// ClientID, PrivateKey (PEM, PKCS#1 or PKCS#8 RSA) and optional KeyID
	// identify an OAuth service app granted the okta.*.read scopes.
	ClientID   string
	PrivateKey evidence.Secret
	KeyID      string
	// HTTPClient is optional (tests pass the fake's TLS client). TLS is
	// always verified; custom roots come from the system store or SSL_CERT_FILE.
	HTTPClient *http.Client
	// Concurrency bounds the per-user factor workers (default 8).
	Concurrency int
	// RequestTimeout bounds each attempt of an API call, from sending the
	// request to the last byte of the body (default 60s). An answer slower
	// than that fails the call (and its dataset) instead of stalling the
	// scan. Rate-limit waits are not counted: they happen between attempts
	// and are bounded by MaxRateLimitWait.
	RequestTimeout time.Duration
	// MaxPages bounds any one paged list (default 100,000 pages: 20 million
	// users at 200 a page). A list that goes on past it — a server whose
	// cursor never ends — fails its dataset instead of running forever.
	MaxPages int
	// MaxRateLimitWait caps one wait for a rate-limit window to reset
	// (default 65s, a little over Okta's one-minute windows).
	MaxRateLimitWait time.Duration
	// RateShare is the share, in (0, 1], of each rate-limit bucket the
	// collector may spend per window (default DefaultRateShare, 50%). It is
	// capped by the org's warning threshold.
	RateShare float64
	// Base, when set, asks for an incremental collection from a previous
	// snapshot (see incremental.go).
	Base *Base
	// RateLimitsScope adds okta.rateLimits.read to a service app's token
	// request, so the org's warning threshold can be read. Off by default:
	// a scope the app was not granted makes the token request fail.
	RateLimitsScope bool
	// NetworkZonesScope adds okta.networkZones.read to a service app's
	// token request, so rule contexts name zones ("outside zone
	// Corporate HQ"). Off by default for the same reason; without it the
	// zone list is not readable and contexts name zone ids, with a warning.
	NetworkZonesScope bool
}

// Scopes are the OAuth scopes a service app needs, one per dataset family.
var Scopes = []string{
	"okta.users.read", "okta.groups.read", "okta.roles.read", "okta.authenticators.read",
	"okta.policies.read", "okta.logs.read", "okta.apiTokens.read", "okta.apps.read", "okta.appGrants.read",
}

// ConfigFromEnv reads OKTA_ORG_URL and either OKTA_API_TOKEN or
// OKTA_CLIENT_ID + OKTA_PRIVATE_KEY_FILE [+ OKTA_KEY_ID]. Errors name the
// variable, never its value when it is a secret.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	cfg.OrgURL = strings.TrimSpace(getenv("OKTA_ORG_URL"))
	if cfg.OrgURL == "" {
		return cfg, errors.New("okta: OKTA_ORG_URL is not set (https://<org>.okta.com)")
	}
	token := strings.TrimSpace(getenv("OKTA_API_TOKEN"))
	clientID := strings.TrimSpace(getenv("OKTA_CLIENT_ID"))
	keyFile := strings.TrimSpace(getenv("OKTA_PRIVATE_KEY_FILE"))
	switch {
	case token != "" && (clientID != "" || keyFile != ""):
		return cfg, errors.New("okta: set either OKTA_API_TOKEN or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY_FILE, not both")
	case token != "":
		cfg.Token = evidence.NewSecret(token)
	case clientID != "" && keyFile != "":
		b, err := safeio.ReadFile(keyFile, safeio.MaxSmall)
		if err != nil {
			return cfg, fmt.Errorf("okta: OKTA_PRIVATE_KEY_FILE: %w", err)
		}
		cfg.ClientID = clientID
		cfg.PrivateKey = evidence.NewSecret(string(b))
		cfg.KeyID = strings.TrimSpace(getenv("OKTA_KEY_ID"))
		if _, err := parseRSAKey(cfg.PrivateKey); err != nil {
			return cfg, fmt.Errorf("okta: OKTA_PRIVATE_KEY_FILE %s: %w", keyFile, err)
		}
	case clientID != "":
		return cfg, errors.New("okta: OKTA_CLIENT_ID is set but OKTA_PRIVATE_KEY_FILE is not")
	case keyFile != "":
		return cfg, errors.New("okta: OKTA_PRIVATE_KEY_FILE is set but OKTA_CLIENT_ID is not")
	default:
		return cfg, errors.New("okta: no credentials: set OKTA_API_TOKEN, or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY_FILE")
	}
	if err := cfg.validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func (c *Config) validate() error {
	if safeio.HasUserinfo(c.OrgURL) {
		// Not quoted: the URL carries a password.
		return errors.New("okta: OKTA_ORG_URL contains a user name or password (user:pass@host): refused; give the bare org URL and the credential in OKTA_API_TOKEN or OKTA_CLIENT_ID + OKTA_PRIVATE_KEY_FILE")
	}
	u, err := url.Parse(c.OrgURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("okta: OKTA_ORG_URL %q is not a URL", c.OrgURL)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("okta: OKTA_ORG_URL %q must start with https://", c.OrgURL)
	}
	if strings.Contains(u.Host, "-admin.") {
		return fmt.Errorf("okta: OKTA_ORG_URL %q is the admin console host; use the org host without -admin", c.OrgURL)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return fmt.Errorf("okta: OKTA_ORG_URL %q must be the bare org URL (no path or query)", c.OrgURL)
	}
	if c.RateShare < 0 || c.RateShare > 1 {
		return fmt.Errorf("okta: rate share %v: want a share between 0 and 1 (e.g. 0.5 for 50%%)", c.RateShare)
	}
	if c.Token.Empty() == (c.ClientID == "" || c.PrivateKey.Empty()) {
		return errors.New("okta: configure exactly one of an API token or a service app (client id + private key)")
	}
	return nil
}

// parseRSAKey reads a PEM RSA private key in PKCS#1 or PKCS#8 form. Errors
// never quote the key.
func parseRSAKey(s evidence.Secret) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode([]byte(s.Reveal()))
	if blk == nil {
		return nil, errors.New("private key is not PEM")
	}
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
		if err != nil {
			return nil, errors.New("private key: invalid PKCS#1 RSA key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			return nil, errors.New("private key: invalid PKCS#8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("private key: Okta service apps need an RSA key")
		}
		return rk, nil
	}
	return nil, fmt.Errorf("private key: unsupported PEM block %q", blk.Type)
}

// Connector reads one Okta org.
type Connector struct {
	cfg    Config
	host   string
	client *oktasdk.Client
	pacer  *pacer
}

var (
	_ evidence.Connector = (*Connector)(nil)
	_ evidence.Prober    = (*Connector)(nil)
)

// sdkEnv lists the environment variables through which okta-sdk-golang v2
// would silently change its configuration in NewClient (it also reads
// ~/.okta/okta.yaml). New overrides every one of those settings explicitly,
// so none of them can redirect, weaken or re-authenticate the scan. One
// side effect remains: a malformed value (OKTA_CLIENT_CACHE_ENABLED=maybe)
// makes the SDK print "error parsing" on stdout; the CLI can warn about set
// variables with IgnoredSDKEnv.
var sdkEnv = []string{
	"OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "OKTA_CLIENT_AUTHORIZATIONMODE", "OKTA_CLIENT_CLIENTID",
	"OKTA_CLIENT_SCOPES", "OKTA_CLIENT_PRIVATEKEY", "OKTA_CLIENT_PRIVATEKEYID", "OKTA_CLIENT_CLIENTASSERTION",
	"OKTA_CLIENT_CACHE_ENABLED", "OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES", "OKTA_CLIENT_RATE_LIMIT_MAX_BACKOFF",
	"OKTA_CLIENT_REQUEST_TIMEOUT", "OKTA_CLIENT_CONNECTION_TIMEOUT", "OKTA_TESTING_DISABLE_HTTPS_CHECK",
	"OKTA_CLIENT_PROXY_HOST", "OKTA_CLIENT_PROXY_PORT", "OKTA_CLIENT_PROXY_USERNAME", "OKTA_CLIENT_PROXY_PASSWORD",
}

// IgnoredSDKEnv returns the names of set OKTA_CLIENT_* / OKTA_TESTING_*
// variables that shadowpath overrides, so the CLI can warn about them.
func IgnoredSDKEnv(getenv func(string) string) []string {
	var out []string
	for _, k := range sdkEnv {
		if getenv(k) != "" {
			out = append(out, k)
		}
	}
	return out
}

// New validates cfg and builds the SDK client. It makes no request.
func New(cfg Config) (*Connector, error) {
	cfg.OrgURL = strings.TrimRight(strings.TrimSpace(cfg.OrgURL), "/")
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 100000
	}
	if cfg.MaxRateLimitWait <= 0 {
		cfg.MaxRateLimitWait = 65 * time.Second
	}
	u, _ := url.Parse(cfg.OrgURL)
	c := &Connector{cfg: cfg, host: u.Host}
	c.pacer = newPacer(cfg.MaxRateLimitWait)

	base := cfg.HTTPClient
	if base == nil {
		base = &http.Client{}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if t, ok := rt.(*http.Transport); ok {
		// Keep one warm connection per worker instead of the default two.
		t = t.Clone()
		t.MaxIdleConnsPerHost = cfg.Concurrency + 4
		if t.TLSClientConfig != nil && t.TLSClientConfig.InsecureSkipVerify {
			return nil, errors.New("okta: the HTTP client skips TLS verification; use SSL_CERT_FILE for custom roots instead")
		}
		rt = t
	}
	hc := &http.Client{
		Transport:     &guardTransport{next: rt, pacer: c.pacer},
		Timeout:       cfg.RequestTimeout, // also bounds the SDK's token POST, which has no context
		CheckRedirect: base.CheckRedirect,
		Jar:           base.Jar,
	}

	setters := []oktasdk.ConfigSetter{
		oktasdk.WithOrgUrl(cfg.OrgURL),
		oktasdk.WithHttpClientPtr(hc),
		oktasdk.WithCache(false),
		oktasdk.WithTestingDisableHttpsCheck(false),
		oktasdk.WithConnectionTimeout(int64(cfg.RequestTimeout / time.Second)),
		oktasdk.WithRequestTimeout(0), // our own per-call context deadline applies
		// No SDK-side 429 retries: the SDK waits for the reset inside the
		// call, so the wait would count against the request deadline and a
		// reset later than RequestTimeout would turn every 429 into a
		// timeout. get retries instead, waiting on the pacer outside it.
		oktasdk.WithRateLimitMaxRetries(0),
		oktasdk.WithRateLimitMaxBackOff(int64(cfg.MaxRateLimitWait / time.Second)),
		oktasdk.WithUserAgentExtra("shadowpath"),
		oktasdk.WithClientAssertion(""),
		oktasdk.WithProxyHost(""), oktasdk.WithProxyPort(0), oktasdk.WithProxyUsername(""), oktasdk.WithProxyPassword(""),
	}
	if !cfg.Token.Empty() {
		setters = append(setters,
			oktasdk.WithAuthorizationMode("SSWS"),
			oktasdk.WithToken(cfg.Token.Reveal()),
			oktasdk.WithClientId(""), oktasdk.WithScopes(nil), oktasdk.WithPrivateKeyId(""))
	} else {
		key, err := parseRSAKey(cfg.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("okta: %w", err)
		}
		opts := &jose.SignerOptions{}
		if cfg.KeyID != "" {
			opts = opts.WithHeader("kid", cfg.KeyID)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
		if err != nil {
			return nil, fmt.Errorf("okta: private key signer: %w", err)
		}
		setters = append(setters,
			oktasdk.WithAuthorizationMode("PrivateKey"),
			oktasdk.WithToken(""),
			oktasdk.WithClientId(cfg.ClientID),
			oktasdk.WithScopes(c.scopes()),
			oktasdk.WithPrivateKeySigner(signer),
			oktasdk.WithPrivateKeyId(cfg.KeyID))
	}
	_, client, err := oktasdk.NewClient(context.Background(), setters...)
	if err != nil {
		// The SDK's validation messages name settings, not values.
		return nil, fmt.Errorf("okta: client: %w", err)
	}
	c.client = client
	return c, nil
}

// Provider implements evidence.Connector.
func (c *Connector) Provider() evidence.Provider { return evidence.Okta }

// scopes are the OAuth scopes a service app's token request asks for.
func (c *Connector) scopes() []string {
	out := append([]string{}, Scopes...)
	if c.cfg.RateLimitsScope {
		out = append(out, "okta.rateLimits.read")
	}
	if c.cfg.NetworkZonesScope {
		out = append(out, "okta.networkZones.read")
	}
	return out
}
