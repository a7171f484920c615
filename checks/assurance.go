package checks

import (
	"slices"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Assurance is the computed assurance of one account.
type Assurance struct {
	Nominal   AAL
	Effective AAL
	// WeakestPath names the path that set Effective: "sms (sign-in)",
	// "email_otp (self-service recovery: Default Policy)".
	WeakestPath string
	// Paths are every access path, weakest first.
	Paths []Path
}

// targets is evidence.Targets compiled into sets, so that matching one
// account costs a few map lookups whatever the list sizes.
type targets struct {
	all, guests                bool
	exGuests                   bool // excludes guests and external users (Entra)
	users, groups, roles       map[string]struct{}
	exUsers, exGroups, exRoles map[string]struct{}
	empty                      bool // targets nobody
}

func toSet(ids []string, lower bool) map[string]struct{} {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		m[id] = struct{}{}
		if lower {
			m[strings.ToLower(id)] = struct{}{}
		}
	}
	return m
}

func compileTargets(t evidence.Targets) targets {
	c := targets{
		all:      t.All,
		users:    toSet(t.Users, true),
		groups:   toSet(t.Groups, false),
		roles:    toSet(t.Roles, false),
		exUsers:  toSet(t.ExcludeUsers, true),
		exGroups: toSet(t.ExcludeGroups, false),
		exRoles:  toSet(t.ExcludeRoles, false),
	}
	// Entra's special includeUsers values, in case a connector passes them through.
	for _, u := range t.Users {
		switch u {
		case "All", "all":
			c.all = true
		case "GuestsOrExternalUsers":
			c.guests = true
		}
	}
	c.exGuests = slices.Contains(t.ExcludeUsers, "GuestsOrExternalUsers")
	c.empty = !c.all && !c.guests && c.users == nil && c.groups == nil && c.roles == nil
	return c
}

func inSet(m map[string]struct{}, k string) bool {
	if m == nil || k == "" {
		return false
	}
	_, ok := m[k]
	return ok
}

// excluded reports whether one of the exclusions names the account.
func (t *targets) excluded(a *acct) bool {
	if t.exGuests && !a.member {
		return true
	}
	if inSet(t.exUsers, a.a.ID) || inSet(t.exUsers, a.login) {
		return true
	}
	if t.exGroups != nil {
		for _, g := range a.a.Groups {
			if inSet(t.exGroups, g) {
				return true
			}
		}
	}
	if t.exRoles != nil {
		for _, r := range a.a.Roles {
			if inSet(t.exRoles, r.ID) {
				return true
			}
		}
	}
	return false
}

// included reports whether the inclusions name the account, ignoring exclusions.
func (t *targets) included(a *acct) bool {
	if t.all || (t.guests && !a.member) {
		return true
	}
	if inSet(t.users, a.a.ID) || inSet(t.users, a.login) {
		return true
	}
	if t.groups != nil {
		for _, g := range a.a.Groups {
			if inSet(t.groups, g) {
				return true
			}
		}
	}
	if t.roles != nil {
		for _, r := range a.a.Roles {
			if inSet(t.roles, r.ID) {
				return true
			}
		}
	}
	return false
}

func (t *targets) match(a *acct) bool {
	if t.empty {
		return false
	}
	return t.included(a) && !t.excluded(a)
}

// methodUsable filters out enrolments that cannot be used yet or any more.
func methodUsable(status string) bool {
	switch status {
	case "", "ACTIVE", "active", "enabled":
		return true
	}
	switch strings.ToUpper(status) {
	case "PENDING_ACTIVATION", "NOT_SETUP", "INACTIVE", "DISABLED", "EXPIRED", "SUSPENDED":
		return false
	}
	return true
}

// registrationNeedsMFA: an enabled registration policy targeting a requires MFA.
func (e *env) registrationNeedsMFA(a *acct) bool {
	for i := range e.registration {
		r := &e.registration[i]
		if r.p.Enabled && r.p.RequiresMFA && r.targets.match(a) {
			return true
		}
	}
	return false
}

// allowedKinds returns the kinds the method settings targeting a allow for
// sign-in and for recovery. Kinds no setting governs count as allowed: an
// absent configuration must not make an account look stronger.
func (e *env) allowedKinds(a *acct) (signIn, recovery kindSet) {
	signIn = ^e.coveredKinds
	recovery = ^e.coveredKinds
	for i := range e.settings {
		s := &e.settings[i]
		if !s.s.Enabled || (!s.s.SignIn && !s.s.Recovery) || !s.targets.match(a) {
			continue
		}
		if s.s.SignIn {
			signIn |= s.kinds
		}
		if s.s.Recovery {
			recovery |= s.kinds
		}
	}
	return signIn, recovery
}

