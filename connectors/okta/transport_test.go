package okta

import (
	"context"
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
		// Half of the 600 a window, less the one just answered, over 50s.
		{"plenty left", response(200, 500, time.Now().Add(50*time.Second)), false, 5.5, 6.5},
		{"429 blocks and keeps no rate", response(429, 0, soon), true, -1, -1},
		{"no headers", &http.Response{StatusCode: 200, Header: http.Header{}}, false, -1, -1},
		// Without X-Rate-Limit-Limit the limit is taken as 501: half of it
		// less the one answered, over 50s.
		{"no limit header", func() *http.Response {
			r := response(200, 500, time.Now().Add(50*time.Second))
			r.Header.Del("X-Rate-Limit-Limit")
			return r
		}(), false, 4.5, 5.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(10 * time.Second)
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

// TestPacerShare: within one window the pacer lets through at most the
// share of the limit (here 50% of 10), then blocks the bucket until the
// reset; and it counts the bucket's other users, stopping when the total
// reaches the ceiling (the org's warning threshold).
func TestPacerShare(t *testing.T) {
	tests := []struct {
		name           string
		share, ceiling float64
		remaining      int // after our first request
		want           int // requests let through before the block
	}{
		{"half of the limit", 0.5, 0.9, 9, 5},
		{"others used 4: the 60% ceiling leaves one more", 0.5, 0.6, 5, 2},
		{"full share capped by the ceiling", 1, 0.7, 9, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPacer(10 * time.Second)
			p.setShare(tt.share, tt.ceiling)
			reset := time.Now().Add(30 * time.Second).Truncate(time.Second)
			h := response(200, tt.remaining, reset)
			h.Header.Set("X-Rate-Limit-Limit", "10")
			p.observe("b", h)
			p.buckets["b"].lim = nil // no smoothing: count only
			n := 1
			for ; n < 20; n++ {
				ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
				release, err := p.wait(ctx, "b")
				cancel()
				if err != nil {
					break
				}
				release()
				r := response(200, tt.remaining-n, reset)
				r.Header.Set("X-Rate-Limit-Limit", "10")
				p.observe("b", r)
				p.buckets["b"].lim = nil
			}
			if n != tt.want {
				t.Errorf("let through %d requests in the window, want %d", n, tt.want)
			}
			if until := p.buckets["b"].blockedUntil; until.Before(reset) {
				t.Errorf("blocked until %v, before the reset %v", until, reset)
			}
		})
	}
}

func TestPacerWaitHonoursBlock(t *testing.T) {
	p := newPacer(5 * time.Second)
	// Reset is whole epoch seconds: two seconds ahead is at least one away.
	p.observe("b", response(429, 0, time.Now().Add(2*time.Second)))
	start := time.Now()
	release, err := p.wait(t.Context(), "b")
	if err != nil {
		t.Fatal(err)
	}
	release()
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("wait returned after %v, before the reset", d)
	}
	p.observe("b", response(429, 0, time.Now().Add(time.Hour)))
	if until := time.Until(p.buckets["b"].blockedUntil); until > 5100*time.Millisecond {
		t.Errorf("a far reset blocks for %v, more than maxWait", until)
	}
}
