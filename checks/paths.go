package checks

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// PathKind says how a path reaches a session (DESIGN.md "Access paths").
type PathKind string

// Path kinds.
const (
	// PathSignIn: sign-in with the proofs the matching rules admit.
	PathSignIn PathKind = "sign_in"
	// PathRecovery: self-service recovery that ends in a session.
	PathRecovery PathKind = "recovery"
	// PathRegistration: the policies accept none of the account's methods, so
	// the way in is registering one they accept.
	PathRegistration PathKind = "registration"
	// PathPasswordOnly: a context in which no enforced policy asks for more
	// than the password.
	PathPasswordOnly PathKind = "password_only"
	// PathLegacy: a legacy client (no MFA possible) not blocked for the account.
	PathLegacy PathKind = "legacy_auth"
)

// MaxPathsPerIdentity bounds identities[].paths; the rest are counted in
// more_paths (DESIGN.md).
const MaxPathsPerIdentity = 8

// PolicyRef names a policy (and rule) that decides a path.
type PolicyRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Rule string `json:"rule,omitempty"`
	// RuleID is the vendor id of the rule, when the policy has rules.
	RuleID string `json:"rule_id,omitempty"`
	// Type is the policy's kind: an evidence.AP* access policy type, or
	// "recovery" for a self-service recovery policy (Okta password policy,
	// Entra SSPR).
	Type string `json:"type,omitempty"`
}

// PolicyTypeRecovery is PolicyRef.Type of a self-service recovery policy.
const PolicyTypeRecovery = "recovery"

// Label is "Name / Rule" (or the name alone).
func (p PolicyRef) Label() string { return policyLabel(p.Name, p.Rule) }

// Path is one way an account reaches a session: what is presented, the
// assurance that gives, in which context, and which policies decide it.
type Path struct {
	Kind              PathKind    `json:"kind"`
	Proofs            []string    `json:"proofs"`
	AAL               string      `json:"aal"`
	PhishingResistant bool        `json:"phishing_resistant"`
	Context           string      `json:"context"`
	Policies          []PolicyRef `json:"policies"`
	// Label is the one-line description weakest_path uses.
	Label string `json:"label"`
}

// variant selects a label form: today's labels are kept word for word so
// that reports and baselines stay comparable.
type variant uint8

const (
	vNoMFA variant = iota
	vMFANotAllowed
	vRegistration
	vSignIn
	vOneFactor
	vRecovery
	vGeneric
)

// pathKey identifies a path without building its text, so that a million
// accounts share a handful of paths. It is comparable (a map key).
type pathKey struct {
	kind    PathKind
	variant variant
	proofs  [3]evidence.MethodKind // in order; "" padded
	pols    int32                  // index into env.polLists; -1 none
	ctx     int32                  // index into env.contexts; 0 = any context
}

// pathInfo is an interned path.
type pathInfo struct {
	key  pathKey
	s    strength
	path Path
}

// pathBuf collects one account's paths while an engine runs.
type pathBuf struct {
	keys  []pathKey
	ss    []strength
	metas []pathMeta
	ids   []int32
	sig   []byte
}

func (b *pathBuf) reset() { b.keys, b.ss = b.keys[:0], b.ss[:0] }

// add records a path of strength s.
func (b *pathBuf) add(k pathKey, s strength) {
	for _, x := range b.keys {
		if x == k {
			return
		}
	}
	b.keys = append(b.keys, k)
	b.ss = append(b.ss, s)
}

// pathCache is one worker's memo of interned paths and path sets, so that
// the shared tables are locked only on a miss.
type pathCache struct {
	paths map[pathKey]pathMeta
	sets  map[string]int32
	// accounts memoizes engine runs by account signature.
	accounts map[string]memoEntry
	sig      []byte
}

// pathMeta is what sorting a set needs of an interned path.
type pathMeta struct {
	id    int32
	s     strength
	label string
}

func newPathCache() *pathCache {
	return &pathCache{paths: map[pathKey]pathMeta{}, sets: map[string]int32{}, accounts: map[string]memoEntry{}}
}

// memoEntry is the outcome of one engine run, shared by every account with
// the same signature.
type memoEntry struct {
	set      int32
	weakest  strength
	hasPaths bool
}

