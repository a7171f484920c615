// Package oktatest is a simplified fake of the Okta management API for tests,
// in the spirit of net/http/httptest: a real TLS server on a loopback socket
// serving an in-memory org (loaded from JSON fixtures or built in code) with
// the behaviour a connector must cope with — Link-header pagination (one
// header line per relation), body pagination on /api/v1/iam/assignees/users,
// per-bucket rate limits with X-Rate-Limit-* headers and 429 E0000047,
// SSWS and private_key_jwt authentication, and fault hooks (FailNext, Deny,
// Garbage, ResetNext, TruncateNext, SlowNext, LoopLink, EndlessPages).
//
// It is not Okta. It implements only the GET endpoints shadowpath reads
// (plus POST /oauth2/v1/token), evaluates only the `status eq "…"` part of
// user searches and the `eventType eq "…"` part of log filters, and uses one
// fixed window per rate-limit bucket, aligned to multiples of the window
// length since the Unix epoch (so a one-second window's X-Rate-Limit-Reset,
// whole epoch seconds, is exact). Every request is logged (Requests) so
// tests can assert what was called and that nothing but GET was sent.
package oktatest

import (
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3/jwt"
)

// DefaultToken is the SSWS API token the fake accepts unless WithToken sets another.
const DefaultToken = "oktatest-ssws-0b7f3c9e2a41d6f8"

// Request is one logged request.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Status int
	Time   time.Time // when the request arrived
}

// Server is a running fake Okta org.
type Server struct {
	// URL is the org URL (https://127.0.0.1:port), without a trailing slash.
	URL string

	srv *httptest.Server

	mu          sync.Mutex
	org         *Org
	token       string
	clients     map[string]*rsa.PublicKey // OAuth service apps: client id → public key
	accessToken map[string]bool
	issued      int
	pageSize    map[string]int // bucket → forced page size (0 = honour limit)
	limits      map[string]int // bucket → requests per window
	window      time.Duration
	windows     map[string]*rlWindow
	faults      []*fault
	denied      []string
	loops       []string // LoopLink patterns
	endless     []string // EndlessPages patterns
	requests    []Request
	reqSeq      int

	directAssignees bool
	// warningThreshold is the org's rate-limit warning threshold (percent)
	// served by /api/v1/rate-limit-settings/warning-threshold.
	warningThreshold int
	eventSeq         int

	// usersVersion counts changes to the user list; filtered caches the
	// last filtered list per query, so paging a 100,000-user list does not
	// filter it again for every page.
	usersVersion int
	filtered     map[string]filteredUsers
}

type filteredUsers struct {
	version int
	users   []Object
}

type rlWindow struct {
	start time.Time
	count int
}

type fault struct {
	pattern string
	kind    faultKind
	status  int // kindStatus: the status to answer; 0 = garbage body
	delay   time.Duration
	skip    int // matching requests to let through first
	n       int
}

type faultKind int

const (
	kindStatus   faultKind = iota // an error status or a garbage body
	kindReset                     // headers and half a body, then the connection is closed
	kindTruncate                  // Content-Length larger than the body sent
	kindSlow                      // the normal answer, after a delay
)

// Option configures a Server.
type Option func(*Server)

// WithOrg serves org instead of the empty org.
func WithOrg(org *Org) Option { return func(s *Server) { s.org = org } }

// WithFixtures loads the org from a fixture directory (see LoadOrg); it
// panics on a bad fixture, which is a test bug.
func WithFixtures(dir string) Option {
	return func(s *Server) {
		o, err := LoadOrg(dir)
		if err != nil {
			panic(err)
		}
		s.org = o
	}
}

// WithToken sets the SSWS token the fake accepts.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithClient registers an OAuth service app (private_key_jwt): its client
// assertions are verified with pub.
func WithClient(clientID string, pub *rsa.PublicKey) Option {
	return func(s *Server) { s.clients[clientID] = pub }
}

