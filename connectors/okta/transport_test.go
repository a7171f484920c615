package okta

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestBucketOf(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/api/v1/users", "/api/v1/users"},
		{"/api/v1/users/00u1/factors", "/api/v1/users/{id}/factors"},
		{"/api/v1/users/00u2/factors", "/api/v1/users/{id}/factors"},
		{"/api/v1/apps/0oa1/credentials/secrets", "/api/v1/apps/{id}/credentials/secrets"},
		{"/oauth2/v1/clients/0oa1/roles", "/oauth2/v1/clients/{id}/roles"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := bucketOf(tt.path); got != tt.want {
				t.Errorf("bucketOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func response(status, remaining int, reset time.Time) *http.Response {
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "600")
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return &http.Response{StatusCode: status, Header: h}
}

func TestPacer(t *testing.T) {
	soon := time.Now().Add(3 * time.Second)
	tests := []struct {
		name      string
		resp      *http.Response
		blocked   bool
		rateAbove float64 // requests per second; -1 = no limiter
		rateBelow float64
	}{
		{"plenty left", response(200, 500, time.Now().Add(50*time.Second)), false, 8, 11},
		{"low remaining blocks until reset", response(200, 3, soon), true, 0, 2},
		{"429 blocks and keeps no rate", response(429, 0, soon), true, -1, -1},
		{"no headers", &http.Response{StatusCode: 200, Header: http.Header{}}, false, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(10*time.Second, 8)
			p.observe("b", tt.resp)
			st := p.buckets["b"]
			if blocked := time.Now().Before(st.blockedUntil); blocked != tt.blocked {
				t.Errorf("blocked = %v, want %v (until %v)", blocked, tt.blocked, st.blockedUntil)
			}
			if tt.rateAbove < 0 {
				if st.lim != nil {
					t.Errorf("limiter set to %v", st.lim.Limit())
				}
				return
			}
			if st.lim == nil {
				t.Fatal("no limiter")
			}
			if r := float64(st.lim.Limit()); r < tt.rateAbove || r > tt.rateBelow {
				t.Errorf("rate = %.2f/s, want in [%v, %v]", r, tt.rateAbove, tt.rateBelow)
			}
		})
	}
}

func TestPacerWaitHonoursBlock(t *testing.T) {
	p := newPacer(5*time.Second, 1)
	// Reset is whole epoch seconds: two seconds ahead is at least one away.
	p.observe("b", response(429, 0, time.Now().Add(2*time.Second)))
	start := time.Now()
	if err := p.wait(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("wait returned after %v, before the reset", d)
	}
	p.observe("b", response(429, 0, time.Now().Add(time.Hour)))
	if until := time.Until(p.buckets["b"].blockedUntil); until > 5100*time.Millisecond {
		t.Errorf("a far reset blocks for %v, more than maxWait", until)
	}
}
