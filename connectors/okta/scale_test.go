package okta_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// TestCollect20kUsersAtRateLimit reads 20,000 generated users whose factor
// endpoint is limited to 15,000 requests a minute (250/s; Okta's real
// per-minute buckets are smaller, which only makes the run longer). The
// paced worker pool must lose no user and reach at least 85% of the limit.
func TestCollect20kUsersAtRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: about 90 seconds")
	}
	const (
		users     = 20000
		perMinute = 15000
	)
	srv := oktatest.NewServer(t, oktatest.WithRateLimit("factors", perMinute))
	srv.AddUsers(users)
	c := connector(t, srv, func(c *okta.Config) {
		c.Concurrency = 8
		c.MaxRateLimitWait = 65 * time.Second
	})
	start := time.Now()
	src := collect(t, c)
	elapsed := time.Since(start)

	if len(src.Accounts) != users {
		t.Fatalf("accounts = %d, want %d", len(src.Accounts), users)
	}
	if cov := coverage(t, src, evidence.DSFactors); cov.Status != evidence.Complete || cov.Items != users {
		t.Errorf("factors coverage = %+v", cov)
	}
	for i, a := range src.Accounts {
		want := 1
		if i%3 == 0 {
			want = 2
		}
		if a.MethodsError != "" || len(a.Methods) != want {
			t.Fatalf("account %s: %d methods, error %q (want %d)", a.ID, len(a.Methods), a.MethodsError, want)
		}
	}

	var first, last time.Time
	ok, limited := 0, 0
	for _, r := range srv.Requests() {
		if !strings.HasSuffix(r.Path, "/factors") {
			continue
		}
		if first.IsZero() {
			first = r.Time
		}
		last = r.Time
		switch r.Status {
		case 200:
			ok++
		case 429:
			limited++
		}
	}
	span := last.Sub(first).Seconds()
	rate := float64(ok) / span
	limit := float64(perMinute) / 60
	t.Logf("20k users: %d factor reads in %.1fs = %.1f req/s (%.0f%% of the %.0f req/s limit), %d x 429, whole collect %s",
		ok, span, rate, 100*rate/limit, limit, limited, elapsed.Round(time.Millisecond))
	if rate < 0.85*limit {
		t.Errorf("throughput %.1f req/s is below 85%% of the limit (%.1f req/s)", rate, limit)
	}
	if rate > limit*1.02 {
		t.Errorf("throughput %.1f req/s exceeds the limit %.1f req/s: the fake is not limiting", rate, limit)
	}
}
