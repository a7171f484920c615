package checks

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// The Entra engine evaluates Conditional Access the way Entra does
// (learn.microsoft.com, "Building a Conditional Access policy" and the
// pages it links; each rule's test names its page):
//
//   - Every enabled policy whose assignments (users, groups, roles; include
//     and exclude, exclusion wins) and conditions (applications, client app
//     types, locations, platforms, sign-in and user risk, device filters)
//     match a sign-in applies; report-only policies are evaluated but never
//     enforced.
//   - The grants of every applying policy must all be satisfied (AND across
//     policies); inside a policy its operator decides: OR is met by any one
//     control (so mfa OR compliantDevice is met by the device alone), AND by
//     all. Any applying block control blocks.
//   - A sign-in context in which no applying grant asks for MFA (or an
//     authentication strength) is a password_only path there, unless
//     security defaults are on (administrators always need MFA, other users
//     "when necessary", which the context says) or per-user MFA is
//     enforced for the account.
//   - Authentication strengths admit only their allowed combinations, in
//     the contexts where their policy applies. Policies on authentication
//     contexts apply only to what requests the context: a step-up, never a
//     weaker path, so the sign-in contexts leave them out.
//   - Legacy clients (exchangeActiveSync, other) cannot perform MFA: a
//     context of theirs whose grants need no MFA is a legacy_auth path.
//   - SSPR ends in a password change; the new password then signs in under
//     the same policies, so a recovery path is the reset's proofs plus what
//     the sign-in context still demands of the account.
//
// The contexts are enumerated as atoms (each app a policy names and "any
// other app", each client type, each location a policy names, trusted and
// untrusted elsewhere, platforms, risk levels, device filters): the
// applying set of policies is computed per atom and atoms with the same set
// are one context, described by the conditions that made it. The applying
// sets depend only on which policies target the account, so accounts that
// share those share the work (a cache keyed by that set).

// Client app type atoms (conditions.clientAppTypes values).
var entraClients = []string{"browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"}

const (
	clientModern = 0b0011 // browser, mobileAppsAndDesktopClients
	clientLegacy = 0b1100 // exchangeActiveSync, other
)

// riskAtoms are the risk levels a sign-in or user can have; "none" first,
// the level no risk-based policy targets in practice.
var riskAtoms = []string{"none", "low", "medium", "high"}

// Well-known application ids and names in includeApplications.
var entraAppNames = map[string]string{
	"All": "all apps", "Office365": "Office 365", "MicrosoftAdminPortals": "Microsoft admin portals",
	"00000003-0000-0ff1-ce00-000000000000": "SharePoint Online", "00000002-0000-0ff1-ce00-000000000000": "Exchange Online",
	"797f4846-ba00-4fd7-ba43-dac1f8f63013": "Windows Azure Service Management API",
	"00000003-0000-0000-c000-000000000000": "Microsoft Graph",
}

// grantWay is one way to satisfy a grant: everything in it is needed.
type grantWay struct {
	mfa       bool
	strengths []*evidence.AuthenticationStrength
	device    []string // compliantDevice, domainJoinedDevice, approvedApplication, compliantApplication
	pwChange  bool
	other     []string // termsOfUse:…, custom:…
}

// needsMFA: the way needs a second factor (or a strength's combination).
func (w *grantWay) needsMFA() bool { return w.mfa || len(w.strengths) > 0 }

