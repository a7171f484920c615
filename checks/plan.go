package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// A remediation plan: candidate actions are generated from the weak paths'
// deciding policies and from the findings; each is a pure transformation of
// a copy of the evidence (no tenant is ever written), and its effect is
// measured by evaluating the transformed evidence, never estimated. The
// plan orders them greedily by marginal effect, each step evaluated after
// the previous ones are applied.

// Action kinds.
const (
	ActDisableSelfService = "disable_self_service_recovery"
	ActRemoveRecovery     = "remove_recovery_method"
	ActRequireTwoFactors  = "require_two_factors"
	ActRemoveExclusion    = "remove_exclusion"
	ActDisableMethod      = "disable_method_for_sign_in"
	ActBoundTemporary     = "bound_temporary_access"
	ActEnrolPhishingRes   = "enrol_phishing_resistant"
	// Entra Conditional Access.
	ActBlockLegacyAuth       = "block_legacy_authentication"
	ActRemoveLocationExclude = "remove_location_exclusion"
	ActEnablePolicy          = "enable_report_only_policy"
)

// Action is one candidate change and its measured effect.
type Action struct {
	// ID is stable across runs for the same change: "ACT-" and a hash of
	// kind, provider and target.
	ID       string `json:"id"`
	Provider string `json:"provider"`
	Kind     string `json:"kind"`
	// Check is the check whose findings the action answers (owners are
	// configured per provider and check).
	Check string `json:"check"`
	// Title says the change in one line; Change says where to make it.
	Title       string `json:"title"`
	Change      string `json:"change"`
	ConsolePath string `json:"console_path"`
	APIField    string `json:"api_field"`
	// Target names the policy, rule, setting or accounts changed.
	Target Subject `json:"target"`
	// Effect is this action's marginal effect in the plan (after the
	// actions before it); Cumulative is the plan's so far.
	Effect     Effect  `json:"effect"`
	Cumulative *Effect `json:"cumulative,omitempty"`
	Owner      string  `json:"owner,omitempty"`
	Due        string  `json:"due,omitempty"`

	apply func(src *evidence.Source)
	// accounts are the account ids the action changes itself (enrolment).
	accounts []string
}

// Effect is what an action (or the plan so far) measurably changes.
type Effect struct {
	// AccountsRaised counts accounts whose effective AAL rises; Privileged
	// those among them; To counts them by their new effective AAL.
	AccountsRaised   int            `json:"accounts_raised"`
	PrivilegedRaised int            `json:"privileged_raised"`
	To               map[string]int `json:"raised_to,omitempty"`
	// Restored counts accounts whose effective AAL reaches their nominal
	// AAL, of Downgraded (below nominal before any action).
	Restored   int `json:"restored"`
	Downgraded int `json:"downgraded"`
	// FindingsClosed counts failing findings that disappear; ChecksPassing
	// the checks that would pass.
	FindingsClosed int      `json:"findings_closed"`
	ChecksPassing  []string `json:"checks_passing,omitempty"`
	// LockedOut counts accounts left with no usable MFA-capable method for
	// sign-in (they must enrol another first); LockedOutSample names some.
	LockedOut       int      `json:"locked_out"`
	LockedOutSample []string `json:"locked_out_sample,omitempty"`
	// Sample names accounts whose AAL rises (login, else display name).
	Sample []string `json:"sample,omitempty"`
}

// PlanOptions tune the plan.
type PlanOptions struct {
	// PrivilegedWeight is how much more a privileged account counts
	// (default 5).
	PrivilegedWeight int
	// MaxSteps bounds the plan (default 10); MaxCandidates the candidates
	// (default 50).
	MaxSteps, MaxCandidates int
	// Owner returns the owner for an action (config: per provider and
	// optionally per check); nil for none.
	Owner func(provider, check string) string

	// everyAccount measures every account alone instead of one per
	// signature (tests: the two must agree).
	everyAccount bool
}

// Plan is the remediation plan for one snapshot.
type Plan struct {
	Steps []Action `json:"steps"`
	// Candidates are every action considered, with its effect applied alone.
	Candidates []Action `json:"candidates"`
	// Note explains an empty plan ("no action can be computed: …").
	Note string `json:"note,omitempty"`
}

// The plan measures each transformed snapshot on one representative
// account per signature (paths.go: accounts with one signature have the
// same paths and the same verdicts in every check a policy change can
// move), weighted by how many accounts share it. That is exact, and makes
// a measure cost hundreds of accounts instead of the tenant's size.
// Accounts an action changes itself (enrolment) are their own group.

// group is the accounts sharing one signature.
type group struct {
	count      int
	privileged bool
	labels     []string // logins, at most sampleSize
}

