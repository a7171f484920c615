package checks

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// The Okta engine evaluates Policies.Access the way Okta does.
//
// Policy evaluation (developer.okta.com, Policy API, "Policy evaluation"):
// policies of a type are considered by priority; a policy whose conditions
// are not met is skipped; within a policy, rules are considered by priority
// and the first rule whose conditions are all met applies, lower rules are
// not evaluated; if no rule of a policy matches, the next policy is
// considered.
//
// Identity Engine (pipeline "idx") needs two layers for a session in an
// app: the first matching rule of the global session policy (requireFactor,
// primaryFactor) and the first matching rule of the authentication policy
// mapped to that app (verificationMethod factorMode, constraints). The
// requirements add up: two factor types if either asks for them;
// primaryFactor PASSWORD_IDP means the password (or an IdP) must be one of
// them, PASSWORD_IDP_ANY_FACTOR lets any factor the app policy admits start
// the session (okta-sdk-golang openapi.yaml,
// OktaSignOnPolicyRuleSignonActions.primaryFactor). Classic (pipeline
// "v1") decides the Okta session with the Okta sign-on policy alone; app
// sign-on rules have no public API.
//
// A rule with conditions beyond people (network zone, risk, device,
// platform, user type, expression) matches only in some contexts:
// evaluation continues below it for the others, which makes
// context-limited paths ("outside the zone Corporate").

// ruleCond is a rule's conditions other than people, as two descriptions:
// where it matches and where it does not. Empty pos: matches everywhere.
type ruleCond struct{ pos, neg string }

type accessRule struct {
	r      *evidence.AccessRule
	people targets
	cond   ruleCond
	ref    PolicyRef
	// mfa: the rule asks for two factor types.
	mfa bool
	// ops are the account management operations the rule is limited to
	// (its expression tests accessRequest.operation: enroll, recover,
	// unlockAccount); nil = any.
	ops []string
}

// operationTest matches an Okta account management policy rule's test of
// the operation (developer.okta.com "Configure an Okta account management
// policy": accessRequest.operation == 'enroll' | 'recover' | 'unlockAccount').
var operationTest = regexp.MustCompile(`accessRequest\.operation\s*==\s*['"](\w+)['"]`)

// operations splits an expression into the operations it selects and
// whether anything else remains (then the rule is context-limited too).
func operations(expr string) (ops []string, rest string) {
	for _, m := range operationTest.FindAllStringSubmatch(expr, -1) {
		ops = append(ops, m[1])
	}
	if ops == nil {
		return nil, expr
	}
	rest = operationTest.ReplaceAllString(expr, "")
	if strings.Trim(rest, " ()|&") == "" {
		rest = ""
	}
	// What remains (accessRequest.authenticator.key == 'okta_verify', …)
	// keeps the rule context-limited; the whole expression is shown then.
	if rest != "" {
		rest = expr
	}
	return ops, rest
}

type accessPolicy struct {
	p      *evidence.AccessPolicy
	people targets
	cond   ruleCond
	rules  []accessRule
}

// compileAccess prepares Policies.Access: policies by type in priority
// order, rules in priority order, conditions described once.
func (e *env) compileAccess() {
	byType := map[string][]*accessPolicy{}
	for i := range e.src.Policies.Access {
		p := &e.src.Policies.Access[i]
		ap := &accessPolicy{p: p, people: compileTargets(p.Conditions.People), cond: e.describeCond(p.Conditions)}
		rules := make([]*evidence.AccessRule, 0, len(p.Rules))
		for j := range p.Rules {
			rules = append(rules, &p.Rules[j])
		}
		sort.SliceStable(rules, func(a, b int) bool { return rules[a].Priority < rules[b].Priority })
		for _, r := range rules {
			conds := r.Conditions
			ops, rest := operations(conds.Expression)
			if ops != nil && rest == "" {
				conds.Expression = ""
			}
			ar := accessRule{r: r, people: compileTargets(r.Conditions.People), cond: e.describeCond(conds), ops: ops,
				ref: PolicyRef{ID: p.ID, Name: p.Name, Rule: r.Name, RuleID: r.ID, Type: p.Type}}
			ar.mfa = r.Requirement.RequireFactor || r.Requirement.FactorMode == "2FA"
			ap.rules = append(ap.rules, ar)
		}
		byType[p.Type] = append(byType[p.Type], ap)
	}
	for _, ps := range byType {
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].p.Priority < ps[b].p.Priority })
	}
	e.access = byType
}

