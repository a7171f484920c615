// Package drift compares two runs' results (a baseline and the current scan)
// for `scan --baseline`, `diff` and `--fail-on-new`.
//
// A finding is keyed by (check id, provider, subject type, subject id). It is
// failing when its check's status is fail and no unexpired waiver covers it
// (an expired waiver does not cover it). From there:
//
//   - new: failing now, not failing in the baseline (including checks the
//     baseline could not assess: what cannot be shown to be old counts as new);
//   - resolved: failing in the baseline, not failing now because the subject
//     is gone or the check no longer finds it;
//   - newly waived: failing in the baseline, now covered by an unexpired
//     waiver (a decision, not a fix: not resolved);
//   - no longer assessed: failing in the baseline, and the check is now
//     not_assessed or manual, or its check × provider is absent from the
//     current run — nothing shows it went away;
//   - still failing: failing in both.
//
// A new finding whose waiver expired since says so (Reason "waiver
// expired"): the weakness is old, the acceptance lapsed.
package drift

import (
	"cmp"
	"slices"

	"github.com/shadowpath/shadowpath/checks"
)

type checkKey struct{ id, provider string }

type findingKey struct {
	checkKey
	subjectType, subjectID string
}

type identityKey struct{ provider, id string }

// assessed statuses are verdicts about the subjects: a finding absent under
// one of them is really absent.
func assessed(s checks.Status) bool {
	switch s {
	case checks.Pass, checks.Fail, checks.Waived, checks.NotApplicable:
		return true
	}
	return false
}

type side struct {
	checks  map[checkKey]*checks.CheckResult
	failing map[findingKey]checks.DriftFinding
	// waived are findings covered by an unexpired waiver.
	waived map[findingKey]bool
}

func index(r *checks.Results) side {
	s := side{checks: map[checkKey]*checks.CheckResult{}, failing: map[findingKey]checks.DriftFinding{}, waived: map[findingKey]bool{}}
	if r == nil {
		return s
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		ck := checkKey{c.ID, c.Provider}
		if _, dup := s.checks[ck]; !dup {
			s.checks[ck] = c
		}
		for j := range c.Findings {
			f := &c.Findings[j]
			fk := findingKey{ck, f.Subject.Type, f.Subject.ID}
			if !f.Open() {
				s.waived[fk] = true
			}
			if !c.Failing(f) {
				continue
			}
			df := checks.DriftFinding{
				CheckID:  c.ID,
				Provider: c.Provider,
				Subject:  f.Subject,
				Severity: c.SeverityOf(f),
				Message:  f.Message,
			}
			if f.Waiver != nil && f.Waiver.Expired {
				df.Reason = "waiver expired"
			}
			// Two findings on one subject: keep the most severe, so gating
			// never under-counts.
			if old, dup := s.failing[fk]; !dup || df.Severity.Rank() > old.Severity.Rank() {
				s.failing[fk] = df
			}
		}
	}
	return s
}

// Compare returns what changed from old (the baseline) to new. A nil side is
// an empty run. Every list is non-nil and sorted: findings by check id,
// provider, subject type, subject id; statuses by check id, provider; AAL
// changes by provider, account id.
func Compare(old, new *checks.Results) *checks.Drift {
	d := &checks.Drift{
		New:              []checks.DriftFinding{},
		Resolved:         []checks.DriftFinding{},
		StillFailing:     []checks.DriftFinding{},
		Changed:          []checks.DriftStatus{},
		AALDowngrades:    []checks.AALChange{},
		NewlyWaived:      []checks.DriftFinding{},
		NoLongerAssessed: []checks.DriftFinding{},
	}
	if old != nil {
		d.BaselineGeneratedAt = old.GeneratedAt
		d.BaselineCollectedAt = old.CollectedAt()
	}
	o, n := index(old), index(new)

	for k, f := range n.failing {
		if _, was := o.failing[k]; was {
			f.Reason = ""
			d.StillFailing = append(d.StillFailing, f)
		} else {
			if f.Reason != "" && !o.waived[k] {
				f.Reason = "" // not covered in the baseline either: an ordinary new finding
			}
			d.New = append(d.New, f)
		}
	}
	for k, f := range o.failing {
		if _, is := n.failing[k]; is {
			continue
		}
		f.Reason = ""
		c, ok := n.checks[k.checkKey]
		switch {
		case !ok || !assessed(c.Status):
			d.NoLongerAssessed = append(d.NoLongerAssessed, f)
		case n.waived[k]:
			d.NewlyWaived = append(d.NewlyWaived, f)
		default:
			d.Resolved = append(d.Resolved, f)
		}
	}

	for k, oc := range o.checks {
		to := checks.Status("")
		if nc, ok := n.checks[k]; ok {
			to = nc.Status
		}
		if to != oc.Status {
			d.Changed = append(d.Changed, checks.DriftStatus{CheckID: k.id, Provider: k.provider, From: oc.Status, To: to})
		}
	}
	for k, nc := range n.checks {
		if _, ok := o.checks[k]; !ok {
			d.Changed = append(d.Changed, checks.DriftStatus{CheckID: k.id, Provider: k.provider, To: nc.Status})
		}
	}

	d.AALDowngrades = aalDowngrades(old, new)

	sortFindings(d.New)
	sortFindings(d.Resolved)
	sortFindings(d.StillFailing)
	sortFindings(d.NewlyWaived)
	sortFindings(d.NoLongerAssessed)
	slices.SortFunc(d.Changed, func(a, b checks.DriftStatus) int {
		return cmp.Or(cmp.Compare(a.CheckID, b.CheckID), cmp.Compare(a.Provider, b.Provider))
	})
	return d
}

func aalDowngrades(old, new *checks.Results) []checks.AALChange {
	out := []checks.AALChange{}
	if old == nil || new == nil {
		return out
	}
	before := map[identityKey]checks.Identity{}
	for _, id := range old.Identities {
		before[identityKey{id.Provider, id.ID}] = id
	}
	seen := map[identityKey]bool{}
	for _, id := range new.Identities {
		k := identityKey{id.Provider, id.ID}
		if seen[k] {
			continue
		}
		seen[k] = true
		was, ok := before[k]
		if !ok {
			continue
		}
		from, okFrom := checks.ParseAAL(was.EffectiveAAL)
		to, okTo := checks.ParseAAL(id.EffectiveAAL)
		if !okFrom || !okTo || to >= from {
			continue
		}
		out = append(out, checks.AALChange{
			Provider: id.Provider, ID: id.ID, Name: id.Name,
			From: was.EffectiveAAL, To: id.EffectiveAAL,
		})
	}
	slices.SortFunc(out, func(a, b checks.AALChange) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func sortFindings(fs []checks.DriftFinding) {
	slices.SortFunc(fs, func(a, b checks.DriftFinding) int {
		return cmp.Or(
			cmp.Compare(a.CheckID, b.CheckID),
			cmp.Compare(a.Provider, b.Provider),
			cmp.Compare(a.Subject.Type, b.Subject.Type),
			cmp.Compare(a.Subject.ID, b.Subject.ID),
		)
	})
}