// cohort is the representative accounts of every source and their groups.
type cohort struct {
	reps   []*evidence.Source // one source per snapshot source, representatives only
	groups [][]group          // per source, per representative
	// byAccount maps provider\x00account id → (source, representative).
	byAccount map[string][2]int
}

func newCohort(snap *evidence.Snapshot, p *Params, singletons map[string]bool) *cohort {
	c := &cohort{byAccount: map[string][2]int{}}
	for si, src := range snap.Sources {
		e := newEnv(src, p)
		rep := *src
		rep.Accounts = nil
		var gs []group
		index := map[string]int{}
		var sig []byte
		for i := range e.accts {
			x := &e.accts[i]
			if !x.methodsKnown {
				continue
			}
			sig = e.signature(x, sig)
			key := string(sig)
			if singletons[string(src.Provider)+"\x00"+x.a.ID] {
				key += "\x00" + x.a.ID
			}
			gi, ok := index[key]
			if !ok {
				gi = len(gs)
				index[key] = gi
				gs = append(gs, group{privileged: x.privileged})
				rep.Accounts = append(rep.Accounts, *x.a)
			}
			g := &gs[gi]
			g.count++
			g.labels = keepSmallest(g.labels, displayName(x.a))
			c.byAccount[string(src.Provider)+"\x00"+x.a.ID] = [2]int{si, gi}
		}
		c.reps = append(c.reps, &rep)
		c.groups = append(c.groups, gs)
	}
	return c
}

// state is one evaluation of a (transformed) cohort: what the plan compares.
type state struct {
	eff     [][]strength // per source, per representative
	nominal [][]AAL
	usable  [][]bool // holds a usable MFA-capable method for sign-in
	// open weighs each open finding: accounts sharing a representative's
	// signature share its user findings.
	open    map[string]int
	failing map[string]bool // check\x00provider → fails
}

// measure evaluates the representative sources (paths and the whole
// catalog; no evidence hash, no identities).
func (c *cohort) measure(srcs []*evidence.Source, p *Params) *state {
	st := &state{open: map[string]int{}, failing: map[string]bool{}}
	catalog := Catalog()
	for si, src := range srcs {
		e := newEnv(src, p)
		n := len(e.accts)
		eff, nom, use := make([]strength, n), make([]AAL, n), make([]bool, n)
		for i := range e.accts {
			x := &e.accts[i]
			eff[i], nom[i] = x.effective, x.nominal
			signIn, _ := e.allowedKinds(x)
			use[i] = x.kinds&signIn&mfaCapableKinds != 0
		}
		st.eff, st.nominal, st.usable = append(st.eff, eff), append(st.nominal, nom), append(st.usable, use)
		for _, r := range e.runAll(catalog) {
			if r.Status == Fail {
				st.failing[r.ID+"\x00"+r.Provider] = true
			}
			for _, f := range r.Findings {
				if !f.Open() {
					continue
				}
				w := 1
				if f.Subject.Type == "user" {
					if g, ok := c.byAccount[r.Provider+"\x00"+f.Subject.ID]; ok && g[0] == si {
						w = c.groups[si][g[1]].count
					}
				}
				st.open[r.ID+"\x00"+r.Provider+"\x00"+f.Subject.Type+"\x00"+f.Subject.ID] = w
			}
		}
	}
	return st
}

// effect compares two states: what moving from before to after changes,
// counted against base (the state before any action) for restorations.
func (c *cohort) effect(base, before, after *state) Effect {
	var ef Effect
	for si, gs := range c.groups {
		for gi, g := range gs {
			b, a, b0 := before.eff[si][gi], after.eff[si][gi], base.eff[si][gi]
			if b0.AAL < base.nominal[si][gi] {
				ef.Downgraded += g.count
			}
			if b.less(a) && a.AAL > b.AAL {
				ef.AccountsRaised += g.count
				if g.privileged {
					ef.PrivilegedRaised += g.count
				}
				if ef.To == nil {
					ef.To = map[string]int{}
				}
				ef.To[a.AAL.String()] += g.count
				ef.Sample = appendSample(ef.Sample, g.labels)
			}
			if b0.AAL < base.nominal[si][gi] && b.AAL < before.nominal[si][gi] && a.AAL >= after.nominal[si][gi] {
				ef.Restored += g.count
			}
			if before.usable[si][gi] && !after.usable[si][gi] {
				ef.LockedOut += g.count
				ef.LockedOutSample = appendSample(ef.LockedOutSample, g.labels)
			}
		}
	}
	for k, w := range before.open {
		if _, ok := after.open[k]; !ok {
			ef.FindingsClosed += w
		}
	}
	for k := range before.failing {
		if !after.failing[k] {
			ef.ChecksPassing = append(ef.ChecksPassing, strings.Replace(k, "\x00", "/", 1))
		}
	}
	sort.Strings(ef.ChecksPassing)
	ef.Sample, ef.LockedOutSample = firstSorted(ef.Sample), firstSorted(ef.LockedOutSample)
	return ef
}

