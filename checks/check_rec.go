package checks

import (
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func recoverySubject(p *evidence.RecoveryPolicy) Subject { return policySubject(p.ID, p.Name) }

func recoveryEvidence(p *evidence.RecoveryPolicy) map[string]any {
	ev := map[string]any{
		"methods":          kindStrings(p.Methods),
		"step_up_required": p.StepUpRequired,
		"self_service":     p.SelfService,
	}
	if p.RuleID != "" {
		ev["rule_id"] = p.RuleID
	}
	if len(p.StepUpMethods) > 0 {
		ev["step_up_methods"] = kindStrings(p.StepUpMethods)
	}
	if p.Source != "" {
		ev["source"] = p.Source
	}
	return ev
}

func evalREC01(e *env) outcome {
	var o outcome
	sq := evidence.KindSecurityQuestion
	if e.ssprOff {
		o.rationale = "Self-service password reset is disabled for the tenant, so security questions cannot recover an account."
		return o
	}
	known := false
	for i := range e.recovery {
		r := &e.recovery[i]
		if !r.p.Enabled || !r.p.SelfService {
			continue
		}
		known = known || r.p.Known
		if r.methods.has(sq) || r.stepUp.has(sq) {
			o.findings = append(o.findings, Finding{
				Subject:  recoverySubject(r.p),
				Message:  "Recovery policy \"" + r.p.Name + "\" accepts security questions",
				Severity: High, Evidence: recoveryEvidence(r.p),
			})
		}
	}
	for i := range e.settings {
		s := &e.settings[i]
		if s.s.Enabled && (s.s.SignIn || s.s.Recovery) && s.kinds.has(sq) {
			o.findings = append(o.findings, Finding{
				Subject:  policySubject(s.s.ID, s.s.Name),
				Message:  "Authenticator \"" + s.s.Name + "\" (security questions) is enabled for " + usage(s.s),
				Severity: High,
				Evidence: map[string]any{"vendor_key": s.s.VendorKey, "sign_in": s.s.SignIn, "recovery": s.s.Recovery, "targets": e.targetsEvidence(s.s.Targets)},
			})
		}
	}
	if e.provider == evidence.Entra {
		// Graph does not show the SSPR methods, but a registered security
		// question can only exist because SSPR offers it.
		var ids []string
		for i := range e.accts {
			if e.accts[i].kinds.has(sq) {
				ids = append(ids, e.accts[i].a.ID)
			}
		}
		if len(ids) > 0 {
			sort.Strings(ids)
			o.findings = append(o.findings, Finding{
				Subject:  e.tenantSubject(),
				Message:  plural(len(ids), "account has", "accounts have") + " security questions registered, so self-service password reset accepts them",
				Severity: High,
				Evidence: map[string]any{"accounts": len(ids), "sample": sample(ids)},
			})
		}
	}
	if len(o.findings) > 0 {
		o.rationale = "Security questions can recover or authenticate accounts (" + plural(len(o.findings), "finding", "findings") + ")."
		return o
	}
	if e.provider == evidence.Entra && !known {
		o.status = Manual
		o.rationale = "No account has security questions registered, but Graph does not list the SSPR methods: verify in the Entra admin center (Password reset > Authentication methods) that \"Security questions\" is not selected."
		return o
	}
	o.rationale = "No recovery policy or authenticator accepts security questions."
	return o
}

func usage(s *evidence.MethodSetting) string {
	switch {
	case s.SignIn && s.Recovery:
		return "sign-in and recovery"
	case s.SignIn:
		return "sign-in"
	}
	return "recovery"
}

func evalREC02(e *env) outcome {
	var o outcome
	if e.ssprOff {
		o.rationale = "Self-service password reset is disabled for the tenant."
		return o
	}
	var manual []string
	active := 0
	for i := range e.recovery {
		r := &e.recovery[i]
		if !r.p.Enabled || !r.p.SelfService {
			continue
		}
		active++
		if !r.p.Known {
			m := r.p.Manual
			if m == "" {
				m = "verify that recovery requires a second proof"
			}
			manual = append(manual, "\""+r.p.Name+"\": "+m)
			continue
		}
		if r.p.StepUpRequired {
			continue
		}
		codes := r.methods & issuedCodeKinds
		if codes == 0 {
			continue
		}
		ev := recoveryEvidence(r.p)
		ev["single_proof_channels"] = codes.strings()
		o.findings = append(o.findings, Finding{
			Subject:  recoverySubject(r.p),
			Message:  "Recovery policy \"" + policyLabel(r.p.Name, r.p.RuleID) + "\" completes on one issued code (" + joinKinds(codes) + ") with no step-up",
			Severity: High, Evidence: ev,
		})
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "self-service recovery rule completes", "self-service recovery rules complete") + " on a single issued code."
		if len(manual) > 0 {
			o.rationale += " Also to verify by hand: " + strings.Join(manual, "; ") + "."
		}
	case len(manual) > 0:
		o.status = Manual
		o.rationale = "The API does not show every recovery rule's proofs: " + strings.Join(manual, "; ") + "."
	case active == 0:
		o.rationale = "No self-service recovery policy is enabled."
	default:
		o.rationale = "Every self-service recovery rule (" + itoa(active) + ") requires a second proof or uses no issued code."
	}
	return o
}

