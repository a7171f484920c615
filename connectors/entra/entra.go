// Package entra reads a Microsoft Entra ID tenant through Microsoft Graph
// (msgraph-sdk-go, azidentity) into shadowpath's evidence model. It issues GET
// requests only, plus the OAuth token request azidentity makes. The SDK's
// model types stay inside this package; only evidence leaves it.
//
// Per-user enrolment comes from the registration report
// (/reports/authenticationMethods/userRegistrationDetails), one paged read for
// the whole tenant; per-user /users/{id}/authentication/methods is a bounded,
// concurrent fallback used only when the report is denied (licence or
// permission). Group membership is resolved transitively only for the groups
// that policies and role assignments reference, so the cost is bounded by the
// policies, not by the directory size.
//
// Readings the evidence depends on (each is also commented where it is made):
//
//   - LogRetentionDays is 30: directory audits are kept 30 days with Entra ID
//     P1/P2, which the registration report and Conditional Access already need.
//   - The registration report lists kinds, not instances: one Method per
//     registered kind. The per-user fallback lists instances.
//   - When the report is read, authentication_methods is recorded complete
//     with a detail saying it was not needed.
//   - Methods policy: an enabled method is usable for sign-in MFA (SMS too;
//     isUsableForSignIn additionally allows SMS as the primary factor and is
//     noted in the setting's name). Email OTP is recovery-only for the
//     tenant's users (Graph's emailAuthenticationMethodConfiguration). TAP is
//     not a sign-in path here; REC-04 judges it. Recovery = enabled and one of
//     the kinds SSPR offers (SMS, voice, email, Authenticator, OATH).
//   - SSPR: Graph v1.0 shows only authorizationPolicy.allowedToUseSSPR, so the
//     recovery entry is Known=false with a manual check; EndsInSession is false
//     because an Entra reset ends in a password change and the next sign-in
//     goes through Conditional Access again.
//   - Conditional Access: RequiresMFA needs the mfa grant or an authentication
//     strength that nothing else can satisfy (operator AND, or mfa alone).
//   - Grants are application permissions (appRoleAssignments) resolved to
//     their value through the resource's appRoles; delegated grants
//     (oauth2PermissionGrants) are not read. Owners and grants are read for
//     non-Microsoft service principals only, at most MaxServicePrincipalDetails.
//   - Directory roles are the active assignments (roleAssignments) plus the
//     PIM eligibility schedules (roleEligibilitySchedules, Entra ID P2) that
//     are Provisioned and in force at the scan: an eligible principal can
//     activate the role at will, so it holds the role with Via
//     "eligible (PIM)" (or "eligible (PIM) via group …") and is privileged.
//     When the schedules cannot be read the roles dataset stays complete for
//     the active assignments and a warning says eligible admins are judged
//     as non-privileged. memberType is not interpreted; eligible membership
//     of PIM for Groups (privilegedAccess/group) is not read.
//   - signInActivity is not read: it needs its own licence and throttling
//     budget, and selecting it on /users would put the users dataset at risk.
//   - One beta endpoint is used: /users/{id}/authentication/requirements
//     (perUserMfaState), which v1.0 lacks, only for the accounts no enforced
//     Conditional Access policy asks for MFA in every context; a warning
//     says so. Security defaults and CA named locations are read with the
//     policies, in the conditional_access dataset (same permission).
//   - Policies.Access holds every CA policy as the Entra engine reads it;
//     authorizationPolicy.allowedToUseSSPR fills Entra.AdminSSPR only (it
//     governs administrators), and each account's SSPR scope comes from the
//     registration report (isSsprEnabled/Registered/Capable).
package entra

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	graphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// Compile-time interface checks.
var (
	_ evidence.Connector = (*Connector)(nil)
	_ evidence.Prober    = (*Connector)(nil)
)

// Defaults.
const (
	DefaultConcurrency    = 8
	DefaultRequestTimeout = 100 * time.Second
	// DefaultPageSize is the $top sent to collections that accept it (Graph's
	// maximum for /users is 999).
	DefaultPageSize = 999
	// DefaultMaxRetries bounds the SDK retry handler on 429/503/504.
	DefaultMaxRetries = 5
	// MaxRetryAfter is the longest single Retry-After the connector waits;
	// a longer one fails the dataset instead of stalling the scan.
	MaxRetryAfter = 120 * time.Second
	// DefaultMaxPages bounds any one paged read (a nextLink that never ends).
	DefaultMaxPages = 200000
)

