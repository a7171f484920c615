package okta_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// faultTarget is a representative dataset and the requests that read it.
type faultTarget struct {
	ds      string
	pattern string // oktatest pattern of its requests
	bucket  string // page-size bucket, "" for a per-user dataset
	// deps are datasets that legitimately degrade with it.
	deps []string
	// wholeLists: a list that fails is dropped whole (a policy list read in
	// part would misjudge priorities); other lists keep what they read.
	wholeLists bool
}

var faultTargets = []faultTarget{
	// user* matches /api/v1/users but not /api/v1/users/{id}/…
	{evidence.DSUsers, "/api/v1/user*", "users", []string{evidence.DSFactors, evidence.DSRoles, evidence.DSAPITokens}, false},
	{evidence.DSFactors, "/api/v1/users/" + aliceSMS + "/factors", "", nil, false},
	{evidence.DSSystemLog, "/api/v1/logs", "logs", nil, false},
	{evidence.DSPolicies, "/api/v1/polic*", "policies", []string{evidence.DSAuthn}, true},
}

// faultCase is one vendor-API failure. inject applies it to a target;
// paged-only faults (loops, endless lists) skip per-user targets.
type faultCase struct {
	name   string
	inject func(s *oktatest.Server, tg faultTarget)
	paged  bool
	// want is the target's coverage; a per-user target degrades to partial
	// with the failed user's methods_error naming the fault instead.
	want   evidence.CoverageStatus
	detail string
	// kept: items read before the fault must survive (the fault hits the
	// second page of a paged target).
	kept bool
}

var faultCases = []faultCase{
	{name: "429 storm past every retry", want: evidence.Errored, detail: "HTTP 429",
		inject: func(s *oktatest.Server, tg faultTarget) { s.FailNext(tg.pattern, http.StatusTooManyRequests, 1000) }},
	{name: "short 429 storm recovers", want: evidence.Complete,
		inject: func(s *oktatest.Server, tg faultTarget) { s.FailNext(tg.pattern, http.StatusTooManyRequests, 3) }},
	{name: "500 burst", want: evidence.Errored, detail: "HTTP 500", kept: true,
		inject: func(s *oktatest.Server, tg faultTarget) {
			s.FailAfter(tg.pattern, skip(tg), http.StatusInternalServerError, 1000)
		}},
	{name: "502 burst", want: evidence.Errored, detail: "HTTP 502", kept: true,
		inject: func(s *oktatest.Server, tg faultTarget) {
			s.FailAfter(tg.pattern, skip(tg), http.StatusBadGateway, 1000)
		}},
	{name: "two 502s then success", want: evidence.Complete,
		inject: func(s *oktatest.Server, tg faultTarget) { s.FailAfter(tg.pattern, skip(tg), http.StatusBadGateway, 2) }},
	{name: "one 503 then success", want: evidence.Complete,
		inject: func(s *oktatest.Server, tg faultTarget) {
			s.FailAfter(tg.pattern, skip(tg), http.StatusServiceUnavailable, 1)
		}},
	{name: "connection reset mid-page", want: evidence.Errored, detail: "connection closed", kept: true,
		inject: func(s *oktatest.Server, tg faultTarget) { s.ResetAfter(tg.pattern, skip(tg), 1) }},
	{name: "truncated body (Content-Length not honoured)", want: evidence.Errored, detail: "response cut off",
		inject: func(s *oktatest.Server, tg faultTarget) { s.TruncateNext(tg.pattern, 1) }},
	{name: "invalid JSON", want: evidence.Errored, detail: "invalid JSON",
		inject: func(s *oktatest.Server, tg faultTarget) { s.GarbageNext(tg.pattern, 1) }},
	{name: "slow response past the deadline", want: evidence.Errored, detail: "timed out",
		inject: func(s *oktatest.Server, tg faultTarget) { s.SlowNext(tg.pattern, 12*time.Second, 1) }},
	{name: "next link loops back to the first page", paged: true, want: evidence.Errored, detail: "repeats a page", kept: true,
		inject: func(s *oktatest.Server, tg faultTarget) { s.LoopToFirstPage(tg.pattern) }},
	{name: "a list that never ends", paged: true, want: evidence.Errored, detail: "more than 25 pages", kept: true,
		inject: func(s *oktatest.Server, tg faultTarget) { s.EndlessPages(tg.pattern) }},
	{name: "403 on the dataset", want: evidence.Denied, detail: "E0000006",
		inject: func(s *oktatest.Server, tg faultTarget) { s.Deny(tg.pattern) }},
}

// skip lets the first page of a paged target through, so the fault lands
// mid-list; per-user targets fail on their only request.
func skip(tg faultTarget) int {
	if tg.bucket == "" {
		return 0
	}
	return 1
}

// faultBound is the longest one faulty collection may take.
const faultBound = 20 * time.Second

