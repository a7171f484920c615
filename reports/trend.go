package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
)

// Trend is the change of the key figures across the runs kept with scan
// --history, oldest first, ending with the current run.
type Trend struct {
	Since time.Time `json:"since"`
	// Sentence summarizes the change for the executive summary.
	Sentence string     `json:"sentence"`
	Runs     []TrendRun `json:"runs"`
	// Chart is a line chart: one category per run, one series per figure.
	Chart Chart `json:"chart"`
	// Incomplete counts the runs that could not assess everything: their
	// figures are lower bounds.
	Incomplete int `json:"incomplete"`
}

// TrendRun is one run's figures as the reports print them.
type TrendRun struct {
	// Label is the run's date (with the time when two runs share a day).
	Label       string    `json:"label"`
	GeneratedAt time.Time `json:"generated_at"`
	// CollectedAt is when the run's evidence was collected: the trend's
	// time axis (the run's own time where it was not recorded).
	CollectedAt time.Time `json:"collected_at"`
	// Checks counts the run's check results by status.
	Checks                 checks.Summary `json:"checks"`
	Failing                int            `json:"failing_findings"`
	FailingCritical        int            `json:"failing_critical"`
	FailingHigh            int            `json:"failing_high"`
	Accounts               int            `json:"accounts"`
	BelowNominal           int            `json:"accounts_below_nominal_aal"`
	PrivilegedBelowNominal int            `json:"privileged_below_nominal_aal"`
	// PrivilegedWeak is the summary's "privileged accounts with a weak
	// fallback" for the run (checks.Identity.WeakFallback).
	PrivilegedWeak int  `json:"privileged_weak_fallback"`
	Complete       bool `json:"complete"`
	// Current marks the run these results come from.
	Current bool `json:"current,omitempty"`
}

// Trend chart series, in drawing order.
const (
	TrendFailing      = "Failing findings"
	TrendCritical     = "Critical failing findings"
	TrendBelowNominal = "Accounts below nominal AAL"
)

// BuildTrend turns results.trend into the reports' trend, or nil when there
// are fewer than two runs (nothing to compare). Points are ordered by time
// (stable, so equal times keep their order); the run generated at current
// (the results' generated_at) is marked Current. points is not modified.
func BuildTrend(points []checks.TrendPoint, current time.Time) *Trend {
	if len(points) < 2 {
		return nil
	}
	ps := append([]checks.TrendPoint(nil), points...)
	// The axis is evidence time: three snapshots collected weeks apart and
	// evaluated in one afternoon are weeks apart.
	when := func(p checks.TrendPoint) time.Time {
		if !p.CollectedAt.IsZero() {
			return p.CollectedAt.UTC()
		}
		return p.GeneratedAt.UTC()
	}
	sort.SliceStable(ps, func(i, j int) bool { return when(ps[i]).Before(when(ps[j])) })
	days := map[string]int{}
	for _, p := range ps {
		days[when(p).Format(time.DateOnly)]++
	}
	tr := &Trend{Since: when(ps[0]), Runs: make([]TrendRun, 0, len(ps))}
	fail := Series{Name: TrendFailing}
	crit := Series{Name: TrendCritical}
	below := Series{Name: TrendBelowNominal}
	for _, p := range ps {
		at := when(p)
		label := at.Format(time.DateOnly)
		switch {
		case at.IsZero():
			label = "unknown date"
		case days[label] > 1:
			label = at.Format("2006-01-02 15:04")
		}
		tr.Runs = append(tr.Runs, TrendRun{
			Label: label, GeneratedAt: p.GeneratedAt.UTC(), CollectedAt: at, Checks: p.Summary,
			Failing: p.Failing, FailingCritical: p.FailingCritical, FailingHigh: p.FailingHigh,
			Accounts: p.Accounts, BelowNominal: p.BelowNominal, PrivilegedBelowNominal: p.PrivilegedBelowNominal, PrivilegedWeak: p.PrivilegedWeak, Complete: p.Complete,
			Current: !current.IsZero() && p.GeneratedAt.UTC().Equal(current.UTC()),
		})
		if !p.Complete {
			tr.Incomplete++
		}
		tr.Chart.Categories = append(tr.Chart.Categories, label)
		fail.Values = append(fail.Values, p.Failing)
		crit.Values = append(crit.Values, p.FailingCritical)
		below.Values = append(below.Values, p.BelowNominal)
	}
	tr.Chart.Title = "Trend across the last " + Thousands(len(ps)) + " runs"
	tr.Chart.XLabel = "Evidence collected"
	tr.Chart.YLabel = "Count"
	tr.Chart.Series = []Series{fail, crit, below}
	tr.Sentence = trendSentence(tr)
	return tr
}

// change words a figure's move: "went from 112 to 98", "stayed at 30".
func change(from, to int) string {
	if from == to {
		return "stayed at " + Thousands(to)
	}
	return "went from " + Thousands(from) + " to " + Thousands(to)
}

func arrow(from, to int) string {
	if from == to {
		return Thousands(to) + ", unchanged"
	}
	return Thousands(from) + " → " + Thousands(to)
}

func trendSentence(tr *Trend) string {
	first, last := tr.Runs[0], tr.Runs[len(tr.Runs)-1]
	since := first.Label
	if first.CollectedAt.IsZero() {
		since = "the first kept run"
	}
	s := fmt.Sprintf("Failing findings %s since %s (%d runs); critical %s; accounts below their nominal AAL %s.",
		change(first.Failing, last.Failing), since, len(tr.Runs), arrow(first.FailingCritical, last.FailingCritical), arrow(first.BelowNominal, last.BelowNominal))
	if tr.Incomplete > 0 {
		var which []string
		for _, r := range tr.Runs {
			if !r.Complete {
				which = append(which, r.Label)
			}
		}
		if len(which) > 3 {
			which = append(which[:3], "and "+Thousands(len(which)-3)+" more")
		}
		s += fmt.Sprintf(" %s (%s) could not assess everything: %s figures are lower bounds.",
			plural(tr.Incomplete, "One run", Thousands(tr.Incomplete)+" runs"), strings.Join(which, ", "), plural(tr.Incomplete, "its", "their"))
	}
	return s
}
