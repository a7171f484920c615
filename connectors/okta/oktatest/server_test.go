package oktatest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

func get(t *testing.T, s *oktatest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+s.Token())
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestLinkHeaderPagination(t *testing.T) {
	s := oktatest.NewServer(t, oktatest.WithPageSize("users", 2))
	s.AddUsers(5)
	path := "/api/v1/users?limit=200"
	var ids []string
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		resp, body := get(t, s, path)
		if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
		links := resp.Header.Values("Link")
		if len(links) == 0 || !strings.HasSuffix(links[0], `rel="self"`) {
			t.Errorf("Link lines = %q", links)
		}
		var page []map[string]any
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			ids = append(ids, u["id"].(string))
		}
		path = ""
		for _, l := range links {
			if strings.HasSuffix(l, `rel="next"`) {
				if strings.Contains(l, "self") || strings.Count(l, "<") != 1 {
					t.Errorf("next link shares a header line: %q", l)
				}
				path = strings.TrimPrefix(l[1:strings.Index(l, ">")], s.URL)
			}
		}
	}
	if len(ids) != 5 || ids[0] != "00ugen00000000000000" || ids[4] != "00ugen00000000000004" {
		t.Errorf("ids = %v", ids)
	}
}

func TestAssigneesBodyPagination(t *testing.T) {
	s := oktatest.NewServer(t, oktatest.WithFixtures("../../../testdata/okta"), oktatest.WithPageSize("assignees", 1))
	_, body := get(t, s, "/api/v1/iam/assignees/users?limit=100")
	var page struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
		Links struct {
			Next struct {
				Href string `json:"href"`
			} `json:"next"`
		} `json:"_links"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != 1 || !strings.HasPrefix(page.Links.Next.Href, s.URL+"/api/v1/iam/assignees/users?") {
		t.Errorf("page = %+v", page)
	}
}

func TestRateLimitHeadersAnd429(t *testing.T) {
	s := oktatest.NewServer(t, oktatest.WithRateLimit("default", 2))
	for i, want := range []int{200, 200, 429} {
		resp, body := get(t, s, "/api/v1/groups")
		if resp.StatusCode != want {
			t.Fatalf("request %d: status %d, want %d", i, resp.StatusCode, want)
		}
		h := resp.Header
		if h.Get("X-Rate-Limit-Limit") != "2" || h.Get("X-Okta-Request-Id") == "" || h.Get("Date") == "" {
			t.Errorf("headers = %v", h)
		}
		reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
		if err != nil || reset < time.Now().Unix() {
			t.Errorf("reset = %q", h.Get("X-Rate-Limit-Reset"))
		}
		if want == 429 && (!strings.Contains(string(body), "E0000047") || h.Get("X-Rate-Limit-Remaining") != "0") {
			t.Errorf("429 = %s %v", body, h)
		}
	}
}

func TestHooks(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*oktatest.Server)
		status int
		body   string
	}{
		{"deny", func(s *oktatest.Server) { s.Deny("/api/v1/logs") }, 403, "E0000006"},
		{"fail next", func(s *oktatest.Server) { s.FailNext("/api/v1/logs", 500, 1) }, 500, "E0000009"},
		{"fail glob", func(s *oktatest.Server) { s.FailNext("/api/*/logs", 503, 1) }, 503, "errorCode"},
		{"garbage", func(s *oktatest.Server) { s.GarbageNext("/api/v1/logs", 1) }, 200, `[{"id":"00u1","status":`},
		{"429", func(s *oktatest.Server) { s.FailNext("/api/v1/logs", 429, 1) }, 429, "E0000047"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := oktatest.NewServer(t)
			tt.setup(s)
			resp, body := get(t, s, "/api/v1/logs")
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
				t.Errorf("got %d %s", resp.StatusCode, body)
			}
			if tt.name != "deny" {
				if resp, _ := get(t, s, "/api/v1/logs"); resp.StatusCode != 200 {
					t.Errorf("fault outlived its count: %d", resp.StatusCode)
				}
			}
			if n := s.RequestCount("/api/v1/logs"); n < 1 {
				t.Errorf("requests not logged")
			}
		})
	}
}

func TestAuthAndReadOnly(t *testing.T) {
	s := oktatest.NewServer(t)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "SSWS wrong")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodDelete, s.URL+"/api/v1/users/00u1", nil)
	req.Header.Set("Authorization", "SSWS "+s.Token())
	resp, err = s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
	// AssertReadOnly itself is tested in internal/fakeserver.
}

func TestLogsBoundedAndPolling(t *testing.T) {
	s := oktatest.NewServer(t, oktatest.WithFixtures("../../../testdata/okta"))
	resp, _ := get(t, s, "/api/v1/logs?since=2026-10-27T12:00:00.000Z&until=2026-11-26T12:00:00.000Z")
	for _, l := range resp.Header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			t.Errorf("bounded query's last page has a next link: %q", l)
		}
	}
	resp, _ = get(t, s, "/api/v1/logs?since=2026-10-27T12:00:00.000Z")
	next := false
	for _, l := range resp.Header.Values("Link") {
		next = next || strings.Contains(l, `rel="next"`)
	}
	if !next {
		t.Error("polling query without a next link")
	}
}