// keepSmallest keeps the sampleSize smallest labels, sorted.
func keepSmallest(labels []string, l string) []string {
	i, _ := slices.BinarySearch(labels, l)
	if i >= sampleSize {
		return labels
	}
	labels = slices.Insert(labels, i, l)
	if len(labels) > sampleSize {
		labels = labels[:sampleSize]
	}
	return labels
}

// appendSample collects candidate labels; firstSorted cuts them to the
// sampleSize smallest, so samples do not depend on how accounts group.
func appendSample(out, labels []string) []string { return append(out, labels...) }

func firstSorted(s []string) []string {
	sort.Strings(s)
	if len(s) > sampleSize {
		s = s[:sampleSize:sampleSize]
	}
	return s
}

// score ranks an effect: accounts raised (privileged weighing more), then
// findings closed; accounts locked out count against it.
func (ef Effect) score(w int) int {
	raised := ef.AccountsRaised - ef.PrivilegedRaised + w*ef.PrivilegedRaised
	return 10*raised + ef.FindingsClosed - 10*ef.LockedOut
}

// ComputePlan builds the candidate actions for a snapshot, measures each,
// and orders them greedily by marginal effect. It never changes snap.
func ComputePlan(snap *evidence.Snapshot, p Params, o PlanOptions) (*Plan, error) {
	if snap == nil || len(snap.Sources) == 0 {
		return nil, fmt.Errorf("plan: the snapshot has no source")
	}
	if o.PrivilegedWeight <= 0 {
		o.PrivilegedWeight = 5
	}
	if o.MaxSteps <= 0 {
		o.MaxSteps = 10
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = 50
	}
	p.Thresholds = p.Thresholds.withDefaults()
	plan := &Plan{Steps: []Action{}, Candidates: []Action{}}
	var cands []Action
	hasPolicies := false
	for _, src := range snap.Sources {
		pol := &src.Policies
		hasPolicies = hasPolicies || len(pol.Access)+len(pol.Recovery)+len(pol.SignIn)+len(pol.Methods)+len(pol.TemporaryAccess) > 0
		e := newEnv(src, &p)
		cands = append(cands, candidates(e)...)
	}
	if !hasPolicies {
		plan.Note = "No action can be computed: the evidence holds no policy (the policies dataset was not read)."
		return plan, nil
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].ID < cands[j].ID })
	cands = slices.CompactFunc(cands, func(a, b Action) bool { return a.ID == b.ID })
	if len(cands) > o.MaxCandidates {
		cands = cands[:o.MaxCandidates]
	}
	singletons := map[string]bool{}
	if o.everyAccount {
		for _, src := range snap.Sources {
			for _, a := range src.Accounts {
				singletons[string(src.Provider)+"\x00"+a.ID] = true
			}
		}
	}
	for _, c := range cands {
		for _, id := range c.accounts {
			singletons[c.Provider+"\x00"+id] = true
		}
	}
	co := newCohort(snap, &p, singletons)
	repSnap := &evidence.Snapshot{SchemaVersion: snap.SchemaVersion, Sources: co.reps}
	base := co.measure(repSnap.Sources, &p)
	// Each candidate alone.
	for i := range cands {
		after := co.measure(applyAll(repSnap, cands[i:i+1]), &p)
		cands[i].Effect = co.effect(base, base, after)
		c := cands[i]
		c.apply = nil
		plan.Candidates = append(plan.Candidates, c)
	}
	if len(cands) == 0 {
		plan.Note = "No action can be computed: no weak path is decided by a policy shadowpath can change in the evidence."
		return plan, nil
	}
	// Greedy: at each step every remaining candidate is measured on top of
	// the steps chosen so far (actions interact: a rule's second factor
	// raises no one while recovery stays weak, and everyone once it is
	// fixed), and the best is taken; ties by id, so the order is
	// deterministic.
	remaining := make([]int, len(cands))
	for i := range remaining {
		remaining[i] = i
	}
	current := base
	var chosen []Action
	for len(chosen) < o.MaxSteps && len(remaining) > 0 {
		best, bestGain := -1, 0
		var bestAfter *state
		for _, i := range remaining {
			after := co.measure(applyAll(repSnap, append(slices.Clone(chosen), cands[i])), &p)
			ef := co.effect(base, current, after)
			g := ef.score(o.PrivilegedWeight)
			if best < 0 || g > bestGain || (g == bestGain && cands[i].ID < cands[best].ID) {
				best, bestGain, bestAfter = i, g, after
				cands[i].Effect = ef
			}
		}
		if bestGain <= 0 {
			break
		}
		step := cands[best]
		chosen = append(chosen, step)
		cum := co.effect(base, base, bestAfter)
		step.Cumulative = &cum
		if o.Owner != nil {
			step.Owner = o.Owner(step.Provider, step.Check)
		}
		current = bestAfter
		step.apply = nil
		plan.Steps = append(plan.Steps, step)
		remaining = slices.DeleteFunc(remaining, func(i int) bool { return i == best })
	}
	if len(plan.Steps) == 0 {
		plan.Note = "No candidate action raises an account's assurance or closes a finding without locking accounts out."
	}
	return plan, nil
}

