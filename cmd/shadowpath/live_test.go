package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// fakes starts both vendor fakes and returns a CLI whose environment points
// at them, exactly as a user's would at real tenants.
func fakes(t *testing.T) (*cli, *oktatest.Server, *graphtest.Server) {
	t.Helper()
	ok := oktatest.NewServer(t, oktatest.WithFixtures(filepath.Join("..", "..", "testdata", "okta")))
	gr := graphtest.NewServer(t, graphtest.WithFixtureDir(filepath.Join("..", "..", "testdata", "entra")))
	c := entraCLI(gr)
	c.env["OKTA_ORG_URL"] = ok.URL
	c.env["OKTA_API_TOKEN"] = ok.Token()
	return c, ok, gr
}

// entraCLI is a CLI whose Entra environment points at gr. Both fakes serve
// httptest's certificate, so gr's client trusts the Okta fake too.
func entraCLI(gr *graphtest.Server) *cli {
	c := newCLI()
	c.env["AZURE_TENANT_ID"] = gr.TenantID
	c.env["AZURE_CLIENT_ID"] = gr.ClientID
	c.env["AZURE_CLIENT_SECRET"] = gr.ClientSecret
	c.env["AZURE_AUTHORITY_HOST"] = gr.URL
	c.env["ENTRA_GRAPH_ENDPOINT"] = gr.URL
	c.client = gr.Client()
	return c
}

// TestScanLiveAgainstFakes runs the whole product against both fakes: real
// SDKs, real sockets, real token flows, every report format.
func TestScanLiveAgainstFakes(t *testing.T) {
	c, ok, gr := fakes(t)
	out := t.TempDir()
	snap := filepath.Join(t.TempDir(), "evidence.json")
	code := c.run(t, "scan", "--source", "okta,entra", "--format", "pdf,xlsx,json,oscal", "--out", out,
		"--save-snapshot", snap, "--log-level", "debug")
	if code != exitOK {
		t.Fatalf("exit %d, want 0 (complete scan, --fail-on none)\n%s", code, c.stderr.String())
	}
	res := readResults(t, out)
	if len(res.Sources) != 2 || len(res.Checks) != 48 {
		t.Fatalf("sources %d, checks %d", len(res.Sources), len(res.Checks))
	}
	for _, cr := range res.Checks {
		if cr.Status == checks.NotAssessed {
			t.Errorf("%s/%s not_assessed against a fully readable fake: %s", cr.ID, cr.Provider, cr.Rationale)
		}
	}
	ok.AssertReadOnly(t)
	gr.AssertOnlyGET(t)

	// Secrets sweep: no token, client secret or bearer token in any output.
	secrets := []string{ok.Token(), gr.ClientSecret, gr.StaticToken()}
	outputs := map[string][]byte{"stdout": c.stdout.Bytes(), "stderr": c.stderr.Bytes()}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(out, e.Name()))
		outputs[e.Name()] = b
	}
	b, _ := os.ReadFile(snap)
	outputs["snapshot"] = b
	if len(outputs) < 7 {
		t.Fatalf("expected 4 reports + snapshot + streams, got %d outputs", len(outputs))
	}
	for name, data := range outputs {
		for _, s := range secrets {
			if s != "" && strings.Contains(string(data), s) {
				t.Errorf("%s contains a secret (%d chars)", name, len(s))
			}
		}
	}
	if !strings.Contains(c.stderr.String(), "level=DEBUG") {
		t.Error("debug logging was not on: the sweep did not cover debug output")
	}
}

func TestScanLiveDeniedLogsIsIncomplete(t *testing.T) {
	c, ok, _ := fakes(t)
	ok.Deny("/api/v1/logs")
	out := t.TempDir()
	if code := c.run(t, "scan", "--source", "okta", "--format", "json", "--out", out); code != exitIncomplete {
		t.Fatalf("exit %d, want 2\n%s", code, c.stderr.String())
	}
	res := readResults(t, out)
	for _, cr := range res.Checks {
		if cr.ID == "REC-06" || cr.ID == "REC-07" || cr.ID == "LOG-01" {
			if cr.Status != checks.NotAssessed || !strings.Contains(cr.Rationale, "okta.logs.read") {
				t.Errorf("%s = %s (%q), want not_assessed naming okta.logs.read", cr.ID, cr.Status, cr.Rationale)
			}
		}
	}
}

func TestScanOneProviderUnreachable(t *testing.T) {
	c, _, _ := fakes(t)
	c.env["OKTA_API_TOKEN"] = "wrong-token-value"
	out := t.TempDir()
	if code := c.run(t, "scan", "--source", "okta,entra", "--format", "json", "--out", out); code != exitIncomplete {
		t.Fatalf("exit %d, want 2\n%s", code, c.stderr.String())
	}
	res := readResults(t, out)
	for _, cr := range res.Checks {
		if cr.Provider == "okta" && cr.Status != checks.NotAssessed && cr.Status != checks.Manual {
			t.Errorf("%s/okta = %s with an unreadable org", cr.ID, cr.Status)
		}
	}
	if strings.Contains(c.stderr.String(), "wrong-token-value") {
		t.Error("the rejected token was printed")
	}
}

func TestDoctorNamesMissingPermission(t *testing.T) {
	c, _, gr := fakes(t)
	gr.Deny("/auditLogs")
	code := c.run(t, "doctor", "--source", "okta,entra")
	if code != exitIncomplete {
		t.Fatalf("doctor exit %d, want 2\n%s%s", code, c.stdout.String(), c.stderr.String())
	}
	out := c.stdout.String()
	for _, want := range []string{"directory_audits", "AuditLog.Read.All", "REC-06", "every check can be assessed"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if code := c.run(t, "doctor", "--source", "okta"); code != 0 {
		t.Errorf("doctor on a healthy org: exit %d\n%s", code, c.stdout.String())
	}
}

// TestDoctorKnowsFallbackDatasets: with the registration report denied but
// per-user methods readable, the MFA checks can still be assessed (as
// Evaluate would judge them); with both denied they cannot.
func TestDoctorKnowsFallbackDatasets(t *testing.T) {
	c, _, gr := fakes(t)
	gr.Deny("/reports/")
	c.run(t, "doctor", "--source", "entra")
	if out := c.stdout.String(); !strings.Contains(out, "registration_details") || strings.Contains(out, "MFA-01:") {
		t.Errorf("report denied, fallback readable: MFA-01 should still be assessable\n%s", out)
	}
	gr.Deny("/users/")
	c.run(t, "doctor", "--source", "entra")
	if out := c.stdout.String(); !strings.Contains(out, "MFA-01:") {
		t.Errorf("report and fallback denied: MFA-01 should be listed\n%s", out)
	}
}