// Cloud names accepted by Config.Cloud.
const (
	CloudGlobal   = "global"
	CloudUSGov    = "usgov"
	CloudUSGovDoD = "usgov-dod"
	CloudChina    = "china"
)

type cloudEndpoints struct{ authority, graph string }

var clouds = map[string]cloudEndpoints{
	CloudGlobal:   {"https://login.microsoftonline.com/", "https://graph.microsoft.com"},
	CloudUSGov:    {"https://login.microsoftonline.us/", "https://graph.microsoft.us"},
	CloudUSGovDoD: {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us"},
	CloudChina:    {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn"},
}

// Config says how to reach and authenticate to a tenant.
type Config struct {
	TenantID string
	ClientID string
	// ClientSecret, or CertificatePath (PEM or PKCS#12) with an optional
	// CertificatePassword, authenticates the app registration.
	ClientSecret        evidence.Secret
	CertificatePath     string
	CertificatePassword evidence.Secret
	// UseDefaultChain uses azidentity.NewDefaultAzureCredential (managed
	// identity, workload identity, Azure CLI) when no secret or certificate
	// is configured.
	UseDefaultChain bool
	// Cloud is global (default), usgov, usgov-dod or china; it sets the
	// authority and the Graph endpoint.
	Cloud string
	// AuthorityHost overrides the cloud's authority (AZURE_AUTHORITY_HOST);
	// it must be https. Instance discovery is disabled for an override.
	AuthorityHost string
	// GraphEndpoint overrides the cloud's Graph root (ENTRA_GRAPH_ENDPOINT),
	// e.g. https://127.0.0.1:9443. Its host is added to the SDK's allowed
	// hosts, without which the SDK silently sends no token.
	GraphEndpoint string
	// HTTPClient is an optional transport base (tests, proxies). TLS is
	// always verified.
	HTTPClient *http.Client
	// Concurrency bounds per-object requests (fallback methods, owners);
	// default 8.
	Concurrency int
	// RequestTimeout bounds one HTTP request including SDK retries; default 100s.
	RequestTimeout time.Duration
	// PageSize is the $top sent to collections; default 999, at most 999.
	PageSize int
	// MaxRetries bounds retries of 429/503/504 answers; default 5, at most 10.
	MaxRetries int
	// MaxPages bounds any one paged read; default DefaultMaxPages. A
	// collection that goes on past it (a nextLink that never ends) fails its
	// dataset instead of running forever.
	MaxPages int
	// Credential replaces the azidentity credential (tests only).
	Credential azcore.TokenCredential
}

// ConfigFromEnv reads the azidentity environment conventions:
// AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD),
// AZURE_AUTHORITY_HOST and ENTRA_GRAPH_ENDPOINT. cloud is the --entra-cloud
// flag ("" = global). Errors name the variable, never its value.
func ConfigFromEnv(getenv func(string) string, cloudName string) (Config, error) {
	cfg := Config{
		TenantID:        strings.TrimSpace(getenv("AZURE_TENANT_ID")),
		ClientID:        strings.TrimSpace(getenv("AZURE_CLIENT_ID")),
		ClientSecret:    evidence.NewSecret(getenv("AZURE_CLIENT_SECRET")),
		CertificatePath: strings.TrimSpace(getenv("AZURE_CLIENT_CERTIFICATE_PATH")),
		CertificatePassword: evidence.NewSecret(
			getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD")),
		Cloud:         cloudName,
		AuthorityHost: strings.TrimSpace(getenv("AZURE_AUTHORITY_HOST")),
		GraphEndpoint: strings.TrimSpace(getenv("ENTRA_GRAPH_ENDPOINT")),
	}
	if cfg.TenantID == "" {
		return Config{}, errors.New("entra: AZURE_TENANT_ID is not set")
	}
	if !tenantRE.MatchString(cfg.TenantID) {
		return Config{}, errors.New("entra: AZURE_TENANT_ID is not a tenant id or domain (allowed: letters, digits, '-', '.')")
	}
	if !cfg.ClientSecret.Empty() && cfg.CertificatePath != "" {
		return Config{}, errors.New("entra: set only one of AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH")
	}
	if cfg.ClientSecret.Empty() && cfg.CertificatePath == "" {
		// No app credential: managed identity / workload identity / Azure CLI.
		cfg.UseDefaultChain = true
	} else if cfg.ClientID == "" {
		return Config{}, errors.New("entra: AZURE_CLIENT_ID is not set (needed with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)")
	}
	if _, err := resolveEndpoints(cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

var tenantRE = regexp.MustCompile(`^[0-9a-zA-Z-.]+$`)

type endpoints struct {
	authority    string // https://host/ with trailing slash
	customAuth   bool
	graphRoot    string // https://host[:port], no path
	graphHost    string // host only, for the SDK's allowed hosts
	scope        string
	graphBaseURL string // graphRoot + /v1.0
}

func resolveEndpoints(cfg Config) (endpoints, error) {
	name := cfg.Cloud
	if name == "" {
		name = CloudGlobal
	}
	ce, ok := clouds[name]
	if !ok {
		return endpoints{}, fmt.Errorf("entra: unknown cloud %q (want global, usgov, usgov-dod or china)", cfg.Cloud)
	}
	for _, v := range []struct{ name, val string }{{"AZURE_AUTHORITY_HOST", cfg.AuthorityHost}, {"ENTRA_GRAPH_ENDPOINT", cfg.GraphEndpoint}} {
		if safeio.HasUserinfo(v.val) {
			// Not quoted: the URL carries a password.
			return endpoints{}, fmt.Errorf("entra: %s contains a user name or password (user:pass@host): refused", v.name)
		}
	}
	var ep endpoints
	ep.authority = ce.authority
	if cfg.AuthorityHost != "" {
		u, err := url.Parse(cfg.AuthorityHost)
		if err != nil || u.Host == "" {
			return endpoints{}, errors.New("entra: AZURE_AUTHORITY_HOST is not a URL")
		}
		if u.Scheme != "https" {
			return endpoints{}, errors.New("entra: AZURE_AUTHORITY_HOST must be https (azidentity refuses anything else)")
		}
		ep.authority = strings.TrimRight(cfg.AuthorityHost, "/") + "/"
		ep.customAuth = ep.authority != ce.authority
	}
	graph := ce.graph
	if cfg.GraphEndpoint != "" {
		graph = cfg.GraphEndpoint
	}
	u, err := url.Parse(graph)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return endpoints{}, errors.New("entra: ENTRA_GRAPH_ENDPOINT must be a scheme and host, e.g. https://graph.microsoft.com")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return endpoints{}, errors.New("entra: ENTRA_GRAPH_ENDPOINT must be https (plain http only on a loopback address)")
	}
	ep.graphRoot = u.Scheme + "://" + u.Host
	ep.graphHost = u.Hostname()
	ep.graphBaseURL = ep.graphRoot + "/v1.0"
	ep.scope = ep.graphRoot + "/.default"
	return ep, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Connector reads one Entra tenant.
type Connector struct {
	cfg     Config
	ep      endpoints
	client  *msgraphsdk.GraphServiceClient
	adapter *msgraphsdk.GraphRequestAdapter
}

// New validates cfg and builds the Graph client; it makes no request.
func New(cfg Config) (*Connector, error) {
	if cfg.TenantID == "" || !tenantRE.MatchString(cfg.TenantID) {
		return nil, errors.New("entra: tenant id is missing or malformed")
	}
	ep, err := resolveEndpoints(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 999 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	cfg.MaxRetries = min(cfg.MaxRetries, 10)
	cred := cfg.Credential
	if cred == nil {
		if cred, err = newCredential(cfg, ep); err != nil {
			return nil, err
		}
	}
	auth, err := graphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{ep.scope}, []string{ep.graphHost})
	if err != nil {
		return nil, fmt.Errorf("entra: auth provider: %w", err)
	}
	base := http.DefaultTransport
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		base = cfg.HTTPClient.Transport
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	mws := msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)
	for i, mw := range mws {
		if _, ok := mw.(*khttp.RetryHandler); ok {
			mws[i] = khttp.NewRetryHandlerWithOptions(khttp.RetryHandlerOptions{
				MaxRetries: cfg.MaxRetries,
				ShouldRetry: func(cumulative time.Duration, _ int, _ *http.Request, resp *http.Response) bool {
					// Our own bound on top of the SDK's 180 s: refuse a single
					// Retry-After longer than MaxRetryAfter.
					return retryAfter(resp) <= MaxRetryAfter && cumulative < 2*MaxRetryAfter
				},
			})
		}
	}
	httpClient := &http.Client{
		Timeout:   cfg.RequestTimeout,
		Transport: khttp.NewCustomTransportWithParentTransport(readOnly{base}, mws...),
		// Graph never needs a redirect for these reads; do not follow one to
		// another host with the token.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("entra: request adapter: %w", err)
	}
	adapter.SetBaseUrl(ep.graphBaseURL)
	return &Connector{cfg: cfg, ep: ep, client: msgraphsdk.NewGraphServiceClient(adapter), adapter: adapter}, nil
}

func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	var secs float64
	if _, err := fmt.Sscanf(v, "%g", &secs); err == nil {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func newCredential(cfg Config, ep endpoints) (azcore.TokenCredential, error) {
	co := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: ep.authority}}
	if cfg.HTTPClient != nil {
		co.Transport = cfg.HTTPClient
	}
	switch {
	case !cfg.ClientSecret.Empty():
		if cfg.ClientID == "" {
			return nil, errors.New("entra: client id is missing (AZURE_CLIENT_ID)")
		}
		c, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret.Reveal(),
			&azidentity.ClientSecretCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: ep.customAuth})
		if err != nil {
			return nil, fmt.Errorf("entra: client secret credential: %w", err)
		}
		return c, nil
	case cfg.CertificatePath != "":
		if cfg.ClientID == "" {
			return nil, errors.New("entra: client id is missing (AZURE_CLIENT_ID)")
		}
		data, err := safeio.ReadFile(cfg.CertificatePath, safeio.MaxSmall)
		if err != nil {
			return nil, fmt.Errorf("entra: AZURE_CLIENT_CERTIFICATE_PATH: %w", err)
		}
		var pw []byte
		if !cfg.CertificatePassword.Empty() {
			pw = []byte(cfg.CertificatePassword.Reveal())
		}
		certs, key, err := azidentity.ParseCertificates(data, pw)
		if err != nil {
			// The parse error does not contain key material.
			return nil, fmt.Errorf("entra: AZURE_CLIENT_CERTIFICATE_PATH %s: %w", cfg.CertificatePath, err)
		}
		c, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: co, DisableInstanceDiscovery: ep.customAuth})
		if err != nil {
			return nil, fmt.Errorf("entra: client certificate credential: %w", err)
		}
		return c, nil
	case cfg.UseDefaultChain:
		c, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: co, TenantID: cfg.TenantID, DisableInstanceDiscovery: ep.customAuth})
		if err != nil {
			return nil, fmt.Errorf("entra: default credential chain: %w", err)
		}
		return c, nil
	}
	return nil, errors.New("entra: no credential: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or use the default chain")
}