// WithPageSize caps the page size of a list bucket ("users", "groups",
// "group_users", "logs", "apps", "api_tokens", "assignees", "policies") so
// small fixtures still paginate.
func WithPageSize(bucket string, n int) Option { return func(s *Server) { s.pageSize[bucket] = n } }

// SetPageSize is WithPageSize on a running server.
func (s *Server) SetPageSize(bucket string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize[bucket] = n
}

// WithRateLimit sets a bucket's limit in requests per window (one minute
// unless WithRateLimitWindow). Buckets: "users" (list), "factors"
// (/users/{id}/factors), "logs", "apps", "token", "default".
func WithRateLimit(bucket string, perWindow int) Option {
	return func(s *Server) { s.limits[bucket] = perWindow }
}

// WithDirectAssigneesOnly makes /api/v1/iam/assignees/users list only
// users with directly assigned roles (whether Okta includes users holding a
// role only through a group is not documented).
func WithDirectAssigneesOnly() Option { return func(s *Server) { s.directAssignees = true } }

// WithWarningThreshold sets the org's rate-limit warning threshold, in
// percent (default 90, Okta's default for Workforce orgs).
func WithWarningThreshold(percent int) Option {
	return func(s *Server) { s.warningThreshold = percent }
}

// WithRateLimitWindow changes the rate-limit window (Okta: one minute).
func WithRateLimitWindow(d time.Duration) Option { return func(s *Server) { s.window = d } }

// NewServer starts a fake org for a test and closes it when the test ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake org on a random loopback port. Call Close when done.
func Start(opts ...Option) *Server {
	return StartOn("", opts...)
}

// StartOn starts a fake org on addr (host:port; "" = random loopback port).
// It panics if it cannot listen, like httptest.
func StartOn(addr string, opts ...Option) *Server {
	s := newServer(opts...)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Clients that do not trust the fake's certificate are their own
	// problem; keep their handshake errors out of test output.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			panic(fmt.Sprintf("oktatest: listen on %s: %v", addr, err))
		}
		s.srv.Listener.Close()
		s.srv.Listener = l
	}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	return s
}

func newServer(opts ...Option) *Server {
	s := &Server{
		token:       DefaultToken,
		clients:     map[string]*rsa.PublicKey{},
		accessToken: map[string]bool{},
		pageSize:    map[string]int{},
		limits:      map[string]int{},
		window:      time.Minute,
		windows:     map[string]*rlWindow{},

		warningThreshold: 90,
	}
	for _, o := range opts {
		o(s)
	}
	if s.org == nil {
		s.org = &Org{}
	}
	s.org.init()
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client that trusts the fake's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Certificate returns the fake's TLS certificate (for writing a CA file).
func (s *Server) Certificate() *tls.Certificate {
	c := s.srv.TLS.Certificates[0]
	return &c
}

// Token returns the SSWS token the fake accepts.
func (s *Server) Token() string { return s.token }

// Host returns the org host (127.0.0.1:port).
func (s *Server) Host() string {
	u, _ := url.Parse(s.URL)
	return u.Host
}

// Org gives locked access to the in-memory org, for changing it mid-test.
func (s *Server) Org(f func(o *Org)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usersVersion++
	f(s.org)
}

// AddUsers adds n generated ACTIVE users (ids 00ugen…), each with an Okta
// Verify push factor and every third one an SMS factor, for scale tests.
func (s *Server) AddUsers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usersVersion++
	start := len(s.org.Users)
	for i := start; i < start+n; i++ {
		u := genUser(i)
		id := u["id"].(string)
		s.org.Users = append(s.org.Users, u)
		s.org.Factors[id] = genFactors(i, id)
	}
}

// SetFactors replaces a user's factors.
func (s *Server) SetFactors(userID string, factors ...Object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.Factors[userID] = factors
}