func (w *grantWay) and(o grantWay) grantWay {
	return grantWay{
		mfa:       w.mfa || o.mfa,
		strengths: append(slices.Clone(w.strengths), o.strengths...),
		device:    union(w.device, o.device),
		pwChange:  w.pwChange || o.pwChange,
		other:     union(w.other, o.other),
	}
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// entraPolicy is one CA policy compiled for the engine.
type entraPolicy struct {
	p      *evidence.AccessPolicy
	ref    PolicyRef
	people targets
	// signIn: the policy targets applications (not only user actions or
	// authentication contexts).
	signIn bool
	// registration: it targets urn:user:registersecurityinfo.
	registration bool
	clients      int // bit set over entraClients
	apps         *evidence.AppCondition
	net          *evidence.Network
	platforms    *evidence.IncExc
	risk, urisk  []string
	flags        []string // device filters and other conditions, as flag keys
	cond         ruleCond // non-client conditions, described
	block        bool
	ways         []grantWay
	// mfa: every way needs MFA (EXC-01 judges its exclusions).
	mfa bool
}

// entraEngine is the compiled Entra tenant.
type entraEngine struct {
	pols             []*entraPolicy
	securityDefaults bool
	sdKnown          bool
	migrated         bool
	adminSSPR        *bool
	officePhone      bool
	trusted          map[string]bool // named location id → isTrusted
	locKnown         bool
	locNames         map[string]string
	mu               sync.Mutex
	cache            map[string][]entraContext
}

// entraContext is one group of sign-in atoms with the same applying policies.
type entraContext struct {
	legacy  bool
	desc    string
	blocked bool
	ways    []grantWay
	// pols: the applying policies, then the targeting MFA policies that do
	// not apply here (their conditions leave this context out).
	pols []PolicyRef
	// polsID, wayCtx and wayCtxID are pols and each way's context,
	// interned once for every account that shares the context.
	polsID   int32
	wayCtx   []string
	wayCtxID []int32
}

// compileEntra prepares Policies.Access for the Entra engine.
func (e *env) compileEntra() *entraEngine {
	en := &entraEngine{trusted: map[string]bool{}, locNames: map[string]string{}, cache: map[string][]entraContext{}, migrated: true}
	if s := e.src.Policies.Entra; s != nil {
		en.sdKnown = s.SecurityDefaults != nil
		en.securityDefaults = s.SecurityDefaults != nil && *s.SecurityDefaults
		en.migrated = s.MigrationState == "migrationComplete"
		en.adminSSPR = s.AdminSSPR
		en.officePhone = s.VoiceOfficePhone
		en.locKnown = s.NamedLocationsKnown
		for _, l := range s.NamedLocations {
			en.trusted[l.ID] = l.Trusted
			en.locNames[l.ID] = l.Name
		}
	} else {
		en.migrated = false
	}
	for i := range e.src.Policies.Access {
		p := &e.src.Policies.Access[i]
		if p.Type != evidence.APEntraConditionalAccess {
			continue
		}
		// RuleID stays empty: an Entra policy's one rule is the policy.
		ep := &entraPolicy{p: p, ref: PolicyRef{ID: p.ID, Name: p.Name, Type: p.Type}, people: compileTargets(p.Conditions.People)}
		c := p.Conditions
		ep.apps = c.Apps
		if a := c.Apps; a != nil {
			ep.signIn = len(a.Include) > 0 && !slices.Contains(a.Include, "None") && len(a.AuthContexts) == 0
			ep.registration = slices.Contains(a.UserActions, "urn:user:registersecurityinfo")
		}
		ep.clients = 0
		if len(c.ClientAppTypes) == 0 || slices.Contains(c.ClientAppTypes, "all") {
			ep.clients = clientModern | clientLegacy
		}
		for i, ct := range entraClients {
			if slices.Contains(c.ClientAppTypes, ct) {
				ep.clients |= 1 << i
			}
		}
		ep.net, ep.platforms = c.Network, c.Platforms
		ep.risk, ep.urisk = c.RiskLevels, c.UserRiskLevels
		if d := c.Device; d != nil && d.Filter != "" {
			ep.flags = append(ep.flags, "device:"+d.FilterMode+":"+d.Filter)
		}
		for _, o := range c.Other {
			ep.flags = append(ep.flags, "other:"+o)
		}
		ep.cond = en.describe(ep)
		if len(p.Rules) > 0 {
			q := p.Rules[0].Requirement
			ep.block = slices.Contains(q.Controls, "block")
			ep.ways = grantWays(q)
			ep.mfa = grantNeedsMFA(q)
		} else {
			ep.ways = []grantWay{{}}
		}
		en.pols = append(en.pols, ep)
	}
	return en
}

// grantNeedsMFA reports whether every way to meet a grant asks for MFA (or
// an authentication strength); a block grants nothing.
func grantNeedsMFA(q evidence.Requirement) bool {
	if slices.Contains(q.Controls, "block") {
		return false
	}
	for _, w := range grantWays(q) {
		if !w.needsMFA() {
			return false
		}
	}
	return true
}

// grantWays splits a grant into its alternatives (learn.microsoft.com
// "Conditional Access: Grant": "Require all the selected controls" /
// "Require one of the selected controls").
func grantWays(q evidence.Requirement) []grantWay {
	var parts []grantWay
	for _, c := range q.Controls {
		switch {
		case c == "block":
		case c == "mfa":
			parts = append(parts, grantWay{mfa: true})
		case c == "passwordChange":
			parts = append(parts, grantWay{pwChange: true})
		case c == "compliantDevice", c == "domainJoinedDevice", c == "approvedApplication", c == "compliantApplication":
			parts = append(parts, grantWay{device: []string{c}})
		default:
			parts = append(parts, grantWay{other: []string{c}})
		}
	}
	if q.Strength != nil {
		parts = append(parts, grantWay{strengths: []*evidence.AuthenticationStrength{q.Strength}})
	}
	if len(parts) == 0 {
		return []grantWay{{}} // grant access: nothing required
	}
	if q.Operator == "AND" {
		w := grantWay{}
		for _, p := range parts {
			w = w.and(p)
		}
		return []grantWay{w}
	}
	return parts
}

// describe renders a policy's conditions other than client app types.
func (en *entraEngine) describe(p *entraPolicy) ruleCond {
	var pos, neg []string
	add := func(a, b string) { pos, neg = append(pos, a), append(neg, b) }
	if a := p.apps; a != nil && p.signIn {
		inc := slices.DeleteFunc(slices.Clone(a.Include), func(s string) bool { return s == "All" })
		all := len(inc) < len(a.Include)
		switch {
		case all && len(a.Exclude) > 0:
			add("for apps other than "+appNames(a.Exclude), "for "+appNames(a.Exclude))
		case !all && len(inc) > 0:
			l := "for " + appNames(inc)
			if len(a.Exclude) > 0 {
				l += " except " + appNames(a.Exclude)
			}
			add(l, "for apps other than "+appNames(inc))
		}
	}
	if nw := p.net; nw != nil {
		inc := slices.DeleteFunc(slices.Clone(nw.Include), func(s string) bool { return s == "All" })
		if len(inc) > 0 {
			add("from "+en.locs(inc), "outside "+en.locs(inc))
		}
		if len(nw.Exclude) > 0 {
			add("outside "+en.locs(nw.Exclude), "from "+en.locs(nw.Exclude))
		}
	}
	if pl := p.platforms; pl != nil {
		inc := slices.DeleteFunc(slices.Clone(pl.Include), func(s string) bool { return s == "all" })
		if len(inc) > 0 {
			add("on "+strings.Join(inc, "/"), "not on "+strings.Join(inc, "/"))
		}
		if len(pl.Exclude) > 0 {
			add("not on "+strings.Join(pl.Exclude, "/"), "on "+strings.Join(pl.Exclude, "/"))
		}
	}
	if len(p.risk) > 0 {
		l := strings.Join(p.risk, "/")
		add("at sign-in risk "+l, "at a sign-in risk other than "+l)
	}
	if len(p.urisk) > 0 {
		l := strings.Join(p.urisk, "/")
		add("at user risk "+l, "at a user risk other than "+l)
	}
	for _, f := range p.flags {
		a, b := flagText(f)
		add(a, b)
	}
	switch len(pos) {
	case 0:
		return ruleCond{}
	case 1:
		return ruleCond{pos: pos[0], neg: neg[0]}
	}
	return ruleCond{pos: strings.Join(pos, " and "), neg: strings.Join(neg, " or ")}
}

func flagText(f string) (pos, neg string) {
	switch {
	case strings.HasPrefix(f, "device:include:"):
		r := strings.TrimPrefix(f, "device:include:")
		return "on devices matching " + r, "on devices not matching " + r
	case strings.HasPrefix(f, "device:exclude:"):
		r := strings.TrimPrefix(f, "device:exclude:")
		return "on devices not matching " + r, "on devices matching " + r
	}
	o := strings.TrimPrefix(f, "other:")
	return "when the " + o + " condition holds", "when the " + o + " condition does not hold"
}

func appNames(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if n := entraAppNames[id]; n != "" {
			out[i] = n
		} else {
			out[i] = "app " + id
		}
	}
	return strings.Join(out, ", ")
}