// requiredStrength is the strongest assurance the enforced sign-in policies
// targeting a demand; AAL1 when none requires MFA.
func (e *env) requiredStrength(x *acct) (strength, string) {
	req, by := strength{AAL: AAL1, tier: 1}, ""
	for i := range e.signIn {
		s := &e.signIn[i]
		if !s.mfaEnforcing() || !s.targets.match(x) {
			continue
		}
		r := strength{AAL: AAL2, tier: 0} // any MFA-capable method, SMS included
		if s.allowed != 0 {
			first := true
			s.allowed.each(func(i int, _ evidence.MethodKind) {
				if ks := kindStrengths[i]; kindClass[i].MFACapable && (first || ks.less(r)) {
					r, first = ks, false
				}
			})
		}
		if req.less(r) {
			req, by = r, policyLabel(s.p.Name, s.p.RuleName)
		}
	}
	return req, by
}

// twoWeakest is the assurance of the two weakest distinct proofs of a set:
// what an unknown "number of methods required" yields at best.
func twoWeakest(proofs kindSet) (strength, bool) {
	var ss []strength
	proofs.each(func(i int, _ evidence.MethodKind) {
		if !kindClass[i].Bootstrap {
			ss = append(ss, kindStrengths[i])
		}
	})
	if len(ss) < 2 {
		return strength{}, false
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].less(ss[j]) })
	s := ss[1]
	if s.AAL > AAL2 {
		s = strength{AAL: AAL2, tier: 1}
	}
	return s, true
}

