// Package oktatest is a simplified fake of the Okta management API for tests,
// in the spirit of net/http/httptest: a real TLS server on a loopback socket
// serving an in-memory org (loaded from JSON fixtures or built in code;
// requests read it in parallel, under a read lock) with
// the behaviour a connector must cope with — Link-header pagination (one
// header line per relation), body pagination on /api/v1/iam/assignees/users,
// per-bucket rate limits with X-Rate-Limit-* headers and 429 E0000047,
// SSWS and private_key_jwt authentication, and the fault hooks every fake
// shares (FailNext, Deny, GarbageNext, ResetNext, TruncateNext, SlowNext,
// LoopToFirstPage, EndlessPages…, from internal/fakeserver). Their
// patterns match the whole path: a prefix, or a path.Match pattern when
// they contain '*' (/api/v1/users/*/factors).
//
// It is not Okta. It implements only the GET endpoints shadowpath reads
// (plus POST /oauth2/v1/token), evaluates only the `status eq "…"` part of
// user searches and the `eventType eq "…"` part of log filters, and uses one
// fixed window per rate-limit bucket, aligned to multiples of the window
// length since the Unix epoch (so a one-second window's X-Rate-Limit-Reset,
// whole epoch seconds, is exact). Every request is logged (Requests,
// RequestCount) so tests can assert what was called and that nothing but GET
// was sent (AssertReadOnly).
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
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3/jwt"

	"github.com/shadowpath/shadowpath/internal/fakeserver"
)

// DefaultToken is the SSWS API token the fake accepts unless WithToken sets another.
const DefaultToken = "oktatest-ssws-0b7f3c9e2a41d6f8"

// Request is one logged request (see Requests).
type Request = fakeserver.Request

