package xlsx

import (
	"fmt"
	"time"
)

func (b *book) evidence() error {
	s, err := b.newSheet(SheetEvidence)
	if err != nil {
		return err
	}
	if err := s.widths(24, 40, 26, 18, 18, 18, 10, 72); err != nil {
		return err
	}
	const span = 8 // A..H
	if err := s.noGrid(); err != nil {
		return err
	}
	// Several tables share the columns: every cell carries its own style.
	t := func(x string) any {
		if risky(x) {
			return b.str(x)
		}
		return styled(b.sWrap, x)
	}
	n := func(x int) any { return styled(b.sTop, x) }
	put := func(vals ...any) error { return s.put(vals...) }
	if err := put(styled(b.sSub, "Sources")); err != nil {
		return err
	}
	if err := s.header("Provider", "Tenant", "Tenant name", "Collected at (UTC)", "Audit window from", "Audit window to", "Accounts", "Evidence SHA-256"); err != nil {
		return err
	}
	if err := s.numHeader(6); err != nil {
		return err
	}
	for _, src := range b.r.Sources {
		if err := put(t(src.Provider), t(src.Tenant), t(src.TenantName), styled(b.sDate, src.CollectedAt.UTC()), styled(b.sDate, src.AuditWindow.Since.UTC()), styled(b.sDate, src.AuditWindow.Until.UTC()), n(src.Accounts), t(src.EvidenceSHA256)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Coverage: what was read")); err != nil {
		return err
	}
	if err := s.spanLast(span, styled(b.sHeader, "Provider"), styled(b.sHeader, "Dataset"), styled(b.sHeader, "Status"), styled(b.sHeaderNum, "Items"), styled(b.sHeader, "Detail")); err != nil {
		return err
	}
	for _, c := range b.v.Appendix.Coverage {
		if err := s.spanLast(span, t(c.Provider), t(c.Dataset), t(c.Status), n(c.Items), t(c.Detail)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Out of scope: what was excluded and why")); err != nil {
		return err
	}
	if err := s.header("Provider", "Reason", "Accounts"); err != nil {
		return err
	}
	if err := s.numHeader(2); err != nil {
		return err
	}
	for _, o := range b.v.Appendix.OutOfScope {
		if err := put(t(o.Provider), t(o.Reason), n(o.Count)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Thresholds used")); err != nil {
		return err
	}
	if err := s.header("Key", "Setting", "Value"); err != nil {
		return err
	}
	for _, p := range b.v.Appendix.Thresholds {
		if err := put(t(p.Key), t(p.Label), t(p.Value)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Manual checks: a person must verify")); err != nil {
		return err
	}
	if err := s.spanLast(span, styled(b.sHeader, "Check"), styled(b.sHeader, "Provider"), styled(b.sHeader, "Title"), styled(b.sHeader, "What to verify")); err != nil {
		return err
	}
	for _, m := range b.v.Appendix.Manual {
		if err := s.spanLast(span, t(m.CheckID), t(m.Provider), t(m.Title), t(m.Detail)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := put(styled(b.sSub, "Warnings")); err != nil {
		return err
	}
	for _, w := range b.v.Appendix.Warnings {
		if err := s.spanLast(span, t(w)); err != nil {
			return err
		}
	}
	s.skip(1)
	if err := s.para(b.sNote, fmt.Sprintf("Results schema %s, generated %s by %s.", b.r.SchemaVersion, b.v.Cover.ScanTime.Format(time.RFC3339), b.v.Cover.Tool), span); err != nil {
		return err
	}
	return s.print(0, "")
}
