// Package fakeserver is the machinery the vendor fakes share
// (connectors/okta/oktatest, connectors/entra/graphtest): fault injection,
// paging faults, deny rules, the request log with its read-only assertion,
// in-flight counting and latency.
//
// A fake embeds a *Core, so every fake offers the same hooks under the same
// names, and calls the Core at the points of its own pipeline (Okta injects
// faults before authentication, Graph after). What differs between vendors
// — error bodies, rate-limit headers, the JSON a cut answer starts with,
// which path is the token endpoint — comes from the fake's Vendor.
//
// Patterns are matched against a request's key (Vendor.Key: the path, or
// Graph's path after /v1.0): a prefix, or a path.Match pattern when the
// pattern contains '*' (/api/v1/users/*/factors).
package fakeserver

import (
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Vendor is what a fake tells the Core about its API.
type Vendor struct {
	// Key maps a request path to the string patterns are matched against;
	// ok false leaves the request out of faults, paging modes, deny rules
	// and counts (it is still logged).
	Key func(path string) (key string, ok bool)
	// Error writes the vendor's answer to an injected error status,
	// headers included (a 429's X-Rate-Limit-* or Retry-After).
	Error func(w http.ResponseWriter, status int)
	// Refuse writes the vendor's answer when Admit turns a request away:
	// 401, 403 or 405.
	Refuse func(w http.ResponseWriter, status int)
	// Garbage is the body of an injected 200 answer that is not JSON.
	Garbage string
	// Truncated is the body sent under a larger Content-Length.
	Truncated string
	// Reset is the start of the body sent before the connection is closed.
	Reset string
	// TokenPath reports whether path is the OAuth token endpoint, the one
	// place a POST is allowed.
	TokenPath func(path string) bool
	// Authorized reports whether a request carries a credential the fake
	// issued; it is logged as Request.Authorized.
	Authorized func(r *http.Request) bool
}

// Request is one logged request. Bodies are never recorded (token
// requests carry secrets).
type Request struct {
	Method string
	// Path is the URL path, e.g. /api/v1/users or /v1.0/users.
	Path  string
	Query url.Values
	// Status is the answer's status: 0 while it is being answered, -1 when
	// the fake closed the connection mid-body, 499 when the client gave up
	// on a slowed answer.
	Status int
	// Time is when the request arrived.
	Time time.Time
	// Authorized is true when the request carried a credential the fake issued.
	Authorized bool
}

// Paging says how a list answer's next link misbehaves (see
// LoopNextLink, LoopToFirstPage, EndlessPages).
type Paging struct {
	// SamePage: the next link points at the page itself.
	SamePage bool
	// FirstPage: every page after the first links back to the first, and
	// a list that fits one page links to itself.
	FirstPage bool
	// Endless: every page has items (the list's, cycled) and a fresh link.
	Endless bool
}

type kind int

const (
	kindStatus   kind = iota // the vendor's error answer
	kindGarbage              // 200 with a body that is not JSON
	kindReset                // headers and part of a body, then the connection is closed
	kindTruncate             // Content-Length larger than the body sent
	kindSlow                 // the normal answer, after a delay
)

type fault struct {
	pattern string
	kind    kind
	status  int
	delay   time.Duration
	skip    int // matching requests to let through first
	n       int // remaining; < 0 forever
}

type pagingRule struct {
	pattern string
	mode    Paging
}

// Core is the shared state of a fake. Its methods are safe for concurrent use.
type Core struct {
	v Vendor

	mu        sync.Mutex
	latency   time.Duration
	faults    []*fault
	denyRules []string
	paging    []pagingRule
	requests  []*Request
	inFlight  int
	maxIn     int
}

// New returns a Core for a vendor.
func New(v Vendor) *Core { return &Core{v: v} }

// Match reports whether key matches pattern: a prefix, or a path.Match
// pattern when pattern contains '*'.
func Match(pattern, key string) bool {
	if strings.Contains(pattern, "*") {
		ok, _ := path.Match(pattern, key)
		return ok
	}
	return strings.HasPrefix(key, pattern)
}

func (c *Core) key(r *http.Request) (string, bool) { return c.v.Key(r.URL.Path) }

// Handler wraps a fake's handler: it logs every request with its status.
func (c *Core) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logged := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Time: time.Now(),
			Authorized: c.v.Authorized != nil && c.v.Authorized(r)} // outside c.mu: it may take the fake's lock
		c.mu.Lock()
		c.requests = append(c.requests, &logged)
		c.mu.Unlock()
		rec := &recorder{ResponseWriter: w, core: c, logged: &logged}
		defer func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			logged.Status = rec.final()
		}()
		h.ServeHTTP(rec, r)
	})
}