// Server is a running fake Okta org. The fault hooks and the request log
// are the embedded Core's.
type Server struct {
	// URL is the org URL (https://127.0.0.1:port), without a trailing slash.
	URL string

	*fakeserver.Core

	srv *httptest.Server
	mux *http.ServeMux // the API behind authentication (routes)

	reqSeq atomic.Int64 // X-Okta-Request-Id

	// rlMu guards the rate-limit windows; limits and window are set by
	// options only.
	rlMu    sync.Mutex
	limits  map[string]int // bucket → requests per window
	window  time.Duration
	windows map[string]*rlWindow

	// mu guards the org and everything below. Requests read under RLock,
	// in parallel, as Okta serves them (so a test sees the client's
	// concurrency); changes (Org, AddUsers, the mutations, the token
	// endpoint) take Lock.
	mu          sync.RWMutex
	org         *Org
	token       string
	clients     map[string]*rsa.PublicKey // OAuth service apps: client id → public key
	accessToken map[string]bool
	issued      int
	pageSize    map[string]int // bucket → forced page size (0 = honour limit)

	directAssignees bool
	// warningThreshold is the org's rate-limit warning threshold (percent)
	// served by /api/v1/rate-limit-settings/warning-threshold.
	warningThreshold int
	eventSeq         int

	// usersVersion counts changes to the user list; filtered caches the
	// last filtered list per query, so paging a 100,000-user list does not
	// filter it again for every page.
	usersVersion int
	cacheMu      sync.Mutex // guards filtered, which readers fill
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

// WithLatency makes every API answer take d (to observe client
// concurrency: see MaxInFlight).
func WithLatency(d time.Duration) Option { return func(s *Server) { s.SetLatency(d) } }

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
	s.srv = httptest.NewUnstartedServer(s.Handler(http.HandlerFunc(s.serve)))
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
	s.Core = fakeserver.New(fakeserver.Vendor{
		Key:       func(p string) (string, bool) { return p, true },
		Error:     fail,
		Refuse:    fail,
		Garbage:   `[{"id":"00u1","status":`,
		Truncated: `[{"id":"00u1truncated","status":"ACTIVE","profile":{"login":`,
		Reset:     `[{"id":"00u1reset0000000001","status":"ACTIVE","profile":{"login":"reset@example.com"}},{"id":"00u1re`,
		TokenPath: func(p string) bool { return p == tokenPath },
		Authorized: func(r *http.Request) bool {
			s.mu.RLock()
			defer s.mu.RUnlock()
			return s.authorized(r)
		},
	})
	for _, o := range opts {
		o(s)
	}
	if s.org == nil {
		s.org = &Org{}
	}
	s.org.init()
	s.mux = s.routes()
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

// bucket names the rate-limit bucket of a request, roughly like Okta's.
func bucket(p string) string {
	switch {
	case p == tokenPath:
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

const tokenPath = "/oauth2/v1/token"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Okta-Request-Id", fmt.Sprintf("oktatest-%08d", s.reqSeq.Add(1)))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))

	if !s.rateLimit(w, bucket(r.URL.Path)) {
		return
	}
	if s.Inject(w, r) {
		return
	}
	if r.URL.Path == tokenPath {
		s.mu.Lock() // it issues an access token
		defer s.mu.Unlock()
		s.tokenEndpoint(w, r)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The latency is spent reading the org: answers overlap only as far as
	// the fake serves them in parallel, which MaxInFlight then shows.
	release, ok := s.Hold(w, r)
	defer release()
	if !ok {
		return
	}
	if s.Admit(w, r, s.authorized(r)) {
		s.mux.ServeHTTP(w, r)
	}
}

// rateLimit counts the request in its bucket's fixed window, sets the
// X-Rate-Limit-* headers, and answers 429 when the window is spent.
func (s *Server) rateLimit(w http.ResponseWriter, b string) bool {
	s.rlMu.Lock()
	defer s.rlMu.Unlock()
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

// fail writes Okta's answer to an error status (injected, or refused by
// Admit).
func fail(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
		writeError(w, status, "E0000047", "API call exceeded rate limit due to too many requests.")
	case http.StatusUnauthorized:
		writeError(w, status, "E0000011", "Invalid token provided")
	case http.StatusForbidden:
		writeError(w, status, "E0000006", "You do not have permission to perform the requested action")
	case http.StatusMethodNotAllowed:
		writeError(w, status, "E0000022", "The endpoint does not support the provided HTTP method")
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

// routes is the API the fake serves, behind authentication (see serve).
// Unknown paths answer Okta's 404 E0000007.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	get := func(pattern string, h func(w http.ResponseWriter, r *http.Request, o *Org)) {
		mux.HandleFunc("GET "+pattern, func(w http.ResponseWriter, r *http.Request) { h(w, r, s.org) })
	}
	list := func(bucket string, items func(o *Org) []Object) func(http.ResponseWriter, *http.Request, *Org) {
		return func(w http.ResponseWriter, r *http.Request, o *Org) { s.page(w, r, bucket, items(o), 200) }
	}
	get("/api/v1/users", func(w http.ResponseWriter, r *http.Request, o *Org) {
		s.page(w, r, "users", s.filterUsers(r.URL.Query()), 200)
	})
	get("/api/v1/groups", list("groups", func(o *Org) []Object { return o.Groups }))
	get("/api/v1/api-tokens", list("api_tokens", func(o *Org) []Object { return o.APITokens }))
	get("/api/v1/apps", list("apps", func(o *Org) []Object { return o.Apps }))
	get("/api/v1/zones", list("zones", func(o *Org) []Object { return nonNil(o.Zones) }))
	get("/api/v1/authenticators", func(w http.ResponseWriter, r *http.Request, o *Org) {
		if o.Authenticators == nil {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: authenticators (Identity Engine only)")
			return
		}
		writeJSON(w, o.Authenticators)
	})
	get("/api/v1/authenticators/{id}/methods", func(w http.ResponseWriter, r *http.Request, o *Org) {
		id := r.PathValue("id")
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
	})
	get("/api/v1/policies", func(w http.ResponseWriter, r *http.Request, o *Org) {
		typ := r.URL.Query().Get("type")
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
	})
	get("/api/v1/logs", func(w http.ResponseWriter, r *http.Request, o *Org) { s.logs(w, r) })
	get("/api/v1/iam/assignees/users", func(w http.ResponseWriter, r *http.Request, o *Org) { s.assignees(w, r) })
	get("/.well-known/okta-organization", func(w http.ResponseWriter, r *http.Request, o *Org) {
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
	})
	get("/api/v1/rate-limit-settings/warning-threshold", func(w http.ResponseWriter, r *http.Request, o *Org) {
		writeJSON(w, Object{"warningThreshold": s.warningThreshold})
	})
	// byID serves a list kept per owning object id.
	byID := func(m func(o *Org) map[string][]Object) func(http.ResponseWriter, *http.Request, *Org) {
		return func(w http.ResponseWriter, r *http.Request, o *Org) { writeJSON(w, nonNil(m(o)[r.PathValue("id")])) }
	}
	get("/oauth2/v1/clients/{id}/roles", byID(func(o *Org) map[string][]Object { return o.ClientRoles }))
	get("/api/v1/users/{id}/factors", func(w http.ResponseWriter, r *http.Request, o *Org) {
		id := r.PathValue("id")
		if !s.userExists(id) {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" (User)")
			return
		}
		writeJSON(w, nonNil(o.Factors[id]))
	})
	get("/api/v1/users/{id}/roles", func(w http.ResponseWriter, r *http.Request, o *Org) {
		writeJSON(w, s.userRoles(r.PathValue("id")))
	})
	get("/api/v1/users/{id}/groups", func(w http.ResponseWriter, r *http.Request, o *Org) {
		id := r.PathValue("id")
		var out []Object
		for _, g := range o.Groups {
			if contains(o.GroupMembers[str(g["id"])], id) {
				out = append(out, g)
			}
		}
		s.page(w, r, "groups", out, 200)
	})
	get("/api/v1/groups/{id}/users", func(w http.ResponseWriter, r *http.Request, o *Org) {
		var out []Object
		for _, uid := range o.GroupMembers[r.PathValue("id")] {
			if u := s.user(uid); u != nil {
				out = append(out, u)
			}
		}
		s.page(w, r, "group_users", out, 1000)
	})
	get("/api/v1/groups/{id}/roles", byID(func(o *Org) map[string][]Object { return o.GroupRoles }))
	get("/api/v1/policies/{id}/rules", byID(func(o *Org) map[string][]Object { return o.PolicyRules }))
	get("/api/v1/policies/{id}/mappings", byID(func(o *Org) map[string][]Object { return o.PolicyMappings }))
	get("/api/v1/apps/{id}/credentials/secrets", byID(func(o *Org) map[string][]Object { return o.AppSecrets }))
	get("/api/v1/apps/{id}/credentials/jwks", byID(func(o *Org) map[string][]Object { return o.AppJWKS }))
	get("/api/v1/apps/{id}/grants", byID(func(o *Org) map[string][]Object { return o.AppGrants }))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+r.URL.Path)
	})
	return mux
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
// users change. Called with s.mu read-locked.
func (s *Server) filterUsers(q url.Values) []Object {
	key := q.Get("search") + "\x00" + q.Get("filter")
	s.cacheMu.Lock()
	c, ok := s.filtered[key]
	s.cacheMu.Unlock()
	if ok && c.version == s.usersVersion {
		return c.users
	}
	out := filterUsersOf(s.org.Users, q)
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
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
	pm := s.Paging(r)
	if pm.Endless {
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
	case pm.SamePage:
		w.Header().Add("Link", "<"+self+`>; rel="next"`)
	case pm.FirstPage && (from > 0 || to >= len(items)):
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
	if s.Paging(r) != (fakeserver.Paging{}) {
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
