package checks

// env is one source prepared for evaluation: the in-scope accounts with
// their precomputed facts, the policies compiled for matching, and the
// lookups every check shares. newEnv builds it once per source; assurance.go
// computes each account's paths from it.

import (
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// acct is an in-scope account with everything the checks need precomputed.
type acct struct {
	a          *evidence.Account
	login      string // lower case
	member     bool
	privileged bool
	service    bool
	breakGlass bool
	// methodsKnown is false when the account's methods could not be read.
	methodsKnown bool
	kinds        kindSet // registered, usable method kinds
	mfaCount     int     // MFA-capable method instances
	nominal      AAL
	// effective is the strength of the weakest path (pathSet's first).
	effective strength
	// pathSet indexes env.sets: the account's paths, weakest first; -1 none.
	pathSet int32
}

type methodSetting struct {
	s       *evidence.MethodSetting
	kinds   kindSet
	targets targets
}

type signInPolicy struct {
	p       *evidence.SignInPolicy
	targets targets
	// allowed restricts the kinds that satisfy the policy; 0 = any.
	allowed kindSet
}

// enforced: the policy is on and not report-only.
func (s *signInPolicy) enforced() bool { return s.p.Enabled && !s.p.ReportOnly }

// mfaEnforcing: an enforced, non-blocking policy that requires MFA.
func (s *signInPolicy) mfaEnforcing() bool { return s.enforced() && !s.p.Block && s.p.RequiresMFA }

type recoveryPolicy struct {
	p       *evidence.RecoveryPolicy
	targets targets
	methods kindSet
	stepUp  kindSet
}

type registrationPolicy struct {
	p       *evidence.RegistrationPolicy
	targets targets
}

// env is one source prepared for evaluation: computed once, read by every check.
type env struct {
	src      *evidence.Source
	provider evidence.Provider
	p        *Params

	accts []acct
	// sortedIDs: the accounts are in id order (a normalized snapshot), so
	// lookups binary-search instead of building a million-entry map.
	sortedIDs  bool
	byID       map[string]int // built on first lookup when not sorted
	byLogin    map[string]int // built on first lookup
	byIDOnce   sync.Once
	loginOnce  sync.Once
	groupNames map[string]string

	settings     []methodSetting
	coveredKinds kindSet // kinds some method setting governs
	signIn       []signInPolicy
	recovery     []recoveryPolicy
	registration []registrationPolicy
	// ssprOff: the tenant has self-service recovery switched off.
	ssprOff bool

	// engine is Policies.Engine: which engine computes the paths ("" = the
	// reduced sign-in flags of a version 1 snapshot).
	engine string
	// access is Policies.Access compiled, by policy type, in priority order.
	access map[string][]*accessPolicy
	// apps are the Okta authentication policies that guard some app.
	apps []appTarget
	// oktaKeys are an Identity Engine org's authenticators by key (nil:
	// methods are judged by kind alone).
	oktaKeys map[string]oktaKey
	// credProviders: account id → Okta credentials.provider.type, for the
	// accounts whose provider is not OKTA.
	credProviders map[string]string
	// refs are the principals the policies name (account signatures).
	refs referenced
	// entra is the compiled Entra tenant (engine EngineEntra).
	entra *entraEngine

	unknownVendors map[string]int // vendor value → methods seen

	// mu guards the tables below: accounts are assessed and checks run
	// concurrently. Paths, policy lists, contexts and path sets are interned
	// so that a million accounts share a handful of each.
	mu          sync.Mutex
	methodLists map[kindSet][]string
	polLists    [][]PolicyRef
	polIndex    map[string]int32
	contexts    []string
	ctxIndex    map[string]int32
	paths       []pathInfo
	pathIndex   map[pathKey]int32
	sets        [][]int32
	setIndex    map[string]int32
	publicSets  map[int32][]Path
	// pathEvidence caches withPaths by path list.
	pathEvidence map[string]pathEvidence
}

// methodList is the sorted kind names of a set, shared by every account
// with the same set (a million identities, a handful of distinct sets).
// Callers must not modify it.
func (e *env) methodList(s kindSet) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if l, ok := e.methodLists[s]; ok {
		return l
	}
	l := s.strings()
	e.methodLists[s] = l
	return l
}

