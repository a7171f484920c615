package pdf

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates"
)

func (d *doc) render(ctx context.Context) {
	d.cover()
	d.summary()
	d.trend()
	d.charts()
	d.drift()
	d.matrix()
	d.privilegedPaths()
	d.findings(ctx)
	d.appendix()
}

func (d *doc) cover() {
	f, v := d.f, d.v
	f.AddPage()
	f.Bookmark("Cover", 0, 0)
	d.fill(cNavy)
	f.Rect(0, 0, pageW, 96, "F")
	d.pill(pageW-marginR-26, 14, strings.ToUpper(v.Cover.Classification), rgb{198, 40, 40})
	d.font("B", 9, rgb{165, 196, 230})
	d.cellText(marginL, 26, bodyW, 5, "SHADOWPATH · IDENTITY ASSURANCE REVIEW", "L")
	f.SetXY(marginL, 36)
	d.para(marginL, bodyW, v.Cover.Title, "B", 26, cWhite, 11)
	f.Ln(1)
	d.para(marginL, bodyW, v.Cover.Subtitle, "", 13, rgb{205, 220, 238}, 6.5)
	f.SetXY(marginL, 72)
	d.para(marginL, bodyW, v.Cover.Organization, "B", 19, cWhite, 8.5)
	f.Ln(1)
	d.para(marginL, bodyW, "Confidential: contains account names and security weaknesses of "+v.Cover.Organization+". Distribute on a need-to-know basis.", "", 8, rgb{205, 220, 238}, 4)

	f.SetXY(marginL, 104)
	var providers []string
	for _, p := range v.Providers {
		providers = append(providers, p.Name)
	}
	kv := [][2]string{
		{"Scan time", v.Cover.ScanTime.Format("2006-01-02 15:04 UTC")},
		{"Audit window", v.Cover.AuditWindow},
		{"Identity providers", strings.Join(providers, ", ")},
		{"Produced by", v.Cover.Tool},
		{"Completeness", v.Cover.Completeness},
	}
	for _, p := range kv {
		y := d.y()
		d.font("", 9, cMuted)
		d.cellText(marginL, y, 42, 6, p[0], "L")
		c := cInk
		if p[0] == "Completeness" && !v.Cover.Complete {
			c = statusColor(checks.NotAssessed)
		}
		d.f.SetXY(marginL+42, y+0.8)
		d.para(marginL+42, bodyW-42, p[1], "B", 10, c, 5)
		f.SetXY(marginL, max(y+6, d.y()+1))
	}
	f.Ln(3)
	d.para(marginL, bodyW, "Tenants and evidence", "B", 10, cNavy, 6)
	f.Ln(1)
	var rows [][]cell
	for _, t := range v.Cover.Tenants {
		name := t.Tenant
		if t.TenantName != "" {
			name = t.TenantName + " (" + t.Tenant + ")"
		}
		rows = append(rows, []cell{txt(t.ProviderName), txt(name), txt(t.CollectedAt.Format("2006-01-02 15:04")), txt(strconv.Itoa(t.Accounts))})
	}
	d.table([]column{{"Provider", 34, "L"}, {"Tenant", 90, "L"}, {"Collected (UTC)", 30, "L"}, {"Accounts", 20, "R"}}, rows)
	// Each hash on one line of its own: a wrapped hash cannot be copied.
	for _, t := range v.Cover.Tenants {
		d.font("", 7.5, cMuted)
		d.cellText(marginL, d.y(), bodyW, 4.2, "Evidence SHA-256 ("+t.ProviderName+"): "+t.EvidenceSHA256, "L")
		f.Ln(4.4)
	}
	f.Ln(1.5)
	label := func(k, val string) {
		y := d.y()
		d.font("", 7.5, cMuted)
		d.cellText(marginL, y, 30, 3.8, k, "L")
		d.f.SetXY(marginL+30, y)
		d.para(marginL+30, bodyW-30, val, "", 7.5, cInk, 3.8)
	}
	for i, sc := range v.Cover.Scope {
		k := ""
		if i == 0 {
			k = "Scope"
		}
		label(k, sc)
	}
	label("Break-glass", v.Cover.BreakGlass)
	label("Service accounts", v.Cover.ServiceAccounts)
	if rp := v.Cover.Reperform; len(rp.Files) > 0 {
		f.Ln(2)
		d.para(marginL, bodyW, "Re-performing this assessment", "B", 10, cNavy, 6)
		for _, in := range rp.Files {
			label(in.Label, in.Path)
			if in.SHA256 != "" {
				label("", "SHA-256 "+in.SHA256)
			}
		}
		for _, c := range rp.Commands {
			f.Ln(1)
			d.box(c, cTint, cNavy, "B", 7.5)
		}
		if rp.Note != "" {
			d.para(marginL, bodyW, rp.Note, "", 7.5, cMuted, 3.8)
		}
	}
	f.SetXY(marginL, max(pageH-30, d.y()+3))
	d.para(marginL, bodyW, "This document summarizes the assessment for decision makers. "+reports.WorkbookFilename+" lists every account and finding; results.json is the machine-readable record. The evidence hashes identify the snapshots the results were computed from.", "", 7.5, cMuted, 3.8)
}