// Hold counts r in flight until release is called and first waits the
// latency (SetLatency). A fake calls it where it computes its answers, so
// that MaxInFlight shows how many it served at once. ok is false when the
// client gave up during the wait: the fake must stop (499 is logged).
func (c *Core) Hold(w http.ResponseWriter, r *http.Request) (release func(), ok bool) {
	c.mu.Lock()
	c.inFlight++
	c.maxIn = max(c.maxIn, c.inFlight)
	latency := c.latency
	c.mu.Unlock()
	release = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.inFlight--
	}
	if latency > 0 && !wait(r, latency) {
		setStatus(w, statusGaveUp)
		return release, false
	}
	return release, true
}

// statusGaveUp is logged when the client went away while the fake waited.
const statusGaveUp = 499

func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// SetLatency makes Hold wait d, to observe client concurrency.
func (c *Core) SetLatency(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latency = d
}

func (c *Core) add(f *fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, f)
}

// FailNext answers the next n requests matching pattern with status, in
// the vendor's error shape (a 429 with the vendor's rate-limit headers);
// n < 0 fails forever. Status 0 is GarbageNext.
func (c *Core) FailNext(pattern string, status, n int) { c.FailAfter(pattern, 0, status, n) }

// FailAfter is FailNext after letting skip matching requests through (to
// fail, say, the second page of a list).
func (c *Core) FailAfter(pattern string, skip, status, n int) {
	k := kindStatus
	if status == 0 {
		k = kindGarbage
	}
	c.add(&fault{pattern: pattern, kind: k, status: status, skip: skip, n: n})
}

// GarbageNext answers the next n matching requests with 200 and a body
// that is not valid JSON.
func (c *Core) GarbageNext(pattern string, n int) {
	c.add(&fault{pattern: pattern, kind: kindGarbage, n: n})
}

// ResetNext makes the next n matching requests fail mid-answer: the status
// line, headers announcing a full body and the start of the JSON are sent,
// then the connection is hijacked and closed, as when a proxy drops it.
func (c *Core) ResetNext(pattern string, n int) { c.ResetAfter(pattern, 0, n) }

// ResetAfter is ResetNext after letting skip matching requests through (to
// cut, say, the second page of a list).
func (c *Core) ResetAfter(pattern string, skip, n int) {
	c.add(&fault{pattern: pattern, kind: kindReset, skip: skip, n: n})
}

// TruncateNext makes the next n matching requests answer 200 with a
// Content-Length larger than the body sent: the JSON stops midway and the
// connection is closed.
func (c *Core) TruncateNext(pattern string, n int) {
	c.add(&fault{pattern: pattern, kind: kindTruncate, n: n})
}

// SlowNext makes the next n matching requests wait d (or until the client
// gives up) before they are answered normally, to push an answer past the
// client's deadline. Other requests are served meanwhile.
func (c *Core) SlowNext(pattern string, d time.Duration, n int) {
	c.add(&fault{pattern: pattern, kind: kindSlow, delay: d, n: n})
}

// take consumes one use of the first fault the key triggers.
func (c *Core) take(key string) *fault {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if f.n == 0 || !Match(f.pattern, key) {
			continue
		}
		if f.skip > 0 {
			f.skip--
			continue
		}
		got := *f
		if f.n > 0 {
			f.n--
			if f.n == 0 {
				c.faults = slices.Delete(c.faults, i, i+1)
			}
		}
		return &got
	}
	return nil
}

// Inject applies the fault r triggers, if any. It reports whether the
// answer is written (the fake must stop); a slow fault waits and reports
// false unless the client gave up meanwhile.
func (c *Core) Inject(w http.ResponseWriter, r *http.Request) bool {
	key, ok := c.key(r)
	if !ok {
		return false
	}
	f := c.take(key)
	if f == nil {
		return false
	}
	switch f.kind {
	case kindStatus:
		c.v.Error(w, f.status)
	case kindGarbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(c.v.Garbage))
	case kindTruncate:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(c.v.Truncated))
	case kindReset:
		reset(w, c.v.Reset)
	case kindSlow:
		if wait(r, f.delay) {
			return false
		}
		setStatus(w, statusGaveUp)
	}
	return true
}

