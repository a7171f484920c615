package oktatest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// try sends one GET and returns the response and the error of reading its
// body (the request itself must succeed unless ctx ends).
func try(t *testing.T, ctx context.Context, s *oktatest.Server, path string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+s.Token())
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func nextLink(resp *http.Response) string {
	for _, l := range resp.Header.Values("Link") {
		if strings.HasSuffix(l, `rel="next"`) {
			return strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ";")[0], "<"), ">")
		}
	}
	return ""
}

func TestFaultHooks(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*oktatest.Server)
	}{
		{"reset", func(s *oktatest.Server) { s.ResetNext("/api/v1/users", 1) }},
		{"truncate", func(s *oktatest.Server) { s.TruncateNext("/api/v1/users", 1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oktatest.NewServer(t)
			s.AddUsers(3)
			tt.setup(s)
			resp, body, err := try(t, t.Context(), s, "/api/v1/users")
			if err == nil {
				t.Fatalf("body read without error: %d %q", resp.StatusCode, body)
			}
			if resp == nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "[{") {
				t.Errorf("want a 200 cut mid-body; got %v, body %q, err %v", resp, body, err)
			}
			// The fault is used up: the next request is whole.
			if _, _, err := try(t, t.Context(), s, "/api/v1/users"); err != nil {
				t.Errorf("second request: %v", err)
			}
		})
	}
}

func TestSlowNext(t *testing.T) {
	s := oktatest.NewServer(t)
	s.AddUsers(2)
	s.SlowNext("/api/v1/users", 5*time.Second, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := try(t, ctx, s, "/api/v1/users")
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	// The fake serves other requests while one is held back.
	start := time.Now()
	if _, _, err := try(t, t.Context(), s, "/api/v1/groups"); err != nil || time.Since(start) > 2*time.Second {
		t.Errorf("groups during a slow users answer: %v after %s", err, time.Since(start))
	}
	if err := <-done; err == nil {
		t.Error("a request held 5s beat a 300ms deadline")
	}
	start = time.Now()
	if _, _, err := try(t, t.Context(), s, "/api/v1/users"); err != nil || time.Since(start) > 2*time.Second {
		t.Errorf("after the slow one: %v after %s", err, time.Since(start))
	}
}

func TestLoopToFirstPage(t *testing.T) {
	s := oktatest.NewServer(t, oktatest.WithPageSize("users", 2))
	s.AddUsers(5)
	s.LoopToFirstPage("/api/v1/users")
	resp, _, err := try(t, t.Context(), s, "/api/v1/users?limit=200")
	if err != nil {
		t.Fatal(err)
	}
	second := nextLink(resp)
	if !strings.Contains(second, "after=c2") {
		t.Fatalf("first page next = %q, want the second page", second)
	}
	resp, _, err = try(t, t.Context(), s, strings.TrimPrefix(second, s.URL))
	if err != nil {
		t.Fatal(err)
	}
	if back := nextLink(resp); !strings.Contains(back, "after=c0") {
		t.Errorf("second page next = %q, want a link back to the first page", back)
	}
}

func TestEndlessPages(t *testing.T) {
	for _, p := range []string{"/api/v1/users?limit=200", "/api/v1/logs?since=2026-01-01T00:00:00.000Z&until=2026-12-01T00:00:00.000Z"} {
		t.Run(p, func(t *testing.T) {
			s := oktatest.NewServer(t, oktatest.WithPageSize("users", 2), oktatest.WithPageSize("logs", 2))
			s.AddUsers(3)
			s.EndlessPages(strings.Split(p, "?")[0])
			path := p
			seen := map[string]bool{}
			for range 30 {
				resp, body, err := try(t, t.Context(), s, path)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: %v %v %s", path, err, resp, body)
				}
				var page []map[string]any
				if err := json.Unmarshal(body, &page); err != nil || len(page) == 0 {
					t.Fatalf("page %q: %v", body, err)
				}
				next := nextLink(resp)
				if next == "" || seen[next] {
					t.Fatalf("next link %q missing or repeated", next)
				}
				seen[next] = true
				path = strings.TrimPrefix(next, s.URL)
			}
		})
	}
}