func (d *doc) summary() {
	s := d.v.Summary
	d.heading("Executive summary", 0, true)
	d.box(s.Headline, cTint, cNavy, "B", 10.5)

	// Key figures.
	type tile struct {
		value, label string
		c            rgb
	}
	gapC, privC, failC, naC := cInk, cInk, cInk, cInk
	if s.GapAccounts > 0 {
		gapC = statusColor(checks.Fail)
	}
	if s.PrivilegedWeak.Count > 0 {
		privC = statusColor(checks.Fail)
	}
	if s.Checks.Fail > 0 {
		failC = statusColor(checks.Fail)
	}
	if s.Checks.NotAssessed > 0 {
		naC = statusColor(checks.NotAssessed)
	}
	tiles := []tile{
		{reports.Thousands(s.Accounts), "accounts assessed", cNavy},
		{reports.Thousands(s.GapAccounts), "effective AAL below nominal AAL", gapC},
		{reports.Thousands(s.PrivilegedWeak.Count), "of " + reports.Thousands(s.PrivilegedWeak.Total) + " privileged accounts have a weak fallback", privC},
		{strconv.Itoa(s.Checks.Fail), "check results failing (of " + strconv.Itoa(totalChecks(s.Checks)) + ": each check once per provider)", failC},
		{strconv.Itoa(s.Checks.NotAssessed), "check results not assessed", naC},
	}
	gap := 3.0
	tw := (bodyW - gap*float64(len(tiles)-1)) / float64(len(tiles))
	y := d.y()
	for i, t := range tiles {
		x := marginL + float64(i)*(tw+gap)
		d.fill(cZebra)
		d.f.Rect(x, y, tw, 19, "F")
		d.fill(t.c)
		d.f.Rect(x, y, tw, 0.8, "F")
		size := 17.0
		d.font("B", size, t.c)
		for size > 8 && d.f.GetStringWidth(d.san.clean(t.value)) > tw-4 {
			size--
			d.font("B", size, t.c)
		}
		d.cellText(x+2, y+2.5, tw-4, 8, t.value, "L")
		d.font("", 7, cMuted)
		for j, l := range d.lines(t.label, tw-4) {
			d.cellText(x+2, y+11+float64(j)*3.2, tw-4, 3.2, l, "L")
		}
	}
	d.f.SetXY(marginL, y+22)

	if len(s.Incomplete) > 0 {
		items := s.Incomplete
		more := ""
		if len(items) > 4 {
			more = fmt.Sprintf("; and %d more (see the appendix)", len(items)-4)
			items = items[:4]
		}
		d.box(fmt.Sprintf("Scan incomplete: %d %s could not be read in full, so %d %s not assessed and the verdict is not final. %s%s.",
			len(s.Incomplete), plural(len(s.Incomplete), "dataset", "datasets"), s.Checks.NotAssessed, plural(s.Checks.NotAssessed, "check is", "checks are"),
			strings.Join(items, "; "), more), cWarnBg, statusColor(checks.NotAssessed), "", 8.5)
	}

	d.subheading("Framework controls by status")
	var rows [][]cell
	for _, fw := range s.Frameworks {
		num := func(n int, st checks.Status) cell {
			c := cell{text: strconv.Itoa(n)}
			if n > 0 && st != checks.Pass && st != checks.NotApplicable {
				col := statusColor(st)
				c.color, c.bold = &col, true
			}
			return c
		}
		rows = append(rows, []cell{{text: fw.Framework, bold: true}, txt(strconv.Itoa(fw.Controls)), num(fw.Fail, checks.Fail), num(fw.NotAssessed, checks.NotAssessed), num(fw.Manual, checks.Manual), num(fw.Waived, checks.Waived), num(fw.Pass, checks.Pass), num(fw.NotApplicable, checks.NotApplicable)})
	}
	d.table([]column{{"Framework", 50, "L"}, {"Controls", 18, "R"}, {"Fail", 17, "R"}, {"Not assessed", 20, "R"}, {"Manual", 17, "R"}, {"Waived", 17, "R"}, {"Pass", 17, "R"}, {"N/A", 18, "R"}}, rows)

	d.subheading("Accounts by assurance level (nominal: strongest method; effective: weakest path)")
	cols := []column{{"", 50, "L"}}
	nomRow, effRow := []cell{{text: "Nominal AAL", bold: true}}, []cell{{text: "Effective AAL", bold: true}}
	w := (bodyW - 50) / float64(max(len(s.AAL), 1))
	for _, a := range s.AAL {
		cols = append(cols, column{a.Level, w, "R"})
		nomRow = append(nomRow, txt(strconv.Itoa(a.Nominal)))
		effRow = append(effRow, txt(strconv.Itoa(a.Effective)))
	}
	d.table(cols, [][]cell{nomRow, effRow})

	d.subheading("Top risks")
	if len(s.TopRisks) == 0 {
		d.para(marginL, bodyW, "No check failed.", "", 9, cInk, 4.5)
	}
	for _, r := range s.TopRisks {
		d.ensure(10)
		y := d.y()
		d.font("B", 10, cNavy)
		d.cellText(marginL, y, 6, 5, strconv.Itoa(r.Rank)+".", "L")
		pw := d.pill(marginL+7, y+0.3, reports.SeverityLabel(r.Severity), severityColor(r.Severity))
		d.font("B", 9, cInk)
		d.cellText(marginL+9+pw, y, bodyW-9-pw, 5, r.CheckID+" · "+r.ProviderName+": "+r.Title, "L")
		d.f.SetXY(marginL, y+5)
		d.para(marginL+7, bodyW-7, r.Text, "", 8.5, cInk, 4)
		d.f.Ln(0.6)
	}

	if len(s.PrivilegedWeak.Accounts) > 0 && len(s.Decisions.Actions) == 0 {
		// With a plan, the decisions take this place: the accounts are in
		// the tile above and, with every path, in their own section.
		d.subheading("Privileged accounts with a weak fallback")
		var names []string
		for _, a := range s.PrivilegedWeak.Accounts[:min(2, len(s.PrivilegedWeak.Accounts))] {
			names = append(names, fmt.Sprintf("%s (%s, %s → %s via %s)", a.Name, reports.ProviderName(a.Provider), a.NominalAAL, a.EffectiveAAL, a.WeakestPath))
		}
		line := strings.Join(names, "; ")
		if s.PrivilegedWeak.Count > len(names) {
			line += fmt.Sprintf("; and %d more (Identities sheet of %s).", s.PrivilegedWeak.Count-len(names), reports.WorkbookFilename)
		}
		d.para(marginL, bodyW, line, "", 8.5, cInk, 4.2)
	}
	if s.Drift == nil {
		d.para(marginL, bodyW, "Change: no baseline was given, so this run is treated as the first (scan --baseline PREVIOUS-results.json shows what changed).", "", 8, cMuted, 4)
	}
	if dr := s.Drift; dr != nil {
		d.subheading("Change since the baseline collected " + dr.Baseline.Format("2006-01-02"))
		d.para(marginL, bodyW, dr.Sentence, "", 8.5, cInk, 4.2)
	}
	if s.Trend != "" {
		d.subheading("Trend across the kept runs")
		d.para(marginL, bodyW, s.Trend, "", 8.5, cInk, 4.2)
	}
	d.decisions(s.Decisions)
}