func evalREC03(e *env) outcome {
	if e.access != nil {
		return evalREC03Paths(e)
	}
	var o outcome
	type gap struct {
		tally
		required   strength
		requiredBy string
		recovery   strength
		k1, k2     evidence.MethodKind
	}
	fails := map[int]*gap{}
	manual := map[int]*gap{}
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member {
			continue
		}
		var req strength
		var by string
		reqDone := false
		_, recoveryAllowed := e.allowedKinds(x)
		e.recoveryFor(x, func(pi int, r *recoveryPolicy) {
			s, k1, k2, ok := e.recoveryStrength(r, x, recoveryAllowed, false)
			if !ok {
				return
			}
			if !reqDone {
				req, by = e.requiredStrength(x)
				reqDone = true
			}
			if !s.less(req) {
				return
			}
			into := fails
			if !r.p.Known && r.methods == 0 {
				// The number of proofs is not visible: if two proofs would meet
				// the requirement, only a person can tell.
				proofs := recoveryAllowed & e.coveredKinds
				if s2, ok := twoWeakest(proofs); ok && !s2.less(req) {
					into = manual
				}
			}
			g := into[pi]
			if g == nil {
				g = &gap{recovery: s, k1: k1, k2: k2}
				into[pi] = g
			}
			g.count(x)
			if g.required.less(req) {
				g.required, g.requiredBy = req, by
			}
		})
	}
	for _, pi := range sortedIntKeys(fails) {
		g := fails[pi]
		r := e.recovery[pi].p
		ev := recoveryEvidence(r)
		ev["recovery_assurance"] = g.recovery.String()
		ev["weakest_recovery_path"] = recoveryLabel(g.k1, g.k2, r.Name)
		ev["required_sign_in"] = g.required.String()
		if g.requiredBy != "" {
			ev["required_by"] = g.requiredBy
		}
		ev["accounts"] = g.accounts
		ev["privileged_accounts"] = g.privileged
		ev["sample"] = g.ids
		o.findings = append(o.findings, Finding{
			Subject: recoverySubject(r),
			Message: "Recovery through \"" + r.Name + "\" reaches " + g.recovery.String() + " while sign-in requires " + g.required.String() +
				" (" + plural(g.accounts, "account", "accounts") + ", " + itoa(g.privileged) + " privileged)",
			Severity: sev(High, Critical, g.privileged > 0),
			Evidence: ev,
		})
	}
	var manualNames []string
	for _, pi := range sortedIntKeys(manual) {
		manualNames = append(manualNames, "\""+e.recovery[pi].p.Name+"\" ("+plural(manual[pi].accounts, "account", "accounts")+")")
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "recovery policy is", "recovery policies are") + " weaker than the sign-in policy of the population it serves."
	case len(manualNames) > 0:
		o.status = Manual
		o.rationale = "Recovery meets the sign-in requirement only if it asks for two methods, which Graph does not show: verify \"Number of methods required to reset\" is 2 for " + strings.Join(manualNames, ", ") + "."
	default:
		o.rationale = "No self-service recovery path is weaker than the sign-in requirement of the accounts it serves."
	}
	return o
}

func sortedIntKeys[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func evalREC04(e *env) outcome {
	var o outcome
	ts := e.src.Policies.TemporaryAccess
	if len(ts) == 0 {
		if e.provider == evidence.Okta {
			o.status = NotApplicable
			o.rationale = "No temporary access code authenticator is configured in this org."
			return o
		}
		o.rationale = "The methods policy has no Temporary Access Pass configuration."
		return o
	}
	limit := e.p.Thresholds.TAPMaxLifetime
	enabled := 0
	for i := range ts {
		t := &ts[i]
		if !t.Enabled {
			continue
		}
		enabled++
		var why []string
		if t.Reusable {
			why = append(why, "reusable")
		}
		life := time.Duration(t.MaxLifetimeMinutes) * time.Minute
		switch {
		case t.MaxLifetimeMinutes <= 0:
			why = append(why, "maximum lifetime not reported")
		case life > limit:
			why = append(why, "maximum lifetime "+human(life)+" exceeds "+human(limit))
		}
		if len(why) == 0 {
			continue
		}
		o.findings = append(o.findings, Finding{
			Subject:  policySubject(t.ID, t.Name),
			Message:  "\"" + t.Name + "\" is " + strings.Join(why, " and "),
			Severity: High,
			Evidence: map[string]any{
				"reusable":                 t.Reusable,
				"max_lifetime_minutes":     t.MaxLifetimeMinutes,
				"default_lifetime_minutes": t.DefaultLifetimeMinutes,
				"threshold_minutes":        int(limit / time.Minute),
				"targets":                  e.targetsEvidence(t.Targets),
			},
		})
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "temporary access configuration is", "temporary access configurations are") + " reusable or longer-lived than " + human(limit) + "."
	case enabled == 0 && e.provider == evidence.Okta:
		// An inactive temporary access code authenticator issues no codes.
		o.status = NotApplicable
		o.rationale = "No temporary access code authenticator is active in this org."
	case enabled == 0:
		o.rationale = "Temporary access passes are disabled."
	default:
		o.rationale = "Every enabled temporary access configuration is one-time and within " + human(limit) + "."
	}
	return o
}