// reset writes the start of a 200 answer straight onto the hijacked
// connection and closes it.
func reset(w http.ResponseWriter, body string) {
	setStatus(w, -1) // logged as "connection closed"
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest is an aborted handler.
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n" + body)
	_ = buf.Flush()
}

// Deny answers every request matching pattern with the vendor's 403, as
// when the credential's roles or scopes do not cover it (see Admit).
func (c *Core) Deny(pattern string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.denyRules = append(c.denyRules, pattern)
}

// Admit applies the rules in front of every fake's API, in this order: a
// credential the fake issued (else 401), no Deny rule (403), GET only
// (405). It reports whether r may go on; if not, the vendor's refusal is
// written.
func (c *Core) Admit(w http.ResponseWriter, r *http.Request, authorized bool) bool {
	var status int
	switch {
	case !authorized:
		status = http.StatusUnauthorized
	case c.denied(r):
		status = http.StatusForbidden
	case r.Method != http.MethodGet:
		status = http.StatusMethodNotAllowed
	default:
		return true
	}
	c.v.Refuse(w, status)
	return false
}

func (c *Core) denied(r *http.Request) bool {
	key, ok := c.key(r)
	if !ok {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.ContainsFunc(c.denyRules, func(p string) bool { return Match(p, key) })
}

func (c *Core) addPaging(pattern string, m Paging) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paging = append(c.paging, pagingRule{pattern, m})
}

// LoopNextLink makes lists matching pattern link every page to itself, as
// a misbehaving server would.
func (c *Core) LoopNextLink(pattern string) { c.addPaging(pattern, Paging{SamePage: true}) }

// LoopToFirstPage makes lists matching pattern link every page after the
// first back to the first page, as a server whose cursor resets would. A
// list that fits one page links to itself.
func (c *Core) LoopToFirstPage(pattern string) { c.addPaging(pattern, Paging{FirstPage: true}) }

// EndlessPages makes lists matching pattern never end: every page has
// items (the list's, cycled) and a fresh next link.
func (c *Core) EndlessPages(pattern string) { c.addPaging(pattern, Paging{Endless: true}) }

// Paging returns the paging faults that apply to r.
func (c *Core) Paging(r *http.Request) Paging {
	var m Paging
	key, ok := c.key(r)
	if !ok {
		return m
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.paging {
		if Match(p.pattern, key) {
			m.SamePage = m.SamePage || p.mode.SamePage
			m.FirstPage = m.FirstPage || p.mode.FirstPage
			m.Endless = m.Endless || p.mode.Endless
		}
	}
	return m
}

// Requests returns a copy of the request log, in order of arrival.
func (c *Core) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Request, len(c.requests))
	for i, r := range c.requests {
		out[i] = *r
	}
	return out
}

// ResetRequests clears the request log and the in-flight maximum.
func (c *Core) ResetRequests() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = nil
	c.maxIn = c.inFlight
}

// RequestCount counts logged requests whose key matches pattern.
func (c *Core) RequestCount(pattern string) int {
	n := 0
	for _, r := range c.Requests() {
		if key, ok := c.v.Key(r.Path); ok && Match(pattern, key) {
			n++
		}
	}
	return n
}

// MaxInFlight returns the largest number of requests held at once (see
// Hold) since the server started (or ResetRequests), to check a client's
// concurrency bound.
func (c *Core) MaxInFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxIn
}

// AssertReadOnly fails the test if any request other than a GET, or a
// POST to the token endpoint, reached the fake.
func (c *Core) AssertReadOnly(t testing.TB) {
	t.Helper()
	for _, r := range c.Requests() {
		if r.Method == http.MethodGet || (r.Method == http.MethodPost && c.v.TokenPath(r.Path)) {
			continue
		}
		t.Errorf("non-read request: %s %s", r.Method, r.Path)
	}
}

// recorder notes the status a handler answers with.
type recorder struct {
	http.ResponseWriter
	status int
	core   *Core
	logged *Request
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (Hijack).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recorder) final() int {
	if w.status == 0 {
		return http.StatusOK // nothing written: net/http sends 200
	}
	return w.status
}

// setStatus sets the status logged for w, for answers that write none.
// The log shows it at once: a client that sees the connection close may
// read the log before the handler returns.
func setStatus(w http.ResponseWriter, code int) {
	for {
		if rec, ok := w.(*recorder); ok {
			rec.status = code
			rec.core.mu.Lock()
			defer rec.core.mu.Unlock()
			rec.logged.Status = code
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}
