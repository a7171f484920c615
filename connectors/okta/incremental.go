package okta

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Incremental collection. Okta lists factors only per user, so a full read
// of a large org costs one call per user. Given a previous snapshot of the
// same org (Config.Base), Collect reads every cheap dataset in full (users,
// groups, roles, policies, authenticators, the audit window, tokens, apps)
// but re-reads factors only for the users that may have changed since
// their factors were last read:
//
//   - users the previous snapshot does not have (new, or back in scope),
//   - users whose previous read failed (methods_error),
//   - users whose lastUpdated is not before their last read (less an overlap),
//   - users named (as actor or target) by a change event in the System Log
//     since the oldest carried-over read (less an overlap),
//   - users whose last read is older than the System Log keeps events.
//
// Everyone else keeps the previous snapshot's methods, marked carried_over
// with their factors_read_at; Source.Collection records the log window
// that shows no change for them. Anything that makes that proof doubtful
// falls back to a full read, and says why.

// factorFormat names how factors are normalized into evidence.Method; a
// base of another format is not carried over. Bump it whenever method()
// or factorName() changes what they write.
const factorFormat = "okta-factors/1"

// logOverlap is subtracted from every time compared with the System Log:
// Okta says some events "may be delayed. Such delays are rare but
// possible" (System Log API, Bounded requests) without saying how long, and
// our clock may differ from Okta's. The docs give no bound; an hour is
// our conservative reading, not Okta's figure.
const logOverlap = time.Hour

// Base asks Collect for an incremental collection.
type Base struct {
	// Snapshot is the previous snapshot; nil when it could not be used,
	// with Problem saying why (it is then a full read, and says so).
	Snapshot *evidence.Snapshot
	Problem  string
	// Full forces a full read (--full) while still recording the request.
	Full bool
}

// Change events (Okta event types catalogue, data/event-types.json of
// okta/okta-developer-docs, release 2026.08.1; every id below is in it).
var (
	// userChangeEvents can change the factors Okta lists for the users
	// they name, or whether those users are in scope.
	userChangeEvents = []string{
		"user.mfa.factor.activate", "user.mfa.factor.deactivate", "user.mfa.factor.reset_all",
		"user.mfa.factor.suspend", "user.mfa.factor.unsuspend", "user.mfa.factor.update",
		"user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.reactivate",
		"user.lifecycle.deactivate", "user.lifecycle.suspend", "user.lifecycle.unsuspend",
		"user.lifecycle.delete.initiated", "user.lifecycle.delete.completed",
		"user.account.update_profile", "user.account.update_password", "user.account.reset_password",
		"user.account.expire_password", "user.account.update_primary_email", "user.account.update_secondary_email",
		"user.account.update_user_type", "user.account.lock", "user.account.lock.limit",
		"user.account.unlock", "user.account.unlock_by_admin",
		// Identity Engine lists only the factors the user's highest-priority
		// enrollment policy includes, and policies target groups.
		"group.user_membership.add", "group.user_membership.remove",
		// Okta Verify / FastPass enrollments are bound to devices.
		"device.user.add", "device.user.remove", "device.enrollment.create",
	}
	// orgChangeEvents can change the factors listed for any user: a full
	// re-read follows.
	orgChangeEvents = []string{
		"security.authenticator.lifecycle.activate", "security.authenticator.lifecycle.deactivate",
		"security.authenticator.lifecycle.create", "security.authenticator.lifecycle.update",
		"system.mfa.factor.activate", "system.mfa.factor.deactivate",
	}
	// policyChangeEvents force a full re-read when they touch an
	// authenticator enrollment (MFA_ENROLL) policy, or a policy whose type
	// is not known from this or the previous collection.
	policyChangeEvents = []string{
		"policy.lifecycle.create", "policy.lifecycle.update", "policy.lifecycle.activate",
		"policy.lifecycle.deactivate", "policy.lifecycle.delete", "policy.lifecycle.overwrite",
		"policy.rule.add", "policy.rule.update", "policy.rule.activate", "policy.rule.deactivate",
		"policy.rule.delete", "policy.rule.invalidate",
	}
)

// Re-read reasons, as counted in Collection.RereadReasons.
const (
	whyNew      = "not in the previous snapshot"
	whyError    = "previous read failed"
	whyUpdated  = "lastUpdated since the previous read"
	whyEvent    = "System Log change event"
	whyStale    = "previous read older than the System Log retention"
	whyFullRead = "full read"
)

