package xlsx

import (
	"strings"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
)

// evidenceValue reads an evidence key as text (lists joined with ", ").
func evidenceValue(ev map[string]any, key string) string {
	v, ok := ev[key]
	if !ok {
		return ""
	}
	s := reports.EvidenceText(map[string]any{"v": v}, 0)
	s = strings.TrimPrefix(s, "v: ")
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	return s
}

// extraCol is a column a finding sheet adds from the evidence.
type extraCol struct {
	title string
	column
}

func (b *book) findingSheet(name, note string, match func(id string) bool, extra []extraCol, extraVals func(f checks.Finding) []any) error {
	s, err := b.newSheet(name)
	if err != nil {
		return err
	}
	cs := []column{col(9), col(9), wcol(10), col(40), wcol(26), wcol(44)}
	for _, x := range extra {
		cs = append(cs, x.column)
	}
	cs = append(cs, wcol(50))
	if err := s.columns(cs...); err != nil {
		return err
	}
	if err := s.para(b.sNote, note, len(cs)); err != nil {
		return err
	}
	s.skip(1)
	hdr := []string{"Check", "Provider", "Subject type", "Subject ID", "Subject name", "Message"}
	for _, x := range extra {
		hdr = append(hdr, x.title)
	}
	hdr = append(hdr, "Evidence")
	if err := s.header(hdr...); err != nil {
		return err
	}
	headerRow := s.row - 1
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		if !match(c.ID) {
			continue
		}
		for _, f := range c.Findings {
			row := []any{b.str(c.ID), b.str(c.Provider), b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message)}
			row = append(row, extraVals(f)...)
			row = append(row, b.str(reports.EvidenceText(f.Evidence, 0)))
			if err := s.put(row...); err != nil {
				return err
			}
		}
	}
	return s.filter(headerRow, len(hdr), s.row-1)
}

func (b *book) recovery() error {
	return b.findingSheet(SheetRecovery,
		"Built from the evidence of the REC-06 and REC-07 findings: results.json carries no raw audit events. The full event log is in the evidence snapshot (see the hashes on the Evidence sheet).",
		func(id string) bool { return id == "REC-06" || id == "REC-07" },
		[]extraCol{{"Login", wcol(26)}, {"Event IDs", wcol(24)}, {"Event kinds", wcol(16)}, {"Actors", wcol(26)}, {"Last reset", col(16)}},
		func(f checks.Finding) []any {
			ev := f.Evidence
			return []any{b.str(evidenceValue(ev, "login")), b.str(evidenceValue(ev, "events")), b.str(evidenceValue(ev, "kinds")),
				b.str(evidenceValue(ev, "actors")), b.instant(evidenceValue(ev, "last_reset"))}
		})
}

func (b *book) workloads() error {
	return b.findingSheet(SheetWorkloads,
		"Built from the findings of the NHI checks: results.json lists workload identities only where a check found something. The full inventory is in the evidence snapshot.",
		func(id string) bool { return strings.HasPrefix(id, "NHI-") },
		[]extraCol{{"Workload type", wcol(16)}, {"App ID", col(40)}, {"Reasons", wcol(36)}},
		func(f checks.Finding) []any {
			ev := f.Evidence
			return []any{b.str(evidenceValue(ev, "workload_type")), b.str(evidenceValue(ev, "app_id")), b.str(evidenceValue(ev, "reasons"))}
		})
}
