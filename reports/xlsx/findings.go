package xlsx

import (
	"cmp"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

func (b *book) findings() error {
	st, err := b.newStream(SheetFindings, []column{col(9), col(9), wcol(30), col(14), col(10), wcol(10), col(40), wcol(28), wcol(48), wcol(56), wcol(16), wcol(22), wcol(22), col(12), col(9),
		col(17), col(15), col(30), col(10), col(40), col(60), col(22), col(12)},
		[]string{"Check", "Provider", "Check title", "Check status", "Severity", "Subject type", "Subject ID", "Subject name", "Message", "Evidence", "Waiver", "Waiver owner", "Waiver approver", "Waiver expires", "Waiver expired",
			"Finding ID", "Finding status", "Login", "Privileged", "Mapped controls", "Remediation", "Owner", "Due"})
	if err != nil {
		return err
	}
	remediation := map[string]string{} // check\x00provider → text
	for _, sec := range b.v.Findings {
		for _, p := range sec.Providers {
			remediation[sec.CheckID+"\x00"+p.Provider] = cmp.Or(p.Remediation, sec.Remediation)
		}
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			var wl, wo, wa, we any
			var wx any
			status := "open"
			if w := f.Waiver; w != nil {
				wl, wo, wa, we, wx = b.str(reports.WaiverLabel(w)), b.str(w.Owner), b.str(w.ApprovedBy), b.day(w.Expires), w.Expired
				status = "waived"
				if w.Expired {
					status = "waiver expired"
				}
			}
			login, _ := f.Evidence["login"].(string)
			priv, _ := f.Evidence["privileged"].(bool)
			id := f.ID
			if id == "" {
				id = checks.FindingID(c.ID, c.Provider, f.Subject)
			}
			if err := st.put(b.str(c.ID), b.str(c.Provider), b.str(c.Title), b.str(string(c.Status)), b.str(string(reports.FindingSeverity(c, f))),
				b.str(f.Subject.Type), b.str(f.Subject.ID), b.str(f.Subject.Name), b.str(f.Message), b.str(reports.EvidenceText(f.Evidence, 0)),
				wl, wo, wa, we, wx,
				b.str(id), b.str(status), b.str(login), priv, b.str(controlsText(c.Controls)), b.str(remediation[c.ID+"\x00"+c.Provider]), b.str(""), b.str("")); err != nil {
				return err
			}
		}
	}
	return st.finish(map[string][]excelize.ConditionalFormatOptions{"E": b.severityRules()})
}