// FailNext makes the next n requests whose path matches pattern answer with
// status (429 carries E0000047 and rate-limit headers resetting now; other
// statuses an Okta error body). pattern is a path prefix, or a path.Match
// pattern when it contains '*' (/api/v1/users/*/factors).
func (s *Server) FailNext(pattern string, status, n int) { s.FailAfter(pattern, 0, status, n) }

// FailAfter is FailNext after letting skip matching requests through (to
// fail, say, the second page of a list).
func (s *Server) FailAfter(pattern string, skip, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{pattern: pattern, status: status, skip: skip, n: n})
}

// Garbage makes the next n matching requests answer 200 with a body that is
// not valid JSON.
func (s *Server) Garbage(pattern string, n int) { s.FailNext(pattern, 0, n) }

// ResetNext makes the next n matching requests fail mid-page: the fake
// sends the status line, headers announcing a full body and the first bytes
// of a JSON array, then hijacks and closes the connection, as when a proxy
// or load balancer drops it.
func (s *Server) ResetNext(pattern string, n int) {
	s.addFault(&fault{pattern: pattern, kind: kindReset, n: n})
}

// ResetAfter is ResetNext after letting skip matching requests through (to
// cut, say, the second page of a list).
func (s *Server) ResetAfter(pattern string, skip, n int) {
	s.addFault(&fault{pattern: pattern, kind: kindReset, skip: skip, n: n})
}

// TruncateNext makes the next n matching requests answer 200 with a
// Content-Length larger than the body actually sent: the body stops in the
// middle of the JSON and the server closes the connection.
func (s *Server) TruncateNext(pattern string, n int) {
	s.addFault(&fault{pattern: pattern, kind: kindTruncate, n: n})
}

// SlowNext makes the next n matching requests wait d before they are
// answered normally (or until the client gives up), to push a response past
// the connector's request deadline. The fake keeps serving other requests
// meanwhile.
func (s *Server) SlowNext(pattern string, d time.Duration, n int) {
	s.addFault(&fault{pattern: pattern, kind: kindSlow, delay: d, n: n})
}

