package checks

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Evaluate runs the whole catalog against a snapshot: one CheckResult per
// (check, provider in the snapshot), sorted by id then provider, plus the
// identities with their computed assurance. It never reads the clock
// (p.Now is the scan time) and never does I/O. A snapshot may hold one source
// per provider.
func Evaluate(snap *evidence.Snapshot, p Params) (*Results, error) {
	if snap == nil || len(snap.Sources) == 0 {
		return nil, errors.New("evaluate: the snapshot has no source")
	}
	if p.Now.IsZero() {
		return nil, errors.New("evaluate: params: Now (the scan time) is not set")
	}
	p.Thresholds = p.Thresholds.withDefaults()
	sources := make([]*evidence.Source, 0, len(snap.Sources))
	seen := map[evidence.Provider]string{}
	for i, s := range snap.Sources {
		if s == nil {
			return nil, fmt.Errorf("evaluate: sources[%d] is null", i)
		}
		if s.Provider != evidence.Okta && s.Provider != evidence.Entra {
			return nil, fmt.Errorf("evaluate: sources[%d]: unknown provider %q", i, s.Provider)
		}
		if t, dup := seen[s.Provider]; dup {
			return nil, fmt.Errorf("evaluate: two %s sources (%s and %s): one source per provider is supported; scan them separately", s.Provider, t, s.Tenant)
		}
		seen[s.Provider] = s.Tenant
		sources = append(sources, s)
	}
	sort.Slice(sources, func(i, j int) bool { return sources[i].Provider < sources[j].Provider })

	res := &Results{
		SchemaVersion: ResultsSchemaVersion,
		Tool:          Tool{Name: "shadowpath", Version: p.ToolVersion},
		GeneratedAt:   p.Now.UTC(),
		Organization:  p.Organization,
		Checks:        []CheckResult{},
		Identities:    []Identity{},
		Parameters:    p.parameters(),
	}
	// The evidence hashes are independent of the evaluation: compute them
	// meanwhile (a million accounts take seconds to encode).
	type hashed struct {
		sum string
		err error
	}
	hashes := make([]chan hashed, len(sources))
	for i, src := range sources {
		hashes[i] = make(chan hashed, 1)
		go func(src *evidence.Source, out chan<- hashed) {
			sum, err := src.Hash()
			out <- hashed{sum, err}
		}(src, hashes[i])
	}
	total := 0
	for _, src := range sources {
		total += len(src.Accounts)
	}
	res.Identities = make([]Identity, 0, total)
	catalog := Catalog()
	for i, src := range sources {
		e := newEnv(src, &p)
		res.Checks = append(res.Checks, e.runAll(catalog)...)
		res.Identities = e.appendIdentities(res.Identities)
		h := <-hashes[i]
		if h.err != nil {
			return nil, fmt.Errorf("evaluate: hash %s evidence: %w", src.Provider, h.err)
		}
		res.Sources = append(res.Sources, sourceInfo(src, h.sum))
		if len(e.unknownVendors) > 0 {
			n := 0
			for _, c := range e.unknownVendors {
				n += c
			}
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: %s of unknown kind (vendor values: %s), treated as the weakest method",
				src.Provider, plural(n, "enrolled method", "enrolled methods"), strings.Join(sortedKeys(e.unknownVendors), ", ")))
		}
	}
	res.Warnings = append(res.Warnings, applyWaivers(res.Checks, p.Waivers, p.Now)...)
	sort.SliceStable(res.Checks, func(i, j int) bool {
		if res.Checks[i].ID != res.Checks[j].ID {
			return res.Checks[i].ID < res.Checks[j].ID
		}
		return res.Checks[i].Provider < res.Checks[j].Provider
	})
	for i := range res.Checks {
		res.Summary.Add(res.Checks[i].Status)
	}
	if !sort.SliceIsSorted(res.Identities, identityLess(res.Identities)) {
		sort.SliceStable(res.Identities, identityLess(res.Identities))
	}
	return res, nil
}