// referenced indexes the principals some policy, rule or setting names, so
// an account's signature holds only what can change its paths.
type referenced struct {
	groups, roles, users map[string]int
}

func (r *referenced) add(t evidence.Targets) {
	for _, g := range append(append([]string(nil), t.Groups...), t.ExcludeGroups...) {
		if _, ok := r.groups[g]; !ok {
			r.groups[g] = len(r.groups)
		}
	}
	for _, x := range append(append([]string(nil), t.Roles...), t.ExcludeRoles...) {
		if _, ok := r.roles[x]; !ok {
			r.roles[x] = len(r.roles)
		}
	}
	for _, u := range append(append([]string(nil), t.Users...), t.ExcludeUsers...) {
		for _, k := range []string{u, strings.ToLower(u)} {
			if _, ok := r.users[k]; !ok {
				r.users[k] = len(r.users)
			}
		}
	}
}

// buildReferenced collects every target list the engines read.
func (e *env) buildReferenced() {
	r := referenced{groups: map[string]int{}, roles: map[string]int{}, users: map[string]int{}}
	pol := &e.src.Policies
	for i := range pol.Methods {
		r.add(pol.Methods[i].Targets)
	}
	for i := range pol.Recovery {
		r.add(pol.Recovery[i].Targets)
	}
	for i := range pol.SignIn {
		r.add(pol.SignIn[i].Targets)
	}
	for i := range pol.Registration {
		r.add(pol.Registration[i].Targets)
	}
	for i := range pol.Access {
		r.add(pol.Access[i].Conditions.People)
		for j := range pol.Access[i].Rules {
			r.add(pol.Access[i].Rules[j].Conditions.People)
		}
	}
	e.refs = r
}

// signature is what the path engines read of an account: its usable method
// kinds, member/privileged, and the referenced groups, roles and user id or
// login it matches. Accounts with one signature have the same paths, so an
// engine runs once per signature, however many rules there are.
func (e *env) signature(x *acct, buf []byte) []byte {
	buf = binary.LittleEndian.AppendUint32(buf[:0], uint32(x.kinds))
	var flags byte
	if x.member {
		flags |= 1
	}
	if x.privileged {
		flags |= 2
	}
	// Not read by the engines, but by checks the plan judges per signature.
	if x.service {
		flags |= 4
	}
	if x.breakGlass {
		flags |= 8
	}
	buf = append(buf, flags)
	// The credential provider decides which password policies apply and
	// whether there is an Okta password at all.
	buf = append(buf, e.credProviders[x.a.ID]...)
	buf = append(buf, 0)
	u := -1
	if i, ok := e.refs.users[x.a.ID]; ok {
		u = i
	} else if i, ok := e.refs.users[x.login]; ok && x.login != "" {
		u = i
	}
	buf = binary.LittleEndian.AppendUint32(buf, uint32(u))
	var scratch [16]int // most accounts are in few referenced groups: no allocation
	idx := scratch[:0]
	for _, g := range x.a.Groups {
		if i, ok := e.refs.groups[g]; ok {
			idx = append(idx, i)
		}
	}
	buf = append(buf, 'g')
	slices.Sort(idx)
	for _, i := range idx {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
	}
	idx = idx[:0]
	for _, r := range x.a.Roles {
		if i, ok := e.refs.roles[r.ID]; ok {
			idx = append(idx, i)
		}
	}
	buf = append(buf, 'r')
	slices.Sort(idx)
	for _, i := range idx {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
	}
	if e.entra != nil {
		buf = e.entraSignature(x, buf)
	}
	return buf
}

