package entra

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// faultTarget is a representative dataset and the Graph path that reads it.
type faultTarget struct {
	ds     string
	prefix string
	// deps are datasets that legitimately degrade with it.
	deps []string
}

var faultTargets = []faultTarget{
	{evidence.DSUsers, "/users", []string{evidence.DSRegDetails, evidence.DSAuthMethods, evidence.DSGroups}},
	{evidence.DSRegDetails, "/reports/authenticationMethods/userRegistrationDetails", []string{evidence.DSAuthMethods}},
	{evidence.DSAudits, "/auditLogs/directoryAudits", nil},
	{evidence.DSCondAccess, "/identity/conditionalAccess/policies", nil},
}

// faultCase is one vendor-API failure, injected on a target's path.
type faultCase struct {
	name   string
	inject func(s *graphtest.Server, prefix string)
	want   evidence.CoverageStatus
	detail string
	// kept: the fault hits the second page, so the first page's items
	// must survive in the coverage count.
	kept bool
}

var faultCases = []faultCase{
	{name: "429 storm past every retry", want: evidence.Errored, detail: "HTTP 429",
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusTooManyRequests, -1) }},
	{name: "short 429 storm recovers", want: evidence.Complete,
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusTooManyRequests, 2) }},
	{name: "500 burst", want: evidence.Errored, detail: "HTTP 500",
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusInternalServerError, -1) }},
	{name: "502 burst", want: evidence.Errored, detail: "HTTP 502",
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusBadGateway, -1) }},
	{name: "two 502s then success", want: evidence.Complete,
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusBadGateway, 2) }},
	{name: "503 burst past every retry", want: evidence.Errored, detail: "HTTP 503",
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusServiceUnavailable, -1) }},
	{name: "one 503 then success", want: evidence.Complete,
		inject: func(s *graphtest.Server, p string) { s.FailNext(p, http.StatusServiceUnavailable, 1) }},
	{name: "connection reset mid-page", want: evidence.Errored, detail: "connection closed", kept: true,
		inject: func(s *graphtest.Server, p string) { s.ResetAfter(p, 1, 1) }},
	{name: "truncated body (Content-Length not honoured)", want: evidence.Errored, detail: "response cut off",
		inject: func(s *graphtest.Server, p string) { s.TruncateNext(p, 1) }},
	{name: "invalid JSON", want: evidence.Errored, detail: "invalid JSON",
		inject: func(s *graphtest.Server, p string) { s.GarbageNext(p, 1) }},
	{name: "slow response past the deadline", want: evidence.Errored, detail: "timed out",
		inject: func(s *graphtest.Server, p string) { s.SlowNext(p, 12*time.Second, 1) }},
	{name: "nextLink loops back to the first page", want: evidence.Errored, detail: "repeats a page", kept: true,
		inject: func(s *graphtest.Server, p string) { s.LoopToFirstPage(p) }},
	{name: "a collection that never ends", want: evidence.Errored, detail: "more than 25 pages", kept: true,
		inject: func(s *graphtest.Server, p string) { s.EndlessPages(p) }},
	{name: "403 on the dataset", want: evidence.Denied, detail: "Authorization_RequestDenied",
		inject: func(s *graphtest.Server, p string) { s.Deny(p) }},
}

// faultBound is the longest one faulty collection may take.
const faultBound = 20 * time.Second

// TestFaultMatrix runs every vendor-API fault against each representative
// dataset: Collect returns in bounded time without an error, the dataset's
// coverage says what happened, the datasets it does not feed stay complete,
// and what was read before the fault is kept.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("fault matrix: about a minute")
	}
	calm := collect(t, config(graphtest.NewServer(t, graphtest.WithMaxPageSize(3))))
	if calm.err != nil {
		t.Fatal(calm.err)
	}
	for _, fc := range faultCases {
		for _, tg := range faultTargets {
			t.Run(fc.name+"/"+tg.ds, func(t *testing.T) {
				s := graphtest.NewServer(t, graphtest.WithMaxPageSize(3))
				fc.inject(s, tg.prefix)
				cfg := config(s)
				cfg.MaxRetries = 2
				cfg.RequestTimeout = 3 * time.Second
				cfg.MaxPages = 25
				c, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), 2*faultBound)
				defer cancel()
				start := time.Now()
				src, err := c.Collect(ctx, evidence.CollectOptions{Now: scanTime, Since: scanTime.AddDate(0, 0, -30)})
				took := time.Since(start)
				t.Logf("%s/%s: %s", fc.name, tg.ds, took.Round(10*time.Millisecond))
				if took > faultBound {
					t.Errorf("Collect took %s, bound %s", took, faultBound)
				}
				if err != nil {
					t.Fatalf("Collect: %v (a dataset fault must not fail the whole tenant)", err)
				}
				cov := coverage(t, src, tg.ds)
				if cov.Status != fc.want || !strings.Contains(cov.Detail, fc.detail) {
					t.Errorf("%s coverage = %+v, want %s naming %q", tg.ds, cov, fc.want, fc.detail)
				}
				if fc.kept && cov.Items == 0 {
					t.Errorf("%s: items read before the fault were dropped: %+v", tg.ds, cov)
				}
				if tg.ds == evidence.DSUsers && fc.kept && len(src.Accounts) == 0 {
					t.Errorf("accounts read before the fault were dropped")
				}
				for _, other := range evidence.Datasets[evidence.Entra] {
					if other == tg.ds || (fc.want != evidence.Complete && contains(tg.deps, other)) {
						continue
					}
					oc, bc := coverage(t, src, other), coverage(t, calm.src, other)
					if oc.Status != evidence.Complete || oc.Items != bc.Items {
						t.Errorf("%s affected by a fault on %s: %+v (calm: %d items)", other, tg.ds, oc, bc.Items)
					}
				}
				if fc.want == evidence.Complete {
					a, _ := evidence.Canonical(calm.src)
					b, _ := evidence.Canonical(src)
					if string(a) != string(b) {
						t.Errorf("a recovered fault changed the evidence")
					}
				}
				s.AssertReadOnly(t)
			})
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