// plan is the outcome of planning an incremental collection.
type plan struct {
	full    string // non-empty: read everything, for this reason
	base    *evidence.Source
	baseSHA string
	window  evidence.Window
	events  int
	carry   map[string]*evidence.Account // account id → previous account to carry over
	reasons map[string]string            // account id → why it is re-read
}

// planIncremental decides, after the cheap datasets are read, whose factors
// to re-read. It never drops a user: every current account is either
// re-read or carried over.
func (r *run) planIncremental(ctx context.Context) *plan {
	b := r.c.cfg.Base
	p := &plan{carry: map[string]*evidence.Account{}, reasons: map[string]string{}}
	switch {
	case b.Full:
		p.full = "a full read was asked for (--full)"
		return p
	case b.Problem != "":
		p.full = "the previous snapshot could not be used: " + b.Problem
		return p
	case b.Snapshot == nil:
		p.full = "no previous snapshot"
		return p
	}
	if b.Snapshot.SchemaVersion != evidence.SchemaVersion {
		p.full = fmt.Sprintf("the previous snapshot has schema_version %q, not %q", b.Snapshot.SchemaVersion, evidence.SchemaVersion)
		return p
	}
	var others []string
	for _, s := range b.Snapshot.Sources {
		if s.Provider != evidence.Okta {
			continue
		}
		if s.Tenant == r.c.host {
			p.base = s
		} else {
			others = append(others, s.Tenant)
		}
	}
	if p.base == nil {
		if len(others) > 0 {
			p.full = fmt.Sprintf("the previous snapshot is of another org (%s, not %s)", strings.Join(others, ", "), r.c.host)
		} else {
			p.full = "the previous snapshot has no Okta source"
		}
		return p
	}
	base := p.base
	if base.Collection == nil || base.Collection.Format != factorFormat {
		got := "none"
		if base.Collection != nil && base.Collection.Format != "" {
			got = base.Collection.Format
		}
		p.full = fmt.Sprintf("the previous snapshot records factors in another format (%s, this shadowpath writes %s)", got, factorFormat)
		return p
	}
	if cov, ok := base.CoverageOf(evidence.DSFactors); !ok || (cov.Status != evidence.Complete && cov.Status != evidence.Partial) {
		p.full = "the previous snapshot did not read factors"
		return p
	}
	now := r.opts.Now.UTC()
	retention := time.Duration(r.src.LogRetentionDays) * 24 * time.Hour
	cutoff := now.Add(-retention).Add(logOverlap) // reads before this cannot be proven unchanged
	if base.CollectedAt.Before(cutoff) {
		p.full = fmt.Sprintf("the previous snapshot (collected %s) is older than the System Log retention (%d days)", base.CollectedAt.Format(time.RFC3339), r.src.LogRetentionDays)
		return p
	}
	if base.CollectedAt.After(now) {
		p.full = fmt.Sprintf("the previous snapshot was collected after this collection's time (%s)", base.CollectedAt.Format(time.RFC3339))
		return p
	}
	if why := r.configChanged(base); why != "" {
		p.full = why
		return p
	}
	sum, err := base.Hash()
	if err != nil {
		p.full = "the previous snapshot's evidence could not be hashed: " + err.Error()
		return p
	}
	p.baseSHA = sum

	prev := make(map[string]*evidence.Account, len(base.Accounts))
	for i := range base.Accounts {
		prev[base.Accounts[i].ID] = &base.Accounts[i]
	}
	since := now
	for _, a := range r.src.Accounts {
		old := prev[a.ID]
		switch {
		case old == nil:
			p.reasons[a.ID] = whyNew
		case old.MethodsError != "" || old.FactorsReadAt == nil:
			p.reasons[a.ID] = whyError
		case old.FactorsReadAt.Before(cutoff):
			p.reasons[a.ID] = whyStale
		case r.lastUpdated[a.ID] != nil && !r.lastUpdated[a.ID].Before(old.FactorsReadAt.Add(-logOverlap)):
			p.reasons[a.ID] = whyUpdated
		default:
			p.carry[a.ID] = old
			if old.FactorsReadAt.Before(since) {
				since = *old.FactorsReadAt
			}
		}
	}
	p.window = evidence.Window{Since: since.Add(-logOverlap), Until: now}
	if len(p.carry) == 0 {
		return p // nothing carried over: no log needed
	}
	changed, n, why := r.changeLog(ctx, p.window, base)
	p.events = n
	if why != "" {
		p.full = why
		p.carry = map[string]*evidence.Account{}
		return p
	}
	for id := range changed {
		if _, ok := p.carry[id]; ok {
			delete(p.carry, id)
			p.reasons[id] = whyEvent
		}
	}
	return p
}