// policyAllowed narrows the kinds by enforced sign-in policies that cover
// every application and accept only some kinds (authentication strengths).
func (e *env) policyAllowed(a *acct) kindSet {
	allowed := ^kindSet(0)
	for i := range e.signIn {
		s := &e.signIn[i]
		if s.allowed == 0 || !s.mfaEnforcing() || !s.p.AllApps || !s.targets.match(a) {
			continue
		}
		allowed &= s.allowed
	}
	return allowed
}

// recoveryFor calls fn for each self-service recovery policy that applies to
// a: the matching enabled policies of the lowest priority number that allow
// self-service (Okta applies the first matching password policy; Entra has
// priority 0 throughout).
func (e *env) recoveryFor(a *acct, fn func(i int, r *recoveryPolicy)) {
	if e.ssprOff {
		return
	}
	// The first matching policy decides, whether or not it allows
	// self-service: an administrators' policy that denies self-service reset
	// shields its members from the default policy below it.
	best, found := 0, false
	for i := range e.recovery {
		r := &e.recovery[i]
		if !r.p.Enabled || !r.targets.match(a) || !e.recoveryApplies(a, r.p) {
			continue
		}
		if !found || r.p.Priority < best {
			best, found = r.p.Priority, true
		}
	}
	if !found {
		return
	}
	for i := range e.recovery {
		r := &e.recovery[i]
		if r.p.Priority != best || !r.p.Enabled || !r.p.SelfService || !r.targets.match(a) || !e.recoveryApplies(a, r.p) {
			continue
		}
		fn(i, r)
	}
}

// proofAvailable says whether a can present a recovery proof of kind k. On
// Okta the primary email and the recovery question are credentials every
// user has; anything else needs a registered method of that kind.
func (e *env) proofAvailable(a *acct, k evidence.MethodKind) bool {
	if e.provider == evidence.Okta && (k == evidence.KindEmailOTP || k == evidence.KindSecurityQuestion) {
		return true
	}
	return a.kinds.has(k)
}

// recoveryPaths calls fn for every way through recovery policy r for a
// (available proofs only when onlyAvailable), with its strength per
// 800-63B-4 4.2.2: one proof gives that proof's level, two different proofs
// give at most AAL2.
func (e *env) recoveryPaths(r *recoveryPolicy, a *acct, recoveryAllowed kindSet, onlyAvailable bool, fn func(s strength, k1, k2 evidence.MethodKind)) {
	first := r.methods
	if first == 0 {
		// The vendor does not list the proofs (Entra SSPR): the methods the
		// methods policy enables for recovery are the candidates.
		first = recoveryAllowed & e.coveredKinds
	}
	first.each(func(i1 int, k1 evidence.MethodKind) {
		if kindClass[i1].Bootstrap || (onlyAvailable && !e.proofAvailable(a, k1)) {
			return
		}
		s1 := kindStrengths[i1]
		if !r.p.StepUpRequired || r.stepUp == 0 {
			// No step-up, or a step-up whose proofs are not known: credit one proof.
			fn(s1, k1, "")
			return
		}
		r.stepUp.each(func(i2 int, k2 evidence.MethodKind) {
			if k2 == k1 || (onlyAvailable && !e.proofAvailable(a, k2)) {
				return
			}
			s := s1
			if s2 := kindStrengths[i2]; s.less(s2) {
				s = s2
			}
			if s.AAL > AAL2 {
				s = strength{AAL: AAL2, tier: 1}
			}
			fn(s, k1, k2)
		})
	})
}

// recoveryStrength returns the weakest way through recovery policy r for a
// and its proofs; ok is false when no proof is known or available.
func (e *env) recoveryStrength(r *recoveryPolicy, a *acct, recoveryAllowed kindSet, onlyAvailable bool) (best strength, k1, k2 evidence.MethodKind, ok bool) {
	e.recoveryPaths(r, a, recoveryAllowed, onlyAvailable, func(s strength, p1, p2 evidence.MethodKind) {
		if !ok || s.less(best) {
			best, k1, k2, ok = s, p1, p2, true
		}
	})
	return best, k1, k2, ok
}

// assess computes nominal assurance and the account's access paths; the
// effective assurance is the weakest path's.
func (e *env) assess(x *acct, w *worker) {
	x.nominal = AAL1
	x.kinds.each(func(i int, _ evidence.MethodKind) {
		if c := kindClass[i]; !c.Bootstrap && c.MaxAAL > x.nominal {
			x.nominal = c.MaxAAL
		}
	})
	c := w.cache
	c.sig = e.signature(x, c.sig)
	if m, ok := c.accounts[string(c.sig)]; ok {
		x.pathSet, x.effective = m.set, m.weakest
		if !m.hasPaths {
			x.pathSet = -1
		}
		return
	}
	b := &w.buf
	b.reset()
	switch e.engine {
	case evidence.EngineOktaIdentity:
		e.oktaIdentityPaths(x, b)
	case evidence.EngineOktaClassic:
		e.oktaClassicPaths(x, b)
	case evidence.EngineEntra:
		e.entraPaths(x, b)
	default:
		e.legacyPaths(x, b)
	}
	x.pathSet = -1
	x.effective = strength{}
	if len(b.keys) > 0 {
		x.pathSet, x.effective = e.finish(b, c)
	}
	c.accounts[string(c.sig)] = memoEntry{set: x.pathSet, weakest: x.effective, hasPaths: x.pathSet >= 0}
}