func evalREC05(e *env) outcome {
	if e.provider == evidence.Okta && (e.engine == evidence.EngineOktaIdentity || e.engine == evidence.EngineOktaClassic) {
		return evalREC05Okta(e)
	}
	var o outcome
	for i := range e.registration {
		r := &e.registration[i]
		if !r.p.Enabled || r.p.RequiresMFA || r.p.TrustedDevice || r.targets.empty {
			continue
		}
		o.findings = append(o.findings, Finding{
			Subject:  policySubject(r.p.ID, r.p.Name),
			Message:  "\"" + r.p.Name + "\" lets its users register security info without MFA or a trusted device",
			Severity: High,
			Evidence: map[string]any{"targets": e.targetsEvidence(r.p.Targets), "detail": r.p.Detail},
		})
	}
	var ids []string
	members, priv := 0, 0
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member {
			continue
		}
		members++
		if e.entra != nil {
			// Combined registration asks a user who already has an
			// MFA-capable method to pass MFA before changing security info
			// (learn.microsoft.com "Combined security information
			// registration"): only users without one register with the
			// password alone, unless a CA policy on
			// urn:user:registersecurityinfo protects them.
			if !x.methodsKnown || x.kinds&mfaCapableKinds != 0 {
				continue
			}
			if ok, _ := e.entraRegistrationProtected(x); !ok {
				ids = append(ids, x.a.ID)
				if x.privileged {
					priv++
				}
			}
			continue
		}
		protected := false
		for j := range e.registration {
			r := &e.registration[j]
			if r.p.Enabled && (r.p.RequiresMFA || r.p.TrustedDevice) && r.targets.match(x) {
				protected = true
				break
			}
		}
		if !protected {
			ids = append(ids, x.a.ID)
			if x.privileged {
				priv++
			}
		}
	}
	if len(ids) > 0 {
		sort.Strings(ids)
		o.findings = append(o.findings, Finding{
			Subject:  e.tenantSubject(),
			Message:  itoa(len(ids)) + " of " + plural(members, "member account", "member accounts") + " (" + itoa(priv) + " privileged) can register security info with the password alone",
			Severity: High,
			Evidence: map[string]any{"accounts": len(ids), "privileged_accounts": priv, "sample": sample(ids)},
		})
	}
	if len(o.findings) == 0 {
		o.rationale = "Every member account needs MFA or a trusted device to register security info."
		return o
	}
	o.rationale = "Security-info registration is not protected for some accounts (" + plural(len(o.findings), "finding", "findings") + ")."
	return o
}

func succeeded(ev *evidence.Event) bool {
	switch strings.ToLower(ev.Outcome) {
	case "", "success", "allow":
		return true
	}
	return false
}

