package fakeserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, key string
		want               bool
	}{
		{"prefix", "/api/v1/users", "/api/v1/users/00u1/factors", true},
		{"not a prefix", "/api/v1/groups", "/api/v1/users", false},
		{"glob", "/api/v1/users/*/factors", "/api/v1/users/00u1/factors", true},
		{"glob is whole", "/api/v1/users/*", "/api/v1/users/00u1/factors", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.pattern, tt.key); got != tt.want {
				t.Errorf("Match(%q, %q) = %v", tt.pattern, tt.key, got)
			}
		})
	}
}

// start serves c in front of a handler that answers 200 "ok" unless a
// fault or deny rule answers first.
func start(t *testing.T, c *Core) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, ok := c.Hold(w, r)
		defer release()
		if !ok || c.Inject(w, r) || !c.Admit(w, r, true) {
			return
		}
		_, _ = io.WriteString(w, "ok")
	})))
	t.Cleanup(srv.Close)
	return srv
}

func testCore() *Core {
	return New(Vendor{
		Key:       func(p string) (string, bool) { return strings.CutPrefix(p, "/api") },
		Error:     vendorError,
		Refuse:    vendorError,
		Garbage:   "[{",
		Truncated: `[{"id":`,
		Reset:     `[{"id":`,
		TokenPath: func(p string) bool { return p == "/token" },
	})
}

func vendorError(w http.ResponseWriter, status int) {
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "vendor error")
}

func get(t *testing.T, srv *httptest.Server, method, path string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestFaultsAreUsedUpInOrder(t *testing.T) {
	c := testCore()
	srv := start(t, c)
	c.FailAfter("/users", 1, http.StatusInternalServerError, 1)
	c.GarbageNext("/users", 1)
	c.TruncateNext("/users", 1)
	c.ResetNext("/users", 1)
	want := []struct {
		status int
		body   string
		cut    bool
	}{
		{200, "[{", false},           // the 500 lets one through; garbage is next
		{500, "vendor error", false}, // then the 500
		{200, `[{"id":`, true},       // truncated
		{0, "", true},                // reset
		{200, "ok", false},           // all used up
		{200, "ok", false},           // and stay so
	}
	for i, w := range want {
		st, body, err := get(t, srv, http.MethodGet, "/api/users")
		if (err != nil) != w.cut || (!w.cut && (st != w.status || body != w.body)) {
			t.Errorf("request %d: %d %q %v, want %d %q (cut %v)", i, st, body, err, w.status, w.body, w.cut)
		}
	}
	if _, body, _ := get(t, srv, http.MethodGet, "/api/groups"); body != "ok" {
		t.Errorf("another path got %q", body)
	}
	if n := c.RequestCount("/users"); n != len(want) {
		t.Errorf("RequestCount = %d, want %d", n, len(want))
	}
	reqs := c.Requests()
	if reqs[3].Status != -1 {
		t.Errorf("reset logged as %d, want -1: %+v", reqs[3].Status, reqs)
	}
}

func TestDenyAndPaging(t *testing.T) {
	c := testCore()
	srv := start(t, c)
	c.Deny("/logs")
	c.LoopToFirstPage("/users")
	c.EndlessPages("/users/*/groups")
	if st, _, _ := get(t, srv, http.MethodGet, "/api/logs?since=x"); st != http.StatusForbidden {
		t.Errorf("denied path: %d", st)
	}
	r := httptest.NewRequest(http.MethodGet, "/api/users/00u1/groups", nil)
	if got := c.Paging(r); !got.FirstPage || !got.Endless || got.SamePage {
		t.Errorf("Paging = %+v", got)
	}
	if got := c.Paging(httptest.NewRequest(http.MethodGet, "/elsewhere/users", nil)); got != (Paging{}) {
		t.Errorf("unkeyed path has paging faults %+v", got)
	}
}

func TestAssertReadOnly(t *testing.T) {
	c := testCore()
	srv := start(t, c)
	get(t, srv, http.MethodGet, "/api/users")
	get(t, srv, http.MethodPost, "/token")
	ft := &fakeT{TB: t}
	c.AssertReadOnly(ft)
	if ft.failed {
		t.Error("GET and the token POST are read-only")
	}
	get(t, srv, http.MethodDelete, "/api/users/00u1")
	c.AssertReadOnly(ft)
	if !ft.failed {
		t.Error("a DELETE passed")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}

func TestMaxInFlight(t *testing.T) {
	c := testCore()
	c.SetLatency(50 * time.Millisecond)
	srv := start(t, c)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { get(t, srv, http.MethodGet, "/api/users") })
	}
	wg.Wait()
	if m := c.MaxInFlight(); m < 2 || m > 4 {
		t.Errorf("MaxInFlight = %d, want 2..4", m)
	}
	c.ResetRequests()
	if len(c.Requests()) != 0 || c.MaxInFlight() != 0 {
		t.Errorf("ResetRequests left %d requests, max %d", len(c.Requests()), c.MaxInFlight())
	}
}