// internPolicies returns the index of a policy list.
func (e *env) internPolicies(refs ...PolicyRef) int32 {
	key := ""
	for _, r := range refs {
		key += r.ID + "\x00" + r.RuleID + "\x00" + r.Name + "\x00" + r.Rule + "\x00" + r.Type + "\x01"
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if i, ok := e.polIndex[key]; ok {
		return i
	}
	i := int32(len(e.polLists))
	e.polLists = append(e.polLists, append([]PolicyRef{}, refs...))
	e.polIndex[key] = i
	return i
}

// policyList returns an interned policy list; safe while workers intern.
func (e *env) policyList(i int32) []PolicyRef {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.polLists[i]
}

// internContext returns the index of a context description ("" is 0).
func (e *env) internContext(c string) int32 {
	if c == "" {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if i, ok := e.ctxIndex[c]; ok {
		return i
	}
	i := int32(len(e.contexts))
	e.contexts = append(e.contexts, c)
	e.ctxIndex[c] = i
	return i
}

// finish interns the buffer's paths as one sorted set and returns its index
// and the weakest path's strength. It runs while other workers intern too:
// it reads the shared tables only under e.mu.
func (e *env) finish(b *pathBuf, c *pathCache) (int32, strength) {
	b.metas = b.metas[:0]
	for i, k := range b.keys {
		m, ok := c.paths[k]
		if !ok {
			m = e.internPath(k, b.ss[i])
			c.paths[k] = m
		}
		b.metas = append(b.metas, m)
	}
	// Weakest first; ties keep the engine's (deterministic) emission order,
	// which puts sign-in before password-only rules before recovery.
	sort.SliceStable(b.metas, func(i, j int) bool { return b.metas[i].s.less(b.metas[j].s) })
	b.ids, b.sig = b.ids[:0], b.sig[:0]
	for _, m := range b.metas {
		b.ids = append(b.ids, m.id)
		b.sig = binary.LittleEndian.AppendUint32(b.sig, uint32(m.id))
	}
	weakest := b.metas[0].s
	if id, ok := c.sets[string(b.sig)]; ok {
		return id, weakest
	}
	key := string(b.sig)
	e.mu.Lock()
	id, ok := e.setIndex[key]
	if !ok {
		id = int32(len(e.sets))
		e.sets = append(e.sets, append([]int32{}, b.ids...))
		e.setIndex[key] = id
	}
	e.mu.Unlock()
	c.sets[key] = id
	return id, weakest
}

// internPath adds a path to the shared table, building its public form.
func (e *env) internPath(k pathKey, s strength) pathMeta {
	e.mu.Lock()
	defer e.mu.Unlock()
	if id, ok := e.pathIndex[k]; ok {
		return pathMeta{id: id, s: e.paths[id].s, label: e.paths[id].path.Label}
	}
	p := Path{Kind: k.kind, Proofs: []string{}, AAL: s.AAL.String(), Policies: []PolicyRef{}}
	for _, pr := range k.proofs {
		if pr != "" {
			p.Proofs = append(p.Proofs, string(pr))
		}
	}
	p.PhishingResistant = s.tier == 2 && s.AAL >= AAL2
	if k.ctx > 0 {
		p.Context = e.contexts[k.ctx]
	}
	if k.pols >= 0 {
		p.Policies = e.polLists[k.pols]
	}
	p.Label = e.pathLabel(k, p)
	id := int32(len(e.paths))
	// e.paths may be reallocated: readers copy pointers only under e.mu.
	e.paths = append(e.paths, pathInfo{key: k, s: s, path: p})
	e.pathIndex[k] = id
	return pathMeta{id: id, s: s, label: p.Label}
}

// pathLabel renders weakest_path. Callers hold e.mu.
func (e *env) pathLabel(k pathKey, p Path) string {
	var pol PolicyRef
	if len(p.Policies) > 0 {
		pol = p.Policies[0]
	}
	var l string
	switch k.variant {
	case vNoMFA:
		l = "password only (no usable MFA-capable method)"
	case vMFANotAllowed:
		l = "password only (the registered MFA-capable methods are not allowed for sign-in)"
	case vRegistration:
		m := "password only"
		if k.proofs[1] != "" {
			m = string(k.proofs[1])
		}
		l = m + " (registering a method the sign-in policy accepts)"
	case vSignIn:
		l = string(k.proofs[1]) + " (sign-in)"
	case vOneFactor:
		l = "password only (one-factor rule: " + pol.Label() + ")"
	case vRecovery:
		l = recoveryLabel(k.proofs[0], k.proofs[1], pol.Name)
	default:
		l = genericLabel(p)
	}
	if p.Context != "" && k.variant != vGeneric {
		l += ", " + p.Context
	}
	return l
}

// recoveryLabel: "email_otp + security_question (self-service recovery: Default Policy)".
func recoveryLabel(k1, k2 evidence.MethodKind, policy string) string {
	l := string(k1)
	if k2 != "" {
		l += " + " + string(k2)
	}
	return l + " (self-service recovery: " + policy + ")"
}

// genericLabel: "password + sms (sign-in: Okta Dashboard / Catch-all Rule;
// for the Okta Dashboard)". It names the most specific deciding rule (the
// app's; for recovery, the recovery policy); Policies lists them all.
func genericLabel(p Path) string {
	proofs := strings.Join(p.Proofs, " + ")
	if proofs == "" {
		proofs = "no proof"
	}
	what := map[PathKind]string{
		PathSignIn: "sign-in", PathRecovery: "self-service recovery", PathRegistration: "registering a method",
		PathPasswordOnly: "password only", PathLegacy: "legacy client",
	}[p.Kind]
	l := proofs + " (" + what
	if n := len(p.Policies); n > 0 {
		pol := p.Policies[n-1]
		if p.Kind == PathRecovery {
			pol = p.Policies[0]
		}
		l += ": " + pol.Label()
	}
	if p.Context != "" {
		l += "; " + p.Context
	}
	return l + ")"
}

// pathsOf returns the interned paths of an account, weakest first. The
// slice is shared: callers must not modify it.
func (e *env) pathsOf(x *acct) []int32 {
	if x.pathSet < 0 {
		return nil
	}
	return e.sets[x.pathSet]
}

// path returns an interned path; safe after evaluation of the accounts.
func (e *env) path(id int32) *pathInfo { return &e.paths[id] }

// weakest returns an account's weakest path, or nil when it has none.
func (e *env) weakest(x *acct) *pathInfo {
	ids := e.pathsOf(x)
	if len(ids) == 0 {
		return nil
	}
	return e.path(ids[0])
}

// weakestLabel is the account's weakest_path text.
func (e *env) weakestLabel(x *acct) string {
	if w := e.weakest(x); w != nil {
		return w.path.Label
	}
	return ""
}

// publicPaths is an account's paths for results.json: at most
// MaxPathsPerIdentity, and how many more there are.
func (e *env) publicPaths(x *acct) ([]Path, int) {
	ids := e.pathsOf(x)
	n := min(len(ids), MaxPathsPerIdentity)
	key := x.pathSet
	e.mu.Lock()
	defer e.mu.Unlock()
	if ps, ok := e.publicSets[key]; ok {
		return ps, len(ids) - n
	}
	ps := make([]Path, n)
	for i := range n {
		ps[i] = e.paths[ids[i]].path
	}
	e.publicSets[key] = ps
	return ps, len(ids) - n
}

// pathLabels lists the labels of paths, for evidence.
func (e *env) pathLabels(ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = e.path(id).path.Label
	}
	return out
}

// pathsBelow returns a's paths weaker than level.
func (e *env) pathsBelow(x *acct, level AAL) []int32 {
	ids := e.pathsOf(x)
	n := 0
	for n < len(ids) && e.path(ids[n]).s.AAL < level {
		n++
	}
	return ids[:n:n]
}

// pathPolicies lists the distinct policies deciding paths, "id (Name / Rule)".
func (e *env) pathPolicies(ids []int32) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		for _, p := range e.path(id).path.Policies {
			l := p.ID
			if p.RuleID != "" {
				l += "/" + p.RuleID
			}
			l += " (" + p.Label() + ")"
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// withPaths adds the paths a finding is about to its evidence: "paths" (at
// most sampleSize labels) and "path_policies" (the policies deciding them).
// Both are computed once per distinct path list: a large tenant has 10^5
// findings over a handful of lists. Callers must not modify them.
func (e *env) withPaths(ev map[string]any, ids []int32) map[string]any {
	if len(ids) == 0 {
		return ev
	}
	key := make([]byte, 0, 4*len(ids))
	for _, id := range ids {
		key = binary.LittleEndian.AppendUint32(key, uint32(id))
	}
	e.mu.Lock()
	pe, ok := e.pathEvidence[string(key)]
	e.mu.Unlock()
	if !ok {
		pe = pathEvidence{labels: sample(e.pathLabels(ids)), policies: e.pathPolicies(ids)}
		e.mu.Lock()
		e.pathEvidence[string(key)] = pe
		e.mu.Unlock()
	}
	ev["paths"] = pe.labels
	if len(pe.policies) > 0 {
		ev["path_policies"] = pe.policies
	}
	return ev
}

// pathEvidence is the evidence text of one list of paths.
type pathEvidence struct{ labels, policies []string }