func newEnv(src *evidence.Source, p *Params) *env {
	e := &env{
		src:            src,
		provider:       src.Provider,
		p:              p,
		groupNames:     make(map[string]string, len(src.Groups)),
		unknownVendors: map[string]int{},
		methodLists:    map[kindSet][]string{},
		polIndex:       map[string]int32{},
		contexts:       []string{""},
		ctxIndex:       map[string]int32{},
		pathIndex:      map[pathKey]int32{},
		setIndex:       map[string]int32{},
		publicSets:     map[int32][]Path{},
		pathEvidence:   map[string]pathEvidence{},
	}
	for _, g := range src.Groups {
		e.groupNames[g.ID] = g.Name
	}
	pol := &src.Policies
	for i := range pol.Methods {
		s := &pol.Methods[i]
		ms := methodSetting{s: s, kinds: setOf(s.Kinds), targets: compileTargets(s.Targets)}
		e.coveredKinds |= ms.kinds
		e.settings = append(e.settings, ms)
	}
	for i := range pol.SignIn {
		s := &pol.SignIn[i]
		sp := signInPolicy{p: s, targets: compileTargets(s.Targets), allowed: setOf(s.AllowedKinds)}
		if sp.allowed == 0 && s.PhishingResistant {
			sp.allowed = phishingResistantKinds
		} else if s.PhishingResistant {
			sp.allowed &= phishingResistantKinds
		}
		e.signIn = append(e.signIn, sp)
	}
	for i := range pol.Recovery {
		r := &pol.Recovery[i]
		e.recovery = append(e.recovery, recoveryPolicy{p: r, targets: compileTargets(r.Targets),
			methods: setOf(r.Methods), stepUp: setOf(r.StepUpMethods)})
	}
	for i := range pol.Registration {
		r := &pol.Registration[i]
		e.registration = append(e.registration, registrationPolicy{p: r, targets: compileTargets(r.Targets)})
	}
	e.ssprOff = pol.SelfServiceRecoveryEnabled != nil && !*pol.SelfServiceRecoveryEnabled
	e.engine = pol.Engine
	e.buildReferenced()
	if e.engine != "" {
		e.compileAccess()
		if src.Provider == evidence.Okta {
			e.apps = e.oktaApps()
			e.compileOktaKeys()
		}
		if e.engine == evidence.EngineEntra {
			e.entra = e.compileEntra()
		}
	}

	servicePatterns := make([]glob, 0, len(p.ServiceAccountPatterns))
	for _, pat := range p.ServiceAccountPatterns {
		servicePatterns = append(servicePatterns, compileGlob(strings.ToLower(pat)))
	}
	serviceIDs := toSet(p.ServiceAccounts, true)
	breakGlass := toSet(p.BreakGlass, true)

	e.accts = make([]acct, len(src.Accounts))
	e.sortedIDs = true
	for i := 1; i < len(src.Accounts); i++ {
		if src.Accounts[i-1].ID >= src.Accounts[i].ID {
			e.sortedIDs = false
			break
		}
	}
	// Accounts are independent: assess them in parallel chunks. Everything
	// shared is read-only here; unknown vendor values are counted per chunk.
	workers := runtime.GOMAXPROCS(0)
	if len(src.Accounts) < 4096 {
		workers = 1
	}
	per := (len(src.Accounts) + workers - 1) / max(workers, 1)
	ws := make([]*worker, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(src.Accounts))
		ws[w] = &worker{unknown: map[string]int{}, cache: newPathCache()}
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(lo, hi int, w *worker) {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				e.prepare(&e.accts[i], &src.Accounts[i], servicePatterns, serviceIDs, breakGlass, w)
			}
		}(lo, hi, ws[w])
	}
	wg.Wait()
	for _, w := range ws {
		for v, n := range w.unknown {
			e.unknownVendors[v] += n
		}
	}
	return e
}