// TestFaultMatrix runs every vendor-API fault against each representative
// dataset: Collect must return in bounded time without an error, the
// dataset's coverage must say what happened, the datasets it does not feed
// must stay complete, and what was read before the fault must be kept.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("fault matrix: about a minute")
	}
	base := collect(t, connector(t, newFake(t)))
	for _, fc := range faultCases {
		for _, tg := range faultTargets {
			if fc.paged && tg.bucket == "" {
				continue
			}
			t.Run(fc.name+"/"+tg.ds, func(t *testing.T) {
				opts := []oktatest.Option{}
				if tg.bucket != "" {
					opts = append(opts, oktatest.WithPageSize(tg.bucket, 3))
				}
				srv := newFake(t, opts...)
				fc.inject(srv, tg)
				c := connector(t, srv, func(cfg *okta.Config) {
					cfg.RequestTimeout = 3 * time.Second
					cfg.MaxPages = 25
				})
				ctx, cancel := context.WithTimeout(t.Context(), 2*faultBound)
				defer cancel()
				start := time.Now()
				src, err := c.Collect(ctx, evidence.CollectOptions{Now: scanNow, Since: scanSince})
				took := time.Since(start)
				t.Logf("%s/%s: %s", fc.name, tg.ds, took.Round(10*time.Millisecond))
				if took > faultBound {
					t.Errorf("Collect took %s, bound %s", took, faultBound)
				}
				if err != nil {
					t.Fatalf("Collect: %v (a dataset fault must not fail the whole org)", err)
				}
				cov := coverage(t, src, tg.ds)
				want, detail := fc.want, fc.detail
				if tg.bucket == "" && want != evidence.Complete {
					want = evidence.Partial
					a := account(t, src, aliceSMS)
					if fc.want == evidence.Denied {
						detail = "E0000006"
					}
					if !strings.Contains(a.MethodsError, detail) || len(a.Methods) != 0 {
						t.Errorf("alice: methods %v, methods_error %q, want one naming %q", a.Methods, a.MethodsError, detail)
					}
					detail = "1 of 8 users"
					if cov.Items != 7 {
						t.Errorf("factors items = %d, want the 7 other users kept", cov.Items)
					}
				}
				if cov.Status != want || !strings.Contains(cov.Detail, detail) {
					t.Errorf("%s coverage = %+v, want %s naming %q", tg.ds, cov, want, detail)
				}
				if fc.kept && tg.bucket != "" && !(tg.wholeLists && fc.paged) && cov.Items == 0 {
					t.Errorf("%s: items read before the fault were dropped: %+v", tg.ds, cov)
				}
				for _, other := range evidence.Datasets[evidence.Okta] {
					if other == tg.ds || (want != evidence.Complete && contains(tg.deps, other)) {
						continue
					}
					oc := coverage(t, src, other)
					bc := coverage(t, base, other)
					if oc.Status != evidence.Complete || oc.Items != bc.Items {
						t.Errorf("%s affected by a fault on %s: %+v (calm: %d items)", other, tg.ds, oc, bc.Items)
					}
				}
				if want == evidence.Complete {
					if d := string(canonical(t, base)) == string(canonical(t, src)); !d {
						t.Errorf("a recovered fault changed the evidence")
					}
				}
				srv.AssertReadOnly(t)
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

// TestTokenFaultsDoNotLeakAssertion: the v2 SDK sends the signed client
// assertion in the token request's query string, so a token request that
// times out or is cut must not quote its URL in any error or coverage.
func TestTokenFaultsDoNotLeakAssertion(t *testing.T) {
	tests := []struct {
		name   string
		inject func(*oktatest.Server)
		detail string
	}{
		{"slow token endpoint", func(s *oktatest.Server) { s.SlowNext("/oauth2/v1/token", 12*time.Second, 1) }, "timed out"},
		{"token response cut", func(s *oktatest.Server) { s.ResetNext("/oauth2/v1/token", 1) }, "/oauth2/v1/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, pemText := pemKey(t)
			srv := newFake(t, oktatest.WithClient("0oa1shadowpathscan", &key.PublicKey), oktatest.WithToken(""))
			tt.inject(srv)
			c := connector(t, srv, func(c *okta.Config) {
				c.Token = evidence.Secret{}
				c.ClientID, c.PrivateKey = "0oa1shadowpathscan", evidence.NewSecret(pemText)
				c.RequestTimeout = 3 * time.Second
			})
			start := time.Now()
			src, err := c.Collect(t.Context(), evidence.CollectOptions{Now: scanNow, Since: scanSince})
			if took := time.Since(start); took > faultBound {
				t.Errorf("Collect took %s", took)
			}
			out := ""
			if err != nil {
				out = err.Error()
			} else {
				b, _ := evidence.Canonical(src)
				out = string(b)
				if cov := coverage(t, src, evidence.DSUsers); cov.Status != evidence.Errored || !strings.Contains(cov.Detail, tt.detail) {
					t.Errorf("users = %+v, want error naming %q", cov, tt.detail)
				}
			}
			for _, leak := range []string{"client_assertion", "eyJ"} {
				if strings.Contains(out, leak) {
					t.Errorf("output quotes the client assertion (%q): %s", leak, out)
				}
			}
		})
	}
}
