package okta_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// pacing summarises the factor requests a fake served: the rate between
// the first and the last, the most served in one rate-limit window, and
// how many were answered 429.
type pacing struct {
	ok, limited int
	rate        float64 // per second
	maxWindow   int
}

func measure(srv *oktatest.Server, window time.Duration) pacing {
	var p pacing
	var first, last time.Time
	per := map[time.Time]int{}
	for _, r := range srv.Requests() {
		if !strings.HasSuffix(r.Path, "/factors") {
			continue
		}
		switch r.Status {
		case 200:
			p.ok++
		case 429:
			p.limited++
			continue
		}
		if first.IsZero() {
			first = r.Time
		}
		last = r.Time
		w := r.Time.Truncate(window) // the fake's windows are aligned so
		per[w]++
		p.maxWindow = max(p.maxWindow, per[w])
	}
	if span := last.Sub(first).Seconds(); span > 0 {
		p.rate = float64(p.ok) / span
	}
	return p
}

// scaleRun collects users generated users whose factor endpoint allows
// perWindow requests per window, at the default 50% share, and checks that
// no user is lost, no request is refused, no window gets more than the
// share and the throughput reaches 90% of the share.
func scaleRun(t *testing.T, users, perWindow int, window time.Duration) {
	t.Helper()
	srv := oktatest.NewServer(t, oktatest.WithRateLimit("factors", perWindow), oktatest.WithRateLimitWindow(window))
	srv.AddUsers(users)
	c := connector(t, srv, func(c *okta.Config) {
		c.Concurrency = 8
		c.MaxRateLimitWait = window + 5*time.Second
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
	share := src.Collection.RateShare
	if share != okta.DefaultRateShare {
		t.Errorf("rate share %v, want the default %v", share, okta.DefaultRateShare)
	}
	p := measure(srv, window)
	target := share * float64(perWindow) / window.Seconds()
	t.Logf("%d users, %d/%s limit, share %.0f%%: %d factor reads at %.1f req/s = %.0f%% of the share's %.1f req/s; most in one window %d (share %d); %d x 429; whole collect %s",
		users, perWindow, window, share*100, p.ok, p.rate, 100*p.rate/target, target, p.maxWindow, int(share*float64(perWindow)), p.limited, elapsed.Round(time.Millisecond))
	if p.limited > 0 {
		t.Errorf("%d requests answered 429", p.limited)
	}
	if p.rate < 0.9*target {
		t.Errorf("throughput %.1f req/s is below 90%% of the share (%.1f req/s)", p.rate, target)
	}
	if p.maxWindow > int(share*float64(perWindow)) {
		t.Errorf("%d factor reads in one window, more than the share (%d)", p.maxWindow, int(share*float64(perWindow)))
	}
}

// TestCollectOneSecondWindows: limits given in one-second windows (reset
// in whole epoch seconds) are paced as well as one-minute ones. Before the
// share, the pacer rounded the time left to at least a second and reached
// 56% of such a limit.
func TestCollectOneSecondWindows(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: about 10 seconds")
	}
	scaleRun(t, 2000, 400, time.Second)
}

// TestCollect20kUsersAtRateLimit reads 20,000 generated users whose factor
// endpoint allows 30,000 requests a minute (Okta's real buckets are smaller,
// which only makes the run longer): at the 50% share, 250/s.
func TestCollect20kUsersAtRateLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: about 80 seconds")
	}
	scaleRun(t, 20000, 30000, time.Minute)
}