// describeCond renders the non-people conditions of a policy or rule.
func (e *env) describeCond(c evidence.Conditions) ruleCond {
	var pos, neg []string
	add := func(p, n string) { pos, neg = append(pos, p), append(neg, n) }
	if nw := c.Network; nw != nil && (len(nw.Include) > 0 || len(nw.Exclude) > 0) && nw.Connection != "ANYWHERE" {
		if len(nw.Include) > 0 {
			z := zoneNames(nw, nw.Include)
			add("from "+z, "outside "+z)
		}
		if len(nw.Exclude) > 0 {
			z := zoneNames(nw, nw.Exclude)
			add("outside "+z, "from "+z)
		}
	}
	if len(c.RiskLevels) > 0 {
		l := strings.Join(c.RiskLevels, "/")
		add("at sign-in risk "+l, "at a sign-in risk other than "+l)
	}
	if d := c.Device; d != nil {
		if d.Registered != nil && *d.Registered {
			add("on a registered device", "on an unregistered device")
		}
		if d.Managed != nil && *d.Managed {
			add("on a managed device", "on an unmanaged device")
		}
		if len(d.Assurance) > 0 {
			add("on a device meeting assurance "+strings.Join(d.Assurance, ", "), "on a device not meeting assurance "+strings.Join(d.Assurance, ", "))
		}
		if d.Filter != "" {
			add("on devices matching "+d.Filter, "on devices not matching "+d.Filter)
		}
	}
	if pl := c.Platforms; pl != nil && (len(pl.Include) > 0 || len(pl.Exclude) > 0) {
		if len(pl.Include) > 0 {
			add("on "+strings.Join(pl.Include, "/"), "not on "+strings.Join(pl.Include, "/"))
		}
		if len(pl.Exclude) > 0 {
			add("not on "+strings.Join(pl.Exclude, "/"), "on "+strings.Join(pl.Exclude, "/"))
		}
	}
	if ut := c.UserTypes; ut != nil && (len(ut.Include) > 0 || len(ut.Exclude) > 0) {
		l := strings.Join(append(append([]string{}, ut.Include...), ut.Exclude...), ", ")
		add("for user types matching "+l, "for other user types than "+l)
	}
	if c.Expression != "" {
		add("when `"+c.Expression+"` holds", "when `"+c.Expression+"` does not hold")
	}
	for _, o := range c.Other {
		add("when the "+o+" condition holds", "when the "+o+" condition does not hold")
	}
	if len(pos) == 0 {
		return ruleCond{}
	}
	if len(pos) == 1 {
		return ruleCond{pos: pos[0], neg: neg[0]}
	}
	// not (a and b) = not a, or not b
	return ruleCond{pos: strings.Join(pos, " and "), neg: strings.Join(neg, " or ")}
}

func zoneNames(nw *evidence.Network, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		switch {
		case nw.Names[id] != "":
			out[i] = nw.Names[id]
		case id == "ALL_ZONES":
			out[i] = "any network zone"
			continue
		case id == "AllTrusted":
			out[i] = "trusted locations"
			continue
		default:
			out[i] = id
		}
	}
	if len(out) == 1 && (out[0] == "any network zone" || out[0] == "trusted locations") {
		return out[0]
	}
	return "zone " + strings.Join(out, ", ")
}

// match is one outcome of first-match evaluation: rule applies in the
// context whose conjuncts are ctx.
type match struct {
	pol  *accessPolicy
	rule *accessRule
	ctx  []string
}

// maxMatches bounds the context branches one evaluation explores; a rule
// list longer than that in one population is cut, and the cut said in the
// last context.
const maxMatches = 16

// firstMatches evaluates policies of one type for x: the rules that apply,
// each with the context in which it is the first match. A rule whose
// conditions hold in every context ends the evaluation.
func (e *env) firstMatches(pols []*accessPolicy, x *acct) []match {
	return e.firstMatchesFor(pols, x, "")
}

// firstMatchesFor is firstMatches for one account management operation
// ("" = sign-in): rules limited to other operations do not match.
func (e *env) firstMatchesFor(pols []*accessPolicy, x *acct, op string) []match {
	var out []match
	var negs []string
	for _, p := range pols {
		if !p.p.Enabled || p.p.ReportOnly || !p.people.matchOrEmpty(x) {
			continue
		}
		for i := range p.rules {
			r := &p.rules[i]
			if !r.r.Enabled || !r.people.matchOrEmpty(x) || (r.ops != nil && !slices.Contains(r.ops, op)) {
				continue
			}
			ctx := append([]string(nil), negs...)
			for _, c := range []ruleCond{p.cond, r.cond} {
				if c.pos != "" {
					ctx = append(ctx, c.pos)
				}
			}
			out = append(out, match{pol: p, rule: r, ctx: ctx})
			cond := r.cond
			if p.cond.pos != "" {
				cond = ruleCond{pos: p.cond.pos + " and " + r.cond.pos, neg: p.cond.neg + " or " + r.cond.neg}
				if r.cond.pos == "" {
					cond = p.cond
				}
			}
			if cond.pos == "" {
				return out
			}
			negs = append(negs, cond.neg)
			if len(out) >= maxMatches {
				return out
			}
		}
	}
	return out
}

// matchOrEmpty: a policy or rule without people conditions applies to
// everyone (Okta).
func (t *targets) matchOrEmpty(a *acct) bool {
	if t.empty && !t.hasExclusions() {
		return true
	}
	if t.empty {
		return !t.excluded(a)
	}
	return t.match(a)
}

func (t *targets) hasExclusions() bool {
	return t.exUsers != nil || t.exGroups != nil || t.exRoles != nil
}

// Factor classes (Okta: knowledge, possession, inherence).
const (
	classKnowledge = 1 << iota
	classPossession
)

// oktaFactor is how Okta's constraints see a normalized kind.
type oktaFactor struct {
	class       int
	typ, method string // constraint types / methods values
	key         string // authenticator key
	// uv: can verify the user itself (biometric / PIN), so it satisfies two
	// factor types alone; hw: hardware-protected key; bound: device-bound.
	uv, hw, bound bool
}