// decisions is the "Decisions and actions" block: the top steps of the
// remediation plan with their measured effect, owner and a due date for the
// committee to set, then the waivers to renew or close. It stays on the
// summary page: steps that do not fit are counted, not pushed onto the next
// page (the Action plan sheet has them all).
func (d *doc) decisions(dc reports.Decisions) {
	if len(dc.Actions) == 0 && len(dc.Asks) == 0 && dc.Note == "" {
		return
	}
	d.subheading("Decisions and actions")
	if len(dc.Actions) == 0 && dc.Note != "" {
		d.para(marginL, bodyW, dc.Note, "", 8.5, cInk, 4.2)
	}
	const lineH = 3.9
	// Room kept for the asks (bold, 8.5 pt) and the closing note.
	d.font("B", 8.5, cInk)
	reserve := 2*4.0 + 2
	for _, ask := range dc.Asks {
		reserve += float64(len(d.lines("Decide: "+ask, bodyW))) * 4.2
	}
	d.font("", 8, cInk)
	shown := 0
	for _, a := range dc.Actions {
		owner, due := a.Owner, a.Due
		if owner == "" {
			owner = "to assign"
		}
		if due == "" {
			due = "to set"
		}
		head := fmt.Sprintf("%d. %s · %s: %s", a.Rank, a.Provider, a.Check, a.Title)
		body := "Effect: " + a.Effect
		if a.SideEffect != "" {
			body += ". Side effect: " + a.SideEffect
		}
		body += ". Owner: " + owner + " · Due: " + due + "."
		d.font("B", 8.5, cInk)
		h := float64(len(d.lines(head, bodyW))) * lineH
		d.font("", 8, cInk)
		h += float64(len(d.lines(body, bodyW-5)))*lineH + 1
		if d.y()+h+reserve > pageH-marginB {
			break
		}
		d.para(marginL, bodyW, head, "B", 8.5, cNavy, lineH)
		d.para(marginL+5, bodyW-5, body, "", 8, cInk, lineH)
		d.f.Ln(0.8)
		shown++
	}
	var notes []string
	if dc.Cumulative != "" && shown == len(dc.Actions) {
		notes = append(notes, dc.Cumulative)
	}
	if more := len(dc.Actions) - shown + dc.More; more > 0 && shown == 0 {
		notes = append(notes, fmt.Sprintf("The remediation plan's %d %s, with measured effect, owner, console path and API field, are in the Action plan sheet of %s.", more, plural(more, "step", "steps"), reports.WorkbookFilename))
	} else if more > 0 {
		notes = append(notes, fmt.Sprintf("%d more %s, with console paths and API fields, in the Action plan sheet of %s.", more, plural(more, "step", "steps"), reports.WorkbookFilename))
	}
	if len(notes) > 0 {
		d.para(marginL, bodyW, strings.Join(notes, " "), "", 8, cMuted, 4)
	}
	for _, ask := range dc.Asks {
		d.para(marginL, bodyW, "Decide: "+ask, "B", 8.5, statusColor(checks.Fail), 4.2)
	}
}

