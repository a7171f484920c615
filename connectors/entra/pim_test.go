package entra

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

const eligibilityPath = "/roleManagement/directory/roleEligibilitySchedules"

// withoutEligibility is src as it must look when the PIM eligibility
// schedules cannot be read: no eligible roles, bob (eligible only) not
// privileged, roles still complete with the active assignments only.
func withoutEligibility(t *testing.T, src *evidence.Source) *evidence.Source {
	t.Helper()
	out := *src
	notEligible := func(rs []evidence.Role) []evidence.Role {
		var keep []evidence.Role
		for _, r := range rs {
			if !strings.HasPrefix(r.Via, viaEligible) {
				keep = append(keep, r)
			}
		}
		return keep
	}
	out.Accounts = slices.Clone(src.Accounts)
	for i := range out.Accounts {
		a := &out.Accounts[i]
		a.Roles = notEligible(a.Roles)
		if a.ID == bob {
			if !a.Privileged {
				t.Fatalf("baseline: bob is not privileged, the fixture no longer exercises PIM eligibility")
			}
			a.Privileged = false
		}
	}
	out.Workloads = slices.Clone(src.Workloads)
	for i := range out.Workloads {
		out.Workloads[i].Roles = notEligible(out.Workloads[i].Roles)
	}
	out.Coverage = slices.Clone(src.Coverage)
	for i := range out.Coverage {
		if out.Coverage[i].Dataset == evidence.DSRoles {
			out.Coverage[i].Items = 5
			out.Coverage[i].Detail = "active assignments only: PIM-eligible assignments could not be read"
		}
	}
	return &out
}

// TestPIMEligibleUnreadable: whatever stops the eligibility schedules from
// being read, the active roles stay complete, a warning says eligible admins
// are judged as non-privileged, and nothing else changes.
func TestPIMEligibleUnreadable(t *testing.T) {
	base := collect(t, config(graphtest.NewServer(t, graphtest.WithMaxPageSize(3))))
	if base.err != nil {
		t.Fatalf("baseline Collect: %v", base.err)
	}
	if slices.ContainsFunc(base.src.Warnings, func(w string) bool { return strings.Contains(w, "PIM") }) {
		t.Fatalf("baseline has a PIM warning: %q", base.src.Warnings)
	}
	tests := []struct {
		name    string
		setup   func(s *graphtest.Server)
		warning string // the PIM warning, or a prefix and a fragment of it
		detail  string
	}{
		{"denied (403)", func(s *graphtest.Server) { s.Deny(eligibilityPath) }, pimWarning, ""},
		{"no P2 licence (400 AadPremiumLicenseRequired)", func(s *graphtest.Server) { s.Unlicensed(eligibilityPath) }, pimWarning, ""},
		{"server error", func(s *graphtest.Server) { s.FailNext(eligibilityPath, http.StatusInternalServerError, -1) },
			"PIM-eligible role assignments could not be read (", "HTTP 500"},
		{"nextLink loops", func(s *graphtest.Server) { s.LoopToFirstPage(eligibilityPath) },
			"PIM-eligible role assignments could not be read (", "repeats a page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.NewServer(t, graphtest.WithMaxPageSize(3))
			tc.setup(s)
			cfg := config(s)
			cfg.MaxRetries = 1
			got := collect(t, cfg)
			if got.err != nil {
				t.Fatalf("Collect: %v", got.err)
			}
			if c := coverage(t, got.src, evidence.DSRoles); c.Status != evidence.Complete {
				t.Errorf("roles coverage %+v, want complete", c)
			}
			var pim []string
			var rest []string
			for _, w := range got.src.Warnings {
				if strings.Contains(w, "PIM-eligible") {
					pim = append(pim, w)
				} else {
					rest = append(rest, w)
				}
			}
			if len(pim) != 1 || !strings.HasPrefix(pim[0], tc.warning) || !strings.Contains(pim[0], tc.detail) ||
				!strings.HasSuffix(pim[0], "accounts eligible for admin roles are judged as non-privileged") {
				t.Errorf("PIM warnings %q, want one starting %q containing %q", pim, tc.warning, tc.detail)
			}
			want := withoutEligibility(t, base.src)
			gotSrc := *got.src
			gotSrc.Warnings = rest
			if d := cmp.Diff(want, &gotSrc); d != "" {
				t.Errorf("source differs from the baseline without eligibility (-want +got):\n%s", d)
			}
			s.AssertReadOnly(t)
		})
	}
}

// TestPIMEligibleExpired: only provisioned schedules in force at the scan
// make a principal privileged.
func TestPIMEligibleExpired(t *testing.T) {
	got := collect(t, config(graphtest.NewServer(t)))
	if got.err != nil {
		t.Fatalf("Collect: %v", got.err)
	}
	// carol's Helpdesk Administrator eligibility ended on 2026-06-01.
	if c := account(t, got.src, carol); c.Privileged || len(c.Roles) != 0 {
		t.Errorf("carol: privileged %v roles %+v, want none (expired eligibility)", c.Privileged, c.Roles)
	}
}

func TestProbePIMEligibility(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *graphtest.Server)
		detail string
	}{
		{"readable", func(*graphtest.Server) {}, ""},
		{"no P2 licence", func(s *graphtest.Server) { s.Unlicensed(eligibilityPath) }, "AadPremiumLicenseRequired"},
		{"denied", func(s *graphtest.Server) { s.Deny(eligibilityPath) }, "HTTP 403"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := graphtest.NewServer(t)
			tc.setup(s)
			c, err := New(config(s))
			if err != nil {
				t.Fatal(err)
			}
			probes, err := c.Probe(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(probes, func(p evidence.Probe) bool { return p.Dataset == evidence.DSRoles })
			if i < 0 {
				t.Fatal("no roles probe")
			}
			p := probes[i]
			if p.Status != evidence.Complete || !strings.Contains(p.Needed, "Entra ID P2") {
				t.Errorf("roles probe %+v, want complete and P2 named in needed", p)
			}
			if tc.detail == "" && p.Detail != "" || tc.detail != "" && (!strings.Contains(p.Detail, tc.detail) || !strings.Contains(p.Detail, "PIM-eligible")) {
				t.Errorf("roles probe detail %q, want %q", p.Detail, tc.detail)
			}
			if s.RequestCount(eligibilityPath) != 1 {
				t.Errorf("%d eligibility requests, want 1", s.RequestCount(eligibilityPath))
			}
			s.AssertReadOnly(t)
		})
	}
}
