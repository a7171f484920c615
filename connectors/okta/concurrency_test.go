package okta_test

import (
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// TestFactorWorkersBounded watches the factor workers from the server's
// side: with every answer taking 10ms while the fake reads its org, several
// must be answered at once (a fake that serialised its requests would show
// one), and never more than Config.Concurrency.
func TestFactorWorkersBounded(t *testing.T) {
	const users = 300
	srv := oktatest.NewServer(t, oktatest.WithLatency(10*time.Millisecond))
	srv.AddUsers(users)
	c := connector(t, srv, func(c *okta.Config) { c.Concurrency = 6 })
	src := collect(t, c)
	if cov := coverage(t, src, evidence.DSFactors); cov.Status != evidence.Complete || cov.Items != users {
		t.Fatalf("factors coverage = %+v", cov)
	}
	if n := srv.RequestCount("/api/v1/users/*/factors"); n != users {
		t.Errorf("%d factor requests, want %d", n, users)
	}
	m := srv.MaxInFlight()
	t.Logf("%d factor requests, at most %d in flight (bound 6)", users, m)
	if m <= 1 || m > 6 {
		t.Errorf("max in-flight requests %d, want 2..6", m)
	}
	srv.AssertReadOnly(t)
}