func (en *entraEngine) locs(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		switch {
		case id == "AllTrusted":
			out[i] = "trusted locations"
		case id == "All":
			out[i] = "any location"
		case en.locNames[id] != "":
			out[i] = en.locNames[id]
		default:
			out[i] = "location " + id
		}
	}
	return strings.Join(out, ", ")
}

// Location atoms besides the named ones.
const (
	locTrustedOther = "\x00trusted" // a trusted location no policy names
	locUntrusted    = "\x00untrusted"
)

// locMatch: does a location condition hold at atom loc? A named location
// whose trust is unknown is read the way that applies the policy less
// (not trusted for include AllTrusted, trusted for exclude AllTrusted):
// the weaker path is assumed.
func (en *entraEngine) locMatch(nw *evidence.Network, loc string) bool {
	if nw == nil || (len(nw.Include) == 0 && len(nw.Exclude) == 0) {
		return true
	}
	trusted, known := loc == locTrustedOther, true
	if loc != locTrustedOther && loc != locUntrusted {
		trusted, known = en.trusted[loc]
		known = known && en.locKnown
	}
	in := len(nw.Include) == 0
	for _, l := range nw.Include {
		if l == "All" || l == loc || (l == "AllTrusted" && trusted && known) {
			in = true
		}
	}
	for _, l := range nw.Exclude {
		if l == "All" || l == loc || (l == "AllTrusted" && (trusted || !known)) {
			return false
		}
	}
	return in
}

func appMatch(a *evidence.AppCondition, app string) bool {
	if slices.Contains(a.Exclude, app) {
		return false
	}
	return slices.Contains(a.Include, "All") || slices.Contains(a.Include, app)
}

func platformMatch(pl *evidence.IncExc, plat string) bool {
	if pl == nil || (len(pl.Include) == 0 && len(pl.Exclude) == 0) {
		return true
	}
	if slices.Contains(pl.Exclude, plat) {
		return false
	}
	return len(pl.Include) == 0 || slices.Contains(pl.Include, "all") || slices.Contains(pl.Include, plat)
}

// maxFlags bounds the device-filter and other-condition flags enumerated;
// a policy depending on a flag beyond it is treated as not applying (the
// weaker reading).
const maxFlags = 4

// maxAtoms bounds one enumeration; beyond it the remaining atoms are not
// explored (and the contexts found so far stand).
const maxAtoms = 1 << 16

