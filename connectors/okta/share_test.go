package okta_test

import (
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// TestRateShare: the pacer's share is okta.rate_share (default 50%) but
// never above the org's rate-limit warning threshold, read from
// GET /api/v1/rate-limit-settings/warning-threshold ({"warningThreshold":
// 66}, scope okta.rateLimits.read: Okta Management API, Rate Limit
// Settings, developer.okta.com/docs/api/openapi/okta-management/management/tag/RateLimitSettings/).
// "By default, this value is 90 for Workforce orgs and 60 for CIAM orgs"
// (RateLimitWarningThresholdRequest, okta-sdk-dotnet docs); when it cannot
// be read we assume the lower, 60%, and say so.
func TestRateShare(t *testing.T) {
	tests := []struct {
		name      string
		opts      []oktatest.Option
		deny      bool
		share     float64
		want      float64
		note      string // in the collection record's note
		assumedIn bool   // a warning says the threshold was assumed
	}{
		{"default share under the Workforce default", nil, false, 0, 0.5, "okta.rate_share 50%, the org's warning threshold 90%)", false},
		{"configured share", nil, false, 0.8, 0.8, "okta.rate_share 80%", false},
		{"capped by the org's threshold", []oktatest.Option{oktatest.WithWarningThreshold(40)}, false, 0.5, 0.4, "at most 40% of each rate-limit bucket", false},
		{"threshold unreadable: 60% assumed", nil, true, 0.9, 0.6, "warning threshold 60% assumed", true},
		{"threshold unreadable, share below it", nil, true, 0, 0.5, "warning threshold 60% assumed", true},
		{"threshold out of range: 60% assumed", []oktatest.Option{oktatest.WithWarningThreshold(0)}, false, 1, 0.6, "assumed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.opts...)
			if tt.deny {
				srv.Deny("/api/v1/rate-limit-settings")
			}
			src := collect(t, connector(t, srv, func(c *okta.Config) { c.RateShare = tt.share }))
			col := src.Collection
			if col.RateShare != tt.want || !strings.Contains(col.RateShareNote, tt.note) {
				t.Errorf("rate share %v (%q), want %v (%q)", col.RateShare, col.RateShareNote, tt.want, tt.note)
			}
			warned := strings.Contains(strings.Join(src.Warnings, "\n"), "60% assumed")
			if warned != tt.assumedIn {
				t.Errorf("warning about the assumed threshold: %v, want %v (%q)", warned, tt.assumedIn, src.Warnings)
			}
			if n := srv.RequestCount("/api/v1/rate-limit-settings/warning-threshold"); n == 0 {
				t.Error("the warning threshold was not requested")
			}
			srv.AssertReadOnly(t)
		})
	}
}

func TestRateShareValidated(t *testing.T) {
	srv := newFake(t)
	for _, s := range []float64{-0.1, 1.5} {
		_, err := okta.New(okta.Config{OrgURL: srv.URL, Token: evidence.NewSecret(srv.Token()), RateShare: s})
		if err == nil || !strings.Contains(err.Error(), "rate share") {
			t.Errorf("RateShare %v: err %v", s, err)
		}
	}
}

// TestOptionalScopes: a service app asks for okta.rateLimits.read and
// okta.networkZones.read only when told to (an ungranted scope fails the
// whole token request); without them the threshold is assumed and contexts
// name zone ids.
func TestOptionalScopes(t *testing.T) {
	for _, tc := range []struct {
		scope string
		set   func(c *okta.Config, on bool)
	}{
		{"okta.rateLimits.read", func(c *okta.Config, on bool) { c.RateLimitsScope = on }},
		{"okta.networkZones.read", func(c *okta.Config, on bool) { c.NetworkZonesScope = on }},
	} {
		for _, on := range []bool{false, true} {
			key, pemText := pemKey(t)
			srv := newFake(t, oktatest.WithClient("0oa1shadowpathscan", &key.PublicKey), oktatest.WithToken(""))
			c := connector(t, srv, func(c *okta.Config) {
				c.Token = evidence.Secret{}
				c.ClientID, c.PrivateKey = "0oa1shadowpathscan", evidence.NewSecret(pemText)
				tc.set(c, on)
			})
			collect(t, c)
			asked := false
			for _, r := range srv.Requests() {
				if r.Path == "/oauth2/v1/token" && strings.Contains(r.Query.Get("scope"), tc.scope) {
					asked = true
				}
			}
			if asked != on {
				t.Errorf("%s %v: token request asked for it: %v", tc.scope, on, asked)
			}
		}
	}
}