// configChanged compares the enrollment policies and authenticator settings
// just read with the previous snapshot's: Identity Engine lists only
// factors that the enrollment policy includes, so a change there can change
// every user's list.
func (r *run) configChanged(base *evidence.Source) string {
	for _, ds := range []string{evidence.DSPolicies, evidence.DSAuthn} {
		if cov, ok := r.src.CoverageOf(ds); !ok || cov.Status != evidence.Complete {
			return fmt.Sprintf("%s could not be read in full, so changes to enrollment could not be ruled out", ds)
		}
	}
	same := func(a, b any) bool {
		x, err1 := evidence.Canonical(a)
		y, err2 := evidence.Canonical(b)
		return err1 == nil && err2 == nil && string(x) == string(y)
	}
	if !same(base.Policies.Registration, r.src.Policies.Registration) {
		return "the authenticator enrollment policies changed since the previous snapshot"
	}
	if !same(base.Policies.Methods, r.src.Policies.Methods) {
		return "the authenticators changed since the previous snapshot"
	}
	return ""
}

// changeLog reads the change events of the window and returns the users
// they name. A non-empty why means the log cannot prove anything (the
// query failed or was incomplete, or an org-wide change happened).
func (r *run) changeLog(ctx context.Context, w evidence.Window, base *evidence.Source) (users map[string]bool, n int, why string) {
	since, until := w.Since.UTC(), w.Until.UTC()
	types := append(append(append([]string{}, userChangeEvents...), orgChangeEvents...), policyChangeEvents...)
	org, pol := map[string]bool{}, map[string]bool{}
	for _, t := range orgChangeEvents {
		org[t] = true
	}
	for _, t := range policyChangeEvents {
		pol[t] = true
	}
	enrollPolicy := map[string]bool{}
	knownPolicy := map[string]bool{}
	for _, rp := range base.Policies.Registration {
		enrollPolicy[rp.ID] = true
	}
	if r.pols != nil {
		for typ, ps := range r.pols.byType {
			for _, p := range ps {
				ids := []string{p.ID}
				for _, rule := range p.rules {
					ids = append(ids, rule.ID)
				}
				for _, id := range ids {
					knownPolicy[id] = true
					if typ == "MFA_ENROLL" {
						enrollPolicy[id] = true
					}
				}
			}
		}
	}
	users = map[string]bool{}
	r.progress("okta: System Log since %s: reading change events", since.Format(time.RFC3339))
	each := func(e rawEvent) {
		n++
		if why != "" {
			return
		}
		if e.UUID == "" || parseTime(e.Published) == nil {
			why = "the System Log returned an event without a uuid or published time: the change log is incomplete"
			return
		}
		switch {
		case org[e.EventType]:
			why = fmt.Sprintf("an org-wide change in the System Log window (%s at %s)", e.EventType, e.Published)
			return
		case pol[e.EventType]:
			for _, tg := range e.Target {
				if enrollPolicy[tg.ID] || !knownPolicy[tg.ID] && strings.HasPrefix(tg.Type, "Policy") {
					why = fmt.Sprintf("an enrollment policy (or a policy of unknown type) changed in the System Log window (%s on %s at %s)", e.EventType, tg.ID, e.Published)
					return
				}
			}
			if len(e.Target) == 0 {
				why = fmt.Sprintf("a policy change event names no policy (%s at %s)", e.EventType, e.Published)
			}
			return
		}
		named := false
		for _, pr := range append([]rawPrincipal{e.Actor}, e.Target...) {
			if pr.Type == "User" && pr.ID != "" {
				users[pr.ID] = true
				named = true
			}
		}
		if !named {
			why = fmt.Sprintf("a change event names no user (%s %s at %s)", e.EventType, e.UUID, e.Published)
		}
	}
	// Okta documents no maximum length for filter; each query keeps to
	// changeTermsPerQuery eventType terms, the size of the audit query, so
	// that a long URL is not what makes the change log fail.
	for i := 0; i < len(types) && why == ""; i += changeTermsPerQuery {
		chunk := types[i:min(i+changeTermsPerQuery, len(types))]
		parts := make([]string, 0, len(chunk))
		for _, t := range chunk {
			parts = append(parts, fmt.Sprintf("eventType eq %q", t))
		}
		q := url.Values{
			"since":     {since.Format(logTimeFormat)},
			"until":     {until.Format(logTimeFormat)},
			"limit":     {"1000"},
			"sortOrder": {"ASCENDING"},
			"filter":    {strings.Join(parts, " or ")},
		}
		if err := list(ctx, r.c, "/api/v1/logs?"+q.Encode(), each); err != nil {
			return nil, n, "the System Log query for changes failed: " + err.Error()
		}
	}
	return users, n, why
}