// contexts computes the sign-in contexts of one set of targeting policies.
func (en *entraEngine) contexts(ps []*entraPolicy) []entraContext {
	apps, locs, plats := []string{""}, []string{locUntrusted}, []string{""}
	var flags []string
	risk, urisk := []string{""}, []string{""}
	addTo := func(l *[]string, v string) {
		if !slices.Contains(*l, v) {
			*l = append(*l, v)
		}
	}
	for _, p := range ps {
		if a := p.apps; a != nil {
			for _, id := range append(slices.Clone(a.Include), a.Exclude...) {
				if id != "All" && id != "None" {
					addTo(&apps, id)
				}
			}
		}
		if nw := p.net; nw != nil {
			for _, id := range append(slices.Clone(nw.Include), nw.Exclude...) {
				switch id {
				case "All":
				case "AllTrusted":
					addTo(&locs, locTrustedOther)
				default:
					addTo(&locs, id)
				}
			}
		}
		if pl := p.platforms; pl != nil {
			for _, v := range append(slices.Clone(pl.Include), pl.Exclude...) {
				if v != "all" {
					addTo(&plats, v)
				}
			}
		}
		if len(p.risk) > 0 {
			risk = riskAtoms
		}
		if len(p.urisk) > 0 {
			urisk = riskAtoms
		}
		for _, f := range p.flags {
			if len(flags) < maxFlags {
				addTo(&flags, f)
			}
		}
	}
	type group struct {
		set     []bool
		clients int
	}
	groups := map[string]*group{}
	var order []string
	// The atoms are the product of the dimensions below, the client
	// outermost and the flags fastest; only the first maxAtoms are explored.
	dims := [...]int{len(entraClients), len(apps), len(locs), len(plats), len(risk), len(urisk), 1 << len(flags)}
	atoms := 1
	for _, d := range dims {
		atoms = min(atoms*d, maxAtoms)
	}
	set := make([]bool, len(ps))
	for a := range atoms {
		var ix [len(dims)]int
		for d, r := len(dims)-1, a; d >= 0; d-- {
			ix[d], r = r%dims[d], r/dims[d]
		}
		ci, app, loc, plat, sr, ur, fl := ix[0], apps[ix[1]], locs[ix[2]], plats[ix[3]], risk[ix[4]], urisk[ix[5]], ix[6]
		key := make([]byte, 0, len(ps)+1)
		if ci >= 2 {
			key = append(key, 'L')
		} else {
			key = append(key, 'M')
		}
		for i, p := range ps {
			set[i] = p.clients&(1<<ci) != 0 && (p.apps == nil || appMatch(p.apps, app)) &&
				en.locMatch(p.net, loc) && platformMatch(p.platforms, plat) &&
				(len(p.risk) == 0 || slices.Contains(p.risk, sr)) &&
				(len(p.urisk) == 0 || slices.Contains(p.urisk, ur)) && flagsHold(p.flags, flags, fl)
			if set[i] {
				key = append(key, '1')
			} else {
				key = append(key, '0')
			}
		}
		g := groups[string(key)]
		if g == nil {
			g = &group{set: slices.Clone(set)}
			groups[string(key)] = g
			order = append(order, string(key))
		}
		g.clients |= 1 << ci
	}
	var out []entraContext
	for _, k := range order {
		g := groups[k]
		c := entraContext{legacy: k[0] == 'L'}
		var desc []string
		switch g.clients {
		case 1:
			desc = append(desc, "in a browser")
		case 2:
			desc = append(desc, "in mobile apps and desktop clients")
		case 4:
			desc = append(desc, "legacy client: Exchange ActiveSync")
		case 8:
			desc = append(desc, "legacy client: other clients (IMAP, POP, SMTP, …)")
		case clientLegacy:
			desc = append(desc, "legacy clients (Exchange ActiveSync, other clients)")
		}
		ways := []grantWay{{}}
		var missing []PolicyRef
		for i, p := range ps {
			if g.set[i] {
				if p.cond.pos != "" {
					desc = append(desc, p.cond.pos)
				}
				c.pols = append(c.pols, p.ref)
				if p.block {
					c.blocked = true
				}
				var next []grantWay
				for _, w := range ways {
					for _, pw := range p.ways {
						if len(next) < 32 {
							next = append(next, w.and(pw))
						}
					}
				}
				ways = next
				continue
			}
			if p.cond.pos != "" && p.clients&g.clients != 0 {
				desc = append(desc, p.cond.neg)
				if p.mfa {
					missing = append(missing, p.ref)
				}
			}
		}
		c.pols = append(c.pols, missing...)
		c.ways = pruneWays(ways)
		c.desc = strings.Join(desc, "; ")
		out = append(out, c)
	}
	return out
}

// flagsHold: every flag of a policy holds in the enumeration fl (a bit per
// enumerated flag); a flag not enumerated (beyond maxFlags) never holds.
func flagsHold(pf, flags []string, fl int) bool {
	for _, f := range pf {
		i := slices.Index(flags, f)
		if i < 0 || fl&(1<<i) == 0 {
			return false
		}
	}
	return true
}

// entraTargets reports whether a policy's assignments target x as Entra
// reads them: roles count only when assigned at tenant scope and active
// (a role scoped to an administrative unit is not targeted by a
// role-assigned policy; a PIM-eligible holder only while the role is
// activated, which pim reports). Role exclusions count for any holder:
// the weaker reading.
func entraTargets(t *targets, x *acct) (match bool, pim string) {
	if t.empty || t.excluded(x) {
		return false, ""
	}
	if t.all || (t.guests && !x.member) || inSet(t.users, x.a.ID) || inSet(t.users, x.login) {
		return true, ""
	}
	for _, g := range x.a.Groups {
		if inSet(t.groups, g) {
			return true, ""
		}
	}
	for _, r := range x.a.Roles {
		if !inSet(t.roles, r.ID) {
			continue
		}
		switch {
		case strings.HasPrefix(r.Via, "eligible"):
			pim = "role " + r.Name + " is PIM-eligible: the policy applies only while it is activated"
		case strings.Contains(r.Via, "scope "):
			// scoped to an administrative unit (or an object): not targeted
		default:
			return true, ""
		}
	}
	return false, pim
}

