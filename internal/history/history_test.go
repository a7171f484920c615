package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
)

var base = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// run builds a results.json for a run at time at with nFail failing findings
// of severity sev.
func run(t *testing.T, at time.Time, nFail int, sev checks.Severity) []byte {
	t.Helper()
	r := checks.Results{
		SchemaVersion: checks.ResultsSchemaVersion,
		Tool:          checks.Tool{Name: "shadowpath", Version: "0.3.0"},
		GeneratedAt:   at,
		Summary:       checks.Summary{Pass: 1, Fail: 1},
		Sources: []checks.SourceInfo{{Provider: "okta", Tenant: "acme.okta.com",
			Coverage: []checks.Coverage{{Dataset: "users", Status: checks.CoverageComplete}}}},
	}
	c := checks.CheckResult{ID: "MFA-01", Provider: "okta", Severity: sev, Status: checks.Fail}
	for i := range nFail {
		c.Findings = append(c.Findings, checks.Finding{Subject: checks.Subject{Type: "user", ID: fmt.Sprintf("00u%d", i)}})
	}
	r.Checks = []checks.CheckResult{c, {ID: "MFA-02", Provider: "okta", Severity: checks.Medium, Status: checks.Pass}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func snapshot(at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"schema_version":"1","collected_at":%q}`, at.Format(time.RFC3339)))
}

func mustSave(t *testing.T, s Store, res, snap []byte, at time.Time) Entry {
	t.Helper()
	e, err := s.Save(res, snap, at)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	return e
}

func TestSaveRetention(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "history")}
	type saved struct {
		e         Entry
		res, snap []byte
	}
	var all []saved
	for i := range 6 {
		at := base.Add(time.Duration(i) * 24 * time.Hour)
		res, snap := run(t, at, i, checks.High), snapshot(at)
		all = append(all, saved{mustSave(t, s, res, snap, at), res, snap})
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(all) {
		t.Fatalf("List: %d entries, want %d", len(entries), len(all))
	}
	for i, sv := range all {
		if diff := cmp.Diff(sv.e, entries[i]); diff != "" {
			t.Errorf("entry %d (-saved +listed):\n%s", i, diff)
		}
		if err := s.Verify(sv.e); err != nil {
			t.Errorf("Verify(%s): %v", sv.e.ID, err)
		}
		for path, want := range map[string][]byte{sv.e.ResultsPath(): sv.res, sv.e.EvidencePath(): sv.snap} {
			got, err := os.ReadFile(path)
			if err != nil || string(got) != string(want) {
				t.Errorf("%s: content changed or unreadable (%v)", path, err)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != FileMode {
				t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), FileMode)
			}
		}
		if fi, err := os.Stat(sv.e.Dir); err != nil || fi.Mode().Perm() != DirMode {
			t.Errorf("%s: mode %v, want %v", sv.e.Dir, fi.Mode().Perm(), DirMode)
		}
	}
	if !strings.HasPrefix(all[0].e.ID, "20261101T090000Z-") || len(all[0].e.ID) != len("20261101T090000Z-")+12 {
		t.Errorf("entry id %q, want <UTC time>-<12 hex>", all[0].e.ID)
	}
	sums, err := os.ReadFile(filepath.Join(all[0].e.Dir, SumsFile))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(sums)), "\n"); len(lines) != 2 ||
		!strings.HasSuffix(lines[0], "  evidence.json") || !strings.HasSuffix(lines[1], "  results.json") {
		t.Errorf("SHA256SUMS not in sha256sum format:\n%s", sums)
	}
}

func TestSaveSameSecond(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	res, snap := run(t, base, 2, checks.High), snapshot(base)
	first := mustSave(t, s, res, snap, base)
	before, err := os.Stat(first.ResultsPath())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("same content is a no-op", func(t *testing.T) {
		again := mustSave(t, s, res, snap, base.Add(300*time.Millisecond))
		if again != first {
			t.Errorf("second save gave %+v, want the existing %+v", again, first)
		}
		after, err := os.Stat(first.ResultsPath())
		if err != nil {
			t.Fatal(err)
		}
		if !after.ModTime().Equal(before.ModTime()) {
			t.Error("results.json was rewritten")
		}
	})
	t.Run("different content is another entry", func(t *testing.T) {
		other := mustSave(t, s, run(t, base, 3, checks.High), snap, base)
		if other.ID == first.ID {
			t.Fatalf("different content reused entry %s", first.ID)
		}
		if !strings.HasPrefix(other.ID, "20261101T090000Z-") {
			t.Errorf("id %q", other.ID)
		}
	})
	t.Run("no snapshot is another entry", func(t *testing.T) {
		e := mustSave(t, s, res, nil, base)
		if e.ID == first.ID {
			t.Fatal("results without snapshot reused the entry with one")
		}
		if _, err := os.Stat(e.EvidencePath()); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("evidence.json written without a snapshot: %v", err)
		}
		if err := s.Verify(e); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("%d entries, want 3", len(entries))
	}
}

func TestSaveNeverOverwrites(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	res, snap := run(t, base, 1, checks.High), snapshot(base)
	e := mustSave(t, s, res, snap, base)

	// Someone altered the entry: saving the same run again must not repair
	// (overwrite) it, and must say so.
	writeOver(t, e.ResultsPath(), []byte(`{"tampered":true}`))
	if _, err := s.Save(res, snap, base); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Save over a tampered entry: %v, want ErrCorrupt", err)
	}
	if got, _ := os.ReadFile(e.ResultsPath()); string(got) != `{"tampered":true}` {
		t.Error("Save rewrote an existing entry")
	}

	// An incomplete directory with the entry's name (interrupted save).
	res2 := run(t, base, 2, checks.High)
	e2 := mustSave(t, s, res2, nil, base)
	if err := os.Chmod(e2.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(e2.Dir, SumsFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(res2, nil, base); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("Save onto an incomplete entry: %v, want an 'incomplete' error", err)
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range entries {
		if x.ID == e2.ID {
			t.Error("List returned an incomplete entry")
		}
	}
}

func writeOver(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, e Entry)
	}{
		{"results edited", func(t *testing.T, e Entry) {
			writeOver(t, e.ResultsPath(), []byte(`{"summary":{"fail":0}}`))
		}},
		{"evidence truncated", func(t *testing.T, e Entry) { writeOver(t, e.EvidencePath(), nil) }},
		{"evidence deleted", func(t *testing.T, e Entry) {
			if err := os.Remove(e.EvidencePath()); err != nil {
				t.Fatal(err)
			}
		}},
		{"results edited and SHA256SUMS recomputed", func(t *testing.T, e Entry) {
			forged := []byte(`{"summary":{"fail":0}}`)
			writeOver(t, e.ResultsPath(), forged)
			snap, err := os.ReadFile(e.EvidencePath())
			if err != nil {
				t.Fatal(err)
			}
			writeOver(t, filepath.Join(e.Dir, SumsFile), sumsFile(map[string][]byte{ResultsFile: forged, EvidenceFile: snap}))
		}},
		{"SHA256SUMS deleted", func(t *testing.T, e Entry) {
			if err := os.Remove(filepath.Join(e.Dir, SumsFile)); err != nil {
				t.Fatal(err)
			}
		}},
		{"extra file", func(t *testing.T, e Entry) {
			if err := os.WriteFile(filepath.Join(e.Dir, "notes.txt"), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			e := mustSave(t, s, run(t, base, 1, checks.High), snapshot(base), base)
			if err := s.Verify(e); err != nil {
				t.Fatalf("fresh entry: %v", err)
			}
			tt.tamper(t, e)
			if err := s.Verify(e); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Verify after tampering = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestListIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	s := Store{Dir: dir}
	e := mustSave(t, s, run(t, base, 1, checks.High), nil, base)
	for _, name := range []string{"README", ".20261101T090000Z-abc.tmp", "20261101T090000Z-XYZ", "20261301T090000Z-0123456789ab"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, SumsFile), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "20261102T090000Z-0123456789ab"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].ID != e.ID {
		t.Errorf("List = %+v, want only %s", entries, e.ID)
	}
	missing, err := Store{Dir: filepath.Join(dir, "nope")}.List()
	if err != nil || len(missing) != 0 {
		t.Errorf("List of a missing dir = %v, %v; want empty", missing, err)
	}
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		s    Store
		res  []byte
		at   time.Time
		want string
	}{
		{"no dir", Store{}, []byte("{}"), base, "no directory"},
		{"empty results", Store{Dir: dir}, nil, base, "empty results"},
		{"zero time", Store{Dir: dir}, []byte("{}"), time.Time{}, "generated_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.s.Save(tt.res, nil, tt.at); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Save error = %v, want mention of %q", err, tt.want)
			}
		})
	}
}

func TestTrend(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	// Saved out of order: the trend follows time, not save order.
	days := []int{3, 0, 4, 1, 2}
	for _, d := range days {
		at := base.Add(time.Duration(d) * 24 * time.Hour)
		mustSave(t, s, run(t, at, d+1, checks.High), snapshot(at), at)
	}
	tests := []struct {
		name     string
		n        int
		wantDays []int
	}{
		{"last three", 3, []int{2, 3, 4}},
		{"more than saved", 10, []int{0, 1, 2, 3, 4}},
		{"all", 0, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts, err := s.Trend(tt.n)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range pts {
				got = append(got, int(p.GeneratedAt.Sub(base)/(24*time.Hour)))
				if p.Failing.High != got[len(got)-1]+1 || p.Failing.Total() != p.Failing.High {
					t.Errorf("%s: failing %+v, want %d high", p.Entry, p.Failing, got[len(got)-1]+1)
				}
			}
			if !cmp.Equal(got, tt.wantDays) {
				t.Errorf("trend days = %v, want %v", got, tt.wantDays)
			}
		})
	}

	t.Run("corrupt entry fails the trend", func(t *testing.T) {
		entries, err := s.List()
		if err != nil {
			t.Fatal(err)
		}
		writeOver(t, entries[len(entries)-1].ResultsPath(), []byte("{}"))
		if _, err := s.Trend(2); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Trend over a tampered entry = %v, want ErrCorrupt", err)
		}
	})
}

func TestPoint(t *testing.T) {
	waiver := &checks.AppliedWaiver{Owner: "o", ApprovedBy: "a", Expires: "2027-01-01"}
	expired := &checks.AppliedWaiver{Owner: "o", ApprovedBy: "a", Expires: "2026-01-01", Expired: true}
	u := func(id string) checks.Subject { return checks.Subject{Type: "user", ID: id} }
	r := &checks.Results{
		GeneratedAt: base,
		Tool:        checks.Tool{Version: "1.2.3"},
		Summary:     checks.Summary{Pass: 1, Fail: 2, Waived: 1, NotAssessed: 1},
		Checks: []checks.CheckResult{
			{ID: "MFA-01", Status: checks.Fail, Severity: checks.High, Findings: []checks.Finding{
				{Subject: u("a")},
				{Subject: u("b"), Severity: checks.Critical},
				{Subject: u("c"), Waiver: waiver},  // covered: not failing
				{Subject: u("d"), Waiver: expired}, // expired: failing
			}},
			{ID: "EXC-01", Status: checks.Waived, Severity: checks.High, Findings: []checks.Finding{{Subject: u("e"), Waiver: waiver}}},
			{ID: "REC-06", Status: checks.NotAssessed, Severity: checks.Medium},
			{ID: "NHI-07", Status: checks.Fail, Severity: "odd", Findings: []checks.Finding{{Subject: u("f")}}},
		},
		Identities: []checks.Identity{
			{ID: "1", Privileged: true, NominalAAL: "AAL3", EffectiveAAL: "AAL2"},
			{ID: "2", NominalAAL: "AAL3", EffectiveAAL: "AAL1"},
			{ID: "3", Privileged: true, NominalAAL: "AAL3", EffectiveAAL: "AAL3"},
			{ID: "4", NominalAAL: "AAL1", EffectiveAAL: "AAL1"},
			{ID: "5", Privileged: true, NominalAAL: "AAL3", EffectiveAAL: "unknown"}, // fail closed: below (checks.Identity.BelowNominal)
			{ID: "7", Privileged: true, NominalAAL: "unknown", EffectiveAAL: "unknown"},
			{ID: "6", Privileged: true, NominalAAL: "AAL2", EffectiveAAL: "none"},
		},
	}
	want := TrendPoint{
		Entry: "x", GeneratedAt: base, ToolVersion: "1.2.3", Summary: r.Summary,
		Failing:  SeverityCounts{High: 2, Critical: 1, Unknown: 1},
		Accounts: 7, BelowNominal: 4, PrivilegedBelowNominal: 3, Complete: false,
		// 1, 5, 6 below nominal; 7 with an unknown effective AAL (at most
		// AAL1, checks.Identity.WeakFallback); not 3 (AAL3 at AAL3).
		PrivilegedWeak: 4,
	}
	if diff := cmp.Diff(want, Point("x", r)); diff != "" {
		t.Errorf("Point (-want +got):\n%s", diff)
	}
	r.Summary.NotAssessed = 0
	r.Checks[2].Status = checks.Pass // Complete reads the checks themselves (checks.Results.Complete)
	if !Point("x", r).Complete {
		t.Error("a run with every check assessed and no coverage gap is complete")
	}
	r.Checks[0].Incomplete = true
	if Point("x", r).Complete {
		t.Error("a run with an incomplete check is not complete")
	}
	r.Checks[0].Incomplete = false
	r.Sources = []checks.SourceInfo{{Coverage: []checks.Coverage{{Dataset: "system_log", Status: checks.CoveragePartial}}}}
	if Point("x", r).Complete {
		t.Error("partial coverage must make the run incomplete")
	}
}

func TestLatestAndLoad(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if _, ok, err := s.Latest(); ok || err != nil {
		t.Fatalf("Latest of an empty history = %v, %v", ok, err)
	}
	for _, d := range []int{2, 0, 1} {
		at := base.Add(time.Duration(d) * time.Hour)
		mustSave(t, s, run(t, at, d, checks.Low), nil, at)
	}
	e, ok, err := s.Latest()
	if err != nil || !ok {
		t.Fatalf("Latest = %v, %v", ok, err)
	}
	r, err := s.Load(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := base.Add(2 * time.Hour); !r.GeneratedAt.Equal(want) || len(r.Checks[0].Findings) != 2 {
		t.Errorf("Latest loaded the run of %v with %d findings, want %v with 2", r.GeneratedAt, len(r.Checks[0].Findings), want)
	}
	writeOver(t, e.ResultsPath(), []byte("{}"))
	if _, err := s.Load(e); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a tampered entry = %v, want ErrCorrupt", err)
	}
}

func TestResultsTrend(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	for d := range 4 {
		at := base.Add(time.Duration(d) * 24 * time.Hour)
		mustSave(t, s, run(t, at, d, checks.Critical), nil, at)
	}
	curAt := base.Add(4 * 24 * time.Hour)
	var cur checks.Results
	if err := json.Unmarshal(run(t, curAt, 7, checks.High), &cur); err != nil {
		t.Fatal(err)
	}
	days := func(pts []checks.TrendPoint) []int {
		var out []int
		for _, p := range pts {
			out = append(out, int(p.GeneratedAt.Sub(base)/(24*time.Hour)))
		}
		return out
	}
	tests := []struct {
		name      string
		n         int
		saveFirst bool
		want      []int
	}{
		{"last three with the current run", 3, false, []int{2, 3, 4}},
		{"only the current run", 1, false, []int{4}},
		{"all", 0, false, []int{0, 1, 2, 3, 4}},
		{"current run already saved appears once", 3, true, []int{2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.saveFirst {
				b, err := json.Marshal(&cur)
				if err != nil {
					t.Fatal(err)
				}
				mustSave(t, s, b, nil, cur.GeneratedAt)
			}
			pts, err := s.ResultsTrend(tt.n, &cur)
			if err != nil {
				t.Fatal(err)
			}
			if got := days(pts); !cmp.Equal(got, tt.want) {
				t.Fatalf("trend days = %v, want %v", got, tt.want)
			}
			last := pts[len(pts)-1]
			if last.Failing != 7 || last.FailingHigh != 7 || last.FailingCritical != 0 {
				t.Errorf("current point = %+v, want 7 high failing", last)
			}
			if first := pts[0]; len(pts) > 1 && first.FailingCritical != first.Failing {
				t.Errorf("saved point = %+v, want every failing finding critical", first)
			}
			// A scan's one walk gives the same trend, and first-seen dates
			// from every entry.
			trend, seen, err := s.ScanHistory(tt.n, &cur)
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(trend, pts) {
				t.Errorf("ScanHistory trend differs from ResultsTrend:\n%s", cmp.Diff(pts, trend))
			}
			entries, err := s.List()
			if err != nil {
				t.Fatal(err)
			}
			want := checks.SeenBefore{}
			for _, e := range entries {
				r, err := s.Load(e)
				if err != nil {
					t.Fatal(err)
				}
				want.SeeResults(r)
			}
			if len(want) == 0 || !cmp.Equal(seen, want) {
				t.Errorf("ScanHistory first seen = %v, want %v", seen, want)
			}
		})
	}
	if _, err := s.ResultsTrend(3, nil); err == nil {
		t.Error("ResultsTrend(nil) did not fail")
	}
	if _, _, err := s.ScanHistory(3, nil); err == nil {
		t.Error("ScanHistory(nil) did not fail")
	}
}

// TestVerifyRefusesNonRegularFiles: a results.json replaced by a FIFO is a
// corrupt entry, reported at once (reading it used to block forever).
func TestVerifyRefusesNonRegularFiles(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	e := mustSave(t, s, run(t, at, 1, checks.High), nil, at)
	os.Chmod(e.Dir, 0o700)
	os.Remove(e.ResultsPath())
	if err := syscall.Mkfifo(e.ResultsPath(), 0o600); err != nil {
		t.Skip("no FIFOs:", err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Verify(e) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("Verify = %v, want ErrCorrupt", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Verify blocked on a FIFO")
	}
	var skipped []string
	s.OnCorrupt = func(e Entry, err error) { skipped = append(skipped, e.ID) }
	if _, err := s.Trend(0); err != nil || len(skipped) != 1 {
		t.Errorf("Trend with OnCorrupt = %v, skipped %v; want the entry skipped", err, skipped)
	}
}
