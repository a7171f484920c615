package graphtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultHooks(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*Server)
		bodyOK bool
	}{
		{"reset", func(s *Server) { s.ResetNext("/users", 1) }, false},
		{"truncate", func(s *Server) { s.TruncateNext("/users", 1) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(t)
			tc.inject(s)
			tok := s.StaticToken()
			get := func() (*http.Response, error) {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/v1.0/users", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := s.Client().Do(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				_, err = io.ReadAll(resp.Body)
				return resp, err
			}
			resp, err := get()
			if err == nil || resp == nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("want a 200 whose body is cut: %v %v", resp, err)
			}
			if _, err := get(); err != nil {
				t.Errorf("the fault was not used up: %v", err)
			}
		})
	}
}

func TestPagingFaults(t *testing.T) {
	follow := func(t *testing.T, s *Server, pages int) []string {
		t.Helper()
		tok := s.StaticToken()
		next := s.URL + "/v1.0/users"
		var links []string
		for range pages {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, next, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Value []map[string]any `json:"value"`
				Next  string           `json:"@odata.nextLink"`
			}
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil || len(body.Value) == 0 {
				t.Fatalf("page %s: %v, %d items", next, err, len(body.Value))
			}
			if body.Next == "" {
				break
			}
			links = append(links, body.Next)
			next = body.Next
		}
		return links
	}
	t.Run("loop to first page", func(t *testing.T) {
		s := NewServer(t, WithMaxPageSize(3))
		s.LoopToFirstPage("/users")
		links := follow(t, s, 3)
		if len(links) < 2 || !strings.Contains(links[1], "skiptoken=0") {
			t.Errorf("links %q: the second page should link back to the first", links)
		}
	})
	t.Run("endless", func(t *testing.T) {
		s := NewServer(t, WithMaxPageSize(3))
		s.EndlessPages("/users")
		links := follow(t, s, 40)
		seen := map[string]bool{}
		for _, l := range links {
			if seen[l] {
				t.Fatalf("repeated link %s", l)
			}
			seen[l] = true
		}
		if len(links) != 40 {
			t.Errorf("%d links, want a fresh one on each of 40 pages", len(links))
		}
	})
	t.Run("slow", func(t *testing.T) {
		s := NewServer(t)
		s.SlowNext("/users", 5*time.Second, 1)
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/v1.0/users", nil)
		req.Header.Set("Authorization", "Bearer "+s.StaticToken())
		if resp, err := s.Client().Do(req); err == nil {
			resp.Body.Close()
			t.Fatal("a 5s answer beat a 300ms deadline")
		}
		start := time.Now()
		if links := follow(t, s, 1); time.Since(start) > 2*time.Second {
			t.Errorf("the next request was slow too (%v)", links)
		}
	})
}