// entraPaths is the Entra engine for one account.
func (e *env) entraPaths(x *acct, b *pathBuf) {
	en := e.entra
	var ps []*entraPolicy
	var key []byte
	var notes []string
	for i, p := range en.pols {
		if !p.signIn || !p.p.Enabled || p.p.ReportOnly {
			continue
		}
		ok, pim := entraTargets(&p.people, x)
		if pim != "" {
			notes = append(notes, pim+" (\""+p.p.Name+"\")")
		}
		if ok {
			ps = append(ps, p)
			key = append(key, byte(i), byte(i>>8))
		}
	}
	en.mu.Lock()
	ctxs, ok := en.cache[string(key)]
	en.mu.Unlock()
	if !ok {
		ctxs = en.contexts(ps)
		// Intern what every account of this set shares, once.
		for ci := range ctxs {
			c := &ctxs[ci]
			c.polsID = e.internPolicies(c.pols...)
			for wi := range c.ways {
				w := &c.ways[wi]
				ctx := c.desc
				for _, d := range w.device {
					ctx = joinCtx(ctx, deviceText[d])
				}
				for _, o := range w.other {
					ctx = joinCtx(ctx, "after "+o)
				}
				c.wayCtx = append(c.wayCtx, ctx)
				c.wayCtxID = append(c.wayCtxID, e.internContext(ctx))
			}
		}
		en.mu.Lock()
		en.cache[string(key)] = ctxs
		en.mu.Unlock()
	}
	signInAllowed, recoveryAllowed := e.allowedKinds(x)
	usable := e.entraUsable(x, signInAllowed)
	admin := x.activeRole()
	pw := evidence.KindPassword
	aal1 := strength{AAL: AAL1, tier: 1}
	type session struct {
		w    *grantWay
		pols int32
		ctx  string
	}
	var sessions []session
	for ci := range ctxs {
		c := &ctxs[ci]
		if c.blocked || (c.legacy && en.securityDefaults) {
			continue
		}
		pols := c.polsID
		for wi := range c.ways {
			w := &c.ways[wi]
			ctx := c.wayCtx[wi]
			extra := len(notes) > 0
			for _, n := range notes {
				ctx = joinCtx(ctx, n)
			}
			needs := w.needsMFA()
			if !needs && en.securityDefaults {
				// Security defaults (learn.microsoft.com "Security defaults in
				// Microsoft Entra ID"): administrators always, others "when
				// necessary" as Entra decides.
				if admin {
					ctx = joinCtx(ctx, "security defaults: administrators always need MFA")
				} else {
					ctx = joinCtx(ctx, "security defaults: MFA when Microsoft Entra decides it is necessary (location, device, role, task)")
				}
				needs, extra = true, true
			}
			if !needs {
				switch x.a.PerUserMFA {
				case "enabled", "enforced":
					if c.legacy {
						// Per-user MFA lets legacy clients sign in with an app
						// password (learn.microsoft.com "Enforce Microsoft
						// Entra multifactor authentication with per-user
						// MFA": app passwords for non-browser apps); whether
						// the MFA service settings allow them is not in Graph.
						ctx = joinCtx(ctx, "app password (per-user MFA "+x.a.PerUserMFA+"; whether app passwords are allowed is not in Graph: unverified)")
						extra = true
						break
					}
					ctx = joinCtx(ctx, "per-user MFA "+x.a.PerUserMFA)
					needs, extra = true, true
				case "":
					ctx = joinCtx(ctx, "per-user MFA state not read: unverified")
					extra = true
				}
			}
			ictx := c.wayCtxID[wi]
			if extra {
				ictx = e.internContext(ctx)
			}
			if c.legacy {
				if !needs {
					b.add(pathKey{kind: PathLegacy, variant: vGeneric, proofs: [3]evidence.MethodKind{pw}, pols: pols, ctx: ictx}, aal1)
				}
				continue
			}
			if !needs {
				b.add(pathKey{kind: PathPasswordOnly, variant: vGeneric, proofs: [3]evidence.MethodKind{pw}, pols: pols, ctx: ictx}, aal1)
				sessions = append(sessions, session{w: &grantWay{}, pols: pols, ctx: ctx})
				continue
			}
			nw := w
			if !w.needsMFA() {
				nw = &grantWay{mfa: true}
			}
			sessions = append(sessions, session{w: nw, pols: pols, ctx: ctx})
			found := false
			entraCombos(nw, usable, func(proofs []evidence.MethodKind) {
				found = true
				kind := PathSignIn
				if len(proofs) == 1 && proofs[0] == pw {
					kind = PathPasswordOnly
				}
				b.add(pathKey{kind: kind, variant: vGeneric, proofs: proofArray(proofs), pols: pols, ctx: ictx}, comboStrength(proofs))
			})
			if !found {
				e.entraRegistrationPath(x, b, pols, ictx)
			}
		}
	}
	// Self-service password reset, then a sign-in under the same policies:
	// per reset, the weakest way on (the context that demands least).
	e.entraRecovery(x, recoveryAllowed, admin, func(ref PolicyRef, reset []evidence.MethodKind, note string) {
		var bestS strength
		var bestProofs []evidence.MethodKind
		var bestNote string
		bestSession, found := 0, false
		for si, s := range sessions {
			proofs := slices.Clone(reset)
			note := note
			if s.w.needsMFA() {
				// The cheapest second factor the context admits, or the reset
				// proof itself where it is one (a phone used for both).
				var best []evidence.MethodKind
				var bs strength
				entraCombos(s.w, usable, func(p []evidence.MethodKind) {
					cand := slices.Clone(reset)
					for _, k := range p {
						if k != pw && !slices.Contains(cand, k) {
							cand = append(cand, k)
						}
					}
					if cs := comboStrength(cand); best == nil || cs.less(bs) {
						best, bs = cand, cs
					}
				})
				switch mfa := x.kinds & mfaCapableKinds; {
				case best != nil:
					proofs = best
				case mfa == 0:
					// No second factor to present: the new password registers
					// one, as at a first sign-in.
					note = joinCtx(note, "then registering a method with the new password")
				default:
					// Registering a method the policies accept needs MFA with
					// a registered method: the reset proof where it is one,
					// else the account's weakest.
					if setOf(proofs)&mfa == 0 {
						var weakest evidence.MethodKind
						var ws strength
						mfa.each(func(i int, k evidence.MethodKind) {
							if weakest == "" || kindStrengths[i].less(ws) {
								weakest, ws = k, kindStrengths[i]
							}
						})
						proofs = append(proofs, weakest)
					}
					note = joinCtx(note, "then registering a method the policies accept")
				}
			}
			if len(proofs) > 3 {
				proofs = proofs[:3]
			}
			st := comboStrength(proofs)
			if found && !st.less(bestS) {
				continue
			}
			bestS, bestProofs, bestNote, bestSession, found = st, proofs, note, si, true
		}
		if found {
			s := sessions[bestSession]
			e.mu.Lock()
			polList := append([]PolicyRef{ref}, e.polLists[s.pols]...)
			e.mu.Unlock()
			b.add(pathKey{kind: PathRecovery, variant: vGeneric, proofs: proofArray(bestProofs),
				pols: e.internPolicies(polList...), ctx: e.internContext(joinCtx(bestNote, s.ctx))}, bestS)
		}
	})
}