// applyAll returns copies of the sources with the actions applied in order.
// Policies are deep-copied (JSON round trip: the model is plain data);
// accounts are shared unless an action changes them.
func applyAll(snap *evidence.Snapshot, acts []Action) []*evidence.Source {
	out := make([]*evidence.Source, 0, len(snap.Sources))
	for _, src := range snap.Sources {
		cp := *src
		b, _ := json.Marshal(src.Policies)
		cp.Policies = evidence.Policies{}
		_ = json.Unmarshal(b, &cp.Policies)
		for _, a := range acts {
			if a.Provider == string(src.Provider) && a.apply != nil {
				a.apply(&cp)
			}
		}
		out = append(out, &cp)
	}
	return out
}

func actionID(kind, provider string, target ...string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + provider + "\x00" + strings.Join(target, "\x00")))
	return "ACT-" + strings.ToUpper(hex.EncodeToString(h[:4]))
}

// candidates generates the actions worth measuring for one source: from
// the policies deciding the weak paths, the method settings their proofs
// use, MFA exclusions, temporary access settings, and privileged accounts
// without a phishing-resistant method.
func candidates(e *env) []Action {
	prov := string(e.provider)
	var out []Action
	seen := map[string]bool{}
	add := func(a Action) {
		if !seen[a.ID] {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	weakKinds := kindSet(0)
	var needPR []string
	// What a weak path proposes depends on the path alone (its proofs and
	// policies), so each interned path is read once, however many accounts
	// share it; the legacy block, which depends on the account, once.
	done := map[int32]bool{}
	legacy := false
	for i := range e.accts {
		x := &e.accts[i]
		if !x.methodsKnown {
			continue
		}
		if x.privileged && x.kinds&phishingResistantKinds == 0 && x.member {
			needPR = append(needPR, x.a.ID)
		}
		for _, id := range e.pathsOf(x) {
			pi := e.path(id)
			if pi.s.AAL >= x.nominal && !(x.privileged && !pi.path.PhishingResistant) {
				continue
			}
			if pi.key.kind == PathLegacy && e.provider == evidence.Entra && !x.breakGlass && !legacy {
				// The block excludes break-glass accounts, as Microsoft's
				// template does: their legacy path is EXC-01's to judge.
				legacy = true
				add(e.blockLegacyAction(prov))
			}
			if done[id] {
				continue
			}
			done[id] = true
			for _, k := range pi.key.proofs {
				if k != "" && k != evidence.KindPassword {
					weakKinds |= bitOf(k)
				}
			}
			for _, pol := range pi.path.Policies {
				switch {
				case pol.Type == PolicyTypeRecovery || (pol.Type == "" && pi.key.kind == PathRecovery):
					e.recoveryCandidates(prov, pol, pi, add)
				case pol.Type == evidence.APOktaAuthentication || pol.Type == evidence.APOktaGlobalSession:
					e.ruleCandidates(prov, pol, add)
				case pol.Type == evidence.APEntraConditionalAccess:
					e.locationCandidates(prov, pol, add)
				}
			}
		}
	}
	for i := range e.settings {
		s := &e.settings[i]
		if !s.s.Enabled || !s.s.SignIn || s.kinds&weakKinds&(restrictedKinds|bitOf(evidence.KindEmailOTP)) == 0 {
			continue
		}
		id := s.s.ID
		add(Action{ID: actionID(ActDisableMethod, prov, id), Provider: prov, Kind: ActDisableMethod, Check: methodCheck(s.kinds & weakKinds),
			Title:       fmt.Sprintf("Stop %q (%s) being used for sign-in", s.s.Name, joinKinds(s.kinds&weakKinds)),
			Change:      "keep it for recovery only, or disable it, once its users hold another MFA method",
			ConsolePath: consolePath(e.provider, "method"), APIField: apiField(e.provider, "method"),
			Target: policySubject(id, s.s.Name),
			apply: func(src *evidence.Source) {
				for j := range src.Policies.Methods {
					if src.Policies.Methods[j].ID == id {
						src.Policies.Methods[j].SignIn = false
					}
				}
			}})
	}
	for _, ex := range e.accessExclusions() {
		ex := ex
		add(Action{ID: actionID(ActRemoveExclusion, prov, ex.pol.p.ID, ex.rule.r.ID, ex.typ, ex.id), Provider: prov, Kind: ActRemoveExclusion, Check: "EXC-01",
			Title:       fmt.Sprintf("Remove the %s exclusion %s from %q", ex.typ, nameOf(e, ex.typ, ex.id), ex.rule.ref.Label()),
			Change:      "narrow the exclusion to declared break-glass accounts holding a phishing-resistant method, or remove it",
			ConsolePath: consolePath(e.provider, "rule"), APIField: apiField(e.provider, "exclusion"),
			Target: Subject{Type: ex.typ, ID: ex.id, Name: nameOf(e, ex.typ, ex.id)},
			apply: func(src *evidence.Source) {
				forRule(src, ex.pol.p.ID, ex.rule.r.ID, func(r *evidence.AccessRule) {
					t := &r.Conditions.People
					t.ExcludeUsers = slices.DeleteFunc(slices.Clone(t.ExcludeUsers), func(s string) bool { return s == ex.id })
					t.ExcludeGroups = slices.DeleteFunc(slices.Clone(t.ExcludeGroups), func(s string) bool { return s == ex.id })
					t.ExcludeRoles = slices.DeleteFunc(slices.Clone(t.ExcludeRoles), func(s string) bool { return s == ex.id })
				})
			}})
	}
	if e.provider == evidence.Entra {
		e.reportOnlyCandidates(prov, add)
	}
	limit := int(e.p.Thresholds.TAPMaxLifetime.Minutes())
	for _, t := range e.src.Policies.TemporaryAccess {
		if !t.Enabled || (!t.Reusable && t.MaxLifetimeMinutes > 0 && t.MaxLifetimeMinutes <= limit) {
			continue
		}
		id := t.ID
		add(Action{ID: actionID(ActBoundTemporary, prov, id), Provider: prov, Kind: ActBoundTemporary, Check: "REC-04",
			Title:       fmt.Sprintf("Make %q one-time and at most %d minutes", t.Name, limit),
			Change:      "one-time use, maximum lifetime within the threshold",
			ConsolePath: consolePath(e.provider, "tap"), APIField: apiField(e.provider, "tap"),
			Target: policySubject(id, t.Name),
			apply: func(src *evidence.Source) {
				for j := range src.Policies.TemporaryAccess {
					if x := &src.Policies.TemporaryAccess[j]; x.ID == id {
						x.Reusable, x.MaxLifetimeMinutes = false, limit
					}
				}
			}})
	}
	if len(needPR) > 0 {
		sort.Strings(needPR)
		ids := slices.Clone(needPR)
		add(Action{ID: actionID(ActEnrolPhishingRes, prov, ids...), Provider: prov, Kind: ActEnrolPhishingRes, Check: "MFA-04",
			Title:       fmt.Sprintf("Enrol a phishing-resistant method (security key or platform passkey) for %s", plural(len(ids), "privileged account", "privileged accounts")),
			Change:      "issue FIDO2 security keys (two each: primary and backup) and have each account enrol them",
			ConsolePath: consolePath(e.provider, "enrol"), APIField: apiField(e.provider, "enrol"),
			Target: Subject{Type: "user", ID: ids[0], Name: plural(len(ids), "account", "accounts")},
			apply: func(src *evidence.Source) {
				accts := slices.Clone(src.Accounts)
				for j := range accts {
					if _, found := slices.BinarySearch(ids, accts[j].ID); found {
						accts[j].Methods = append(slices.Clone(accts[j].Methods),
							evidence.Method{Kind: evidence.KindFIDO2, VendorType: "planned", Status: "ACTIVE"})
					}
				}
				src.Accounts = accts
			}})
	}
	return out
}

// recoveryCandidates: turn off self-service reset in the recovery policy
// deciding a weak path, or take the path's weak proofs out of it.
func (e *env) recoveryCandidates(prov string, pol PolicyRef, pi *pathInfo, add func(Action)) {
	var rp *evidence.RecoveryPolicy
	for i := range e.src.Policies.Recovery {
		if r := &e.src.Policies.Recovery[i]; r.ID == pol.ID && r.RuleID == pol.RuleID {
			rp = r
		}
	}
	if rp == nil {
		return
	}
	id, rule := rp.ID, rp.RuleID
	add(Action{ID: actionID(ActDisableSelfService, prov, id, rule), Provider: prov, Kind: ActDisableSelfService, Check: "REC-03",
		Title:       fmt.Sprintf("Turn off self-service password reset in %q", rp.Name),
		Change:      "recover through an identity-verified help-desk process instead (REC-07 reviews those resets)",
		ConsolePath: consolePath(e.provider, "recovery"), APIField: apiField(e.provider, "recovery"),
		Target: policySubject(id, rp.Name),
		apply: func(src *evidence.Source) {
			forRecovery(src, id, rule, func(r *evidence.RecoveryPolicy) { r.SelfService, r.EndsInSession = false, false })
		}})
	for _, k := range pi.key.proofs {
		if k == "" || k == evidence.KindPassword || (!slices.Contains(rp.Methods, k) && !slices.Contains(rp.StepUpMethods, k)) {
			continue
		}
		k := k
		add(Action{ID: actionID(ActRemoveRecovery, prov, id, rule, string(k)), Provider: prov, Kind: ActRemoveRecovery, Check: "REC-03",
			Title:       fmt.Sprintf("Remove %s from self-service recovery in %q", k, rp.Name),
			Change:      "recovery keeps only its stronger methods",
			ConsolePath: consolePath(e.provider, "recovery"), APIField: apiField(e.provider, "recovery"),
			Target: policySubject(id, rp.Name),
			apply: func(src *evidence.Source) {
				forRecovery(src, id, rule, func(r *evidence.RecoveryPolicy) {
					r.Methods = slices.DeleteFunc(slices.Clone(r.Methods), func(m evidence.MethodKind) bool { return m == k })
					r.StepUpMethods = slices.DeleteFunc(slices.Clone(r.StepUpMethods), func(m evidence.MethodKind) bool { return m == k })
					if len(r.Methods) == 0 {
						r.SelfService, r.EndsInSession = false, false
					}
					if len(r.StepUpMethods) == 0 {
						r.StepUpRequired = false
					}
				})
			}})
	}
}

// ruleCandidates: a one-factor rule deciding a weak path asks for two.
func (e *env) ruleCandidates(prov string, pol PolicyRef, add func(Action)) {
	var rule *evidence.AccessRule
	for i := range e.src.Policies.Access {
		p := &e.src.Policies.Access[i]
		for j := range p.Rules {
			if p.ID == pol.ID && p.Rules[j].ID == pol.RuleID {
				rule = &p.Rules[j]
			}
		}
	}
	if rule == nil || rule.Access == "DENY" {
		return
	}
	r := rule.Requirement
	if r.FactorMode == "2FA" || r.RequireFactor || (pol.Type == evidence.APOktaGlobalSession) {
		return
	}
	id, rid := pol.ID, pol.RuleID
	add(Action{ID: actionID(ActRequireTwoFactors, prov, id, rid), Provider: prov, Kind: ActRequireTwoFactors, Check: "EXC-02",
		Title:       fmt.Sprintf("Require two factors in %q", pol.Label()),
		Change:      "factor mode 2FA (any two factor types), or a phishing-resistant constraint for administrators",
		ConsolePath: consolePath(e.provider, "rule"), APIField: apiField(e.provider, "rule"),
		Target: policySubject(id, pol.Name),
		apply: func(src *evidence.Source) {
			forRule(src, id, rid, func(r *evidence.AccessRule) {
				r.Requirement.FactorMode = "2FA"
				r.Requirement.Constraints = nil
			})
		}})
}

// blockLegacyAction: a Conditional Access policy that blocks legacy
// clients, as Microsoft's template does (learn.microsoft.com "Block legacy
// authentication with Conditional Access": all users but emergency access
// accounts, all resources, client apps Exchange ActiveSync and other
// clients, grant Block access). The declared break-glass accounts are
// excluded, as the template excludes emergency access accounts.
func (e *env) blockLegacyAction(prov string) Action {
	var excluded []string
	for i := range e.accts {
		if x := &e.accts[i]; x.breakGlass {
			excluded = append(excluded, x.a.ID)
		}
	}
	sort.Strings(excluded)
	const id = "shadowpath:block-legacy-authentication"
	return Action{ID: actionID(ActBlockLegacyAuth, prov), Provider: prov, Kind: ActBlockLegacyAuth, Check: "EXC-02",
		Title:       "Block legacy authentication with a Conditional Access policy",
		Change:      "a policy for all users except the break-glass accounts, all resources, client apps Exchange ActiveSync and other clients, grant Block access (Microsoft's template); run it report-only first to see who still uses those clients",
		ConsolePath: consolePath(e.provider, "legacy"), APIField: apiField(e.provider, "legacy"),
		Target:   policySubject(id, "Block legacy authentication (new policy)"),
		accounts: excluded,
		apply: func(src *evidence.Source) {
			src.Policies.Access = append(slices.Clone(src.Policies.Access), evidence.AccessPolicy{
				ID: id, Name: "Block legacy authentication (planned)", Type: evidence.APEntraConditionalAccess, Status: "enabled", Enabled: true,
				Conditions: evidence.Conditions{
					People:         evidence.Targets{All: true, ExcludeUsers: excluded},
					Apps:           &evidence.AppCondition{Include: []string{"All"}},
					ClientAppTypes: []string{"exchangeActiveSync", "other"},
				},
				Rules: []evidence.AccessRule{{Enabled: true, Access: "ALLOW", Requirement: evidence.Requirement{Operator: "OR", Controls: []string{"block"}}}},
			})
		}}
}

// locationCandidates: a Conditional Access policy that asks for MFA but
// leaves out network locations (trusted or named: the "from trusted
// locations" paths it does not decide) applies everywhere once the
// location exclusion is removed (learn.microsoft.com "Conditional Access:
// Network assignment": an excluded location is one the policy does not
// apply from).
func (e *env) locationCandidates(prov string, pol PolicyRef, add func(Action)) {
	var ap *evidence.AccessPolicy
	for i := range e.src.Policies.Access {
		if p := &e.src.Policies.Access[i]; p.ID == pol.ID && p.Type == evidence.APEntraConditionalAccess {
			ap = p
		}
	}
	if e.entra == nil || ap == nil || ap.Conditions.Network == nil || len(ap.Conditions.Network.Exclude) == 0 || len(ap.Rules) == 0 {
		return
	}
	if !grantNeedsMFA(ap.Rules[0].Requirement) {
		return // met without MFA, or a block: the exclusion is not what lets the account through
	}
	id := ap.ID
	add(Action{ID: actionID(ActRemoveLocationExclude, prov, id), Provider: prov, Kind: ActRemoveLocationExclude, Check: "EXC-02",
		Title:       fmt.Sprintf("Remove the location exclusion (%s) from %q", e.entra.locs(ap.Conditions.Network.Exclude), ap.Name),
		Change:      "the policy then asks for MFA from every network; a trusted network is a condition, not a second factor",
		ConsolePath: consolePath(e.provider, "location"), APIField: apiField(e.provider, "location"),
		Target: policySubject(id, ap.Name),
		apply: func(src *evidence.Source) {
			forPolicy(src, id, func(p *evidence.AccessPolicy) {
				if p.Conditions.Network != nil {
					n := *p.Conditions.Network
					n.Exclude = nil
					p.Conditions.Network = &n
				}
			})
		}})
}

// reportOnlyCandidates: a report-only Conditional Access policy that would
// ask for MFA (or block) is evaluated at sign-in but never enforced
// (learn.microsoft.com "Conditional Access report-only mode"); turning it
// on is measured like any other change. Report-only policies met by a
// device alone are left out: a device is not a second factor.
func (e *env) reportOnlyCandidates(prov string, add func(Action)) {
	for i := range e.src.Policies.Access {
		ap := &e.src.Policies.Access[i]
		if ap.Type != evidence.APEntraConditionalAccess || !ap.ReportOnly || len(ap.Rules) == 0 {
			continue
		}
		if q := ap.Rules[0].Requirement; !slices.Contains(q.Controls, "block") && !grantNeedsMFA(q) {
			continue
		}
		check := "EXC-02"
		if a := ap.Conditions.Apps; a != nil && slices.Contains(a.UserActions, "urn:user:registersecurityinfo") {
			check = "REC-05"
		}
		id := ap.ID
		add(Action{ID: actionID(ActEnablePolicy, prov, id), Provider: prov, Kind: ActEnablePolicy, Check: check,
			Title:       fmt.Sprintf("Turn on %q (report-only: evaluated, never enforced)", ap.Name),
			Change:      "review its report-only sign-in results first, then set it to On",
			ConsolePath: consolePath(e.provider, "enable"), APIField: apiField(e.provider, "enable"),
			Target: policySubject(id, ap.Name),
			apply: func(src *evidence.Source) {
				forPolicy(src, id, func(p *evidence.AccessPolicy) { p.Enabled, p.ReportOnly, p.Status = true, false, "enabled" })
			}})
	}
}

// methodCheck: email for sign-in is MFA-07's finding, SMS and voice MFA-06's.
func methodCheck(ks kindSet) string {
	if ks.has(evidence.KindEmailOTP) && ks&restrictedKinds == 0 {
		return "MFA-07"
	}
	return "MFA-06"
}

func forPolicy(src *evidence.Source, id string, fn func(p *evidence.AccessPolicy)) {
	for i := range src.Policies.Access {
		if src.Policies.Access[i].ID == id {
			fn(&src.Policies.Access[i])
		}
	}
}

func forRule(src *evidence.Source, pid, rid string, fn func(r *evidence.AccessRule)) {
	for i := range src.Policies.Access {
		p := &src.Policies.Access[i]
		if p.ID != pid {
			continue
		}
		for j := range p.Rules {
			if p.Rules[j].ID == rid {
				fn(&p.Rules[j])
			}
		}
	}
}

func forRecovery(src *evidence.Source, id, rule string, fn func(r *evidence.RecoveryPolicy)) {
	for i := range src.Policies.Recovery {
		if r := &src.Policies.Recovery[i]; r.ID == id && r.RuleID == rule {
			fn(r)
		}
	}
}

func nameOf(e *env, typ, id string) string {
	switch typ {
	case "group":
		if n := e.groupNames[id]; n != "" {
			return n
		}
	case "user":
		if i, ok := e.lookup(id); ok {
			return displayName(e.accts[i].a)
		}
	}
	return id
}

// consolePaths and apiFields say where an action is made, per vendor
// (consolePath and apiField look them up; a provider other than Okta reads
// Entra's).
var consolePaths = map[evidence.Provider]map[string]string{
	evidence.Okta: {
		"recovery": "Okta Admin Console › Security › Authenticators › Password › Edit (password policy rule: self-service password reset)",
		"rule":     "Okta Admin Console › Security › Authentication Policies › (policy) › Rules",
		"method":   "Okta Admin Console › Security › Authenticators › (authenticator) › Edit › Used for",
		"tap":      "Okta Admin Console › Security › Authenticators › Temporary Access Code",
		"enrol":    "Okta End-User Settings › Security Methods (or Admin Console › Directory › People › (user) › enrol)",
	},
	evidence.Entra: {
		"recovery": "Entra admin center › Protection › Password reset › Authentication methods",
		"rule":     "Entra admin center › Protection › Conditional Access › Policies",
		"method":   "Entra admin center › Protection › Authentication methods › Policies",
		"tap":      "Entra admin center › Protection › Authentication methods › Temporary Access Pass",
		"enrol":    "My Security Info (aka.ms/mysecurityinfo), after a Temporary Access Pass for bootstrap",
		"legacy":   "Entra admin center › Protection › Conditional Access › Create new policy from templates › Block legacy authentication",
		"location": "Entra admin center › Protection › Conditional Access › Policies › (policy) › Conditions › Network › Exclude",
		"enable":   "Entra admin center › Protection › Conditional Access › Policies › (policy) › Enable policy: On",
	},
}

var apiFields = map[evidence.Provider]map[string]string{
	evidence.Okta: {
		"recovery":  "PUT /api/v1/policies/{id}/rules/{ruleId}: actions.selfServicePasswordReset (access, requirement.primary.methods)",
		"rule":      "PUT /api/v1/policies/{id}/rules/{ruleId}: actions.appSignOn.verificationMethod.factorMode",
		"exclusion": "PUT /api/v1/policies/{id}/rules/{ruleId}: conditions.people.users.exclude / groups.exclude",
		"method":    "PUT /api/v1/authenticators/{id}: settings.allowedFor",
		"tap":       "PUT /api/v1/authenticators/{id}: provider.configuration (multiUseAllowed, maxTtl)",
		"enrol":     "POST /api/v1/users/{id}/factors (webauthn)",
	},
	evidence.Entra: {
		"recovery":  "SSPR methods are not in Graph: set them in the admin center",
		"rule":      "PATCH /identity/conditionalAccess/policies/{id}: grantControls",
		"exclusion": "PATCH /identity/conditionalAccess/policies/{id}: conditions.users.excludeUsers / excludeGroups / excludeRoles",
		"method":    "PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}: state, includeTargets",
		"tap":       "PATCH …/authenticationMethodConfigurations/TemporaryAccessPass: isUsableOnce, maximumLifetimeInMinutes",
		"enrol":     "fido2Methods registration by the user",
		"legacy":    "POST /identity/conditionalAccess/policies: conditions.clientAppTypes [exchangeActiveSync, other], grantControls.builtInControls [block]",
		"location":  "PATCH /identity/conditionalAccess/policies/{id}: conditions.locations.excludeLocations",
		"enable":    "PATCH /identity/conditionalAccess/policies/{id}: state (enabledForReportingButNotEnforced → enabled)",
	},
}

func consolePath(p evidence.Provider, what string) string { return vendorEntry(consolePaths, p, what) }

func apiField(p evidence.Provider, what string) string { return vendorEntry(apiFields, p, what) }

func vendorEntry(m map[evidence.Provider]map[string]string, p evidence.Provider, what string) string {
	if p != evidence.Okta {
		p = evidence.Entra
	}
	return m[p][what]
}
