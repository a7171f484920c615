package checks_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/templates/demo"
)

// withdraw takes one dataset away from a source the way a connector does
// when the read fails: its coverage says so, and what it would have held is
// gone (per-account reads leave methods_error on the accounts not read).
var withdraw = map[string]func(src *evidence.Source){
	evidence.DSUsers: func(s *evidence.Source) { s.Accounts = nil },
	evidence.DSFactors: func(s *evidence.Source) {
		for i := range s.Accounts {
			if i%2 == 0 {
				s.Accounts[i].Methods, s.Accounts[i].MethodsError = nil, "403 E0000006"
			}
		}
	},
	evidence.DSRegDetails: func(s *evidence.Source) {
		for i := range s.Accounts {
			if i%2 == 0 {
				s.Accounts[i].Methods, s.Accounts[i].MethodsError = nil, "registration report could not be read"
			}
		}
	},
	evidence.DSRoles: func(s *evidence.Source) {
		for i := range s.Accounts {
			if i%3 == 0 { // group role assignments not read: some admins look unprivileged
				s.Accounts[i].Roles, s.Accounts[i].Privileged = nil, false
			}
		}
		for i := range s.Workloads {
			s.Workloads[i].Roles = nil
		}
	},
	evidence.DSGroups:    func(s *evidence.Source) { s.Groups = nil },
	evidence.DSSystemLog: func(s *evidence.Source) { s.Events = nil },
	evidence.DSAudits:    func(s *evidence.Source) { s.Events = nil },
	evidence.DSPolicies: func(s *evidence.Source) {
		s.Policies.Access, s.Policies.Recovery, s.Policies.Registration = nil, nil, nil
	},
}

// TestPartialDataKeepsProvenFindings takes each dataset away, one at a
// time, as denied (403), not found (404) and truncated (partial), and
// checks the Partial data contract (DESIGN.md): no check that needs the
// dataset passes; a failing check's findings are among the complete scan's
// (proven, not invented), and it is marked incomplete when the dataset only
// refines its subjects.
func TestPartialDataKeepsProvenFindings(t *testing.T) {
	base, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	p := checks.DefaultParams(demo.CollectedAt)
	full, err := checks.Evaluate(base, p)
	if err != nil {
		t.Fatal(err)
	}
	fullSubjects := map[string][]string{}
	for _, c := range full.Checks {
		for _, f := range c.Findings {
			fullSubjects[c.ID+"/"+c.Provider] = append(fullSubjects[c.ID+"/"+c.Provider], f.Subject.ID)
		}
	}
	catalog := map[string]checks.Check{}
	for _, c := range checks.Catalog() {
		catalog[c.ID] = c
	}
	for _, status := range []evidence.CoverageStatus{evidence.Denied, evidence.Errored, evidence.Partial} {
		for _, prov := range evidence.Providers {
			for _, ds := range evidence.Datasets[prov] {
				t.Run(string(prov)+"/"+ds+"/"+string(status), func(t *testing.T) {
					snap, err := demo.Snapshot()
					if err != nil {
						t.Fatal(err)
					}
					for _, src := range snap.Sources {
						if src.Provider != prov {
							continue
						}
						if w := withdraw[ds]; w != nil {
							w(src)
						}
						src.SetCoverage(evidence.Coverage{Dataset: ds, Status: status, Detail: "fault injected by the test"})
					}
					res, err := checks.Evaluate(snap, p)
					if err != nil {
						t.Fatal(err)
					}
					refined := 0
					for _, c := range res.Checks {
						if c.Provider != string(prov) {
							continue
						}
						def := catalog[c.ID]
						needs := false
						for _, d := range append(slices.Clone(def.Datasets[prov]), def.Refine[prov]...) {
							needs = needs || slices.Contains(splitAlt(d), ds)
						}
						if needs && c.Status == checks.Pass {
							t.Errorf("%s passes without %s", c.ID, ds)
						}
						for _, f := range c.Findings {
							if !slices.Contains(fullSubjects[c.ID+"/"+c.Provider], f.Subject.ID) {
								t.Errorf("%s: finding %s (%s) is not in the complete scan", c.ID, f.Subject.ID, f.Message)
							}
						}
						if c.Incomplete {
							refined++
							if c.Status != checks.Fail && c.Status != checks.Waived {
								t.Errorf("%s incomplete with status %s", c.ID, c.Status)
							}
						}
					}
					if ds == evidence.DSRoles && refined == 0 {
						t.Errorf("roles not read: no check kept its proven findings (all not_assessed?)")
					}
				})
			}
		}
	}
}

func splitAlt(d string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '|' {
			out = append(out, d[start:i])
			start = i + 1
		}
	}
	return out
}

// TestVersion1SnapshotStillEvaluates: a snapshot written before access
// paths (schema_version 1, the demo as it was) decodes and evaluates with
// the reduced sign-in flags it carries; every account gets paths.
func TestVersion1SnapshotStillEvaluates(t *testing.T) {
	f, err := os.Open("../testdata/checks/snapshot-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, err := evidence.DecodeSnapshot(f)
	if err != nil {
		t.Fatal(err)
	}
	if snap.SchemaVersion != "1" {
		t.Fatalf("schema_version %q", snap.SchemaVersion)
	}
	res, err := checks.Evaluate(snap, checks.DefaultParams(demo.CollectedAt))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range res.Identities {
		if id.EffectiveAAL != "unknown" && len(id.Paths) == 0 {
			t.Errorf("%s/%s has no path", id.Provider, id.ID)
		}
	}
	ex, ok := checks.Explain(snap, checks.FindAccounts(snap, "marcus.chen@acme.com")[0], checks.DefaultParams(demo.CollectedAt))
	if !ok || !strings.Contains(ex.Engine, "version 1") {
		t.Errorf("explain on a version 1 snapshot: %+v", ex)
	}
}

// TestFindingIDsUnique: on the demo every finding id is unique — a subject
// appears once per check and provider, so tickets and waivers refer to
// exactly one finding.
func TestFindingIDsUnique(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	res, err := checks.Evaluate(snap, checks.DefaultParams(demo.CollectedAt))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, c := range res.Checks {
		for _, f := range c.Findings {
			if prev, dup := seen[f.ID]; dup || f.ID == "" {
				t.Errorf("%s/%s %s: finding id %q also used by %s", c.ID, c.Provider, f.Subject.ID, f.ID, prev)
			}
			seen[f.ID] = c.ID + "/" + c.Provider + " " + f.Subject.ID
		}
	}
}