func (s *Server) addFault(f *fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// LoopLink makes Link-paginated lists whose path matches pattern send, on
// every page after the first, a rel="next" link back to the first page
// (after=c0), as a server whose cursor resets would. A list that fits one
// page links to itself.
func (s *Server) LoopLink(pattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loops = append(s.loops, pattern)
}

// EndlessPages makes Link-paginated lists whose path matches pattern never
// end: every page carries a fresh rel="next" cursor and a non-empty page
// (the list's items, cycled).
func (s *Server) EndlessPages(pattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endless = append(s.endless, pattern)
}

// Deny makes every request matching pattern answer 403 E0000006, as when
// the token's admin role or the service app's scopes do not cover it.
func (s *Server) Deny(pattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = append(s.denied, pattern)
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestCount counts logged requests whose path matches pattern (see FailNext).
func (s *Server) RequestCount(pattern string) int {
	n := 0
	for _, r := range s.Requests() {
		if match(pattern, r.Path) {
			n++
		}
	}
	return n
}

// AssertReadOnly fails the test if any request other than a GET (or the
// OAuth token POST) reached the fake.
func (s *Server) AssertReadOnly(t testing.TB) {
	t.Helper()
	for _, r := range s.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		if r.Method == http.MethodPost && r.Path == "/oauth2/v1/token" {
			continue
		}
		t.Errorf("non-read request: %s %s", r.Method, r.Path)
	}
}

func match(pattern, p string) bool {
	if strings.Contains(pattern, "*") {
		ok, _ := path.Match(pattern, p)
		return ok
	}
	return strings.HasPrefix(p, pattern)
}

// bucket names the rate-limit bucket of a request, roughly like Okta's.
func bucket(p string) string {
	switch {
	case p == "/oauth2/v1/token":
		return "token"
	case p == "/api/v1/users":
		return "users"
	case strings.HasPrefix(p, "/api/v1/users/") && strings.HasSuffix(p, "/factors"):
		return "factors"
	case p == "/api/v1/logs":
		return "logs"
	case strings.HasPrefix(p, "/api/v1/apps"):
		return "apps"
	}
	return "default"
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqSeq++
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Time: time.Now()}
	rw := &statusWriter{ResponseWriter: w}
	defer func() {
		rec.Status = rw.status
		s.requests = append(s.requests, rec)
	}()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Okta-Request-Id", fmt.Sprintf("oktatest-%08d", s.reqSeq))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))

	b := bucket(r.URL.Path)
	if !s.rateLimit(rw, b) {
		return
	}
	for i, f := range s.faults {
		if f.n > 0 && match(f.pattern, r.URL.Path) {
			if f.skip > 0 {
				f.skip--
				continue
			}
			f.n--
			if f.n == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			switch f.kind {
			case kindReset:
				s.reset(w, rw)
				return
			case kindTruncate:
				rw.Header().Set("Content-Length", "4096")
				rw.WriteHeader(http.StatusOK)
				_, _ = rw.Write([]byte(`[{"id":"00u1truncated","status":"ACTIVE","profile":{"login":`))
				return
			case kindSlow:
				if !s.sleep(r, f.delay) {
					rw.status = 499 // the client gave up
					return
				}
			default:
				s.fail(rw, f.status)
				return
			}
			break
		}
	}
	if r.URL.Path == "/oauth2/v1/token" {
		s.tokenEndpoint(rw, r)
		return
	}
	if !s.authorized(r) {
		writeError(rw, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	}
	for _, d := range s.denied {
		if match(d, r.URL.Path) {
			writeError(rw, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
			return
		}
	}
	if r.Method != http.MethodGet {
		writeError(rw, http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
		return
	}
	s.route(rw, r)
}

// reset writes the start of a 200 answer straight onto the hijacked
// connection and closes it. Called with s.mu held.
func (s *Server) reset(w http.ResponseWriter, rw *statusWriter) {
	rw.status = -1 // logged as "connection closed"
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest is an aborted handler.
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n" +
		`[{"id":"00u1reset0000000001","status":"ACTIVE","profile":{"login":"reset@example.com"}},{"id":"00u1re`)
	_ = buf.Flush()
}

// sleep waits d with s.mu released, unless the client goes away first (it
// reports false then). Called with s.mu held; returns with it held.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	s.mu.Unlock()
	defer s.mu.Lock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// rateLimit counts the request in its bucket's fixed window, sets the
// X-Rate-Limit-* headers, and answers 429 when the window is spent.
func (s *Server) rateLimit(w http.ResponseWriter, b string) bool {
	limit, limited := s.limits[b]
	if !limited || limit <= 0 {
		limit = 100000
	}
	now := time.Now()
	win := s.windows[b]
	if win == nil || now.Sub(win.start) >= s.window {
		win = &rlWindow{start: now.Truncate(s.window)}
		s.windows[b] = win
	}
	reset := win.start.Add(s.window)
	resetEpoch := reset.Unix()
	if reset.Truncate(time.Second) != reset {
		resetEpoch++ // round up: never announce a reset before the window ends
	}
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(resetEpoch, 10))
	if win.count >= limit {
		h.Set("X-Rate-Limit-Remaining", "0")
		writeError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
		return false
	}
	win.count++
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(limit-win.count))
	return true
}

func (s *Server) fail(w http.ResponseWriter, status int) {
	switch status {
	case 0:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`[{"id":"00u1","status":`))
	case http.StatusTooManyRequests:
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
		writeError(w, status, "E0000047", "API call exceeded rate limit due to too many requests.")
	case http.StatusForbidden:
		writeError(w, status, "E0000006", "You do not have permission to perform the requested action")
	case http.StatusNotFound:
		writeError(w, status, "E0000007", "Not found: Resource not found")
	default:
		writeError(w, status, "E0000009", "Internal Server Error")
	}
}

