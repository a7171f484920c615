package xlsx

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

// table is a sheet's header-plus-rows table read back from the file.
type table struct {
	t    *testing.T
	name string
	col  map[string]int
	rows [][]string
}

func readTable(t *testing.T, f *excelize.File, sheet string, headerRow int) *table {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	tb := &table{t: t, name: sheet, col: map[string]int{}}
	for i, h := range rows[headerRow-1] {
		tb.col[h] = i
	}
	tb.rows = rows[headerRow:]
	return tb
}

func (tb *table) get(row []string, header string) string {
	i, ok := tb.col[header]
	if !ok {
		tb.t.Fatalf("%s: no column %q", tb.name, header)
	}
	if i >= len(row) {
		return ""
	}
	return row[i]
}

// count is how many rows a filter on the given columns keeps: each column
// must show one of the values given for it.
func (tb *table) count(filter map[string][]string) int {
	n := 0
	for _, row := range tb.rows {
		ok := true
		for h, vals := range filter {
			ok = ok && slices.Contains(vals, tb.get(row, h))
		}
		if ok {
			n++
		}
	}
	return n
}

// TestHeadlineFiguresFromCells: every headline figure of the summary (the
// PDF's page 2 and the Summary sheet) is what one autofilter on the written
// workbook gives, so an auditor can reproduce it without asking.
func TestHeadlineFiguresFromCells(t *testing.T) {
	for _, tt := range []struct {
		name string
		r    *checks.Results
	}{{"fixture", fixture.Results()}, {"large", fixture.Large(1000)}, {"demo", demoResults(t)}} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := reports.BuildView(tt.r, reports.ViewOptions{})
			if err != nil {
				t.Fatal(err)
			}
			f := open(t, write(t, tt.r))
			ids := readTable(t, f, SheetIdentity, 1)
			chk := readTable(t, f, SheetChecks, 1)
			fnd := readTable(t, f, SheetFindings, 1)
			all := map[string][]string{}
			yes := []string{"TRUE"}
			sm := v.Summary
			for _, x := range []struct {
				figure string
				want   int
				filter map[string][]string
				tb     *table
			}{
				{"accounts assessed", sm.Accounts, all, ids},
				{"effective AAL below nominal AAL", sm.GapAccounts, map[string][]string{"Effective below nominal": yes}, ids},
				{"privileged accounts", sm.Privileged, map[string][]string{"Privileged": yes}, ids},
				{"privileged accounts with a weak fallback", sm.PrivilegedWeak.Count, map[string][]string{"Privileged": yes, "Weak fallback": yes}, ids},
				{"checks: pass", sm.Checks.Pass, map[string][]string{"Status": {string(checks.Pass)}}, chk},
				{"checks: fail", sm.Checks.Fail, map[string][]string{"Status": {string(checks.Fail)}}, chk},
				{"checks: waived", sm.Checks.Waived, map[string][]string{"Status": {string(checks.Waived)}}, chk},
				{"checks: not assessed", sm.Checks.NotAssessed, map[string][]string{"Status": {string(checks.NotAssessed)}}, chk},
				{"checks: manual", sm.Checks.Manual, map[string][]string{"Status": {string(checks.Manual)}}, chk},
				{"checks: not applicable", sm.Checks.NotApplicable, map[string][]string{"Status": {string(checks.NotApplicable)}}, chk},
			} {
				if got := x.tb.count(x.filter); got != x.want {
					t.Errorf("%s: the view says %d, a filter %v on %s gives %d", x.figure, x.want, x.filter, x.tb.name, got)
				}
			}
			// The AAL chart: accounts per level, nominal and effective.
			for _, row := range sm.AAL {
				level := []string{row.Level}
				if row.Level == "None/unknown" {
					level = nil
					for _, r := range ids.rows {
						for _, h := range []string{"Nominal AAL", "Effective AAL"} {
							if s := ids.get(r, h); !slices.Contains([]string{"AAL1", "AAL2", "AAL3"}, strings.ToUpper(s)) && !slices.Contains(level, s) {
								level = append(level, s)
							}
						}
					}
				}
				if got := ids.count(map[string][]string{"Nominal AAL": level}); got != row.Nominal {
					t.Errorf("nominal %s: view %d, filter %d", row.Level, row.Nominal, got)
				}
				if got := ids.count(map[string][]string{"Effective AAL": level}); got != row.Effective {
					t.Errorf("effective %s: view %d, filter %d", row.Level, row.Effective, got)
				}
			}
			// The severity chart: open findings of failed checks, per
			// provider and severity.
			fb := v.Charts.FindingsBySeverity
			for si, ser := range fb.Series {
				provider := v.Providers[si].ID
				for ci, cat := range fb.Categories {
					filter := map[string][]string{"Provider": {provider}, "Check status": {string(checks.Fail)},
						"Finding status": {"open", "waiver expired"}, "Severity": {strings.ToLower(cat)}}
					if got := fnd.count(filter); got != ser.Values[ci] {
						t.Errorf("open %s findings of %s: view %d, filter %d", cat, ser.Name, ser.Values[ci], got)
					}
				}
			}
			// Top risks: the affected count is the Checks sheet's Open cell.
			for _, rk := range sm.TopRisks {
				for _, row := range chk.rows {
					if chk.get(row, "Check") == rk.CheckID && chk.get(row, "Provider") == rk.Provider {
						if got := strings.ReplaceAll(chk.get(row, "Open"), ",", ""); got != strconv.Itoa(rk.Affected) {
							t.Errorf("top risk %s %s: view %d open, Checks sheet %s", rk.CheckID, rk.Provider, rk.Affected, got)
						}
					}
				}
			}
		})
	}
}