func evalREC06(e *env) outcome {
	var o outcome
	window := e.p.Thresholds.ReenrolWindow
	end := e.src.AuditWindow.Until
	if end.IsZero() {
		end = e.p.Now
	}
	// Enrolment times per account, from the log and from method creation dates.
	enrolled := map[string][]time.Time{}
	for i := range e.src.Events {
		ev := &e.src.Events[i]
		if ev.Kind == evidence.EvMethodEnrolled && succeeded(ev) && ev.Target.ID != "" &&
			(ev.MethodKind == "" || Classify(ev.MethodKind).MFACapable) {
			enrolled[ev.Target.ID] = append(enrolled[ev.Target.ID], ev.Time)
		}
	}
	type miss struct {
		events []string
		recs   []*evidence.Event
		last   time.Time
	}
	misses := map[string]*miss{}
	resets, pending := 0, 0
	for i := range e.src.Events {
		ev := &e.src.Events[i]
		if (ev.Kind != evidence.EvFactorReset && ev.Kind != evidence.EvTAPIssued) || !succeeded(ev) || ev.Target.ID == "" {
			continue
		}
		xi, ok := e.lookup(ev.Target.ID)
		if !ok {
			continue // deleted or out of scope: nothing left to re-enrol
		}
		resets++
		deadline := ev.Time.Add(window)
		if deadline.After(end) {
			pending++
			continue // the re-enrolment window has not elapsed yet
		}
		if reenrolled(enrolled[ev.Target.ID], &e.accts[xi], ev.Time, deadline) {
			continue
		}
		m := misses[ev.Target.ID]
		if m == nil {
			m = &miss{}
			misses[ev.Target.ID] = m
		}
		m.events = append(m.events, ev.ID)
		m.recs = append(m.recs, ev)
		m.last = ev.Time
	}
	for _, id := range sortedKeys(misses) {
		m := misses[id]
		xi, _ := e.lookup(id)
		x := &e.accts[xi]
		o.findings = append(o.findings, userFinding(x, Medium,
			"was reset ("+plural(len(m.events), "event", "events")+", last "+m.last.UTC().Format(time.DateOnly)+") and did not enrol an MFA-capable method within "+days(window),
			map[string]any{"events": sample(m.events), "event_count": len(m.events), "last_reset": m.last.UTC().Format(time.RFC3339),
				"event_details": eventRecords(m.recs)}))
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "account was", "accounts were") + " not re-enrolled within " + days(window) + " of a reset."
	case resets == 0:
		o.rationale = "No factor reset or temporary access pass in the audit window."
	default:
		o.rationale = "Every reset whose re-enrolment window has elapsed was followed by enrolment (resets: " + itoa(resets) + ", still within the window: " + itoa(pending) + ")."
	}
	return o
}

// eventRecord is one audit event as a finding's evidence lists it
// ("event_details", at most sampleSize per finding, in the order of
// "events"): what the XLSX Recovery events sheet shows one row per event.
func eventRecord(ev *evidence.Event) map[string]any {
	r := map[string]any{
		"id":        ev.ID,
		"time":      ev.Time.UTC().Format(time.RFC3339),
		"kind":      string(ev.Kind),
		"actor_id":  ev.Actor.ID,
		"target_id": ev.Target.ID,
	}
	if ev.VendorType != "" {
		r["vendor_type"] = ev.VendorType
	}
	if ev.Actor.Name != "" {
		r["actor_name"] = ev.Actor.Name
	}
	if ev.Target.Name != "" {
		r["target_name"] = ev.Target.Name
	}
	return r
}

// eventRecords is the records of the first sampleSize events.
func eventRecords(evs []*evidence.Event) []map[string]any {
	evs = evs[:min(len(evs), sampleSize)]
	out := make([]map[string]any, len(evs))
	for i, ev := range evs {
		out[i] = eventRecord(ev)
	}
	return out
}

func reenrolled(times []time.Time, x *acct, from, to time.Time) bool {
	for _, t := range times {
		if !t.Before(from) && !t.After(to) {
			return true
		}
	}
	for _, m := range x.a.Methods {
		if m.Created != nil && Classify(m.Kind).MFACapable && methodUsable(m.Status) &&
			!m.Created.Before(from) && !m.Created.After(to) {
			return true
		}
	}
	return false
}

// human prints a duration as an auditor would write it: 8h, 30 days, 90m.
func human(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return days(d)
	case d > 0 && d%time.Hour == 0:
		return itoa(int(d/time.Hour)) + "h"
	case d > 0 && d%time.Minute == 0:
		return itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if time.Duration(n)*24*time.Hour == d {
		return plural(n, "day", "days")
	}
	return d.String()
}