func writeError(w http.ResponseWriter, status int, code, summary string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Object{
		"errorCode": code, "errorSummary": summary, "errorLink": code,
		"errorId": "oaeoktatest" + code, "errorCauses": []any{},
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) authorized(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(a, "SSWS "):
		return s.token != "" && strings.TrimPrefix(a, "SSWS ") == s.token
	case strings.HasPrefix(a, "Bearer "):
		return s.accessToken[strings.TrimPrefix(a, "Bearer ")]
	}
	return false
}

// tokenEndpoint implements the client-credentials grant with a
// private_key_jwt client assertion, parameters in the query string as the v2
// SDK sends them.
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
		return
	}
	q := r.URL.Query()
	_ = r.ParseForm()
	get := func(k string) string {
		if v := q.Get(k); v != "" {
			return v
		}
		return r.PostForm.Get(k)
	}
	oauthErr := func(code, desc string) {
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(Object{"error": code, "error_description": desc})
	}
	if get("grant_type") != "client_credentials" {
		oauthErr("unsupported_grant_type", "grant_type must be client_credentials")
		return
	}
	tok, err := jwt.ParseSigned(get("client_assertion"))
	if err != nil {
		oauthErr("invalid_client", "client_assertion is not a signed JWT")
		return
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		oauthErr("invalid_client", "client_assertion claims unreadable")
		return
	}
	pub := s.clients[unverified.Issuer]
	if pub == nil {
		oauthErr("invalid_client", "unknown client")
		return
	}
	var c jwt.Claims
	if err := tok.Claims(pub, &c); err != nil {
		oauthErr("invalid_client", "client_assertion signature invalid")
		return
	}
	if err := c.Validate(jwt.Expected{Issuer: unverified.Issuer, Subject: unverified.Issuer, Audience: jwt.Audience{s.URL + "/oauth2/v1/token"}, Time: time.Now()}); err != nil {
		oauthErr("invalid_client", "client_assertion claims invalid: "+err.Error())
		return
	}
	s.issued++
	at := fmt.Sprintf("oktatest-at-%d-%s", s.issued, unverified.Issuer)
	s.accessToken[at] = true
	writeJSON(w, Object{"token_type": "Bearer", "expires_in": 3600, "access_token": at, "scope": get("scope")})
}

