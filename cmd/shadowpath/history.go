package main

import (
	"fmt"
	"log/slog"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/internal/history"
)

// trendRuns is how many runs (this one included) the reports' trend shows.
const trendRuns = 8

// addHistory puts the key figures of the last runs kept in dir, and of this
// run, into res.Trend, and adds to seen when each finding was first seen in
// the kept runs. Each entry is read and verified once for both, one at a
// time.
//
// An entry that fails verification (tampered) is skipped with a warning:
// the trend and first-seen dates are drawn from the others and the scan
// goes on.
func addHistory(dir string, res *checks.Results, seen checks.SeenBefore, log *slog.Logger) error {
	st := history.Store{Dir: dir, OnCorrupt: func(e history.Entry, err error) {
		log.Warn("history entry skipped: it does not verify (altered or damaged); the trend and first-seen dates leave it out", "entry", e.Dir, "err", err)
	}}
	t, s, err := st.ScanHistory(trendRuns, res)
	if err != nil {
		return envErr(fmt.Errorf("--history %s: %w", dir, err))
	}
	res.Trend = t
	for id, t := range s {
		if old, ok := seen[id]; !ok || t.Before(old) {
			seen[id] = t
		}
	}
	return nil
}

// saveHistory keeps this run's results.json and evidence snapshot.
// evidenceJSON is the canonical snapshot (evidence.EncodeSnapshot).
func saveHistory(dir string, files []outputFile, evidenceJSON []byte, res *checks.Results, log *slog.Logger) error {
	var resultsJSON []byte
	for _, f := range files {
		if f.name == "results.json" {
			resultsJSON = f.data
		}
	}
	if resultsJSON == nil {
		var err error
		if resultsJSON, err = renderOne(res); err != nil {
			return err
		}
	}
	e, err := history.Store{Dir: dir}.Save(resultsJSON, evidenceJSON, res.GeneratedAt)
	if err != nil {
		return envErr(fmt.Errorf("--history %s: %w", dir, err))
	}
	log.Info("run kept in history", "entry", e.ID)
	return nil
}
