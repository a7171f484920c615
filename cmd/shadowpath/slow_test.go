package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// TestScanSlowTenantIsBounded: a dataset whose answers never come in time
// (request_timeout from the config) fails alone, in bounded time, and its
// checks are not_assessed; the rest of the tenant is still reported.
func TestScanSlowTenantIsBounded(t *testing.T) {
	c, ok, gr := fakes(t)
	gr.SlowNext("/identity/conditionalAccess", 20*time.Second, -1)
	ok.SlowNext("/api/v1/api-tokens", 20*time.Second, 100)
	cfg := filepath.Join(t.TempDir(), "shadowpath.yaml")
	os.WriteFile(cfg, []byte("okta:\n  request_timeout: 1s\nentra:\n  request_timeout: 1s\n"), 0o600)
	out := t.TempDir()
	start := time.Now()
	code := c.run(t, "scan", "--source", "okta,entra", "--config", cfg, "--format", "json", "--out", out)
	took := time.Since(start)
	if code != exitIncomplete {
		t.Fatalf("exit %d, want 2\n%s", code, c.stderr.String())
	}
	if took > 45*time.Second {
		t.Errorf("a slow tenant held the scan for %s", took)
	}
	res := readResults(t, out)
	slow := map[string]string{"entra": evidence.DSCondAccess, "okta": evidence.DSAPITokens}
	for _, s := range res.Sources {
		for _, cv := range s.Coverage {
			if cv.Dataset == slow[s.Provider] {
				if cv.Status == checks.CoverageComplete || !strings.Contains(cv.Detail, "timed out") {
					t.Errorf("%s %s: %s %q, want a timeout recorded", s.Provider, cv.Dataset, cv.Status, cv.Detail)
				}
			} else if cv.Status != checks.CoverageComplete {
				t.Errorf("%s %s: %s (%s) although only %s was slow", s.Provider, cv.Dataset, cv.Status, cv.Detail, slow[s.Provider])
			}
		}
	}
	var na int
	for _, cr := range res.Checks {
		if cr.Status == checks.NotAssessed {
			na++
			if !strings.Contains(cr.Rationale, slow[cr.Provider]) {
				t.Errorf("%s/%s not_assessed without naming %s: %s", cr.ID, cr.Provider, slow[cr.Provider], cr.Rationale)
			}
		}
	}
	if na == 0 {
		t.Error("no check depends on the slow datasets")
	}
	if len(res.Identities) == 0 {
		t.Error("identities lost")
	}
}

func TestConfigRequestTimeout(t *testing.T) {
	c, err := parseConfig("c.yaml", []byte("okta:\n  request_timeout: 30s\nentra:\n  request_timeout: 2m\n"), func(string) string { return "" }, nil)
	if err != nil || c.oktaTimeout != 30*time.Second || c.entraTimeout != 2*time.Minute {
		t.Fatalf("%v %v %v", err, c.oktaTimeout, c.entraTimeout)
	}
	if _, err := parseConfig("c.yaml", []byte("okta:\n  request_timeout: 5ms\n"), func(string) string { return "" }, nil); err == nil || !strings.Contains(err.Error(), "c.yaml:2") {
		t.Errorf("5ms accepted or error without line: %v", err)
	}
}