var idSeg = regexp.MustCompile(`^/api/v1/(users|groups|policies|apps)/([^/]+)/(.+)$`)

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	q := r.URL.Query()
	o := s.org
	switch p {
	case "/api/v1/users":
		s.page(w, r, "users", s.filterUsers(q), 200)
		return
	case "/api/v1/groups":
		s.page(w, r, "groups", o.Groups, 200)
		return
	case "/api/v1/authenticators":
		if o.Authenticators == nil {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: authenticators (Identity Engine only)")
			return
		}
		writeJSON(w, o.Authenticators)
		return
	case "/api/v1/policies":
		typ := q.Get("type")
		if typ == "" {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: type")
			return
		}
		var out []Object
		for _, pol := range o.Policies {
			if pol["type"] == typ {
				out = append(out, pol)
			}
		}
		s.page(w, r, "policies", out, 200)
		return
	case "/api/v1/logs":
		s.logs(w, r)
		return
	case "/api/v1/api-tokens":
		s.page(w, r, "api_tokens", o.APITokens, 200)
		return
	case "/api/v1/apps":
		s.page(w, r, "apps", o.Apps, 200)
		return
	case "/api/v1/iam/assignees/users":
		s.assignees(w, r)
		return
	case "/api/v1/zones":
		if o.Zones == nil {
			s.page(w, r, "zones", []Object{}, 200)
			return
		}
		s.page(w, r, "zones", o.Zones, 200)
		return
	case "/.well-known/okta-organization":
		if o.WellKnown != nil {
			writeJSON(w, o.WellKnown)
			return
		}
		pipeline := "idx"
		if o.Authenticators == nil {
			pipeline = "v1"
		}
		writeJSON(w, Object{"id": "00o1fakeorg0000001", "pipeline": pipeline,
			"_links": Object{"organization": Object{"href": "https://" + r.Host}}, "settings": Object{"analyticsCollectionEnabled": false, "bugReporterEnabled": true, "omEnabled": false}})
		return
	case "/api/v1/rate-limit-settings/warning-threshold":
		writeJSON(w, Object{"warningThreshold": s.warningThreshold})
		return
	}
	if strings.HasPrefix(p, "/api/v1/authenticators/") && strings.HasSuffix(p, "/methods") {
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v1/authenticators/"), "/methods")
		for _, a := range o.Authenticators {
			if str(a["id"]) != id {
				continue
			}
			if ms, ok := o.AuthenticatorMethods[id]; ok {
				writeJSON(w, nonNil(ms))
				return
			}
			writeJSON(w, DefaultMethods(a))
			return
		}
		writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" (Authenticator)")
		return
	}
	if strings.HasPrefix(p, "/oauth2/v1/clients/") && strings.HasSuffix(p, "/roles") {
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/oauth2/v1/clients/"), "/roles")
		writeJSON(w, nonNil(o.ClientRoles[id]))
		return
	}
	m := idSeg.FindStringSubmatch(p)
	if m == nil {
		writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+p)
		return
	}
	kind, id, rest := m[1], m[2], m[3]
	switch kind + "/" + rest {
	case "users/factors":
		if !s.userExists(id) {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" (User)")
			return
		}
		writeJSON(w, nonNil(o.Factors[id]))
	case "users/roles":
		writeJSON(w, s.userRoles(id))
	case "users/groups":
		var out []Object
		for _, g := range o.Groups {
			if contains(o.GroupMembers[str(g["id"])], id) {
				out = append(out, g)
			}
		}
		s.page(w, r, "groups", out, 200)
	case "groups/users":
		var out []Object
		for _, uid := range o.GroupMembers[id] {
			if u := s.user(uid); u != nil {
				out = append(out, u)
			}
		}
		s.page(w, r, "group_users", out, 1000)
	case "groups/roles":
		writeJSON(w, nonNil(o.GroupRoles[id]))
	case "policies/rules":
		writeJSON(w, nonNil(o.PolicyRules[id]))
	case "policies/mappings":
		writeJSON(w, nonNil(o.PolicyMappings[id]))
	case "apps/credentials/secrets":
		writeJSON(w, nonNil(o.AppSecrets[id]))
	case "apps/credentials/jwks":
		writeJSON(w, nonNil(o.AppJWKS[id]))
	case "apps/grants":
		writeJSON(w, nonNil(o.AppGrants[id]))
	default:
		writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+p)
	}
}

