package okta_test

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// TestBenchIncremental100k is the README's incremental benchmark, run by
// hand (minutes):
//
//	SHADOWPATH_BENCH=1 go test ./connectors/okta -run TestBenchIncremental100k -v -timeout 30m
//
// A full collection of a 100,000-user org, then 1% of the users changed
// (enrolments, resets, deprovisioning, group changes, each with its System
// Log event), then an incremental collection from the first snapshot, both
// under the same factor rate limit (SHADOWPATH_BENCH_LIMIT per minute,
// default 60,000) at the default 50% share; then a full collection of the
// changed org, which must hold the same evidence.
func TestBenchIncremental100k(t *testing.T) {
	if os.Getenv("SHADOWPATH_BENCH") == "" {
		t.Skip("benchmark: set SHADOWPATH_BENCH=1 (several minutes)")
	}
	users, changed, limit := 100000, 1000, 60000
	if v, err := strconv.Atoi(os.Getenv("SHADOWPATH_BENCH_LIMIT")); err == nil && v > 0 {
		limit = v
	}
	srv := oktatest.NewServer(t, oktatest.WithRateLimit("factors", limit))
	srv.AddUsers(users)
	conn := func(base *okta.Base) *okta.Connector {
		return connector(t, srv, func(c *okta.Config) {
			c.MaxRateLimitWait = 65 * time.Second
			c.Base = base
		})
	}
	start := time.Now()
	full := collectAt(t, conn(nil), t1)
	fullTook := time.Since(start)
	fullReqs := len(srv.Requests())
	fullFactor := srv.RequestCount("/api/v1/users/*/factors")

	rnd := rand.New(rand.NewSource(1))
	touched := map[string]bool{}
	for i := 0; len(touched) < changed; i++ {
		uid := fmt.Sprintf("00ugen%014d", rnd.Intn(users))
		if touched[uid] {
			continue
		}
		touched[uid] = true
		at := t1.Add(time.Duration(i) * time.Second)
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			srv.EnrollFactor(at, uid, oktatest.Object{"id": "fwfbench" + uid[6:], "factorType": "webauthn", "provider": "FIDO", "status": "ACTIVE", "profile": oktatest.Object{"authenticatorName": "YubiKey"}})
		case 5, 6, 7:
			srv.ResetFactors(at, uid, uid) // the user resets their own: the actor is the target
		case 8:
			srv.Deprovision(at, uid, uid)
		case 9:
			srv.AddToGroup(at, uid, "00gbenchgroup", uid)
		}
	}
	start = time.Now()
	incr := collectAt(t, conn(&okta.Base{Snapshot: &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{full}}}), t2)
	incrTook := time.Since(start)
	reqs := srv.Requests()[fullReqs:]
	var factorReads, logPages, other int
	for _, r := range reqs {
		switch {
		case strings.HasSuffix(r.Path, "/factors"):
			factorReads++
		case r.Path == "/api/v1/logs":
			logPages++
		default:
			other++
		}
	}
	col := incr.Collection
	t.Logf("full: %d users, %d requests (%d factor reads) in %s", len(full.Accounts), fullReqs, fullFactor, fullTook.Round(time.Millisecond))
	t.Logf("incremental: %d changed users; %d requests = %d factor reads + %d log pages + %d other pages; %d of %d users re-read, %d carried over, in %s: %.1fx less wall time",
		changed, len(reqs), factorReads, logPages, other, col.Reread, col.Users, col.CarriedOver, incrTook.Round(time.Millisecond), fullTook.Seconds()/incrTook.Seconds())
	if col.Mode != evidence.CollectIncremental {
		t.Fatalf("mode %s: %s", col.Mode, col.FullReason)
	}
	if factorReads > changed {
		t.Errorf("%d factor reads for %d changed users", factorReads, changed)
	}
	if cheap := fullReqs - fullFactor; other > cheap+1 {
		t.Errorf("%d other requests, the full read's cheap datasets took %d", other, cheap)
	}
	if fullTook < 20*incrTook {
		t.Errorf("incremental took %s, not 20x less than the full %s", incrTook, fullTook)
	}
	again := collectAt(t, conn(nil), t2)
	noUserDropped(t, again, incr)
	sameEvidence(t, again, incr)
}