func evalREC07(e *env) outcome {
	var o outcome
	limit := e.p.Thresholds.ResetsPerActorPerDay
	type agg struct {
		events []string
		recs   []*evidence.Event
		kinds  map[string]bool
		actors map[string]bool
	}
	privileged := map[string]*agg{}
	perActorDay := map[string]map[string][]string{} // actor → day → event ids
	actorNames := map[string]string{}
	byID := map[string]*evidence.Event{} // the assisted events, for their records
	assisted := 0
	for i := range e.src.Events {
		ev := &e.src.Events[i]
		switch ev.Kind {
		case evidence.EvFactorReset, evidence.EvPasswordResetAdmin, evidence.EvTAPIssued, evidence.EvRecoveryPINIssued:
		default:
			continue
		}
		if !succeeded(ev) || ev.Target.ID == "" || ev.Actor.ID == "" || ev.Actor.ID == ev.Target.ID {
			continue
		}
		assisted++
		if _, ok := byID[ev.ID]; !ok {
			byID[ev.ID] = ev
		}
		day := ev.Time.UTC().Format(time.DateOnly)
		if perActorDay[ev.Actor.ID] == nil {
			perActorDay[ev.Actor.ID] = map[string][]string{}
		}
		perActorDay[ev.Actor.ID][day] = append(perActorDay[ev.Actor.ID][day], ev.ID)
		if ev.Actor.Name != "" {
			actorNames[ev.Actor.ID] = ev.Actor.Name
		}
		xi, ok := e.lookup(ev.Target.ID)
		if !ok || !e.accts[xi].privileged {
			continue
		}
		a := privileged[ev.Target.ID]
		if a == nil {
			a = &agg{kinds: map[string]bool{}, actors: map[string]bool{}}
			privileged[ev.Target.ID] = a
		}
		a.events = append(a.events, ev.ID)
		a.recs = append(a.recs, ev)
		a.kinds[string(ev.Kind)] = true
		a.actors[ev.Actor.ID] = true
	}
	for _, id := range sortedKeys(privileged) {
		a := privileged[id]
		xi, _ := e.lookup(id)
		x := &e.accts[xi]
		o.findings = append(o.findings, userFinding(x, High,
			"is privileged and was reset or issued a temporary pass by an administrator ("+plural(len(a.events), "event", "events")+")",
			map[string]any{"events": sample(a.events), "event_count": len(a.events), "kinds": sortedKeys(a.kinds), "actors": sortedKeys(a.actors), "reason": "privileged_target",
				"event_details": eventRecords(a.recs)}))
	}
	for _, actor := range sortedKeys(perActorDay) {
		var busy []string
		max, total := 0, 0
		var evs []string
		for _, day := range sortedKeys(perActorDay[actor]) {
			n := len(perActorDay[actor][day])
			if n <= limit {
				continue
			}
			busy = append(busy, day)
			total += n
			if n > max {
				max = n
			}
			evs = append(evs, perActorDay[actor][day]...)
		}
		recs := make([]*evidence.Event, 0, min(len(evs), sampleSize))
		for _, id := range sample(evs) {
			recs = append(recs, byID[id])
		}
		if len(busy) == 0 {
			continue
		}
		name := actorNames[actor]
		if xi, ok := e.lookup(actor); ok && name == "" {
			name = displayName(e.accts[xi].a)
		}
		label := name
		if label == "" {
			label = actor
		}
		o.findings = append(o.findings, Finding{
			Subject:  Subject{Type: "user", ID: actor, Name: name},
			Message:  label + " made more than " + itoa(limit) + " resets a day on " + plural(len(busy), "day", "days") + " (at most " + itoa(max) + ")",
			Severity: High,
			Evidence: map[string]any{"days": busy, "max_per_day": max, "resets": total, "threshold": limit, "events": sample(evs), "reason": "volume",
				"event_details": eventRecords(recs)},
		})
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "assisted-reset finding needs", "assisted-reset findings need") + " review (" + itoa(assisted) + " assisted resets in the window)."
	case assisted == 0:
		o.rationale = "No assisted reset in the audit window."
	default:
		o.rationale = "Assisted resets in the window: " + itoa(assisted) + "; none of a privileged account, none above " + itoa(limit) + " per actor per day."
	}
	return o
}