var oktaFactors = map[evidence.MethodKind]oktaFactor{
	evidence.KindPassword:           {class: classKnowledge, typ: "PASSWORD", method: "PASSWORD", key: "okta_password"},
	evidence.KindSecurityQuestion:   {class: classKnowledge, typ: "SECURITY_QUESTION", method: "SECURITY_QUESTION", key: "security_question"},
	evidence.KindEmailOTP:           {class: classPossession, typ: "EMAIL", method: "EMAIL", key: "okta_email"},
	evidence.KindSMS:                {class: classPossession, typ: "PHONE", method: "SMS", key: "phone_number"},
	evidence.KindVoice:              {class: classPossession, typ: "PHONE", method: "VOICE", key: "phone_number"},
	evidence.KindPush:               {class: classPossession, typ: "APP", method: "PUSH", key: "okta_verify", bound: true},
	evidence.KindTOTPSoftware:       {class: classPossession, typ: "APP", method: "OTP", key: "okta_verify"},
	evidence.KindTOTPHardware:       {class: classPossession, typ: "SECURITY_KEY", method: "OTP", key: "yubikey_token", hw: true, bound: true},
	evidence.KindFastPass:           {class: classPossession, typ: "APP", method: "SIGNED_NONCE", key: "okta_verify", uv: true, hw: true, bound: true},
	evidence.KindFIDO2:              {class: classPossession, typ: "SECURITY_KEY", method: "WEBAUTHN", key: "webauthn", uv: true, hw: true, bound: true},
	evidence.KindPasskeyDeviceBound: {class: classPossession, typ: "SECURITY_KEY", method: "WEBAUTHN", key: "webauthn", uv: true, hw: true, bound: true},
	evidence.KindPasskeySynced:      {class: classPossession, typ: "SECURITY_KEY", method: "WEBAUTHN", key: "webauthn", uv: true},
	evidence.KindWindowsHello:       {class: classPossession, typ: "SECURITY_KEY", method: "WEBAUTHN", key: "webauthn", uv: true, hw: true, bound: true},
	evidence.KindCertificate:        {class: classPossession, typ: "FEDERATED", method: "CERT", key: "smart_card_idp", uv: true, hw: true, bound: true},
	evidence.KindPasswordlessApp:    {class: classPossession, typ: "APP", method: "PUSH", key: "okta_verify", bound: true},
	evidence.KindUnknown:            {class: classPossession, typ: "UNKNOWN", method: "UNKNOWN"},
}

// partAdmits says whether one constraint part admits a factor.
func partAdmits(p *evidence.ConstraintPart, k evidence.MethodKind, f oktaFactor) bool {
	if len(p.Types) > 0 && !containsFold(p.Types, f.typ) {
		return false
	}
	if len(p.Methods) > 0 && !containsFold(p.Methods, f.method) {
		return false
	}
	if p.PhishingResistant == "REQUIRED" && !Classify(k).PhishingResistant {
		return false
	}
	if p.UserVerification == "REQUIRED" && !f.uv {
		return false
	}
	if p.HardwareProtection == "REQUIRED" && !f.hw {
		return false
	}
	if p.DeviceBound == "REQUIRED" && !f.bound {
		return false
	}
	if len(p.AuthenticationMethods) > 0 && !refsAdmit(p.AuthenticationMethods, f) {
		return false
	}
	if len(p.ExcludedAuthenticationMethods) > 0 && refsAdmit(p.ExcludedAuthenticationMethods, f) {
		return false
	}
	return true
}