func nonNil(v []Object) []Object {
	if v == nil {
		return []Object{}
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) user(id string) Object {
	for _, u := range s.org.Users {
		if u["id"] == id {
			return u
		}
	}
	return nil
}

func (s *Server) userExists(id string) bool {
	if _, ok := s.org.Factors[id]; ok {
		return true
	}
	return s.user(id) != nil
}

// userRoles returns a user's direct roles plus the roles of its groups
// (assignmentType GROUP), as /api/v1/users/{id}/roles does.
func (s *Server) userRoles(id string) []Object {
	out := append([]Object{}, s.org.UserRoles[id]...)
	gids := make([]string, 0, len(s.org.GroupRoles))
	for gid := range s.org.GroupRoles {
		gids = append(gids, gid)
	}
	sort.Strings(gids)
	for _, gid := range gids {
		if contains(s.org.GroupMembers[gid], id) {
			out = append(out, s.org.GroupRoles[gid]...)
		}
	}
	return out
}

var statusEq = regexp.MustCompile(`status\s+eq\s+"([A-Z_]+)"`)

// filterUsers is filterUsersOf the org's users, cached per query until the
// users change.
func (s *Server) filterUsers(q url.Values) []Object {
	key := q.Get("search") + "\x00" + q.Get("filter")
	if c, ok := s.filtered[key]; ok && c.version == s.usersVersion {
		return c.users
	}
	out := filterUsersOf(s.org.Users, q)
	if s.filtered == nil {
		s.filtered = map[string]filteredUsers{}
	}
	s.filtered[key] = filteredUsers{version: s.usersVersion, users: out}
	return out
}

// filterUsersOf applies the status terms of search/filter; without either,
// DEPROVISIONED users are omitted, as Okta does.
func filterUsersOf(users []Object, q url.Values) []Object {
	expr := q.Get("search") + " " + q.Get("filter")
	want := map[string]bool{}
	for _, m := range statusEq.FindAllStringSubmatch(expr, -1) {
		want[m[1]] = true
	}
	var out []Object
	for _, u := range users {
		st := str(u["status"])
		if len(want) > 0 && !want[st] {
			continue
		}
		if len(want) == 0 && q.Get("search") == "" && st == "DEPROVISIONED" {
			continue
		}
		out = append(out, u)
	}
	return out
}

// page writes one page of items with Link headers: self and next on
// separate header lines, absolute URLs, an opaque cursor in after.
func (s *Server) page(w http.ResponseWriter, r *http.Request, b string, items []Object, maxLimit int) {
	if s.matchAny(s.endless, r.URL.Path) {
		s.endlessPage(w, r, b, items, maxLimit)
		return
	}
	from, size, ok := s.pageBounds(w, r, b, len(items), maxLimit)
	if !ok {
		return
	}
	to := min(from+size, len(items))
	self := s.URL + r.URL.Path + "?" + r.URL.RawQuery
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	switch {
	case s.matchAny(s.loops, r.URL.Path) && (from > 0 || to >= len(items)):
		w.Header().Add("Link", "<"+s.nextURL(r, 0)+`>; rel="next"`)
	case to < len(items):
		w.Header().Add("Link", "<"+s.nextURL(r, to)+`>; rel="next"`)
	}
	writeJSON(w, nonNil(items[from:to]))
}

// endlessPage serves one page of a list that never ends: the cursor only
// grows, the items cycle.
func (s *Server) endlessPage(w http.ResponseWriter, r *http.Request, b string, items []Object, maxLimit int) {
	if len(items) == 0 {
		items = []Object{{"id": "00uendless0000000001", "status": "ACTIVE", "profile": Object{"login": "endless@example.com"}}}
	}
	size := maxLimit
	if ps := s.pageSize[b]; ps > 0 && ps < size {
		size = ps
	}
	from := 0
	if a := r.URL.Query().Get("after"); a != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(a, "c"))
		if err != nil || v < 0 {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after")
			return
		}
		from = v
	}
	page := make([]Object, 0, size)
	for i := range size {
		page = append(page, items[(from+i)%len(items)])
	}
	w.Header().Add("Link", "<"+s.URL+r.URL.Path+"?"+r.URL.RawQuery+`>; rel="self"`)
	w.Header().Add("Link", "<"+s.nextURL(r, from+size)+`>; rel="next"`)
	writeJSON(w, page)
}

func (s *Server) matchAny(patterns []string, p string) bool {
	for _, pat := range patterns {
		if match(pat, p) {
			return true
		}
	}
	return false
}

func (s *Server) pageBounds(w http.ResponseWriter, r *http.Request, b string, n, maxLimit int) (from, size int, ok bool) {
	q := r.URL.Query()
	size = maxLimit
	if l := q.Get("limit"); l != "" {
		v, err := strconv.Atoi(l)
		if err != nil || v < 0 {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit")
			return 0, 0, false
		}
		size = min(v, maxLimit)
	}
	if ps := s.pageSize[b]; ps > 0 && ps < size {
		size = ps
	}
	if size == 0 {
		size = maxLimit
	}
	if a := q.Get("after"); a != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(a, "c"))
		if err != nil || v < 0 || v > n {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after")
			return 0, 0, false
		}
		from = v
	}
	return from, size, true
}

