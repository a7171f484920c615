package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

func TestBuildTrend(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	pt := func(at time.Time, failing, crit, below int, complete bool) checks.TrendPoint {
		return checks.TrendPoint{GeneratedAt: at, Failing: failing, FailingCritical: crit, BelowNominal: below, Complete: complete, Summary: checks.Summary{Fail: failing / 4}}
	}
	tests := []struct {
		name       string
		in         []checks.TrendPoint
		nilTrend   bool
		labels     []string
		failing    []int
		sentence   []string // substrings
		incomplete int
	}{
		{name: "none", nilTrend: true},
		{name: "one run: nothing to compare", in: []checks.TrendPoint{pt(day(1, 9), 10, 1, 2, true)}, nilTrend: true},
		{
			name:     "unsorted runs are ordered oldest first",
			in:       []checks.TrendPoint{pt(day(3, 9), 90, 4, 20, true), pt(day(1, 9), 112, 12, 30, true), pt(day(2, 9), 100, 9, 25, true)},
			labels:   []string{"2026-11-01", "2026-11-02", "2026-11-03"},
			failing:  []int{112, 100, 90},
			sentence: []string{"Failing findings went from 112 to 90 since 2026-11-01 (3 runs); critical 12 → 4; accounts below their nominal AAL 30 → 20."},
		},
		{
			name:     "same day: times in the labels; unchanged figures",
			in:       []checks.TrendPoint{pt(day(5, 9), 7, 1, 3, true), pt(day(5, 15), 7, 1, 3, true)},
			labels:   []string{"2026-11-05 09:00", "2026-11-05 15:00"},
			failing:  []int{7, 7},
			sentence: []string{"Failing findings stayed at 7 since 2026-11-05 09:00 (2 runs); critical 1, unchanged;"},
		},
		{
			name:       "incomplete runs are named as lower bounds",
			in:         []checks.TrendPoint{pt(day(1, 9), 5, 0, 1, false), pt(day(2, 9), 8, 2, 1, true)},
			labels:     []string{"2026-11-01", "2026-11-02"},
			failing:    []int{5, 8},
			sentence:   []string{"went from 5 to 8", "One run (2026-11-01) could not assess everything: its figures are lower bounds."},
			incomplete: 1,
		},
		{
			name:     "a run without a date",
			in:       []checks.TrendPoint{pt(time.Time{}, 5, 0, 1, true), pt(day(2, 9), 8, 2, 1, true)},
			labels:   []string{"unknown date", "2026-11-02"},
			failing:  []int{5, 8},
			sentence: []string{"since the first kept run"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := append([]checks.TrendPoint(nil), tt.in...)
			tr := BuildTrend(tt.in, day(2, 9))
			if diff := cmp.Diff(orig, tt.in); diff != "" {
				t.Errorf("input modified:\n%s", diff)
			}
			if tt.nilTrend {
				if tr != nil {
					t.Errorf("trend = %+v, want nil", tr)
				}
				return
			}
			if tr == nil {
				t.Fatal("nil trend")
			}
			if diff := cmp.Diff(tt.labels, tr.Chart.Categories); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			if len(tr.Chart.Series) != 3 || tr.Chart.Series[0].Name != TrendFailing {
				t.Fatalf("series = %+v", tr.Chart.Series)
			}
			if diff := cmp.Diff(tt.failing, tr.Chart.Series[0].Values); diff != "" {
				t.Errorf("failing (-want +got):\n%s", diff)
			}
			for i, r := range tr.Runs {
				if r.Failing != tt.failing[i] || r.Label != tt.labels[i] {
					t.Errorf("run %d = %+v", i, r)
				}
				if r.Current != r.GeneratedAt.Equal(day(2, 9)) {
					t.Errorf("run %d current = %v", i, r.Current)
				}
			}
			for _, want := range tt.sentence {
				if !strings.Contains(tr.Sentence, want) {
					t.Errorf("sentence %q lacks %q", tr.Sentence, want)
				}
			}
			if tr.Incomplete != tt.incomplete {
				t.Errorf("incomplete = %d, want %d", tr.Incomplete, tt.incomplete)
			}
		})
	}
}

func TestViewTrend(t *testing.T) {
	r := fixture.Results()
	v, err := BuildView(r, ViewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Trend == nil || len(v.Trend.Runs) != len(r.Trend) || v.Summary.Trend != v.Trend.Sentence {
		t.Fatalf("trend = %+v, summary %q", v.Trend, v.Summary.Trend)
	}
	// The fixture's current point must agree with what the view counts.
	open := 0
	for _, s := range v.Findings {
		for _, p := range s.Providers {
			if p.Status == checks.Fail {
				open += p.Open
			}
		}
	}
	last := v.Trend.Runs[len(v.Trend.Runs)-1]
	if last.Failing != 35 || open != 35 || !last.Current || last.FailingCritical != 5 || last.BelowNominal != v.Summary.GapAccounts || !last.GeneratedAt.Equal(r.GeneratedAt) {
		t.Errorf("current run = %+v (gap accounts %d)", last, v.Summary.GapAccounts)
	}
	r.Trend = r.Trend[:1]
	if v, err = BuildView(r, ViewOptions{}); err != nil || v.Trend != nil || v.Summary.Trend != "" {
		t.Errorf("one run: trend = %+v, %q, %v", v.Trend, v.Summary.Trend, err)
	}
}

// TestTrendAxisIsCollectionTime: snapshots collected 20 Oct, 5 Nov and 20
// Nov and evaluated within minutes of each other on 4 Dec plot as three
// dates weeks apart, not three minutes of one day.
func TestTrendAxisIsCollectionTime(t *testing.T) {
	run := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	var ps []checks.TrendPoint
	for i, c := range []string{"2026-10-20", "2026-11-05", "2026-11-20"} {
		at, _ := time.Parse(time.DateOnly, c)
		ps = append(ps, checks.TrendPoint{GeneratedAt: run.Add(time.Duration(i) * time.Minute), CollectedAt: at, Failing: 10 - i, Complete: true})
	}
	tr := BuildTrend(ps, ps[2].GeneratedAt)
	if tr == nil {
		t.Fatal("no trend")
	}
	if got := strings.Join(tr.Chart.Categories, ","); got != "2026-10-20,2026-11-05,2026-11-20" {
		t.Errorf("axis %s", got)
	}
	if !tr.Runs[2].Current || tr.Chart.XLabel != "Evidence collected" {
		t.Errorf("current %v, x label %q", tr.Runs[2].Current, tr.Chart.XLabel)
	}
}