// Provider implements evidence.Connector.
func (c *Connector) Provider() evidence.Provider { return evidence.Entra }

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// readOnly sits below the Graph middleware and refuses anything but GET, so
// the connector is read-only by construction, not by convention. Token
// requests go through azidentity's own transport, not this one. It also
// retries what the SDK's retry handler leaves alone (it retries 429, 503
// and 504): a 500 or 502 is retried twice after a short pause, since a
// GET is safe to repeat and a single gateway hiccup should not cost a
// dataset.
type readOnly struct{ next http.RoundTripper }

// gatewayRetries bounds the retries of 500/502 answers.
const gatewayRetries = 2

func (t readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("entra: refusing %s %s: shadowpath only reads", req.Method, req.URL.Path)
	}
	for attempt := 0; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if (resp.StatusCode == http.StatusInternalServerError || resp.StatusCode == http.StatusBadGateway) && attempt < gatewayRetries {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			pause := time.NewTimer(time.Duration(250<<attempt) * time.Millisecond)
			select {
			case <-req.Context().Done():
				pause.Stop()
				return nil, req.Context().Err()
			case <-pause.C:
			}
			continue
		}
		if resp.Body != nil {
			resp.Body = &cutBody{ReadCloser: resp.Body}
		}
		return resp, nil
	}
}