func (s *Server) nextURL(r *http.Request, to int) string {
	q := r.URL.Query()
	q.Set("after", "c"+strconv.Itoa(to))
	return s.URL + r.URL.Path + "?" + q.Encode()
}

// assignees serves /api/v1/iam/assignees/users: paged in the body
// (_links.next.href), not with Link headers.
func (s *Server) assignees(w http.ResponseWriter, r *http.Request) {
	set := map[string]bool{}
	for uid, roles := range s.org.UserRoles {
		if len(roles) > 0 {
			set[uid] = true
		}
	}
	for gid, roles := range s.org.GroupRoles {
		if len(roles) == 0 || s.directAssignees {
			continue
		}
		for _, uid := range s.org.GroupMembers[gid] {
			set[uid] = true
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	from, size, ok := s.pageBounds(w, r, "assignees", len(ids), 100)
	if !ok {
		return
	}
	to := min(from+size, len(ids))
	value := []Object{}
	for _, id := range ids[from:to] {
		value = append(value, Object{
			"id":  id,
			"orn": "orn:okta:00ooktatest:users:" + id,
			"_links": Object{
				"self":  Object{"href": s.URL + "/api/v1/users/" + id},
				"roles": Object{"href": s.URL + "/api/v1/users/" + id + "/roles"},
			},
		})
	}
	body := Object{"value": value, "_links": Object{}}
	if to < len(ids) {
		body["_links"] = Object{"next": Object{"href": s.nextURL(r, to)}}
	}
	writeJSON(w, body)
}

var eventTypeEq = regexp.MustCompile(`eventType\s+eq\s+"([^"]+)"`)

// logs serves /api/v1/logs: events whose published time is in [since,
// until), ascending, filtered by the eventType terms of filter. Bounded
// requests (with until) get no next link on the last page; polling requests
// always get one.
func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	parse := func(k string) (time.Time, bool) {
		v := q.Get(k)
		if v == "" {
			return time.Time{}, true
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000030", "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.")
			return t, false
		}
		return t, true
	}
	since, ok := parse("since")
	if !ok {
		return
	}
	until, ok := parse("until")
	if !ok {
		return
	}
	types := map[string]bool{}
	for _, m := range eventTypeEq.FindAllStringSubmatch(q.Get("filter"), -1) {
		types[m[1]] = true
	}
	var evs []Object
	for _, e := range s.org.Logs {
		t, err := time.Parse(time.RFC3339, str(e["published"]))
		if err != nil {
			continue
		}
		if (!since.IsZero() && t.Before(since)) || (!until.IsZero() && !t.Before(until)) {
			continue
		}
		if len(types) > 0 && !types[str(e["eventType"])] {
			continue
		}
		evs = append(evs, e)
	}
	sort.SliceStable(evs, func(i, j int) bool { return str(evs[i]["published"]) < str(evs[j]["published"]) })
	if s.matchAny(s.endless, r.URL.Path) || s.matchAny(s.loops, r.URL.Path) {
		s.page(w, r, "logs", evs, 1000)
		return
	}
	from, size, ok := s.pageBounds(w, r, "logs", len(evs), 1000)
	if !ok {
		return
	}
	to := min(from+size, len(evs))
	w.Header().Add("Link", "<"+s.URL+r.URL.Path+"?"+r.URL.RawQuery+`>; rel="self"`)
	if to < len(evs) || q.Get("until") == "" {
		w.Header().Add("Link", "<"+s.nextURL(r, to)+`>; rel="next"`)
	}
	writeJSON(w, nonNil(evs[from:to]))
}
