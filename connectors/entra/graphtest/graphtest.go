// Package graphtest is a simplified fake of Microsoft Graph v1.0 and of the
// Microsoft identity platform token endpoints, in the spirit of
// net/http/httptest: real HTTPS over a real socket, an in-memory tenant loaded
// from the JSON fixtures in testdata/entra (real Graph field names and
// @odata.type values), absolute @odata.nextLink paging, the $top, $select,
// $skiptoken and simple $filter parameters the entra connector sends, OData
// error bodies, and hooks for 403, 429 (with Retry-After), 5xx, garbage,
// truncated, reset and slow answers and for nextLinks that loop or never end.
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

// Request is one request the fake received. Bodies are never recorded (the
// token request carries the client secret).
type Request struct {
	Method string
	// Path is the URL path, e.g. /v1.0/users or /{tenant}/oauth2/v2.0/token.
	Path string
	// Query is the decoded query string.
	Query  string
	Status int
	// Authorized is true when the request carried a bearer token the fake issued.
	Authorized bool
}

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
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithAddr listens on addr (host:port) instead of a random loopback port.
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

type fault struct {
	prefix  string
	param   string // reject requests carrying this query parameter with 400
	status  int    // 0 = garbage body
	n       int    // remaining; -1 = forever
	skip    int    // matching requests to let through first
	loop    bool   // nextLink to the same page
	loopTop bool   // nextLink back to the first page
	endless bool   // a fresh nextLink on every page
	reset   bool
	trunc   bool
	delay   time.Duration
}

// Server is a running fake. Its fields are set by NewServer/Start and must
// not be changed afterwards.
type Server struct {
	// URL is https://127.0.0.1:PORT: the authority host and the Graph endpoint.
	URL          string
	TenantID     string
	ClientID     string
	ClientSecret string

	srv        *httptest.Server
	fixtureDir string
	maxPage    int
	retryAfter int
	addr       string
	latency    time.Duration

	mu         sync.Mutex
	tenant     *tenant
	faults     []*fault
	denied     []string
	unlicensed []string
	requests   []Request
	tokens     map[string]bool
	nTokens    int
	inFlight   int
	maxIn      int
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
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
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

// Deny answers every Graph request whose path (after /v1.0) starts with
// pathPrefix with 403 Authorization_RequestDenied.
func (s *Server) Deny(pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = append(s.denied, pathPrefix)
}

// Unlicensed answers every Graph request whose path (after /v1.0) starts
// with pathPrefix as Graph answers PIM reads in a tenant without Entra ID
// P2: 400 AadPremiumLicenseRequired.
func (s *Server) Unlicensed(pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unlicensed = append(s.unlicensed, pathPrefix)
}

// FailNext answers the next n Graph requests under pathPrefix with status
// (429 and 503 carry Retry-After). n < 0 fails forever.
func (s *Server) FailNext(pathPrefix string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{prefix: pathPrefix, status: status, n: n})
}

// GarbageNext answers the next n Graph requests under pathPrefix with 200
// and a truncated JSON body.
func (s *Server) GarbageNext(pathPrefix string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{prefix: pathPrefix, n: n})
}

// LoopNextLink makes collections under pathPrefix return a nextLink that
// points at the same page forever (a misbehaving server).
func (s *Server) LoopNextLink(pathPrefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{prefix: pathPrefix, n: -1, loop: true})
}

// LoopToFirstPage makes collections under pathPrefix link every page after
// the first back to the first page ($skiptoken=0), as a server whose cursor
// resets would. A collection that fits one page links to itself.
func (s *Server) LoopToFirstPage(pathPrefix string) {
	s.addFault(&fault{prefix: pathPrefix, n: -1, loopTop: true})
}

// EndlessPages makes collections under pathPrefix never end: every page
// has items (the collection's, cycled) and a fresh @odata.nextLink.
func (s *Server) EndlessPages(pathPrefix string) {
	s.addFault(&fault{prefix: pathPrefix, n: -1, endless: true})
}

// ResetNext makes the next n Graph requests under pathPrefix fail
// mid-response: the status line, headers announcing a full body and the
// start of the JSON are sent, then the connection is hijacked and closed.
func (s *Server) ResetNext(pathPrefix string, n int) { s.ResetAfter(pathPrefix, 0, n) }

// ResetAfter is ResetNext after letting skip matching requests through (to
// cut, say, the second page of a collection).
func (s *Server) ResetAfter(pathPrefix string, skip, n int) {
	s.addFault(&fault{prefix: pathPrefix, n: n, skip: skip, reset: true})
}

// TruncateNext makes the next n Graph requests under pathPrefix answer 200
// with a Content-Length larger than the body sent: the JSON stops midway and
// the connection is closed.
func (s *Server) TruncateNext(pathPrefix string, n int) {
	s.addFault(&fault{prefix: pathPrefix, n: n, trunc: true})
}

// SlowNext makes the next n Graph requests under pathPrefix wait d (or
// until the client gives up) before they are answered normally, to push an
// answer past the connector's request deadline.
func (s *Server) SlowNext(pathPrefix string, d time.Duration, n int) {
	s.addFault(&fault{prefix: pathPrefix, n: n, delay: d})
}

func (s *Server) addFault(f *fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// RejectQuery answers requests under pathPrefix that carry the query
// parameter param (e.g. "$top") with 400, as Graph does for options an
// endpoint does not support.
func (s *Server) RejectQuery(pathPrefix, param string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{prefix: pathPrefix, param: param, n: -1})
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.maxIn = s.inFlight
}

// CountRequests counts logged Graph requests whose path (after /v1.0;
// beta paths whole, "/beta/users/…") starts with pathPrefix.
func (s *Server) CountRequests(pathPrefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if rel, ok := strings.CutPrefix(r.Path, "/v1.0"); ok && strings.HasPrefix(rel, pathPrefix) {
			n++
		} else if strings.HasPrefix(r.Path, "/beta/") && strings.HasPrefix(r.Path, pathPrefix) {
			n++ // beta paths are matched whole ("/beta/users/…")
		}
	}
	return n
}

// AssertOnlyGET fails the test if any request other than the OAuth token
// POST used a method other than GET.
func (s *Server) AssertOnlyGET(t testing.TB) {
	t.Helper()
	for _, r := range s.Requests() {
		if r.Method == http.MethodGet || (r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/oauth2/v2.0/token")) {
			continue
		}
		t.Errorf("graphtest: non-GET request %s %s", r.Method, r.Path)
	}
}

// MaxInFlight returns the largest number of Graph requests served at once
// since the server started (or ResetRequests), to check client concurrency
// bounds.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
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

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	authorized := false
	defer func() {
		s.record(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query().Encode(), Status: rec.status, Authorized: authorized})
	}()
	path := r.URL.Path
	switch {
	case strings.HasSuffix(path, "/v2.0/.well-known/openid-configuration"):
		s.serveOpenID(rec, r)
	case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		s.serveToken(rec, r)
	case strings.HasPrefix(path, "/v1.0/"), strings.HasPrefix(path, "/beta/users/") && strings.HasSuffix(path, "/authentication/requirements"):
		authorized = s.authorized(r)
		s.mu.Lock()
		s.inFlight++
		s.maxIn = max(s.maxIn, s.inFlight)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()
		if s.latency > 0 {
			time.Sleep(s.latency)
		}
		s.serveGraph(rec, r, authorized)
	default:
		writeError(rec, http.StatusNotFound, "Request_ResourceNotFound", "graphtest: unknown path "+path)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
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
