// Package graphtest is a simplified fake of Microsoft Graph v1.0 and of the
// Microsoft identity platform token endpoints, in the spirit of
// net/http/httptest: real HTTPS over a real socket, an in-memory tenant loaded
// from the JSON fixtures in testdata/entra (real Graph field names and
// @odata.type values), absolute @odata.nextLink paging, the $top, $select,
// $skiptoken and simple $filter parameters the entra connector sends, OData
// error bodies, and the fault hooks every fake shares (internal/fakeserver:
// 403, 429 with Retry-After, 5xx, garbage, truncated, reset and slow answers,
// nextLinks that loop or never end). Their patterns match the path after
// /v1.0 (beta paths whole, "/beta/users/…"): a prefix, or a path.Match
// pattern when they contain '*'.
//
// It is not Graph: it knows only the endpoints shadowpath reads, it does not
// validate every OData option (unknown $filter clauses are rejected with 400
// so that a connector change cannot silently rely on unsupported syntax), and
// it issues opaque bearer tokens instead of JWTs.
//
// One TLS server serves both hosts: the identity platform under
// /{tenant}/v2.0/.well-known/openid-configuration and
// /{tenant}/oauth2/v2.0/token, and Graph under /v1.0/. Use URL as both the
// authority host and the Graph endpoint, and Client (or the PEM of
// Certificate, through SSL_CERT_FILE) to trust it.
package graphtest

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/internal/fakeserver"
)

// Default credentials of the fake tenant. They are test values; the secret
// exists so that tests can assert it never leaks into output.
const (
	DefaultTenantID     = "8a2e6c1f-3b4d-4e5f-9a0b-1c2d3e4f5a6b"
	DefaultClientID     = "5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
	DefaultClientSecret = "graphtest-Cl13nt~S3cret.value_do-not-log"
)

// MicrosoftTenantID is the tenant that owns Microsoft's first-party apps.
const MicrosoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// defaultPageSize is the page size when the client sends no $top (Graph
// uses 100 for most collections).
const defaultPageSize = 100

// Request is one request the fake received (see Requests).
type Request = fakeserver.Request

// Option configures a Server.
type Option func(*Server)

// WithFixtureDir loads the tenant from dir instead of the repository's
// testdata/entra.
func WithFixtureDir(dir string) Option { return func(s *Server) { s.fixtureDir = dir } }

// WithoutFixtures starts with an empty tenant (use AddUsers to fill it).
func WithoutFixtures() Option { return func(s *Server) { s.fixtureDir = "-" } }

// WithMaxPageSize caps every page at n items whatever $top asks, so tests
// see several pages of even small collections.
func WithMaxPageSize(n int) Option { return func(s *Server) { s.maxPage = n } }

// WithRetryAfter sets the Retry-After seconds sent with injected 429 and 503
// answers (default 0).
func WithRetryAfter(seconds int) Option { return func(s *Server) { s.retryAfter = seconds } }

// WithCredentials replaces the tenant id, client id and client secret the
// token endpoint accepts.
func WithCredentials(tenantID, clientID, secret string) Option {
	return func(s *Server) { s.TenantID, s.ClientID, s.ClientSecret = tenantID, clientID, secret }
}

// WithLatency delays every Graph answer by d (to observe client concurrency).
func WithLatency(d time.Duration) Option { return func(s *Server) { s.SetLatency(d) } }

// WithAddr listens on addr (host:port) instead of a random loopback port.
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// rejection refuses requests carrying a query parameter (RejectQuery).
type rejection struct{ prefix, param string }

// Server is a running fake. Its fields are set by NewServer/Start and must
// not be changed afterwards. The fault hooks and the request log are the
// embedded Core's.
type Server struct {
	// URL is https://127.0.0.1:PORT: the authority host and the Graph endpoint.
	URL          string
	TenantID     string
	ClientID     string
	ClientSecret string

	*fakeserver.Core

	srv        *httptest.Server
	fixtureDir string
	maxPage    int
	retryAfter int
	addr       string

	mu         sync.Mutex
	tenant     *tenant
	unlicensed []string
	rejects    []rejection
	tokens     map[string]bool
	nTokens    int
}

// NewServer starts a fake for a test and closes it when the test ends.
// Fixture errors fail the test.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("graphtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake outside a test (cmd/fakegraph). Call Close when done.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		TenantID:     DefaultTenantID,
		ClientID:     DefaultClientID,
		ClientSecret: DefaultClientSecret,
		tokens:       map[string]bool{},
	}
	s.Core = fakeserver.New(fakeserver.Vendor{
		Key:        graphKey,
		Error:      s.fail,
		Refuse:     refuse,
		Garbage:    `{"value":[{"id":"trunc`,
		Truncated:  `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"a1000000-0000-4000-8000-0000000000ff","displayName":"Trunc`,
		Reset:      `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[{"id":"a1000000-0000-4000-8000-0000000000fe","displayName":"Res`,
		TokenPath:  func(p string) bool { return strings.HasSuffix(p, "/oauth2/v2.0/token") },
		Authorized: s.authorized,
	})
	for _, o := range opts {
		o(s)
	}
	s.tenant = newTenant()
	switch s.fixtureDir {
	case "-":
	case "":
		dir, err := findFixtureDir()
		if err != nil {
			return nil, err
		}
		if err := s.tenant.load(dir); err != nil {
			return nil, err
		}
	default:
		if err := s.tenant.load(s.fixtureDir); err != nil {
			return nil, err
		}
	}
	s.srv = httptest.NewUnstartedServer(s.Handler(s.routes()))
	// Clients that drop idle TLS connections at Close are not news.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if s.addr != "" {
		l, err := net.Listen("tcp", s.addr)
		if err != nil {
			return nil, fmt.Errorf("graphtest: listen %s: %w", s.addr, err)
		}
		s.srv.Listener.Close()
		s.srv.Listener = l
	}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	return s, nil
}