var deviceText = map[string]string{
	"compliantDevice":      "on a compliant device (no second factor)",
	"domainJoinedDevice":   "on a Microsoft Entra hybrid joined device (no second factor)",
	"approvedApplication":  "in an approved client app (no second factor)",
	"compliantApplication": "in an app with an app protection policy (no second factor)",
}

func joinCtx(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// activeRole: x holds a directory role assigned at tenant scope and active.
func (x *acct) activeRole() bool {
	for _, r := range x.a.Roles {
		if !strings.HasPrefix(r.Via, "eligible") && !strings.Contains(r.Via, "scope ") {
			return true
		}
	}
	return x.a.Privileged && len(x.a.Roles) == 0 // isAdmin from the report
}

// legacyMFAKinds are what the legacy per-user MFA and SSPR policies can
// allow before the methods policy migration is complete (learn.microsoft.com
// "How to migrate MFA and SSPR policy settings to the Authentication
// methods policy"): call to phone, text message, notification or code from
// the Authenticator app, hardware and software OATH tokens.
var legacyMFAKinds = setOf([]evidence.MethodKind{evidence.KindSMS, evidence.KindVoice, evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindTOTPHardware})

// entraUsable are the second factors x can present: its methods the
// methods policy allows for sign-in (and, before migration is complete,
// those the legacy MFA policy may allow), a mobile phone counting for voice
// where Voice is allowed (learn.microsoft.com "Phone authentication
// methods": a mobile phone receives text messages or calls).
func (e *env) entraUsable(x *acct, signInAllowed kindSet) kindSet {
	allowed := signInAllowed
	if !e.entra.migrated {
		allowed |= legacyMFAKinds
	}
	return e.entraPhones(x) & allowed
}

// entraPhones are x's kinds with the phones read as Entra reads them: a
// mobile phone receives SMS or calls; an office phone receives calls only
// where the Voice configuration allows office phones
// (isOfficePhoneAllowed); an alternate mobile phone receives calls.
func (e *env) entraPhones(x *acct) kindSet {
	kinds := x.kinds &^ bitOf(evidence.KindVoice)
	for _, m := range x.a.Methods {
		if !methodUsable(m.Status) {
			continue
		}
		switch {
		case m.Kind == evidence.KindSMS:
			kinds |= bitOf(evidence.KindVoice)
		case m.Kind != evidence.KindVoice:
		case m.VendorType == "officePhone" || strings.HasPrefix(m.Name, "office"):
			if e.entra.officePhone || e.src.Policies.Entra == nil {
				kinds |= bitOf(evidence.KindVoice)
			}
		default:
			kinds |= bitOf(evidence.KindVoice)
		}
	}
	return kinds
}

// entraCombos calls fn for each proof set the way admits from the usable
// kinds: password plus one MFA-capable method for the mfa control, the
// allowed combinations of every strength (all must hold).
func entraCombos(w *grantWay, usable kindSet, fn func(proofs []evidence.MethodKind)) {
	pw := evidence.KindPassword
	cands := [][]evidence.MethodKind{}
	usable.each(func(i int, k evidence.MethodKind) {
		if kindClass[i].Bootstrap || k == pw {
			return
		}
		cands = append(cands, []evidence.MethodKind{pw, k}, []evidence.MethodKind{k})
	})
	cands = append(cands, []evidence.MethodKind{pw})
	for _, c := range cands {
		if len(w.strengths) == 0 {
			// mfa: the password and an MFA-capable method.
			if len(c) == 2 && Classify(c[1]).MFACapable {
				fn(c)
			}
			continue
		}
		ok := true
		for _, s := range w.strengths {
			if !strengthAdmits(s, c) {
				ok = false
				break
			}
		}
		if ok {
			fn(c)
		}
	}
}

// strengthModes maps a kind to the authentication method modes it presents
// (learn.microsoft.com "Authentication strengths": the combinations
// fido2 = "Passkeys (FIDO2)", which admits device-bound passkeys in
// Authenticator; microsoftAuthenticatorPush; deviceBasedPush =
// passwordless phone sign-in; x509CertificateMultiFactor; …). Synced
// passkeys are admitted by fido2 too where the passkey policy allows them:
// the weaker reading.
var strengthModes = map[evidence.MethodKind][]string{
	evidence.KindSMS: {"sms"}, evidence.KindVoice: {"voice"}, evidence.KindTOTPSoftware: {"softwareOath"},
	evidence.KindTOTPHardware: {"hardwareOath"}, evidence.KindPush: {"microsoftAuthenticatorPush"},
	evidence.KindPasswordlessApp: {"deviceBasedPush"}, evidence.KindFIDO2: {"fido2"},
	evidence.KindPasskeyDeviceBound: {"fido2"}, evidence.KindPasskeySynced: {"fido2"},
	evidence.KindWindowsHello: {"windowsHelloForBusiness"}, evidence.KindEmailOTP: {"email"},
	evidence.KindCertificate: {"x509CertificateMultiFactor", "x509CertificateSingleFactor"},
}

// strengthAdmits: one of the strength's combinations is exactly these
// proofs (each proof presents a distinct mode of the combination).
func strengthAdmits(s *evidence.AuthenticationStrength, proofs []evidence.MethodKind) bool {
	for _, combo := range s.AllowedCombinations {
		modes := strings.Split(combo, ",")
		if len(modes) != len(proofs) {
			continue
		}
		used := make([]bool, len(modes))
		ok := true
		for _, k := range proofs {
			found := false
			for j, m := range modes {
				if used[j] {
					continue
				}
				if (k == evidence.KindPassword && m == "password") || slices.Contains(strengthModes[k], m) {
					used[j], found = true, true
					break
				}
			}
			if !found {
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

// adminSSPRKinds are the administrator SSPR policy's methods: mobile phone
// (text or call), email, Authenticator app (notification or code); never
// security questions (learn.microsoft.com "Self-service password reset
// policies", Administrator reset policy differences).
var adminSSPRKinds = setOf([]evidence.MethodKind{evidence.KindSMS, evidence.KindVoice, evidence.KindEmailOTP, evidence.KindPush, evidence.KindTOTPSoftware})

// userSSPRLegacyKinds are what the legacy SSPR policy can offer users before
// migration: mobile and office phone, email, the Authenticator app and
// security questions.
var userSSPRLegacyKinds = setOf([]evidence.MethodKind{evidence.KindSMS, evidence.KindVoice, evidence.KindEmailOTP, evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindSecurityQuestion})

// SSPR policy refs.
var (
	ssprUserRef  = PolicyRef{ID: "sspr", Name: "Self-service password reset", Type: PolicyTypeRecovery}
	ssprAdminRef = PolicyRef{ID: "sspr-admin", Name: "Administrator SSPR policy (two gates)", Type: PolicyTypeRecovery}
)

// entraRecovery calls fn with each way x can reset its password itself:
// administrators (an active tenant-wide role) through the administrator
// policy when allowedToUseSSPR is on (two different proofs), everyone else
// through the user policy when the registration report puts them in scope
// (isSsprEnabled). Graph does not show how many methods the user policy
// requires, so one proof is assumed (the weaker reading) and the context
// says so.
func (e *env) entraRecovery(x *acct, recoveryAllowed kindSet, admin bool, fn func(ref PolicyRef, reset []evidence.MethodKind, note string)) {
	en := e.entra
	have := e.entraPhones(x)
	if admin {
		if en.adminSSPR != nil && !*en.adminSSPR {
			return
		}
		note := "administrator SSPR: two methods"
		if en.adminSSPR == nil {
			note += " (allowedToUseSSPR not read: assumed on)"
		}
		avail := have & adminSSPRKinds
		avail.each(func(i1 int, k1 evidence.MethodKind) {
			avail.each(func(i2 int, k2 evidence.MethodKind) {
				if i2 > i1 && !(k1 == evidence.KindSMS && k2 == evidence.KindVoice) {
					fn(ssprAdminRef, []evidence.MethodKind{k1, k2}, note)
				}
			})
		})
		return
	}
	if s := x.a.SSPR; s != nil && !s.Enabled {
		return
	}
	note := "SSPR: number of methods required not in Graph (one assumed)"
	if !en.migrated {
		note += "; methods policy migration not complete: the legacy SSPR policy may allow more methods"
	}
	if x.a.SSPR == nil {
		note += "; SSPR scope not read: assumed in scope"
	}
	// The recovery policy the connector records lists the methods the
	// methods policy enables for SSPR (Source.Policies.Recovery); without
	// one, those enabled for recovery.
	through := func(ref PolicyRef, methods kindSet) {
		cands := methods
		if cands == 0 {
			cands = recoveryAllowed & e.coveredKinds & adminSSPRKinds
		}
		if !en.migrated {
			cands |= userSSPRLegacyKinds
		} else {
			cands |= bitOf(evidence.KindSecurityQuestion) // kept in the SSPR policy after migration
		}
		(have & cands).each(func(_ int, k evidence.MethodKind) {
			fn(ref, []evidence.MethodKind{k}, note)
		})
	}
	if len(e.recovery) == 0 {
		through(ssprUserRef, 0)
		return
	}
	e.recoveryFor(x, func(_ int, r *recoveryPolicy) {
		through(PolicyRef{ID: r.p.ID, Name: r.p.Name, RuleID: r.p.RuleID, Type: PolicyTypeRecovery}, r.methods)
	})
}

// entraRegistrationPolicies lists the enforced CA policies on
// urn:user:registersecurityinfo targeting x, and whether one of them needs
// MFA (or a trusted location or device) in every context.
func (e *env) entraRegistrationProtected(x *acct) (protected bool, pols []PolicyRef) {
	for _, p := range e.entra.pols {
		if !p.registration || !p.p.Enabled || p.p.ReportOnly {
			continue
		}
		if ok, _ := entraTargets(&p.people, x); !ok {
			continue
		}
		pols = append(pols, p.ref)
		// A location condition leaves the other locations unprotected unless
		// it blocks there; a grant met by a device is a trusted device.
		if p.net != nil && !p.block {
			continue
		}
		if p.block || p.mfa || allDevice(p.ways) {
			protected = true
		}
	}
	return protected, pols
}

func allDevice(ws []grantWay) bool {
	for _, w := range ws {
		if !w.needsMFA() && len(w.device) == 0 {
			return false
		}
	}
	return len(ws) > 0
}

// oneAuthenticatorApp: the registration report lists both
// microsoftAuthenticatorPush and softwareOneTimePasscode, which one
// Authenticator app provides (learn.microsoft.com "Authentication methods
// in Microsoft Entra ID - Microsoft Authenticator app": notifications and
// verification codes); counted as one backup-relevant method, the reading
// that does not invent a backup.
func oneAuthenticatorApp(a *evidence.Account) bool {
	push, otp := false, false
	for _, m := range a.Methods {
		switch m.VendorType {
		case "microsoftAuthenticatorPush":
			push = push || methodUsable(m.Status)
		case "softwareOneTimePasscode":
			otp = otp || methodUsable(m.Status)
		}
	}
	return push && otp
}

// entraExclusions lists the people exclusions of every enforced CA policy
// whose every grant needs MFA, in policy order.
func (e *env) entraExclusions() []mfaExclusion {
	var out []mfaExclusion
	byID := map[string]*accessPolicy{}
	for _, ap := range e.access[evidence.APEntraConditionalAccess] {
		byID[ap.p.ID] = ap
	}
	for _, p := range e.entra.pols {
		ap := byID[p.p.ID]
		if ap == nil || len(ap.rules) == 0 || !p.signIn || !p.mfa || !p.p.Enabled || p.p.ReportOnly {
			continue
		}
		r := &ap.rules[0]
		r.ref = p.ref
		out = appendExclusions(out, p.p.Conditions.People, r, ap, "GuestsOrExternalUsers")
	}
	return out
}

// entraBelowAAL2: x's sign-in, password-only and legacy paths below AAL2
// (an account excluded from an MFA policy whose other policies still hold
// it at AAL2 is not a finding).
func (e *env) entraBelowAAL2(x *acct) []int32 {
	var out []int32
	for _, id := range e.pathsBelow(x, AAL2) {
		switch e.path(id).key.kind {
		case PathSignIn, PathPasswordOnly, PathLegacy:
			out = append(out, id)
		}
	}
	return out
}

// entraRegistrationPath: the policies accept none of x's methods, so the
// way in is registering one they accept. Combined registration asks a user
// who has an MFA-capable method to pass MFA first (learn.microsoft.com
// "Combined security information registration"); one without registers
// with the password, which a CA policy on registering security info may
// guard (registrationNeedsMFA; without a method to satisfy it the
// password alone is assumed, the weaker reading).
func (e *env) entraRegistrationPath(x *acct, b *pathBuf, pols, ctx int32) {
	pw := evidence.KindPassword
	if mfa := x.kinds & mfaCapableKinds; mfa != 0 {
		mfa.each(func(i int, k evidence.MethodKind) {
			b.add(pathKey{kind: PathRegistration, variant: vGeneric, proofs: [3]evidence.MethodKind{pw, k}, pols: pols, ctx: ctx}, comboStrength([]evidence.MethodKind{pw, k}))
		})
		return
	}
	b.add(pathKey{kind: PathRegistration, variant: vGeneric, proofs: [3]evidence.MethodKind{pw}, pols: pols, ctx: ctx}, strength{AAL: AAL1, tier: 1})
}

// pruneWays drops the ways that need everything another way needs and
// more (mfa AND (mfa OR compliantDevice) is met by mfa alone).
func pruneWays(ws []grantWay) []grantWay {
	var out []grantWay
	for i := range ws {
		dominated := false
		for j := range ws {
			if i != j && covers(&ws[j], &ws[i]) && (!covers(&ws[i], &ws[j]) || j < i) {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, ws[i])
		}
	}
	return out
}

// covers: a needs nothing that b does not (b is at least as demanding).
func covers(a, b *grantWay) bool {
	if (a.mfa && !b.mfa) || (a.pwChange && !b.pwChange) {
		return false
	}
	for _, s := range a.strengths {
		if !slices.Contains(b.strengths, s) {
			return false
		}
	}
	for _, d := range a.device {
		if !slices.Contains(b.device, d) {
			return false
		}
	}
	for _, o := range a.other {
		if !slices.Contains(b.other, o) {
			return false
		}
	}
	return true
}

// entraSignature appends what the Entra engine reads of an account beyond
// the common signature: how each referenced role is held (active,
// PIM-eligible, scoped), whether it holds an active tenant-wide role (the
// administrator SSPR policy), its phones (a mobile phone also calls; an
// office phone), its SSPR scope and its per-user MFA state.
func (e *env) entraSignature(x *acct, buf []byte) []byte {
	buf = append(buf, 'e')
	for _, r := range x.a.Roles {
		if i, ok := e.refs.roles[r.ID]; ok {
			class := byte('a')
			switch {
			case strings.HasPrefix(r.Via, "eligible"):
				class = 'p'
			case strings.Contains(r.Via, "scope "):
				class = 's'
			}
			buf = binary.LittleEndian.AppendUint32(buf, uint32(i))
			buf = append(buf, class)
			buf = append(buf, r.Name...)
			buf = append(buf, 0)
		}
	}
	var flags byte
	if x.activeRole() {
		flags |= 1
	}
	for _, m := range x.a.Methods {
		if !methodUsable(m.Status) {
			continue
		}
		switch {
		case m.Kind == evidence.KindSMS:
			flags |= 2
		case m.Kind == evidence.KindVoice && (m.VendorType == "officePhone" || strings.HasPrefix(m.Name, "office")):
			flags |= 4
		case m.Kind == evidence.KindVoice:
			flags |= 8
		}
	}
	switch s := x.a.SSPR; {
	case s == nil:
		flags |= 16
	case s.Enabled:
		flags |= 32
	}
	buf = append(buf, flags)
	buf = append(buf, x.a.PerUserMFA...)
	return append(buf, 0)
}