// demoResults is what scan --demo evaluates (fixture.Demo).
func demoResults(t *testing.T) *checks.Results {
	t.Helper()
	r, err := fixture.Demo()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDemoRecoveryEvents: on the demo, the Recovery events sheet lists each
// event behind a REC-06 or REC-07 finding once, with its time and actor.
func TestDemoRecoveryEvents(t *testing.T) {
	r := demoResults(t)
	want := map[string]bool{}
	for _, c := range r.Checks {
		if c.ID != "REC-06" && c.ID != "REC-07" {
			continue
		}
		for _, f := range c.Findings {
			for _, rec := range reports.EvidenceRecords(f.Evidence, "event_details") {
				want[c.Provider+" "+reports.RecordString(rec, "id")] = true
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the demo has no REC-06/REC-07 event records")
	}
	tb := readTable(t, open(t, write(t, r)), SheetRecovery, 3)
	got := map[string]bool{}
	for _, row := range tb.rows {
		key := tb.get(row, "Provider") + " " + tb.get(row, "Event ID")
		if got[key] {
			t.Errorf("event %s listed twice", key)
		}
		got[key] = true
		if tb.get(row, "Time (UTC)") == "" || tb.get(row, "Actor ID") == "" || tb.get(row, "Target ID") == "" {
			t.Errorf("event %s lacks time, actor or target: %q", key, row)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d event rows, want %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Errorf("event %s missing", k)
		}
	}
}

// TestDemoIDsNamed: in the Findings sheet an account id in a sample or a
// reason is printed with the account's name beside it, so an engineer does
// not have to look the GUID up (issue 15: "resolve every id to a name
// wherever one was read").
func TestDemoIDsNamed(t *testing.T) {
	r := demoResults(t)
	tb := readTable(t, open(t, write(t, r)), "Findings", 1)
	named := 0
	for _, row := range tb.rows {
		s := tb.get(row, "Sample")
		if s == "" {
			continue
		}
		for _, part := range strings.Split(s, ", ") {
			if strings.Contains(part, " (") {
				named++
			}
		}
		if strings.Contains(s, "00fd8d32-8eb7-457f-ad95-731adffb6ac6") && !strings.Contains(s, "Break Glass 02 (00fd8d32-8eb7-457f-ad95-731adffb6ac6") {
			t.Errorf("sample %q: Break Glass 02 is not named", s)
		}
	}
	if named == 0 {
		t.Error("no sample id is named in the demo's Findings sheet")
	}
}