// legacyPaths is the engine for policies reduced to sign-in flags
// (evidence.SignInPolicy): every usable MFA-capable method the method
// settings and enforced policies admit, the registration way in when they
// admit none, the first one-factor rule, and self-service recovery that ends
// in a session.
func (e *env) legacyPaths(x *acct, b *pathBuf) {
	signInAllowed, recoveryAllowed := e.allowedKinds(x)
	usable := x.kinds & signInAllowed & e.policyAllowed(x)
	pw := evidence.KindPassword
	none := int32(-1)
	found := false
	usable.each(func(i int, k evidence.MethodKind) {
		if c := kindClass[i]; c.MFACapable || c.Unknown {
			b.add(pathKey{kind: PathSignIn, variant: vSignIn, proofs: [3]evidence.MethodKind{pw, k}, pols: none}, kindStrengths[i])
			found = true
		}
	})
	aal1 := strength{AAL: AAL1, tier: 1}
	if !found {
		switch {
		case x.kinds&mfaCapableKinds == 0:
			b.add(pathKey{kind: PathSignIn, variant: vNoMFA, proofs: [3]evidence.MethodKind{pw}, pols: none}, aal1)
		case x.kinds&signInAllowed&mfaCapableKinds == 0:
			// Nothing registered is enabled at all.
			b.add(pathKey{kind: PathSignIn, variant: vMFANotAllowed, proofs: [3]evidence.MethodKind{pw}, pols: none}, aal1)
		default:
			// The sign-in policy accepts none of the registered methods, so the
			// way to a session is registering one it accepts (800-63B-4
			// 4.1.2.1): with the registered methods if registration requires
			// MFA, with the password alone if it does not.
			if e.registrationNeedsMFA(x) {
				(x.kinds & signInAllowed & mfaCapableKinds).each(func(i int, k evidence.MethodKind) {
					b.add(pathKey{kind: PathRegistration, variant: vRegistration, proofs: [3]evidence.MethodKind{pw, k}, pols: none}, kindStrengths[i])
				})
			} else {
				b.add(pathKey{kind: PathRegistration, variant: vRegistration, proofs: [3]evidence.MethodKind{pw}, pols: none}, aal1)
			}
		}
	}
	for i := range e.signIn {
		s := &e.signIn[i]
		if s.enforced() && !s.p.Block && s.p.OneFactor && s.targets.match(x) {
			pols := e.internPolicies(PolicyRef{ID: s.p.ID, Name: s.p.Name, Rule: s.p.RuleName, RuleID: s.p.RuleID})
			b.add(pathKey{kind: PathPasswordOnly, variant: vOneFactor, proofs: [3]evidence.MethodKind{pw}, pols: pols}, aal1)
			break
		}
	}
	e.recoveryFor(x, func(i int, r *recoveryPolicy) {
		if !r.p.EndsInSession {
			return
		}
		pols := int32(-2)
		e.recoveryPaths(r, x, recoveryAllowed, true, func(s strength, k1, k2 evidence.MethodKind) {
			if pols == -2 {
				pols = e.internPolicies(PolicyRef{ID: r.p.ID, Name: r.p.Name, RuleID: r.p.RuleID})
			}
			b.add(pathKey{kind: PathRecovery, variant: vRecovery, proofs: [3]evidence.MethodKind{k1, k2}, pols: pols}, s)
		})
	})
}

func policyLabel(name, rule string) string {
	if rule == "" {
		return name
	}
	return name + " / " + rule
}

// assurance is the account's computed assurance.
func (x *acct) assurance(e *env) Assurance {
	a := Assurance{Nominal: x.nominal, Effective: x.effective.AAL, WeakestPath: e.weakestLabel(x)}
	for _, id := range e.pathsOf(x) {
		a.Paths = append(a.Paths, e.path(id).path)
	}
	return a
}

// AccountAssurance computes one account's nominal and effective AAL as
// Evaluate does, judged by the source's policies and the params' patterns.
// It is meant for explanations and tests; Evaluate computes it for every
// account in one pass.
func AccountAssurance(src *evidence.Source, accountID string, p Params) (Assurance, bool) {
	e := newEnv(src, &p)
	i, ok := e.lookup(accountID)
	if !ok {
		return Assurance{}, false
	}
	return e.accts[i].assurance(e), true
}