// worker is one assessing goroutine's scratch space.
type worker struct {
	unknown map[string]int // vendor value → methods seen
	buf     pathBuf
	cache   *pathCache
}

// lookup finds an account by id.
func (e *env) lookup(id string) (int, bool) {
	if id == "" {
		return 0, false
	}
	if e.sortedIDs {
		i := sort.Search(len(e.accts), func(i int) bool { return e.accts[i].a.ID >= id })
		return i, i < len(e.accts) && e.accts[i].a.ID == id
	}
	e.byIDOnce.Do(func() {
		e.byID = make(map[string]int, len(e.accts))
		for i := range e.accts {
			if id := e.accts[i].a.ID; id != "" {
				e.byID[id] = i
			}
		}
	})
	i, ok := e.byID[id]
	return i, ok
}

// lookupLogin finds an account by login, case-insensitively.
func (e *env) lookupLogin(login string) (int, bool) {
	e.loginOnce.Do(func() {
		e.byLogin = make(map[string]int, len(e.accts))
		for i := range e.accts {
			if l := e.accts[i].login; l != "" {
				e.byLogin[l] = i
			}
		}
	})
	i, ok := e.byLogin[strings.ToLower(login)]
	return i, ok
}

// glob is a path.Match pattern precompiled for the common case of '*'
// wildcards only: a million logins against five patterns is the hot loop.
type glob struct {
	raw   string
	parts []string // split on '*'; nil when the pattern needs path.Match
}

func compileGlob(p string) glob {
	g := glob{raw: p}
	if !strings.ContainsAny(p, "?[\\") {
		g.parts = strings.Split(p, "*")
	}
	return g
}

func (g glob) match(s string) bool {
	if g.parts == nil || strings.Contains(s, "/") {
		ok, _ := path.Match(g.raw, s)
		return ok
	}
	if len(g.parts) == 1 {
		return s == g.raw
	}
	first, last := g.parts[0], g.parts[len(g.parts)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range g.parts[1 : len(g.parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

// prepare fills one account's precomputed facts and assesses it.
func (e *env) prepare(x *acct, a *evidence.Account, servicePatterns []glob, serviceIDs, breakGlass map[string]struct{}, w *worker) {
	x.a = a
	x.login = strings.ToLower(a.Login)
	x.member = !strings.EqualFold(a.UserType, "guest")
	x.privileged = a.Privileged || len(a.Roles) > 0
	x.service = inSet(serviceIDs, a.ID) || inSet(serviceIDs, x.login) || matchAny(servicePatterns, x.login)
	x.breakGlass = inSet(breakGlass, a.ID) || inSet(breakGlass, x.login)
	x.methodsKnown = a.MethodsError == ""
	for j := range a.Methods {
		m := &a.Methods[j]
		if !methodUsable(m.Status) || !e.oktaMethodUsable(m) {
			continue
		}
		b := bitOf(m.Kind)
		x.kinds |= b
		c := Classify(m.Kind)
		if c.MFACapable {
			x.mfaCount++
		}
		if c.Unknown {
			w.unknown[m.VendorType]++
		}
	}
	if e.provider == evidence.Okta {
		x.mfaCount = e.oktaMFACount(a)
	}
	if e.provider == evidence.Entra && oneAuthenticatorApp(a) {
		// The registration report lists Authenticator push and its codes
		// as two methods; on one app they are one device to lose (MFA-02).
		x.mfaCount--
	}
	e.assess(x, w)
}

func matchAny(patterns []glob, login string) bool {
	if login == "" {
		return false
	}
	for _, p := range patterns {
		if p.match(login) {
			return true
		}
	}
	return false
}
