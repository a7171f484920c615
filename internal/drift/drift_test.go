package drift

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
)

var (
	t0 = time.Date(2026, 10, 26, 12, 0, 0, 0, time.UTC)
	t1 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

func user(id string) checks.Subject { return checks.Subject{Type: "user", ID: id, Name: "name-" + id} }

func finding(id string) checks.Finding {
	return checks.Finding{Subject: user(id), Message: "finding on " + id}
}

func waived(f checks.Finding, expired bool) checks.Finding {
	f.Waiver = &checks.AppliedWaiver{Reason: "r", Owner: "o@example.com", ApprovedBy: "ciso@example.com", Expires: "2027-03-31", Expired: expired}
	return f
}

func check(id, provider string, st checks.Status, fs ...checks.Finding) checks.CheckResult {
	return checks.CheckResult{ID: id, Provider: provider, Title: id, Severity: checks.High, Status: st, Findings: fs}
}

func results(at time.Time, cs ...checks.CheckResult) *checks.Results {
	return &checks.Results{SchemaVersion: checks.ResultsSchemaVersion, GeneratedAt: at, Checks: cs}
}

func df(checkID, provider, subject string) checks.DriftFinding {
	return checks.DriftFinding{CheckID: checkID, Provider: provider, Subject: user(subject), Severity: checks.High, Message: "finding on " + subject}
}

func empty() *checks.Drift {
	return &checks.Drift{
		BaselineGeneratedAt: t0,
		New:                 []checks.DriftFinding{},
		Resolved:            []checks.DriftFinding{},
		StillFailing:        []checks.DriftFinding{},
		Changed:             []checks.DriftStatus{},
		AALDowngrades:       []checks.AALChange{},
		NewlyWaived:         []checks.DriftFinding{},
		NoLongerAssessed:    []checks.DriftFinding{},
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		old, new *checks.Results
		want     func(d *checks.Drift)
	}{
		{
			name: "identical runs: all still failing, nothing changed",
			old:  results(t0, check("MFA-01", "okta", checks.Fail, finding("00u1")), check("MFA-02", "okta", checks.Pass)),
			new:  results(t1, check("MFA-01", "okta", checks.Fail, finding("00u1")), check("MFA-02", "okta", checks.Pass)),
			want: func(d *checks.Drift) { d.StillFailing = []checks.DriftFinding{df("MFA-01", "okta", "00u1")} },
		},
		{
			name: "pass to fail: new findings and a status change",
			old:  results(t0, check("MFA-01", "okta", checks.Pass)),
			new:  results(t1, check("MFA-01", "okta", checks.Fail, finding("00u2"), finding("00u1"))),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{df("MFA-01", "okta", "00u1"), df("MFA-01", "okta", "00u2")}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "okta", From: checks.Pass, To: checks.Fail}}
			},
		},
		{
			name: "subject gone while the check still fails: resolved",
			old:  results(t0, check("MFA-01", "okta", checks.Fail, finding("00u1"), finding("00u2"))),
			new:  results(t1, check("MFA-01", "okta", checks.Fail, finding("00u2"), finding("00u3"))),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{df("MFA-01", "okta", "00u3")}
				d.Resolved = []checks.DriftFinding{df("MFA-01", "okta", "00u1")}
				d.StillFailing = []checks.DriftFinding{df("MFA-01", "okta", "00u2")}
			},
		},
		{
			name: "fail to pass: resolved",
			old:  results(t0, check("REC-03", "entra", checks.Fail, finding("a1"))),
			new:  results(t1, check("REC-03", "entra", checks.Pass)),
			want: func(d *checks.Drift) {
				d.Resolved = []checks.DriftFinding{df("REC-03", "entra", "a1")}
				d.Changed = []checks.DriftStatus{{CheckID: "REC-03", Provider: "entra", From: checks.Fail, To: checks.Pass}}
			},
		},
		{
			name: "waiver added: fail to waived is newly waived (a decision, not a fix) and changed",
			old:  results(t0, check("EXC-01", "entra", checks.Fail, finding("a1"))),
			new:  results(t1, check("EXC-01", "entra", checks.Waived, waived(finding("a1"), false))),
			want: func(d *checks.Drift) {
				d.NewlyWaived = []checks.DriftFinding{df("EXC-01", "entra", "a1")}
				d.Changed = []checks.DriftStatus{{CheckID: "EXC-01", Provider: "entra", From: checks.Fail, To: checks.Waived}}
			},
		},
		{
			name: "waiver expired: waived to fail is new, and says why",
			old:  results(t0, check("EXC-01", "entra", checks.Waived, waived(finding("a1"), false))),
			new:  results(t1, check("EXC-01", "entra", checks.Fail, waived(finding("a1"), true))),
			want: func(d *checks.Drift) {
				f := df("EXC-01", "entra", "a1")
				f.Reason = "waiver expired"
				d.New = []checks.DriftFinding{f}
				d.Changed = []checks.DriftStatus{{CheckID: "EXC-01", Provider: "entra", From: checks.Waived, To: checks.Fail}}
			},
		},
		{
			name: "partly waived failing check: only the unwaived finding fails",
			old:  results(t0, check("EXC-01", "okta", checks.Fail, finding("00u1"), finding("00u2"))),
			new:  results(t1, check("EXC-01", "okta", checks.Fail, waived(finding("00u1"), false), finding("00u2"))),
			want: func(d *checks.Drift) {
				d.NewlyWaived = []checks.DriftFinding{df("EXC-01", "okta", "00u1")}
				d.StillFailing = []checks.DriftFinding{df("EXC-01", "okta", "00u2")}
			},
		},
		{
			name: "fail to not_assessed: not resolved, no longer assessed and changed",
			old:  results(t0, check("REC-06", "okta", checks.Fail, finding("00u1"))),
			new:  results(t1, check("REC-06", "okta", checks.NotAssessed)),
			want: func(d *checks.Drift) {
				d.NoLongerAssessed = []checks.DriftFinding{df("REC-06", "okta", "00u1")}
				d.Changed = []checks.DriftStatus{{CheckID: "REC-06", Provider: "okta", From: checks.Fail, To: checks.NotAssessed}}
			},
		},
		{
			name: "pass to not_assessed: changed",
			old:  results(t0, check("LOG-01", "entra", checks.Pass)),
			new:  results(t1, check("LOG-01", "entra", checks.NotAssessed)),
			want: func(d *checks.Drift) {
				d.Changed = []checks.DriftStatus{{CheckID: "LOG-01", Provider: "entra", From: checks.Pass, To: checks.NotAssessed}}
			},
		},
		{
			name: "not_assessed baseline: failures are new (fail closed)",
			old:  results(t0, check("REC-06", "okta", checks.NotAssessed)),
			new:  results(t1, check("REC-06", "okta", checks.Fail, finding("00u1"))),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{df("REC-06", "okta", "00u1")}
				d.Changed = []checks.DriftStatus{{CheckID: "REC-06", Provider: "okta", From: checks.NotAssessed, To: checks.Fail}}
			},
		},
		{
			name: "provider no longer scanned: not resolved, no longer assessed, status to empty",
			old:  results(t0, check("MFA-01", "entra", checks.Fail, finding("a1")), check("MFA-01", "okta", checks.Pass)),
			new:  results(t1, check("MFA-01", "okta", checks.Pass)),
			want: func(d *checks.Drift) {
				d.NoLongerAssessed = []checks.DriftFinding{df("MFA-01", "entra", "a1")}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "entra", From: checks.Fail}}
			},
		},
		{
			name: "provider newly scanned: new findings, status from empty",
			old:  results(t0, check("MFA-01", "okta", checks.Pass)),
			new:  results(t1, check("MFA-01", "entra", checks.Fail, finding("a1")), check("MFA-01", "okta", checks.Pass)),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{df("MFA-01", "entra", "a1")}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "entra", To: checks.Fail}}
			},
		},
		{
			name: "same subject id under another provider or type is another finding",
			old:  results(t0, check("MFA-01", "okta", checks.Fail, finding("x"))),
			new: results(t1,
				check("MFA-01", "entra", checks.Fail, finding("x")),
				check("MFA-01", "okta", checks.Fail, checks.Finding{Subject: checks.Subject{Type: "group", ID: "x"}, Message: "g"})),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{
					df("MFA-01", "entra", "x"),
					{CheckID: "MFA-01", Provider: "okta", Subject: checks.Subject{Type: "group", ID: "x"}, Severity: checks.High, Message: "g"},
				}
				d.Resolved = []checks.DriftFinding{df("MFA-01", "okta", "x")}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "entra", To: checks.Fail}}
			},
		},
		{
			name: "finding severity overrides the check's",
			old:  results(t0, check("MFA-01", "okta", checks.Pass)),
			new: results(t1, check("MFA-01", "okta", checks.Fail,
				checks.Finding{Subject: user("00u9"), Message: "admin", Severity: checks.Critical})),
			want: func(d *checks.Drift) {
				d.New = []checks.DriftFinding{{CheckID: "MFA-01", Provider: "okta", Subject: user("00u9"), Severity: checks.Critical, Message: "admin"}}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "okta", From: checks.Pass, To: checks.Fail}}
			},
		},
		{
			name: "nil baseline: everything failing is new",
			old:  nil,
			new:  results(t1, check("MFA-01", "okta", checks.Fail, finding("00u1"))),
			want: func(d *checks.Drift) {
				d.BaselineGeneratedAt = time.Time{}
				d.New = []checks.DriftFinding{df("MFA-01", "okta", "00u1")}
				d.Changed = []checks.DriftStatus{{CheckID: "MFA-01", Provider: "okta", To: checks.Fail}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := empty()
			tt.want(want)
			got := Compare(tt.old, tt.new)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Compare() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func identity(provider, id, nominal, effective string) checks.Identity {
	return checks.Identity{Provider: provider, ID: id, Name: "n-" + id, NominalAAL: nominal, EffectiveAAL: effective}
}

func TestCompareAALDowngrades(t *testing.T) {
	old := results(t0)
	old.Identities = []checks.Identity{
		identity("okta", "00u1", "AAL3", "AAL3"),
		identity("okta", "00u2", "AAL3", "AAL2"),
		identity("entra", "a1", "AAL3", "AAL3"),
		identity("entra", "a2", "AAL2", "AAL1"),
		identity("entra", "gone", "AAL3", "AAL3"),
		identity("entra", "unk", "AAL3", "AAL3"),
	}
	cur := results(t1)
	cur.Identities = []checks.Identity{
		identity("okta", "00u1", "AAL3", "AAL1"),  // AAL3 -> AAL1: downgrade
		identity("okta", "00u2", "AAL3", "AAL3"),  // upgrade: not listed
		identity("entra", "a1", "AAL3", "AAL2"),   // AAL3 -> AAL2: downgrade
		identity("entra", "a2", "AAL2", "AAL1"),   // unchanged
		identity("entra", "new", "AAL2", "AAL1"),  // new account: not a downgrade
		identity("entra", "unk", "AAL3", "weird"), // not comparable
		identity("okta", "00u3", "AAL1", "none"),  // AAL1 -> none: downgrade
	}
	old.Identities = append(old.Identities, identity("okta", "00u3", "AAL1", "AAL1"))
	want := []checks.AALChange{
		{Provider: "entra", ID: "a1", Name: "n-a1", From: "AAL3", To: "AAL2"},
		{Provider: "okta", ID: "00u1", Name: "n-00u1", From: "AAL3", To: "AAL1"},
		{Provider: "okta", ID: "00u3", Name: "n-00u3", From: "AAL1", To: "none"},
	}
	got := Compare(old, cur).AALDowngrades
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AALDowngrades mismatch (-want +got):\n%s", diff)
	}
}

func TestCompareDeterministic(t *testing.T) {
	var fs []checks.Finding
	for _, id := range []string{"00u9", "00u3", "00u7", "00u1", "00u5"} {
		fs = append(fs, finding(id))
	}
	old := results(t0, check("MFA-02", "okta", checks.Fail, fs[:2]...), check("MFA-01", "okta", checks.Pass))
	cur := results(t1, check("MFA-01", "okta", checks.Fail, fs...), check("MFA-02", "okta", checks.Pass))
	first, err := json.Marshal(Compare(old, cur))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := json.Marshal(Compare(old, cur))
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(first) {
			t.Fatalf("Compare is not deterministic:\n%s\n%s", first, again)
		}
	}
}

// TestCompareFiles runs the comparison on two results.json files as the
// diff command reads them, against a golden drift.
func TestCompareFiles(t *testing.T) {
	read := func(name string) *checks.Results {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "drift", name))
		if err != nil {
			t.Fatal(err)
		}
		var r checks.Results
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return &r
	}
	got, err := json.MarshalIndent(Compare(read("old-results.json"), read("new-results.json")), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("..", "..", "testdata", "drift", "drift.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("drift differs from %s (-want +got):\n%s", golden, diff)
	}
}