// changeTermsPerQuery bounds the eventType terms of one change-log query.
const changeTermsPerQuery = 10

// record fills Source.Collection (and the warning that restates it) once
// factors are read.
func (r *run) record(p *plan, reread, carried int, reasons map[string]int) {
	col := r.src.Collection
	col.Format = factorFormat
	col.Users = len(r.src.Accounts)
	col.Reread = reread
	col.CarriedOver = carried
	for why, n := range reasons {
		col.RereadReasons = append(col.RereadReasons, evidence.Count{Reason: why, Count: n})
	}
	sort.Slice(col.RereadReasons, func(i, j int) bool { return col.RereadReasons[i].Reason < col.RereadReasons[j].Reason })
	if p == nil {
		return
	}
	if p.full != "" {
		col.FullReason = p.full
		r.note(fmt.Sprintf("incremental collection not possible: %s; factors of all %d users were read", p.full, col.Users))
		return
	}
	col.Mode = evidence.CollectIncremental
	col.Base = &evidence.CollectionBase{CollectedAt: p.base.CollectedAt, EvidenceSHA256: p.baseSHA}
	w := p.window
	col.LogWindow = &w
	col.ChangeEvents = p.events
	r.note(fmt.Sprintf("incremental collection: factors of %d of %d users re-read; the other %d carried over from the snapshot collected %s (evidence_sha256 %s), the System Log from %s to %s showing no change to them",
		reread, col.Users, carried, p.base.CollectedAt.Format(time.RFC3339), p.baseSHA, w.Since.Format(time.RFC3339), w.Until.Format(time.RFC3339)))
}

// note adds a warning that restates the collection record (so
// evidence.Source.WithoutReadMetadata can leave it out). It is logged at
// info level: a scheduled incremental run is not a problem.
func (r *run) note(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned[msg] {
		return
	}
	r.warned[msg] = true
	r.src.Warnings = append(r.src.Warnings, msg)
	r.src.Collection.Notes = append(r.src.Collection.Notes, msg)
	r.log.Info("okta: " + msg)
}

// rateShare reads the org's rate-limit warning threshold and sets the
// pacer's share: Config.RateShare (default 50%), never above the
// threshold; when the threshold cannot be read, 60% is assumed and said.
func (r *run) rateShare(ctx context.Context) {
	share := r.configuredShare()
	var body struct {
		WarningThreshold *int `json:"warningThreshold"`
	}
	threshold := assumedWarningThreshold
	_, err := r.c.get(ctx, "/api/v1/rate-limit-settings/warning-threshold", &body)
	var note string
	switch {
	case err != nil:
		note = fmt.Sprintf("the org's rate-limit warning threshold could not be read (%v): %d%% assumed", err, threshold)
	case body.WarningThreshold == nil || *body.WarningThreshold < 1 || *body.WarningThreshold > 100:
		note = fmt.Sprintf("the org's rate-limit warning threshold was not a percentage: %d%% assumed", threshold)
	default:
		threshold = *body.WarningThreshold
	}
	ceiling := float64(threshold) / 100
	eff := min(share, ceiling)
	r.c.pacer.setShare(eff, ceiling)
	desc := fmt.Sprintf("at most %.0f%% of each rate-limit bucket (okta.rate_share %.0f%%, the org's warning threshold %d%%", eff*100, share*100, threshold)
	if note != "" {
		desc += " assumed"
	}
	desc += ")"
	r.src.Collection.RateShare = eff
	r.src.Collection.RateShareNote = desc
	// Until the report's methodology states it, the warnings carry it.
	r.note("rate limits: read " + desc)
	if note != "" {
		r.warn(note) // logged as a warning: the share may be lower than it could be
		r.mu.Lock()
		r.src.Collection.Notes = append(r.src.Collection.Notes, note)
		r.mu.Unlock()
	}
	r.log.Debug("okta: rate share", "share", eff, "threshold", threshold)
}

func (r *run) configuredShare() float64 {
	if s := r.c.cfg.RateShare; s > 0 {
		return s
	}
	return DefaultRateShare
}