// findFixtureDir walks up from the working directory to the module root's
// testdata/entra.
func findFixtureDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("graphtest: %w", err)
	}
	for {
		cand := filepath.Join(dir, "testdata", "entra")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("graphtest: testdata/entra not found above the working directory; use WithFixtureDir")
		}
		dir = parent
	}
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an http.Client that trusts the fake's certificate (and
// nothing is made insecure).
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Certificate returns the fake's self-signed certificate, which is its own CA.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// CACertPEM returns Certificate as PEM, for SSL_CERT_FILE.
func (s *Server) CACertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// StaticToken returns a bearer token the fake accepts without the token
// flow, for tests that inject their own azcore.TokenCredential.
func (s *Server) StaticToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	const tok = "graphtest-static-token"
	s.tokens[tok] = true
	return tok
}

// Unlicensed answers every Graph request whose path (after /v1.0) starts
// with pathPrefix as Graph answers PIM reads in a tenant without Entra ID
// P2: 400 AadPremiumLicenseRequired.
func (s *Server) Unlicensed(pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unlicensed = append(s.unlicensed, pathPrefix)
}

// RejectQuery answers requests under pathPrefix that carry the query
// parameter param (e.g. "$top") with 400, as Graph does for options an
// endpoint does not support.
func (s *Server) RejectQuery(pathPrefix, param string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects = append(s.rejects, rejection{pathPrefix, param})
}

// graphKey is what fault patterns match: the path after /v1.0, beta paths
// whole; identity-platform paths have none.
func graphKey(p string) (string, bool) {
	if rel, ok := strings.CutPrefix(p, "/v1.0"); ok && strings.HasPrefix(rel, "/") {
		return rel, true
	}
	return p, strings.HasPrefix(p, "/beta/")
}

// fail writes Graph's answer to an injected error status.
func (s *Server) fail(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter))
		code := "TooManyRequests"
		if status == http.StatusServiceUnavailable {
			code = "serviceNotAvailable"
		}
		writeError(w, status, code, "Please retry again later.")
	default:
		writeError(w, status, "InternalServerError", "graphtest: injected failure")
	}
}

// TokenRequests counts successful and failed token requests.
func (s *Server) TokenRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/oauth2/v2.0/token") {
			n++
		}
	}
	return n
}

// AddUsers adds n generated enabled members (every 50th disabled, every
// 1000th an admin) with registration details and per-user methods cycling
// through push+sms, FIDO2, none and email. Ids are deterministic.
func (s *Server) AddUsers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tenant.addUsers(n)
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[tok]
}

func (s *Server) serveOpenID(w http.ResponseWriter, r *http.Request) {
	tenant := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request"})
		return
	}
	if tenant != s.TenantID {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_tenant",
			"error_description": "AADSTS90002: Tenant '" + tenant + "' not found."})
		return
	}
	base := s.URL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"tenant_region_scope":                   "EU",
	})
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	tenant := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")[0]
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": "invalid_request"})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "malformed form"})
		return
	}
	deny := func(code, desc string) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": code, "error_description": desc,
			"error_codes": []int{7000215}, "timestamp": time.Now().UTC().Format(time.DateTime)})
	}
	switch {
	case tenant != s.TenantID:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found."})
		return
	case r.PostForm.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type"})
		return
	case r.PostForm.Get("client_id") != s.ClientID:
		deny("unauthorized_client", "AADSTS700016: Application not found in the directory.")
		return
	case !slices.ContainsFunc(strings.Fields(r.PostForm.Get("scope")), func(sc string) bool { return strings.HasSuffix(sc, "/.default") }):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_scope"})
		return
	}
	if a := r.PostForm.Get("client_assertion"); a != "" {
		// Certificate flow: the assertion must look like a signed JWT. The fake
		// does not verify the signature.
		if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || strings.Count(a, ".") != 2 {
			deny("invalid_client", "AADSTS700027: Client assertion failed signature validation.")
			return
		}
	} else if r.PostForm.Get("client_secret") != s.ClientSecret {
		// The description never echoes what was sent.
		deny("invalid_client", "AADSTS7000215: Invalid client secret provided.")
		return
	}
	s.mu.Lock()
	s.nTokens++
	tok := fmt.Sprintf("graphtest-token-%d", s.nTokens)
	s.tokens[tok] = true
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalServerError","message":"graphtest: encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{"date": time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id": "00000000-0000-4000-8000-000000000000", "client-request-id": "00000000-0000-4000-8000-000000000000"},
	}})
}