// trend draws the key figures of the kept runs: a line chart and a table.
func (d *doc) trend() {
	tr := d.v.Trend
	if tr == nil {
		return
	}
	d.heading("Trend across runs", 0, true)
	intro := tr.Sentence + " Each run is a scan kept with --history"
	for _, r := range tr.Runs {
		if r.Current {
			intro += "; the one in bold is this report"
			break
		}
	}
	d.para(marginL, bodyW, intro+". Failing findings count the subjects of failed checks not covered by an unexpired waiver.", "", 9, cInk, 4.5)
	d.f.Ln(4)
	hollow := map[int]bool{}
	for i, r := range tr.Runs {
		if !r.Complete {
			hollow[i] = true
		}
	}
	d.lineChart(marginL, d.y(), bodyW, 92, tr.Chart, colors(reports.TrendColors), hollow)
	d.f.Ln(4)
	runs := tr.Runs
	const maxRows = 10 // with the chart, one page
	if len(runs) > maxRows {
		runs = runs[len(runs)-maxRows:]
	}
	var rows [][]cell
	for _, r := range runs {
		complete := cell{text: "yes"}
		if !r.Complete {
			c := statusColor(checks.NotAssessed)
			complete = cell{text: "incomplete", color: &c, bold: true}
		}
		cur := r.Current // this report's run: bold
		date := cell{text: r.Label, bold: cur}
		n := func(v int) cell { return cell{text: reports.Thousands(v), bold: cur} }
		rows = append(rows, []cell{date, n(r.Checks.Fail), n(r.Failing), n(r.FailingCritical), n(r.FailingHigh), n(r.Accounts), n(r.BelowNominal), n(r.PrivilegedWeak), complete})
	}
	d.table([]column{{"Run (UTC)", 32, "L"}, {"Checks failing", 16, "R"}, {"Failing findings", 17, "R"}, {"Critical", 15, "R"}, {"High", 12, "R"}, {"Accounts", 19, "R"}, {"Below nominal AAL", 20, "R"}, {"Privileged, weak fallback", 21, "R"}, {"Run complete", 22, "L"}}, rows)
	if len(tr.Runs) > len(runs) {
		d.para(marginL, bodyW, fmt.Sprintf("The table shows the last %d of %d runs; the chart and the Trend sheet of %s show all of them.", len(runs), len(tr.Runs), reports.WorkbookFilename), "", 8, cMuted, 4)
	}
	if tr.Incomplete > 0 {
		d.para(marginL, bodyW, "An incomplete run could not read every dataset or assess every check: its figures are lower bounds.", "", 8, cMuted, 4)
	}
}

func totalChecks(s checks.Summary) int {
	return s.Pass + s.Fail + s.Waived + s.NotAssessed + s.Manual + s.NotApplicable
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *doc) charts() {
	d.heading("Where the risk sits", 0, true)
	d.para(marginL, bodyW, "Open findings count every failing subject not covered by an unexpired waiver. The assurance chart compares each account's strongest method (nominal) with the weakest path that still yields a session (effective): the gap between the two bars is the shadow login path.", "", 9, cInk, 4.5)
	d.f.Ln(4)
	d.barChart(marginL, d.y(), bodyW, 98, d.v.Charts.FindingsBySeverity, []rgb{cNavy, cSecond, cThird})
	d.f.Ln(8)
	d.barChart(marginL, d.y(), bodyW, 98, d.v.Charts.AAL, []rgb{cNominal, cNavy})
}

// drift lists the notable changes since the baseline, when there is one.
func (d *doc) drift() {
	dr := d.v.Summary.Drift
	if dr == nil {
		return
	}
	d.heading("Change since the baseline", 0, true)
	intro := dr.Compared()
	if len(dr.Lines) > 0 {
		intro += " The most notable changes are listed below; the Drift sheet of " + reports.WorkbookFilename + " lists all of them."
	}
	d.para(marginL, bodyW, intro, "", 9, cInk, 4.5)
	d.f.Ln(3)
	var rows [][]cell
	for _, l := range dr.Lines {
		kind := cell{text: reports.DriftKindLabel(l.Kind), bold: true}
		rows = append(rows, []cell{kind, txt(l.CheckID), txt(reports.ProviderName(l.Provider)), txt(l.Subject), txt(l.Detail)})
	}
	if len(rows) == 0 {
		d.para(marginL, bodyW, "No finding, check status or account assurance changed.", "", 9, cInk, 4.5)
		return
	}
	d.table([]column{{"Change", 28, "L"}, {"Check", 18, "L"}, {"Provider", 32, "L"}, {"Subject", 50, "L"}, {"Detail", 46, "L"}}, rows)
}