func identityLess(ids []Identity) func(i, j int) bool {
	return func(i, j int) bool {
		if ids[i].Provider != ids[j].Provider {
			return ids[i].Provider < ids[j].Provider
		}
		return ids[i].ID < ids[j].ID
	}
}

func (p *Params) parameters() map[string]string {
	m := p.Thresholds.Describe()
	// The keys are the config file's (README "Configuration"), so a reader
	// can find each in shadowpath.yaml; lists name their members.
	m["service_accounts.patterns"] = strings.Join(p.ServiceAccountPatterns, " ")
	m["service_accounts.accounts"] = strings.Join(p.ServiceAccounts, " ")
	m["break_glass"] = strings.Join(p.BreakGlass, " ")
	return m
}

// sourceInfo describes a source; sum is its evidence hash (src.Hash, computed
// by the streaming StreamHash, which gives the same digest).
func sourceInfo(src *evidence.Source, sum string) SourceInfo {
	cov := make([]Coverage, 0, len(src.Coverage))
	for _, c := range src.Coverage {
		// The statuses are the same words in both models (DESIGN.md).
		cov = append(cov, Coverage{Dataset: c.Dataset, Status: CoverageStatus(c.Status), Detail: c.Detail, Items: c.Items})
	}
	sort.SliceStable(cov, func(i, j int) bool { return cov[i].Dataset < cov[j].Dataset })
	var out []ScopeCount
	for _, c := range src.OutOfScope {
		out = append(out, ScopeCount{Reason: c.Reason, Count: c.Count})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
	warn := append([]string(nil), src.Warnings...)
	sort.Strings(warn)
	return SourceInfo{
		Provider: string(src.Provider), Tenant: src.Tenant, TenantName: src.TenantName,
		CollectedAt: src.CollectedAt, EvidenceSHA256: sum, Credential: src.Credential, Coverage: cov,
		AuditWindow: Window{Since: src.AuditWindow.Since, Until: src.AuditWindow.Until}, Accounts: len(src.Accounts), OutOfScope: out, Warnings: warn,
		Collection: collectionText(src.Collection),
	}
}

// collectionText is the one-sentence account of how a source was read.
func collectionText(c *evidence.Collection) string {
	if c == nil {
		return ""
	}
	var parts []string
	switch c.Mode {
	case evidence.CollectIncremental:
		l := fmt.Sprintf("incremental: %d of %d users' factors re-read, %d carried over from the snapshot of %s",
			c.Reread, c.Users, c.CarriedOver, timeText(c.Base))
		if w := c.LogWindow; w != nil {
			l += fmt.Sprintf(" (no change for them in the System Log %s – %s, %d change events read)",
				w.Since.UTC().Format("2006-01-02 15:04"), w.Until.UTC().Format("2006-01-02 15:04 UTC"), c.ChangeEvents)
		}
		parts = append(parts, l)
	default:
		l := "full read"
		if c.FullReason != "" {
			l += " (incremental was asked: " + c.FullReason + ")"
		}
		parts = append(parts, l)
	}
	if c.RateShare > 0 {
		l := fmt.Sprintf("at most %.0f%% of each rate-limit bucket", c.RateShare*100)
		if c.RateShareNote != "" {
			l += " (" + c.RateShareNote + ")"
		}
		parts = append(parts, l)
	}
	return strings.Join(parts, "; ")
}

func timeText(b *evidence.CollectionBase) string {
	if b == nil || b.CollectedAt.IsZero() {
		return "an earlier collection"
	}
	return b.CollectedAt.UTC().Format("2006-01-02 15:04 UTC")
}

// MissingData says why c cannot be assessed for src — the datasets it needs
// that were not read completely, with their details — or "" when it can.
// doctor uses it to predict not_assessed checks from probe results.
func (c Check) MissingData(src *evidence.Source) string {
	return missingData(src, c.Datasets[src.Provider])
}

// LowerBound says which of c's refining datasets were not read completely
// for src — its findings are then a lower bound — or "" when all were.
func (c Check) LowerBound(src *evidence.Source) string {
	return missingData(src, c.Refine[src.Provider])
}

// missingData returns why a check cannot be assessed for a source: the
// required datasets that were not read completely, with their details.
func missingData(src *evidence.Source, required []string) string {
	var gaps []string
	for _, req := range required {
		alts := strings.Split(req, "|")
		ok := false
		var why []string
		for _, d := range alts {
			c, found := src.CoverageOf(d)
			switch {
			case found && c.Status == evidence.Complete:
				ok = true
			case !found:
				why = append(why, d+": not collected")
			default:
				w := d + ": " + string(c.Status)
				if c.Detail != "" {
					w += " — " + c.Detail
				}
				why = append(why, w)
			}
		}
		if !ok {
			gaps = append(gaps, strings.Join(why, " and "))
		}
	}
	return strings.Join(gaps, "; ")
}

// runAll evaluates the catalog for one source, the checks spread over the
// cores (they only read the env; its caches are locked). Results keep
// catalog order.
func (e *env) runAll(catalog []Check) []CheckResult {
	out := make([]CheckResult, len(catalog))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(catalog)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = catalog[i].run(e)
			}
		}()
	}
	for i := range catalog {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// run evaluates one check for one source.
func (c *Check) run(e *env) CheckResult {
	r := CheckResult{
		ID: c.ID, Provider: string(e.provider), Title: c.Title, Severity: c.Severity,
		Controls: append([]Control(nil), c.Controls...), Findings: []Finding{},
	}
	if m, ok := c.Manual[e.provider]; ok {
		r.Status, r.Rationale = Manual, m
		return r
	}
	if gap := missingData(e.src, c.Datasets[e.provider]); gap != "" {
		r.Status, r.Rationale = NotAssessed, "Not assessed: "+gap+"."
		return r
	}
	if c.eval == nil {
		r.Status, r.Rationale = NotAssessed, "Not assessed: no evaluation for "+string(e.provider)+"."
		return r
	}
	o := c.eval(e)
	r.Rationale = o.rationale
	r.Status = o.status
	if r.Status == "" {
		r.Status = Pass
		if len(o.findings) > 0 {
			r.Status = Fail
		}
	}
	if gap := missingData(e.src, c.Refine[e.provider]); gap != "" {
		switch r.Status {
		case Fail:
			// Proven findings stand; the list is a lower bound.
			r.Incomplete = true
			r.Rationale += " Incomplete: " + gap + "; the findings are those the data read proves, a lower bound."
		case Pass:
			r.Status, r.Rationale = NotAssessed, "Not assessed: "+gap+"; no finding in the data that was read."
		}
	}
	for i := range o.findings {
		f := &o.findings[i]
		if f.Severity == "" {
			f.Severity = c.Severity
		}
		if f.Evidence == nil {
			f.Evidence = map[string]any{}
		}
		if f.Subject.ID == "" {
			// Malformed evidence (an object without an id): name the tenant,
			// so that every finding has a subject a waiver can refer to.
			f.Evidence["subject_without_id"] = f.Subject.Type
			f.Subject = e.tenantSubject()
		}
		f.ID = FindingID(c.ID, string(e.provider), f.Subject)
	}
	less := func(i, j int) bool {
		a, b := o.findings[i].Subject, o.findings[j].Subject
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Type < b.Type
	}
	if !sort.SliceIsSorted(o.findings, less) {
		sort.SliceStable(o.findings, less)
	}
	if o.findings != nil {
		r.Findings = o.findings
	}
	r.Severity = MaxOpenSeverity(c.Severity, r.Findings)
	return r
}

// MaxOpenSeverity is the highest severity among the open findings (Open),
// or base when none is open or none has a severity of its own. Evaluate
// stores it as CheckResult.Severity ("critical if privileged"), so readers
// of results take c.Severity as is.
func MaxOpenSeverity(base Severity, fs []Finding) Severity {
	var best Severity
	for _, f := range fs {
		if !f.Open() {
			continue
		}
		if f.Severity.Rank() > best.Rank() {
			best = f.Severity
		}
	}
	if best == "" {
		return base
	}
	return best
}

// appendIdentities appends the source's in-scope accounts to out.
func (e *env) appendIdentities(out []Identity) []Identity {
	for i := range e.accts {
		x := &e.accts[i]
		m := e.methodList(x.kinds)
		ut := "member"
		if !x.member {
			ut = "guest"
		}
		paths, more := e.publicPaths(x)
		out = append(out, Identity{
			Provider: string(e.provider), ID: x.a.ID, Name: x.a.Name, Login: x.a.Login, UserType: ut,
			Privileged: x.privileged, Roles: roleListOrNil(x.a.Roles), Status: x.a.Status, LastSignIn: x.a.LastSignIn, ServiceAccount: x.service, Methods: m,
			NominalAAL: x.nominal.String(), EffectiveAAL: x.effective.AAL.String(), WeakestPath: e.weakestLabel(x),
			Paths: paths, MorePaths: more,
		})
		if !x.methodsKnown {
			id := &out[len(out)-1]
			id.NominalAAL, id.EffectiveAAL = "unknown", "unknown"
			id.WeakestPath = "unknown (methods could not be read: " + x.a.MethodsError + ")"
			id.Paths, id.MorePaths = nil, 0
		}
	}
	return out
}

// applyWaivers attaches waivers to findings, marks checks waived when every
// finding is covered by a valid waiver, and returns warnings (expired
// waivers, waivers that match nothing).
func applyWaivers(results []CheckResult, ws []Waiver, now time.Time) []string {
	if len(ws) == 0 {
		return nil
	}
	used := make([]bool, len(ws))
	for ri := range results {
		r := &results[ri]
		if r.Status != Fail {
			continue
		}
		covered := 0
		for fi := range r.Findings {
			f := &r.Findings[fi]
			best := -1
			for wi := range ws {
				w := &ws[wi]
				if w.Check != r.ID || (w.Provider != "" && w.Provider != r.Provider) || (w.Subject != "*" && w.Subject != f.Subject.ID) {
					continue
				}
				used[wi] = true
				// Prefer a valid waiver over an expired one, and the specific over "*".
				if best < 0 || waiverRank(w, now) > waiverRank(&ws[best], now) {
					best = wi
				}
			}
			if best < 0 {
				continue
			}
			w := &ws[best]
			aw := &AppliedWaiver{Reason: w.Reason, Owner: w.Owner, ApprovedBy: w.ApprovedBy, Ticket: w.Ticket,
				Expires: w.Expires.UTC().Format(time.DateOnly), Expired: w.expired(now), Source: w.Source}
			f.Waiver = aw
			if !aw.Expired {
				covered++
			}
		}
		expired := 0
		for _, f := range r.Findings {
			if f.Waiver != nil && f.Waiver.Expired {
				expired++
			}
		}
		switch {
		case covered == len(r.Findings) && covered > 0:
			r.Status = Waived
			r.Rationale = "Waived: every finding is covered by an unexpired waiver. " + r.Rationale
		case expired > 0:
			r.Rationale += " " + plural(expired, "finding's waiver has", "findings' waivers have") + " expired and count as failing."
		}
		r.Severity = MaxOpenSeverity(r.Severity, r.Findings)
	}
	var warn []string
	for i := range ws {
		w := &ws[i]
		at := w.Source
		if at == "" {
			at = "waiver " + itoa(i+1)
		}
		if w.expired(now) {
			warn = append(warn, fmt.Sprintf("%s: waiver for %s %s expired on %s; its findings count as failing",
				at, w.Check, w.Subject, w.Expires.UTC().Format(time.DateOnly)))
		}
		if !used[i] {
			warn = append(warn, fmt.Sprintf("%s: waiver for %s %s matches no failing finding", at, w.Check, w.Subject))
		}
	}
	return warn
}

func waiverRank(w *Waiver, now time.Time) int {
	r := 0
	if !w.expired(now) {
		r += 2
	}
	if w.Subject != "*" {
		r++
	}
	return r
}

// expired: a waiver is valid through the end of its expiry date (UTC).
func (w *Waiver) expired(now time.Time) bool {
	return !now.Before(w.Expires.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour))
}

func roleListOrNil(rs []evidence.Role) []string {
	if len(rs) == 0 {
		return nil
	}
	return roleList(rs)
}