func refsAdmit(refs []evidence.AuthMethodRef, f oktaFactor) bool {
	for _, r := range refs {
		if strings.EqualFold(r.Key, f.key) && (r.Method == "" || strings.EqualFold(r.Method, f.method)) {
			return true
		}
	}
	return false
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// partRequired: a part that is present must be satisfied by a proof of its
// class unless it says required: false.
func partRequired(p *evidence.ConstraintPart) bool {
	return p != nil && (p.Required == nil || *p.Required)
}

// satisfies says whether the proofs meet one constraint alternative: every
// required part has a proof of its class that the part admits. Other proofs
// (a factor verified earlier in the flow) neither help nor hurt.
func satisfies(c *evidence.Constraint, proofs []evidence.MethodKind) bool {
	for _, cp := range []struct {
		part  *evidence.ConstraintPart
		class int
	}{{c.Knowledge, classKnowledge}, {c.Possession, classPossession}} {
		if !partRequired(cp.part) {
			continue
		}
		found := false
		for _, k := range proofs {
			if f := oktaFactors[k]; f.class == cp.class && partAdmits(cp.part, k, f) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if partRequired(c.Inherence) {
		for _, k := range proofs {
			if oktaFactors[k].uv && partAdmits(c.Inherence, k, oktaFactors[k]) {
				return true
			}
		}
		return false
	}
	return true
}

// requirement is what one session (or recovery) demands, both layers added up.
type requirement struct {
	twoFactors bool
	// passwordFirst: the password (or an IdP) must be one of the factors.
	passwordFirst bool
	// alternatives: any one constraint alternative must hold; nil = none.
	alternatives []evidence.Constraint
	// chains: AUTH_METHOD_CHAIN; nil = not a chain rule.
	chains []evidence.Chain
}

// accepts says whether Okta would grant the session for exactly these proofs.
func (q *requirement) accepts(proofs []evidence.MethodKind) bool {
	if len(proofs) == 0 {
		return false
	}
	if q.passwordFirst && !containsKind(proofs, evidence.KindPassword) {
		return false
	}
	if q.twoFactors {
		classes, uv := 0, false
		for _, k := range proofs {
			f := oktaFactors[k]
			classes |= f.class
			uv = uv || f.uv
		}
		if classes != classKnowledge|classPossession && !uv {
			return false
		}
	}
	if len(q.chains) > 0 {
		return chainsAccept(q.chains, proofs)
	}
	if len(q.alternatives) == 0 {
		return true
	}
	for i := range q.alternatives {
		if satisfies(&q.alternatives[i], proofs) {
			return true
		}
	}
	return false
}

// chainsAccept: the proofs, in order, are one chain's steps (each step
// admits any of its methods).
func chainsAccept(chains []evidence.Chain, proofs []evidence.MethodKind) bool {
	for _, ch := range chains {
		if len(ch.Steps) != len(proofs) {
			continue
		}
		ok := true
		for i, step := range ch.Steps {
			if !refsAdmit(step, oktaFactors[proofs[i]]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func containsKind(ks []evidence.MethodKind, k evidence.MethodKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// comboStrength is the assurance of a set of proofs per 800-63B-4: a
// multi-factor cryptographic authenticator (verifying its user) stands
// alone; a memorized secret plus an MFA-capable possession factor gives that
// factor's level; two different MFA-capable possession factors give at most
// AAL2, as two proofs do in recovery (4.2.2, the reading the recovery paths
// use too); anything else is single-factor: AAL1, or none for a security
// question alone. Proofs the attacker chooses (a password just reset) are
// left out by the caller.
func comboStrength(proofs []evidence.MethodKind) strength {
	best := strength{AAL: AALNone, tier: 1}
	secret := containsKind(proofs, evidence.KindPassword)
	var possession []strength
	for _, k := range proofs {
		c := Classify(k)
		s := kindStrength(k)
		switch {
		case oktaFactors[k].uv && c.MFACapable, secret && c.MFACapable:
			if best.less(s) {
				best = s
			}
		case c.MFACapable:
			possession = append(possession, s)
		}
		if (k == evidence.KindPassword || k == evidence.KindEmailOTP || c.MFACapable) && best.less(strength{AAL: AAL1, tier: 1}) {
			best = strength{AAL: AAL1, tier: 1}
		}
	}
	if len(possession) >= 2 {
		s := possession[0]
		for _, p := range possession[1:] {
			if s.less(p) {
				s = p
			}
		}
		if s.AAL > AAL2 {
			s = strength{AAL: AAL2, tier: 1}
		}
		if best.less(s) {
			best = s
		}
	}
	return best
}

// oktaRequirement adds up a global session rule and an app rule.
func oktaRequirement(gsp, app *evidence.AccessRule) requirement {
	var q requirement
	if gsp != nil {
		q.twoFactors = gsp.Requirement.RequireFactor
		q.passwordFirst = gsp.Requirement.PrimaryFactor != "PASSWORD_IDP_ANY_FACTOR"
	} else {
		q.passwordFirst = true
	}
	if app != nil {
		v := app.Requirement
		q.twoFactors = q.twoFactors || v.FactorMode == "2FA"
		q.alternatives = v.Constraints
		if v.Type == "AUTH_METHOD_CHAIN" {
			q.chains = v.Chains
		}
	}
	return q
}

// oktaProofs are the proofs x can present to sign in: the password, the
// e-mail address every Okta user has (where the email authenticator is
// allowed for sign-in), and its enrolled factors the authenticators allow.
func (e *env) oktaProofs(x *acct, signInAllowed kindSet) []evidence.MethodKind {
	out := []evidence.MethodKind{evidence.KindPassword}
	avail := x.kinds & signInAllowed
	if signInAllowed.has(evidence.KindEmailOTP) {
		avail |= bitOf(evidence.KindEmailOTP)
	}
	avail.each(func(i int, k evidence.MethodKind) {
		if k != evidence.KindPassword && !kindClass[i].Bootstrap {
			out = append(out, k)
		}
	})
	return out
}

// combos calls fn for each minimal proof set (one or two proofs) from
// avail that q accepts: a pair only where neither proof alone is accepted.
func combos(q *requirement, avail []evidence.MethodKind, fn func(proofs []evidence.MethodKind)) {
	one := make([]bool, len(avail))
	for i, k := range avail {
		if q.accepts([]evidence.MethodKind{k}) {
			one[i] = true
			fn([]evidence.MethodKind{k})
		}
	}
	for i, a := range avail {
		for j, b := range avail {
			if i == j || one[i] || one[j] {
				continue
			}
			// The password comes first; otherwise keep avail's order.
			if b == evidence.KindPassword || (a != evidence.KindPassword && j < i) {
				continue
			}
			if q.accepts([]evidence.MethodKind{a, b}) {
				fn([]evidence.MethodKind{a, b})
			}
		}
	}
}

// appTarget is one authentication policy and the apps it guards.
type appTarget struct {
	pol   *accessPolicy
	label string // "the Okta Dashboard", "app Salesforce (if assigned)"
	admin bool   // the Admin Console: administrators only
}

// oktaApps lists the authentication policies that decide something: those
// mapped to an app. The Dashboard applies to everyone, the Admin Console to
// administrators, other apps to those assigned (assignments are not read:
// every account is assumed assigned, the conservative reading).
func (e *env) oktaApps() []appTarget {
	var out []appTarget
	for _, p := range e.access[evidence.APOktaAuthentication] {
		if !p.p.Enabled {
			continue
		}
		var names []string
		dash, admin := false, false
		for _, a := range p.p.Apps {
			switch a.ID {
			case evidence.AppOktaDashboard:
				dash = true
			case evidence.AppOktaAdminConsole:
				admin = true
			default:
				n := a.Name
				if n == "" {
					n = a.ID
				}
				names = append(names, n)
			}
		}
		if !p.p.AppsKnown && len(p.p.Apps) == 0 {
			names = append(names, "apps not read (policy mappings unavailable)")
		}
		if dash {
			out = append(out, appTarget{pol: p, label: "for the Okta Dashboard"})
		}
		if admin {
			out = append(out, appTarget{pol: p, label: "for the Okta Admin Console", admin: true})
		}
		if len(names) > 0 {
			sort.Strings(names)
			l := names[0]
			if len(names) > 1 {
				l += " and " + plural(len(names)-1, "other app", "other apps")
			}
			out = append(out, appTarget{pol: p, label: "for " + l + " (if assigned)"})
		}
	}
	return out
}

// oktaIdentityPaths is the Identity Engine: for each app, every context's
// first global session rule and first app rule, and the minimal proof sets
// they accept together; then self-service recovery, whose proofs count
// toward the same session requirements.
func (e *env) oktaIdentityPaths(x *acct, b *pathBuf) {
	signInAllowed, recoveryAllowed := e.allowedKinds(x)
	avail := e.oktaProofs(x, signInAllowed)
	gsps := e.firstMatches(e.access[evidence.APOktaGlobalSession], x)
	type session struct {
		q    requirement
		pols int32
		ctx  []string
	}
	var sessions []session
	for _, app := range e.apps {
		if app.admin && !x.privileged {
			continue
		}
		appMatches := e.firstMatches([]*accessPolicy{app.pol}, x)
		for _, g := range gsps {
			if g.rule.r.Access == "DENY" {
				continue
			}
			for _, am := range appMatches {
				if am.rule.r.Access == "DENY" {
					continue
				}
				ctx := append(append([]string{app.label}, g.ctx...), am.ctx...)
				if fc := e.federatedContext(x); fc != "" {
					ctx = append(ctx, fc)
				}
				sessions = append(sessions, session{
					q:    oktaRequirement(g.rule.r, am.rule.r),
					pols: e.internPolicies(g.rule.ref, am.rule.ref),
					ctx:  ctx,
				})
			}
		}
	}
	for i := range sessions {
		s := &sessions[i]
		ctx := e.internContext(strings.Join(s.ctx, "; "))
		found := false
		combos(&s.q, avail, func(proofs []evidence.MethodKind) {
			found = true
			kind := PathSignIn
			if len(proofs) == 1 && proofs[0] == evidence.KindPassword {
				kind = PathPasswordOnly
			}
			b.add(pathKey{kind: kind, variant: vGeneric, proofs: proofArray(proofs), pols: s.pols, ctx: ctx}, comboStrength(proofs))
		})
		if !found {
			e.registrationPath(x, b, s.pols, ctx)
		}
	}
	e.oktaRecoveryPaths(x, b, recoveryAllowed, func(fn func(q *requirement, pols int32, ctx string)) {
		for i := range sessions {
			fn(&sessions[i].q, sessions[i].pols, strings.Join(sessions[i].ctx, "; "))
		}
	}, avail)
}

// registrationPath: the session policies accept none of x's proofs, so the
// way in is enrolling one they accept, guarded by the enrolment policy
// (800-63B-4 4.1.2.1).
func (e *env) registrationPath(x *acct, b *pathBuf, pols int32, ctx int32) {
	pw := evidence.KindPassword
	if e.registrationNeedsMFA(x) {
		added := false
		(x.kinds & mfaCapableKinds).each(func(i int, k evidence.MethodKind) {
			added = true
			b.add(pathKey{kind: PathRegistration, variant: vGeneric, proofs: [3]evidence.MethodKind{pw, k}, pols: pols, ctx: ctx}, comboStrength([]evidence.MethodKind{pw, k}))
		})
		if added {
			return
		}
	}
	b.add(pathKey{kind: PathRegistration, variant: vGeneric, proofs: [3]evidence.MethodKind{pw}, pols: pols, ctx: ctx}, strength{AAL: AAL1, tier: 1})
}

func proofArray(proofs []evidence.MethodKind) [3]evidence.MethodKind {
	var a [3]evidence.MethodKind
	copy(a[:], proofs)
	return a
}

// oktaRecoveryPaths adds self-service recovery. Identity Engine: the reset
// proofs (the first matching password policy rule's primary methods and
// step-up; with accessControl AUTH_POLICY the account management policy's
// rule decides them) are then counted toward each session requirement, with
// the new password the attacker chose; what the session still lacks must be
// presented from the account's own factors. The new password is no proof of
// identity, so it is left out of the path's assurance.
func (e *env) oktaRecoveryPaths(x *acct, b *pathBuf, recoveryAllowed kindSet, sessions func(fn func(q *requirement, pols int32, ctx string)), avail []evidence.MethodKind) {
	e.recoveryFor(x, func(_ int, r *recoveryPolicy) {
		recPol := PolicyRef{ID: r.p.ID, Name: r.p.Name, RuleID: r.p.RuleID, Type: PolicyTypeRecovery}
		var resets [][]evidence.MethodKind
		if r.p.AccessControl == "AUTH_POLICY" {
			var am *accessRule
			if ms := e.firstMatchesFor(e.access[evidence.APOktaAccountManagement], x, "recover"); len(ms) > 0 && ms[0].rule.r.Access != "DENY" {
				am = ms[0].rule
			}
			if am == nil {
				return
			}
			recPol = am.ref
			q := oktaRequirement(nil, am.r)
			q.passwordFirst = false // the password is what is being recovered
			var noPw []evidence.MethodKind
			for _, k := range avail {
				if k != evidence.KindPassword {
					noPw = append(noPw, k)
				}
			}
			combos(&q, noPw, func(p []evidence.MethodKind) { resets = append(resets, append([]evidence.MethodKind(nil), p...)) })
		} else {
			e.recoveryPaths(r, x, recoveryAllowed, true, func(_ strength, k1, k2 evidence.MethodKind) {
				p := []evidence.MethodKind{k1}
				if k2 != "" {
					p = append(p, k2)
				}
				resets = append(resets, p)
			})
		}
		for _, reset := range resets {
			sessions(func(q *requirement, pols int32, ctx string) {
				// Cheapest completion: the reset proofs with the new password,
				// else with one more of the account's own proofs.
				with := append(append([]evidence.MethodKind(nil), reset...), evidence.KindPassword)
				extra := []evidence.MethodKind{}
				if !q.accepts(with) {
					var best *strength
					for _, k := range avail {
						if containsKind(with, k) {
							continue
						}
						if q.accepts(append(append([]evidence.MethodKind(nil), with...), k)) {
							s := comboStrength(append(append([]evidence.MethodKind(nil), reset...), k))
							if best == nil || s.less(*best) {
								best, extra = &s, []evidence.MethodKind{k}
							}
						}
					}
					if best == nil {
						return // recovery does not reach this session
					}
				}
				proofs := append(append([]evidence.MethodKind(nil), reset...), extra...)
				if len(proofs) > 3 {
					proofs = proofs[:3]
				}
				polList := append([]PolicyRef{recPol}, e.policyList(pols)...)
				b.add(pathKey{kind: PathRecovery, variant: vGeneric, proofs: proofArray(proofs),
					pols: e.internPolicies(polList...), ctx: e.internContext(ctx)}, comboStrength(proofs))
			})
		}
	})
}

// oktaClassicPaths is the Classic engine: the first matching Okta sign-on
// policy rule decides the Okta session (requireFactor: the password and any
// enrolled factor the factor settings allow); app sign-on rules are not in
// the public API, so the paths say they are unverified. Self-service
// recovery returns a session by itself (Classic reset signs the user in).
func (e *env) oktaClassicPaths(x *acct, b *pathBuf) {
	signInAllowed, recoveryAllowed := e.allowedKinds(x)
	pw := evidence.KindPassword
	for _, g := range e.firstMatches(e.access[evidence.APOktaGlobalSession], x) {
		if g.rule.r.Access == "DENY" {
			continue
		}
		pols := e.internPolicies(g.rule.ref)
		parts := append([]string{"Okta session (Classic; app sign-on rules not readable through the API)"}, g.ctx...)
		if fc := e.federatedContext(x); fc != "" {
			parts = append(parts, fc)
		}
		ctx := e.internContext(strings.Join(parts, "; "))
		if !g.rule.r.Requirement.RequireFactor {
			b.add(pathKey{kind: PathPasswordOnly, variant: vGeneric, proofs: [3]evidence.MethodKind{pw}, pols: pols, ctx: ctx}, strength{AAL: AAL1, tier: 1})
			continue
		}
		found := false
		(x.kinds & signInAllowed).each(func(i int, k evidence.MethodKind) {
			// Classic accepts any enrolled factor as the second one, the
			// security question and e-mail included.
			if kindClass[i].Bootstrap || k == pw {
				return
			}
			found = true
			b.add(pathKey{kind: PathSignIn, variant: vGeneric, proofs: [3]evidence.MethodKind{pw, k}, pols: pols, ctx: ctx}, comboStrength([]evidence.MethodKind{pw, k}))
		})
		if !found {
			e.registrationPath(x, b, pols, ctx)
		}
	}
	e.recoveryFor(x, func(i int, r *recoveryPolicy) {
		if !r.p.EndsInSession {
			return
		}
		pols := e.internPolicies(PolicyRef{ID: r.p.ID, Name: r.p.Name, RuleID: r.p.RuleID, Type: PolicyTypeRecovery})
		e.recoveryPaths(r, x, recoveryAllowed, true, func(s strength, k1, k2 evidence.MethodKind) {
			b.add(pathKey{kind: PathRecovery, variant: vRecovery, proofs: [3]evidence.MethodKind{k1, k2}, pols: pols}, s)
		})
	})
}

// mfaExclusion is a principal excluded from an MFA-requiring access rule.
type mfaExclusion struct {
	typ, id string // user | group | role
	rule    *accessRule
	pol     *accessPolicy
}

// accessExclusions lists the people exclusions of every enabled access rule
// that asks for two factor types, and of every enabled policy whose rules
// do, in policy and rule order.
func (e *env) accessExclusions() []mfaExclusion {
	if e.entra != nil {
		return e.entraExclusions()
	}
	var out []mfaExclusion
	for _, typ := range []string{evidence.APOktaGlobalSession, evidence.APOktaAuthentication} {
		for _, p := range e.access[typ] {
			if !p.p.Enabled || p.p.ReportOnly {
				continue
			}
			for i := range p.rules {
				r := &p.rules[i]
				if !r.r.Enabled || !r.mfa || r.r.Access == "DENY" {
					continue
				}
				out = appendExclusions(out, r.r.Conditions.People, r, p, "")
			}
		}
	}
	return out
}

// appendExclusions appends an mfaExclusion for each user, group and role t
// excludes from rule r of p, leaving out the user id skipUser when it is
// not "" (Entra's "GuestsOrExternalUsers" names no account).
func appendExclusions(out []mfaExclusion, t evidence.Targets, r *accessRule, p *accessPolicy, skipUser string) []mfaExclusion {
	for _, id := range t.ExcludeUsers {
		if skipUser == "" || id != skipUser {
			out = append(out, mfaExclusion{typ: "user", id: id, rule: r, pol: p})
		}
	}
	for _, id := range t.ExcludeGroups {
		out = append(out, mfaExclusion{typ: "group", id: id, rule: r, pol: p})
	}
	for _, id := range t.ExcludeRoles {
		out = append(out, mfaExclusion{typ: "role", id: id, rule: r, pol: p})
	}
	return out
}

// landsWeaker reports whether x, excluded from rule ex, reaches a session
// below AAL2 through another rule of the same policy: the rule it falls
// through to is weaker (an exclusion that lands on an equally strong rule
// is not a finding). It returns those paths.
func (e *env) landsWeaker(x *acct, ex *mfaExclusion) []int32 {
	var out []int32
	if e.entra != nil {
		return e.entraBelowAAL2(x)
	}
	for _, id := range e.pathsOf(x) {
		p := e.path(id)
		if p.s.AAL >= AAL2 {
			break // weakest first
		}
		for _, pol := range p.path.Policies {
			if pol.ID == ex.pol.p.ID && pol.RuleID != ex.rule.r.ID {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// evalEXC01Access is EXC-01 on policies as the engine reads them: each
// principal excluded from an MFA-requiring rule, when an account it covers
// falls through to a weaker rule of that policy.
func evalEXC01Access(e *env) outcome {
	var o outcome
	exs := e.accessExclusions()
	// One finding per excluded principal, naming every MFA rule it is
	// excluded from (a subject appears once per check: waivers and finding
	// ids refer to it).
	type hit struct {
		ex    *mfaExclusion
		rules []*mfaExclusion
		tally
		service int
		paths   []int32
		acct    *acct
		seen    map[int]bool
	}
	hits := map[string]*hit{}
	var order []string
	breakGlassOK := 0
	// Index the exclusions by the principal they name, so one pass over
	// the accounts finds every exclusion that covers each.
	byUser, byGroup, byRole := map[string][]int{}, map[string][]int{}, map[string][]int{}
	for i := range exs {
		switch ex := &exs[i]; ex.typ {
		case "user":
			byUser[strings.ToLower(ex.id)] = append(byUser[strings.ToLower(ex.id)], i)
		case "group":
			byGroup[ex.id] = append(byGroup[ex.id], i)
		case "role":
			byRole[ex.id] = append(byRole[ex.id], i)
		}
	}
	var covering []int
	for j := range e.accts {
		x := &e.accts[j]
		covering = covering[:0]
		covering = append(covering, byUser[strings.ToLower(x.a.ID)]...)
		if x.login != "" && x.login != strings.ToLower(x.a.ID) {
			covering = append(covering, byUser[x.login]...)
		}
		for _, g := range x.a.Groups {
			covering = append(covering, byGroup[g]...)
		}
		for _, r := range x.a.Roles {
			covering = append(covering, byRole[r.ID]...)
		}
		for _, i := range covering {
			ex := &exs[i]
			key := ex.typ + "\x00" + ex.id
			weak := e.landsWeaker(x, ex)
			if len(weak) == 0 {
				continue
			}
			if x.breakGlass && x.kinds&phishingResistantKinds != 0 && ex.typ == "user" {
				breakGlassOK++
				continue
			}
			h := hits[key]
			if h == nil {
				h = &hit{ex: ex, seen: map[int]bool{}}
				hits[key] = h
				order = append(order, key)
			}
			if !slices.Contains(h.rules, ex) {
				h.rules = append(h.rules, ex)
			}
			if h.seen[j] {
				continue
			}
			h.seen[j] = true
			h.count(x)
			h.acct = x
			if x.service {
				h.service++
			}
			if len(h.paths) < sampleSize {
				h.paths = append(h.paths, weak[0])
			}
		}
	}
	sort.Strings(order)
	for _, key := range order {
		h := hits[key]
		ex := h.ex
		var pols, names []string
		for _, r := range h.rules {
			pols = append(pols, r.pol.p.ID+"/"+r.rule.r.ID)
			names = append(names, r.rule.ref.Label())
		}
		rules := quoteJoin(names)
		ev := map[string]any{"policies": pols, "policy_names": names,
			"accounts_landing_weaker": h.accounts, "privileged": h.privileged > 0}
		ev = e.withPaths(ev, dedupeIDs(h.paths))
		subject := Subject{Type: ex.typ, ID: ex.id}
		var msg string
		sv := sev(High, Critical, h.privileged > 0)
		switch ex.typ {
		case "user":
			x := h.acct
			subject = userSubject(x.a)
			subject.ID = ex.id
			ev["login"] = x.a.Login
			if x.service {
				ev["service_account"] = true
				ev["owasp_nhi"] = "NHI10"
			}
			if x.breakGlass {
				ev["break_glass"] = true
				ev["methods"] = e.methodList(x.kinds)
				sv = Critical
				msg = "Declared break-glass account " + displayName(x.a) + " is excluded from " + rules + ", holds no phishing-resistant method and reaches a session at " + e.path(h.paths[0]).path.AAL
				break
			}
			msg = displayName(x.a) + " is excluded from " + rules + " and falls through to " + e.path(h.paths[0]).path.Label
		case "group":
			subject.Name = e.groupNames[ex.id]
			label := ex.id
			if subject.Name != "" {
				label = subject.Name
			}
			if h.service > 0 {
				ev["service_accounts"] = h.service
				ev["owasp_nhi"] = "NHI10"
			}
			ev["sample"] = h.ids
			msg = "Group " + label + " is excluded from " + rules + ": " + plural(h.accounts, "member falls", "members fall") +
				" through to a weaker rule (" + itoa(h.privileged) + " privileged)"
		case "role":
			sv = Critical
			ev["sample"] = h.ids
			msg = "Role " + ex.id + " is excluded from " + rules + ": " + plural(h.accounts, "holder falls", "holders fall") + " through to a weaker rule"
		}
		o.findings = append(o.findings, Finding{Subject: subject, Severity: sv, Message: msg, Evidence: ev})
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "user, group or role excluded from MFA rules falls", "users, groups or roles excluded from MFA rules fall") + " through to a weaker rule or policy."
		if breakGlassOK > 0 {
			o.rationale += " Declared break-glass accounts holding a phishing-resistant method are not counted."
		}
	case len(exs) == 0:
		o.rationale = "No MFA-requiring rule excludes anyone."
	default:
		o.rationale = "The " + plural(len(exs), "exclusion from an MFA rule", "exclusions from MFA rules") + " land on rules that are no weaker (or on declared break-glass accounts holding a phishing-resistant method)."
	}
	return o
}

func dedupeIDs(ids []int32) []int32 {
	var out []int32
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// evalREC03Paths is REC-03 on access paths: an account whose weakest
// recovery path is below the weakest way it can sign in; one finding per
// recovery policy (the first policy of the recovery path).
func evalREC03Paths(e *env) outcome {
	var o outcome
	type gap struct {
		pol PolicyRef
		tally
		recovery, required strength
		path               int32
	}
	gaps := map[string]*gap{}
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member || !x.methodsKnown {
			continue
		}
		var rec, sign *pathInfo
		var recID int32
		for _, id := range e.pathsOf(x) {
			p := e.path(id)
			switch {
			case p.key.kind == PathRecovery && rec == nil:
				rec, recID = p, id
			case p.key.kind != PathRecovery && sign == nil:
				sign = p
			}
		}
		if rec == nil || sign == nil || !rec.s.less(sign.s) || len(rec.path.Policies) == 0 {
			continue
		}
		pol := rec.path.Policies[0]
		g := gaps[pol.ID]
		if g == nil {
			g = &gap{pol: pol, recovery: rec.s, required: sign.s, path: recID}
			gaps[pol.ID] = g
		}
		g.count(x)
		if rec.s.less(g.recovery) {
			g.recovery, g.path = rec.s, recID
		}
		if g.required.less(sign.s) {
			g.required = sign.s
		}
	}
	for _, k := range sortedKeys(gaps) {
		g := gaps[k]
		p := e.path(g.path)
		o.findings = append(o.findings, Finding{
			Subject: policySubject(g.pol.ID, g.pol.Name),
			Message: "Recovery through \"" + g.pol.Name + "\" reaches " + g.recovery.String() + " while sign-in requires " + g.required.String() +
				" (" + plural(g.accounts, "account", "accounts") + ", " + itoa(g.privileged) + " privileged)",
			Severity: sev(High, Critical, g.privileged > 0),
			Evidence: e.withPaths(map[string]any{
				"recovery_assurance": g.recovery.String(), "weakest_recovery_path": p.path.Label,
				"required_sign_in": g.required.String(), "accounts": g.accounts, "privileged_accounts": g.privileged, "sample": g.ids,
			}, []int32{g.path}),
		})
	}
	if len(o.findings) > 0 {
		o.rationale = plural(len(o.findings), "recovery policy is", "recovery policies are") + " weaker than the sign-in of the accounts it serves."
	} else {
		o.rationale = "No self-service recovery path is weaker than the sign-in requirement of the accounts it serves."
	}
	return o
}