func (d *doc) matrix() {
	v := d.v
	d.heading("Control matrix", 0, true)
	d.para(marginL, bodyW, "Each framework control with the checks mapped to it and their status per identity provider. A control's status is the worst of its checks. \"Supports the intent of\" marks an interpretive mapping: the standard supports the check's intent without stating it.", "", 9, cInk, 4.5)
	d.f.Ln(2)
	provW := 24.0
	relW := 24.0
	rest := bodyW - relW - provW*float64(len(v.Providers))
	for _, fw := range reports.Frameworks {
		var rows [][]cell
		for _, row := range v.Matrix {
			if row.Framework != fw {
				continue
			}
			for i, c := range row.Checks {
				ctl := cell{}
				if i == 0 {
					label := row.Control
					if row.ControlTitle != "" {
						label += " " + row.ControlTitle
					}
					ctl = cell{text: label, bold: true}
				}
				rel := cell{text: c.Relation}
				if c.Relation == reports.RelIntent {
					rel.color = &cMuted
				}
				r := []cell{ctl, txt(c.ID + " " + c.Requirement), rel}
				for _, st := range c.Statuses {
					r = append(r, statusCell(st))
				}
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		d.subheading(fw)
		cols := []column{{"Control", rest * 0.46, "L"}, {"Check", rest * 0.54, "L"}, {"Mapping", relW, "L"}}
		for _, p := range v.Providers {
			cols = append(cols, column{p.Name, provW, "L"})
		}
		d.table(cols, rows)
	}
}

// privilegedPaths lists, for each privileged account with a weak path, its
// access paths in one compact table: what an engineer needs to see why the
// account is weak and which rule to change.
func (d *doc) privilegedPaths() {
	if len(d.v.PrivilegedPaths) == 0 {
		return
	}
	d.heading("Privileged accounts: every path to a session", 1, true)
	d.para(marginL, bodyW, "Each privileged account whose weakest path is below its strongest method (or at AAL1), with every way the vendor's policy engine lets it reach a session, weakest first, and the policies and rules that decide each. The Access paths sheet of "+reports.WorkbookFilename+" lists every account's with policy and rule ids; shadowpath explain ACCOUNT prints one account's.", "", 8.5, cMuted, 4.2)
	d.f.Ln(2)
	cols := []column{{"AAL", 12, "L"}, {"Path", 28, "L"}, {"Proofs", 36, "L"}, {"Context", 44, "L"}, {"Decided by", 54, "L"}}
	for _, ap := range d.v.PrivilegedPaths {
		a := ap.Account
		var rows [][]cell
		for _, p := range ap.Paths {
			aal := txt(p.AAL)
			if p.AAL == "AAL1" || p.AAL == "none" {
				c := statusColor(checks.Fail)
				aal = cell{text: p.AAL, color: &c, bold: true}
			}
			proofs := p.Proofs
			if p.PhishingResistant {
				proofs += " (phishing-resistant)"
			}
			rows = append(rows, []cell{aal, txt(p.Kind), txt(proofs), txt(p.Context), txt(p.DecidedBy)})
		}
		d.font("B", 9, cNavy)
		d.ensure(10 + d.tableLead(cols, rows))
		title := fmt.Sprintf("%s (%s, %s): nominal %s, effective %s", a.Name, reports.ProviderName(a.Provider), a.ID, a.NominalAAL, a.EffectiveAAL)
		d.para(marginL, bodyW, title, "B", 9, cNavy, 4.6)
		d.table(cols, rows)
		if ap.More > 0 {
			d.para(marginL, bodyW, fmt.Sprintf("and %d more paths (Access paths sheet of %s).", ap.More, reports.WorkbookFilename), "", 8, cMuted, 4)
		}
		d.f.Ln(2)
	}
}

func (d *doc) findings(ctx context.Context) {
	v := d.v
	d.heading("Findings", 0, true)
	var fail, waived, na int
	for _, s := range v.Findings {
		switch s.Status {
		case checks.Fail:
			fail++
		case checks.Waived:
			waived++
		case checks.NotAssessed:
			na++
		}
	}
	d.para(marginL, bodyW, fmt.Sprintf("One section per check (not per check result) that failed (%d), is waived (%d) or could not be assessed (%d) for at least one identity provider, most severe first. Each section states the check once, then its result for every provider, with at most the first affected subjects; %s lists all of them. Two severities appear: the check's (its catalog level, beside the title) and each provider's result (the highest among its open findings: a privileged account can raise a high check to critical).", fail, waived, na, reports.WorkbookFilename), "", 9, cInk, 4.5)
	d.f.Ln(3)
	if len(v.Findings) == 0 {
		d.para(marginL, bodyW, "No check failed, was waived or could not be assessed.", "B", 10, cInk, 5)
	}
	for _, s := range v.Findings {
		if ctx.Err() != nil {
			return
		}
		d.section(s)
	}
}

// block draws a labelled narrative block (paragraphs of text).
func (d *doc) block(label, text string) {
	if text == "" {
		return
	}
	d.ensure(14)
	d.para(marginL, bodyW, label, "B", 8.5, cNavy, 4.4)
	d.paragraphs(text)
	d.f.Ln(1)
}

// link prints one documentation line, "Provider: URL", the URL a link
// (kept on one line: a wrapped address cannot be followed or copied).
func (d *doc) link(label, url string) {
	d.ensure(4.4)
	x := marginL
	if label != "" {
		d.font("", 8.5, cInk)
		w := d.f.GetStringWidth(label+": ") + 0.5
		d.cellText(x, d.y(), w, 4.2, label+": ", "L")
		x += w
	}
	size := 8.5
	d.font("", size, cNavy)
	for size > 6 && d.f.GetStringWidth(url) > marginL+bodyW-x {
		size -= 0.5
		d.font("", size, cNavy)
	}
	d.f.SetXY(x, d.y())
	d.f.CellFormat(marginL+bodyW-x, 4.2, d.san.clean(url), "", 1, "L", false, 0, url)
}

func (d *doc) paragraphs(text string) {
	for _, p := range templates.Paragraphs(text) {
		d.para(marginL, bodyW, p, "", 8.5, cInk, 4.2)
		d.f.Ln(1)
	}
}

func (d *doc) section(s reports.FindingSection) {
	d.ensure(70)
	if d.y() > marginT+5 {
		d.f.Ln(3)
		d.rule(marginL, d.y(), pageW-marginR, cRule, 0.3)
		d.f.Ln(4)
	}
	d.heading(s.CheckID+" · "+s.Title, 1, false)

	// One line: the severity, then every provider's status.
	y := d.y()
	x := marginL
	x += d.pill(x, y, reports.SeverityLabel(s.Severity), severityColor(s.Severity)) + 4
	for _, p := range s.Providers {
		d.font("B", 8, cInk)
		label := d.san.clean(p.ProviderName)
		lw := d.f.GetStringWidth(label) + 1.5
		if x+lw+22 > pageW-marginR {
			y += 6
			x = marginL
		}
		d.cellText(x, y, lw, 4.6, label, "L")
		x += lw
		x += d.pill(x, y, reports.StatusLabel(p.Status), statusColor(p.Status)) + 5
	}
	d.f.SetXY(marginL, y+7)

	d.block("Fails when", s.FailsWhen)
	d.block("Why it matters", s.Why)
	if s.Remediation != "" {
		d.block(s.RemediationTitle, s.Remediation)
	} else {
		var parts []reports.ProviderFinding
		for _, p := range s.Providers {
			if p.Remediation != "" {
				parts = append(parts, p)
			}
		}
		if len(parts) > 0 {
			d.ensure(18)
			d.para(marginL, bodyW, s.RemediationTitle, "B", 8.5, cNavy, 4.4)
			for _, p := range parts {
				d.ensure(12)
				head := p.ProviderName
				if p.RemediationTitle != "" {
					head += ": " + p.RemediationTitle
				}
				d.para(marginL, bodyW, head, "B", 8.5, cInk, 4.4)
				d.paragraphs(p.Remediation)
			}
			d.f.Ln(1)
		}
	}
	if len(s.Fixes) > 0 {
		d.ensure(18)
		d.para(marginL, bodyW, "Where to change it (the remediation plan's actions)", "B", 8.5, cNavy, 4.4)
		for _, fx := range s.Fixes {
			d.ensure(12)
			d.para(marginL, bodyW, fx.ProviderName+" · "+fx.ActionID+": "+fx.Title, "B", 8, cInk, 4)
			d.para(marginL+4, bodyW-4, "Console: "+fx.ConsolePath, "", 8, cInk, 4)
			d.para(marginL+4, bodyW-4, "API: "+fx.APIField, "", 8, cMuted, 4)
		}
		d.f.Ln(1)
	}
	d.block("Mapped controls", reports.ControlsText(s.Controls))
	if len(s.Docs) > 0 {
		d.ensure(14)
		d.para(marginL, bodyW, "Vendor documentation", "B", 8.5, cNavy, 4.4)
		for _, l := range s.Docs {
			d.link(l.ProviderName, l.URL)
		}
		d.f.Ln(1)
	}
	for _, p := range s.Providers {
		d.providerPart(p)
	}
}

// providerPart is one provider's result within a check's section: a compact
// line for a provider that needs no action, else pills, counts, the result
// sentence, the affected subjects and the waivers.
func (d *doc) providerPart(p reports.ProviderFinding) {
	if !p.Action {
		d.ensure(12)
		d.f.Bookmark(d.san.clean(p.ProviderName), 2, -1)
		y := d.y() + 1
		d.font("B", 9, cNavy)
		label := d.san.clean(p.ProviderName)
		lw := d.f.GetStringWidth(label) + 2
		d.cellText(marginL, y, lw, 4.6, label, "L")
		d.pill(marginL+lw, y, reports.StatusLabel(p.Status), statusColor(p.Status))
		d.f.SetXY(marginL, y+6)
		d.para(marginL, bodyW, p.Rationale, "", 8.5, cMuted, 4.2)
		d.f.Ln(2)
		return
	}
	// Keep the provider's heading and result with the start of its table.
	waivers := false
	for _, sub := range p.Subjects {
		waivers = waivers || sub.Waiver != ""
	}
	cols := subjectColumns(waivers)
	var rows [][]cell
	for _, sub := range p.Subjects {
		rows = append(rows, subjectCells(sub, waivers))
	}
	d.font("", 8.5, cInk)
	need := 14 + float64(len(d.lines(p.Rationale, bodyW)))*4.2
	if len(rows) > 0 {
		need += d.tableLead(cols, rows)
	}
	d.ensure(need)
	d.f.Ln(1)
	d.rule(marginL, d.y(), marginL+bodyW, cTint, 0.6)
	d.f.Ln(2)
	d.f.Bookmark(d.san.clean(p.ProviderName), 2, -1)
	y := d.y()
	d.font("B", 10.5, cNavy)
	label := d.san.clean(p.ProviderName)
	lw := d.f.GetStringWidth(label) + 3
	d.cellText(marginL, y, lw, 4.6, label, "L")
	x := marginL + lw
	x += d.pill(x, y, reports.StatusLabel(p.Status), statusColor(p.Status)) + 2
	x += d.pill(x, y, reports.SeverityLabel(p.Severity), severityColor(p.Severity)) + 3
	if p.Incomplete {
		x += d.pill(x, y, "Incomplete", statusColor(checks.NotAssessed)) + 3
	}
	d.font("", 8.5, cMuted)
	counts := fmt.Sprintf("%d affected: %d open, %d waived", p.Total, p.Open, p.WaivedCount)
	if p.Incomplete {
		counts = fmt.Sprintf("at least %d affected: %d open, %d waived", p.Total, p.Open, p.WaivedCount)
	}
	if p.Status == checks.NotAssessed {
		counts = "the data this check needs could not be read"
	}
	d.cellText(x, y, pageW-marginR-x, 4.6, counts, "L")
	d.f.SetXY(marginL, y+6.5)
	d.para(marginL, bodyW, p.Rationale, "", 8.5, cInk, 4.2)
	d.f.Ln(1.5)
	if p.FailsWhen != "" {
		d.block("Fails when ("+p.ProviderName+")", p.FailsWhen)
	}
	if p.Why != "" {
		d.block("Why it matters ("+p.ProviderName+")", p.Why)
	}
	if len(rows) > 0 {
		d.table(cols, rows)
	}
	if p.MoreNote != "" {
		d.para(marginL, bodyW, p.MoreNote, "B", 8, cMuted, 4)
		d.f.Ln(2)
	}
	if len(p.Waivers) > 0 {
		var rows [][]cell
		for _, w := range p.Waivers {
			exp := cell{text: w.Expires}
			if w.Expired {
				c := statusColor(checks.Fail)
				exp = cell{text: w.Expires + " (expired)", color: &c, bold: true}
			}
			rows = append(rows, []cell{txt(w.Subject), txt(w.Reason), txt(w.Owner), txt(w.ApprovedBy), txt(w.Ticket), exp})
		}
		d.ensure(20)
		d.para(marginL, bodyW, "Waivers", "B", 8.5, cNavy, 4.4)
		d.table([]column{{"Subject", 30, "L"}, {"Reason", 44, "L"}, {"Owner", 30, "L"}, {"Approved by", 28, "L"}, {"Ticket", 19, "L"}, {"Expires", 23, "L"}}, rows)
	}
}

// subjectColumns are the affected-subjects table's columns; the waiver
// column is left out (its width going to the finding) when no listed subject
// has a waiver.
func subjectColumns(waivers bool) []column {
	if !waivers {
		return []column{{"Affected subject", 52, "L"}, {"Severity", 17, "L"}, {"Finding and key evidence", 105, "L"}}
	}
	return []column{{"Affected subject", 49, "L"}, {"Severity", 17, "L"}, {"Finding and key evidence", 84, "L"}, {"Waiver", 24, "L"}}
}

// subjectCells lays out one affected subject: name over type and login (or
// id); the finding's message in bold over its labelled facts.
func subjectCells(sub reports.SubjectRow, waivers bool) []cell {
	name := sub.Name
	if name == "" {
		name = sub.ID
	}
	who := sub.ID
	if sub.Login != "" {
		who = sub.Login
	}
	var meta []string
	if sub.Type != "" {
		meta = append(meta, sub.Type)
	}
	if who != name {
		meta = append(meta, who)
	}
	subject := cell{text: name, detail: strings.Join(meta, " · "), detailColor: &cMuted}
	facts := reports.FactsText(sub.Facts)
	if sub.MoreFacts > 0 {
		facts = strings.TrimSpace(facts + fmt.Sprintf(" (+%d more in the workbook)", sub.MoreFacts))
	}
	msg := sub.Message
	if strings.TrimSpace(msg) == "" {
		msg = "(no message)"
	}
	finding := cell{text: msg, bold: true, detail: facts}
	if !waivers {
		return []cell{subject, severityCell(sub.Severity), finding}
	}
	w := cell{text: sub.Waiver}
	if sub.WaiverExpired {
		c := statusColor(checks.Fail)
		w.color = &c
	}
	return []cell{subject, severityCell(sub.Severity), finding, w}
}

func coverageColor(status string) rgb {
	switch status {
	case "complete":
		return statusColor(checks.Pass)
	case "partial":
		return statusColor(checks.NotAssessed)
	case "denied", "error":
		return statusColor(checks.Fail)
	}
	return statusColor(checks.NotApplicable)
}

func (d *doc) appendix() {
	a := d.v.Appendix
	d.heading("Appendix: scope and methodology", 0, true)
	d.subheading("Method")
	for _, p := range a.Methodology {
		d.para(marginL, bodyW, p, "", 8.5, cInk, 4.2)
		d.f.Ln(1.5)
	}

	d.subheading("What was read")
	var rows [][]cell
	for _, c := range a.Coverage {
		col := coverageColor(c.Status)
		items := strconv.Itoa(c.Items)
		if c.Status == reports.CoverageNotRecorded {
			items = "—"
		}
		rows = append(rows, []cell{txt(c.ProviderName), txt(c.Dataset), {text: strings.ReplaceAll(c.Status, "_", " "), pill: &col}, txt(items), txt(c.Detail)})
	}
	d.table([]column{{"Provider", 32, "L"}, {"Dataset", 40, "L"}, {"Status", 22, "L"}, {"Items", 14, "R"}, {"Detail", 66, "L"}}, rows)

	d.subheading("What was excluded and why")
	if len(a.OutOfScope) == 0 {
		d.para(marginL, bodyW, "The sources recorded no accounts outside the scope of the human checks.", "", 8.5, cInk, 4.2)
	} else {
		rows = nil
		for _, o := range a.OutOfScope {
			rows = append(rows, []cell{txt(reports.ProviderName(o.Provider)), txt(o.Reason), txt(strconv.Itoa(o.Count))})
		}
		d.table([]column{{"Provider", 40, "L"}, {"Reason", 104, "L"}, {"Accounts", 30, "R"}}, rows)
	}
	d.para(marginL, bodyW, a.ScopeRule, "", 8, cMuted, 4)
	d.f.Ln(2)

	d.subheading("Thresholds used")
	if len(a.Thresholds) == 0 {
		d.para(marginL, bodyW, "The results do not record the thresholds used; the catalog defaults apply.", "", 8.5, cInk, 4.2)
	} else {
		rows = nil
		for _, p := range a.Thresholds {
			rows = append(rows, []cell{txt(p.Label), {text: p.Value, bold: true}, {text: p.Key, color: &cMuted}})
		}
		d.table([]column{{"Setting", 78, "L"}, {"Value", 56, "L"}, {"Configuration key", 40, "L"}}, rows)
	}

	d.subheading("Manual checks: a person must verify")
	if len(a.Manual) == 0 {
		d.para(marginL, bodyW, "None.", "", 8.5, cInk, 4.2)
	} else {
		rows = nil
		for _, m := range a.Manual {
			rows = append(rows, []cell{{text: m.CheckID, bold: true}, txt(reports.ProviderName(m.Provider)), txt(m.Title), txt(m.Detail)})
		}
		d.table([]column{{"Check", 18, "L"}, {"Provider", 28, "L"}, {"Title", 40, "L"}, {"What to verify", 88, "L"}}, rows)
	}
	if len(a.NotApplicable) > 0 {
		d.subheading("Not applicable")
		rows = nil
		for _, m := range a.NotApplicable {
			rows = append(rows, []cell{{text: m.CheckID, bold: true}, txt(reports.ProviderName(m.Provider)), txt(m.Title), txt(m.Detail)})
		}
		d.table([]column{{"Check", 18, "L"}, {"Provider", 28, "L"}, {"Title", 40, "L"}, {"Why", 88, "L"}}, rows)
	}
	if len(a.Warnings) > 0 {
		d.subheading("Warnings")
		for _, w := range a.Warnings {
			d.para(marginL+3, bodyW-3, "• "+w, "", 8.5, cInk, 4.2)
		}
		d.f.Ln(2)
	}
	d.subheading("Glossary")
	for _, g := range a.Glossary {
		d.ensure(9)
		if g.Term != "" {
			d.para(marginL, bodyW, g.Term, "B", 8.5, cNavy, 4.2)
		}
		d.para(marginL, bodyW, g.Definition, "", 8.5, cInk, 4.2)
		d.f.Ln(1.5)
	}
}
