package okta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// inScope are the Okta user statuses the human checks judge (CATALOG.md).
var inScope = map[string]bool{"ACTIVE": true, "PASSWORD_EXPIRED": true, "LOCKED_OUT": true, "RECOVERY": true}

// run is the state of one collection.
type run struct {
	c          *Connector
	opts       evidence.CollectOptions
	log        *slog.Logger
	src        *evidence.Source
	mu         sync.Mutex // guards src.Warnings and the maps below during worker phases
	progressMu sync.Mutex
	accounts   map[string]int // user id → index in src.Accounts
	logins     map[string]string
	roles      map[string][]evidence.Role // user id → admin roles (in scope or not)
	rolesOK    bool
	// Group role assignments, read with the groups: members and roles per
	// group id, in list order.
	groupIDs      []string
	groupMembers  map[string][]string
	groupRoles    map[string][]rawRole
	groupRoleErrs []string
	groupsRead    bool
	factorOf      map[string]evidence.MethodKind // factor id → kind, for log events
	warned        map[string]bool
	everyone      string                // id of the built-in Everyone group
	classic       bool                  // Classic engine org (no /api/v1/authenticators)
	lastUpdated   map[string]*time.Time // user id → lastUpdated, for incremental runs
	pols          *readPolicies
	// appInfo: app id → name and label, for naming policy mappings.
	appInfo map[string]appNames
	// zoneNames: network zone id → name, for rule contexts.
	zoneNames map[string]string
	// blocksSynced: the webauthn method does not allow syncable passkeys.
	blocksSynced bool
	// owners: factor id → account index, for log event targets.
	owners     map[string]int
	ownersOnce sync.Once
}

type appNames struct{ name, label string }

func (r *run) warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned[msg] {
		return
	}
	r.warned[msg] = true
	r.src.Warnings = append(r.src.Warnings, msg)
	r.log.Warn("okta: " + msg)
}

// progress reports to opts.Progress, one call at a time: workers and the
// pacer report concurrently, the callback need not be safe for that.
func (r *run) progress(format string, args ...any) {
	if r.opts.Progress == nil {
		return
	}
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	r.opts.Progress(format, args...)
}

// Collect implements evidence.Connector. It reads every dataset it can and
// records each one's coverage; it returns an error only when the org cannot
// be reached or the credential is refused outright.
func (c *Connector) Collect(ctx context.Context, opts evidence.CollectOptions) (*evidence.Source, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.Since.IsZero() {
		opts.Since = opts.Now.AddDate(0, 0, -30)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := &run{
		c: c, opts: opts, log: log,
		src: &evidence.Source{
			Provider:         evidence.Okta,
			Tenant:           c.host,
			CollectedAt:      opts.Now,
			AuditWindow:      evidence.Window{Since: opts.Since, Until: opts.Now},
			LogRetentionDays: 90,
			Accounts:         []evidence.Account{},
			Collection:       &evidence.Collection{Mode: evidence.CollectFull},
		},
		lastUpdated: map[string]*time.Time{},
		accounts:    map[string]int{},
		logins:      map[string]string{},
		roles:       map[string][]evidence.Role{},
		factorOf:    map[string]evidence.MethodKind{},
		warned:      map[string]bool{},

		groupMembers: map[string][]string{},
		groupRoles:   map[string][]rawRole{},
		appInfo:      map[string]appNames{},
	}
	c.pacer.setNotify(func(bucket string, d time.Duration) {
		r.progress("okta: rate limit on %s, waiting %s", bucket, d.Round(100*time.Millisecond))
		log.Debug("okta: rate-limit wait", "bucket", bucket, "wait", d)
	})
	defer c.pacer.setNotify(nil)
	log.Debug("okta: collect", "org", c.host, "since", opts.Since, "until", opts.Now)

	// Until the org's warning threshold is read, pace as if it were the
	// assumed one. The users are read first: their failure is the one that
	// says whether the org can be read at all.
	r.c.pacer.setShare(r.configuredShare(), assumedWarningThreshold/100.0)
	if err := r.users(ctx); err != nil {
		if fatal(err) {
			return nil, err
		}
	}
	r.rateShare(ctx)
	r.groups(ctx)
	r.adminRoles(ctx)
	if c.cfg.Base == nil {
		r.factors(ctx, nil)
		r.pols = r.policies(ctx)
		r.authenticators(ctx, r.pols)
	} else {
		// Incremental: the configuration is compared with the previous
		// snapshot's before deciding whose factors to re-read.
		r.pols = r.policies(ctx)
		r.authenticators(ctx, r.pols)
		var p *plan
		if cov, ok := r.src.CoverageOf(evidence.DSUsers); ok && cov.Status == evidence.Complete {
			p = r.planIncremental(ctx)
		} else {
			r.src.Collection.FullReason = "the users could not be read, so no factors were read or carried over"
		}
		r.factors(ctx, p)
	}
	r.systemLog(ctx)
	r.apiTokens(ctx)
	r.apps(ctx)
	r.resolveApps()

	for _, ds := range evidence.Datasets[evidence.Okta] {
		if _, ok := r.src.CoverageOf(ds); !ok {
			r.src.SetCoverage(evidence.Coverage{Dataset: ds, Status: evidence.Errored, Detail: "not read"})
		}
	}
	sort.Strings(r.src.Warnings)
	log.Debug("okta: collected", "accounts", len(r.src.Accounts), "requests", c.pacer.requests.Load(),
		"rate_limited", c.pacer.limited.Load(), "waits", c.pacer.waits.Load())
	return r.src, nil
}

// fatal reports whether an error on the first read means nothing can be
// read at all: the credential was refused (401) or the org is unreachable
// (no connection, no name, no trusted TLS). A connection that was made and
// then failed — reset mid-page, a slow answer past the deadline, a body that
// is not JSON — is that dataset's failure: the rest of the org may read fine
// and what was read is kept.
func fatal(err error) bool {
	var pe *evidence.PermissionError
	if errors.As(err, &pe) {
		return pe.Status == 401
	}
	var ae *evidence.APIError
	if errors.As(err, &ae) {
		return false
	}
	return evidence.Unreachable(err)
}

type rawUser struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Created     string `json:"created"`
	LastLogin   string `json:"lastLogin"`
	LastUpdated string `json:"lastUpdated"`
	Profile     struct {
		Login     string `json:"login"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
	} `json:"profile"`
	Credentials struct {
		Provider struct {
			Type string `json:"type"`
		} `json:"provider"`
	} `json:"credentials"`
}

// users lists every user. The plain list omits DEPROVISIONED users, so a
// second search counts those for the scope section.
func (r *run) users(ctx context.Context) error {
	out := map[string]int{}
	n := 0
	err := list(ctx, r.c, "/api/v1/users?limit=200", func(u rawUser) {
		n++
		if n%1000 == 0 {
			r.progress("okta: %d users read", n)
		}
		if u.ID == "" {
			r.warn("a user without an id was skipped")
			return
		}
		if _, dup := r.logins[u.ID]; dup {
			// A page served twice (a cursor that looped back): the list
			// ends in error, but the users read so far stay unique.
			return
		}
		r.logins[u.ID] = u.Profile.Login
		if !inScope[u.Status] {
			out["status "+u.Status]++
			return
		}
		name := strings.TrimSpace(u.Profile.FirstName + " " + u.Profile.LastName)
		if name == "" {
			name = u.Profile.Login
		}
		r.credentialProvider(u)
		r.accounts[u.ID] = len(r.src.Accounts)
		r.lastUpdated[u.ID] = parseTime(u.LastUpdated)
		r.src.Accounts = append(r.src.Accounts, evidence.Account{
			ID: u.ID, Name: name, Login: u.Profile.Login, Status: u.Status, UserType: "member",
			Methods: []evidence.Method{}, LastSignIn: parseTime(u.LastLogin), Created: parseTime(u.Created),
		})
	})
	if err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSUsers, len(r.src.Accounts), err))
		return err
	}
	deprov := 0
	q := url.Values{"limit": {"200"}, "search": {`status eq "DEPROVISIONED"`}}
	derr := list(ctx, r.c, "/api/v1/users?"+q.Encode(), func(u rawUser) {
		if u.Status == "DEPROVISIONED" {
			deprov++
		}
	})
	if derr != nil {
		r.warn("deactivated (DEPROVISIONED) users could not be counted: " + derr.Error())
	} else if deprov > 0 {
		out["status DEPROVISIONED"] += deprov
	}
	for reason, cnt := range out {
		r.src.OutOfScope = append(r.src.OutOfScope, evidence.Count{Reason: reason, Count: cnt})
	}
	sort.Slice(r.src.OutOfScope, func(i, j int) bool { return r.src.OutOfScope[i].Reason < r.src.OutOfScope[j].Reason })
	r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSUsers, Status: evidence.Complete, Items: len(r.src.Accounts)})
	r.progress("okta: %d users in scope, %d out of scope", len(r.src.Accounts), n-len(r.src.Accounts)+deprov)
	return nil
}

type rawGroup struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

type idOnly struct {
	ID string `json:"id"`
}

// groups lists groups, then each group's members and admin roles. Reading
// members per group costs one call per 1,000 members of each group, which
// for real orgs (far fewer groups than users) is much cheaper than one
// /users/{id}/groups call per user, and it shares the factor workers'
// pacing. Group roles are read here because whether
// /api/v1/iam/assignees/users lists users who hold a role only through a
// group is not documented; adminRoles merges both.
func (r *run) groups(ctx context.Context) {
	var groups []rawGroup
	if err := list(ctx, r.c, "/api/v1/groups?limit=200", func(g rawGroup) { groups = append(groups, g) }); err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSGroups, 0, err))
		return
	}
	members := make([][]string, len(groups))
	errs := make([]error, len(groups))
	roles := make([][]rawRole, len(groups))
	roleErrs := make([]error, len(groups))
	r.c.forEach(ctx, len(groups), func(ctx context.Context, i int) {
		id := url.PathEscape(groups[i].ID)
		errs[i] = list(ctx, r.c, "/api/v1/groups/"+id+"/users?limit=1000", func(u idOnly) {
			members[i] = append(members[i], u.ID)
		})
		_, roleErrs[i] = r.c.get(ctx, "/api/v1/groups/"+id+"/roles", &roles[i])
	})
	var failed []string
	var firstErr error
	for i, g := range groups {
		if g.Type == "BUILT_IN" && g.Profile.Name == "Everyone" {
			r.everyone = g.ID
		}
		r.groupIDs = append(r.groupIDs, g.ID)
		if roleErrs[i] != nil {
			r.groupRoleErrs = append(r.groupRoleErrs, fmt.Sprintf("roles of group %s: %v", g.ID, roleErrs[i]))
		} else {
			r.groupRoles[g.ID] = roles[i]
		}
		r.src.Groups = append(r.src.Groups, evidence.Group{ID: g.ID, Name: g.Profile.Name, Members: len(members[i])})
		if errs[i] != nil {
			failed = append(failed, g.ID)
			if firstErr == nil {
				firstErr = errs[i]
			}
			if len(roles[i]) > 0 {
				r.groupRoleErrs = append(r.groupRoleErrs, fmt.Sprintf("members of admin group %s: %v", g.ID, errs[i]))
			}
			continue
		}
		r.groupMembers[g.ID] = members[i]
		for _, uid := range members[i] {
			if ai, ok := r.accounts[uid]; ok {
				r.src.Accounts[ai].Groups = append(r.src.Accounts[ai].Groups, g.ID)
			}
		}
	}
	r.groupsRead = true
	cov := evidence.Coverage{Dataset: evidence.DSGroups, Status: evidence.Complete, Items: len(groups)}
	if len(failed) > 0 {
		cov.Status = evidence.Partial
		cov.Detail = fmt.Sprintf("members of %d group(s) not read (%s): %v", len(failed), strings.Join(capList(failed, 5), ", "), firstErr)
	}
	r.src.SetCoverage(cov)
}

func capList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string{}, s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

type rawRole struct {
	ID             string `json:"id"`
	Label          string `json:"label"`
	Type           string `json:"type"`
	Status         string `json:"status"`
	AssignmentType string `json:"assignmentType"`
	Links          struct {
		Assignee struct {
			Href string `json:"href"`
		} `json:"assignee"`
	} `json:"_links"`
}

func (rr rawRole) toRole() evidence.Role {
	via := "direct"
	if rr.AssignmentType == "GROUP" {
		g := rr.Links.Assignee.Href
		if i := strings.LastIndex(g, "/"); i >= 0 {
			g = g[i+1:]
		}
		via = "group " + g
	}
	id := rr.Type
	if id == "" {
		id = rr.ID
	}
	return evidence.Role{ID: id, Name: rr.Label, Via: via}
}

type assigneePage struct {
	Value []idOnly `json:"value"`
	Links struct {
		Next struct {
			Href string `json:"href"`
		} `json:"next"`
	} `json:"_links"`
}

// adminRoles finds every user holding an admin role with
// /api/v1/iam/assignees/users (paged in the body), reads each one's roles,
// and adds the roles members hold through groups (read by groups).
func (r *run) adminRoles(ctx context.Context) {
	var ids []string
	path := "/api/v1/iam/assignees/users?limit=100"
	g := newPageGuard(r.c.cfg.MaxPages)
	for path != "" {
		if err := g.next(path); err != nil {
			r.src.SetCoverage(evidence.CoverageFromError(evidence.DSRoles, len(ids), err))
			return
		}
		var page assigneePage
		if _, err := r.c.get(ctx, path, &page); err != nil {
			r.src.SetCoverage(evidence.CoverageFromError(evidence.DSRoles, 0, err))
			return
		}
		for _, v := range page.Value {
			ids = append(ids, v.ID)
		}
		next := page.Links.Next.Href
		if next == "" || len(page.Value) == 0 {
			break
		}
		u, err := url.Parse(next)
		if err != nil {
			r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRoles, Status: evidence.Errored,
				Detail: "okta: /api/v1/iam/assignees/users: unusable next link"})
			return
		}
		path = u.RequestURI()
	}
	roles := make([][]rawRole, len(ids))
	errs := make([]error, len(ids))
	r.c.forEach(ctx, len(ids), func(ctx context.Context, i int) {
		_, errs[i] = r.c.get(ctx, "/api/v1/users/"+url.PathEscape(ids[i])+"/roles", &roles[i])
	})
	var failed []string
	var firstErr error
	for i, id := range ids {
		if errs[i] != nil {
			failed = append(failed, id)
			if firstErr == nil {
				firstErr = errs[i]
			}
			continue
		}
		for _, rr := range roles[i] {
			if rr.Status != "" && rr.Status != "ACTIVE" {
				continue
			}
			r.addRole(id, rr.toRole())
		}
	}
	// Roles held through groups, whether or not the assignees list named
	// their members.
	for _, gid := range r.groupIDs {
		for _, rr := range r.groupRoles[gid] {
			if rr.Status != "" && rr.Status != "ACTIVE" {
				continue
			}
			role := rr.toRole()
			role.Via = "group " + gid
			for _, uid := range r.groupMembers[gid] {
				r.addRole(uid, role)
			}
		}
	}
	for id, rs := range r.roles {
		if ai, ok := r.accounts[id]; ok && len(rs) > 0 {
			r.src.Accounts[ai].Roles = rs
			r.src.Accounts[ai].Privileged = true
		}
	}
	for _, id := range failed {
		// Fail closed: an assignee whose roles could not be read still
		// holds some admin role.
		if ai, ok := r.accounts[id]; ok {
			r.src.Accounts[ai].Privileged = true
		}
	}
	cov := evidence.Coverage{Dataset: evidence.DSRoles, Status: evidence.Complete, Items: len(ids)}
	var problems []string
	if len(failed) > 0 {
		problems = append(problems, fmt.Sprintf("roles of %d admin(s) not read (%s): %v", len(failed), strings.Join(capList(failed, 5), ", "), firstErr))
	}
	if !r.groupsRead {
		problems = append(problems, "group role assignments not checked: groups could not be read")
	}
	problems = append(problems, capList(r.groupRoleErrs, 3)...)
	if len(problems) > 0 {
		cov.Status = evidence.Partial
		cov.Detail = strings.Join(problems, "; ")
	}
	r.rolesOK = len(problems) == 0
	r.src.SetCoverage(cov)
}

// addRole records a role for a user unless it is already recorded through
// the same path (the user's own role list also shows group roles).
func (r *run) addRole(uid string, role evidence.Role) {
	for _, have := range r.roles[uid] {
		if have.ID == role.ID && have.Via == role.Via {
			return
		}
	}
	r.roles[uid] = append(r.roles[uid], role)
}

type rawFactor struct {
	ID          string         `json:"id"`
	FactorType  string         `json:"factorType"`
	Provider    string         `json:"provider"`
	VendorName  string         `json:"vendorName"`
	Status      string         `json:"status"`
	Created     string         `json:"created"`
	LastUpdated string         `json:"lastUpdated"`
	Profile     map[string]any `json:"profile"`
}

// factors reads each in-scope user's enrolled factors on the bounded worker
// pool, or, in an incremental collection (p without a full reason), only
// the users p does not carry over. No user is dropped: each ends with its
// methods (read or carried over) or a MethodsError.
func (r *run) factors(ctx context.Context, p *plan) {
	if cov, ok := r.src.CoverageOf(evidence.DSUsers); !ok || cov.Status != evidence.Complete {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSFactors, Status: evidence.Errored, Detail: "users could not be read"})
		return
	}
	total := len(r.src.Accounts)
	readAt := r.opts.Now.UTC()
	var todo []int
	reasons := map[string]int{}
	carried := 0
	for i := range r.src.Accounts {
		acc := &r.src.Accounts[i]
		if p != nil && p.full == "" {
			if old := p.carry[acc.ID]; old != nil {
				r.carryOver(acc, old)
				carried++
				continue
			}
			reasons[p.reasons[acc.ID]]++
		} else {
			reasons[whyFullRead]++
		}
		todo = append(todo, i)
	}
	var done, failed atomic.Int64
	start := time.Now()
	r.progress("okta: factors: %d users to read, %d carried over", len(todo), carried)
	r.c.forEach(ctx, len(todo), func(ctx context.Context, j int) {
		acc := &r.src.Accounts[todo[j]]
		var fs []rawFactor
		_, err := r.c.get(ctx, "/api/v1/users/"+url.PathEscape(acc.ID)+"/factors", &fs)
		if err != nil {
			acc.MethodsError = err.Error()
			failed.Add(1)
		} else {
			for _, f := range fs {
				if f.Status != "ACTIVE" {
					continue
				}
				acc.Methods = append(acc.Methods, r.method(f))
			}
			acc.FactorsReadAt = &readAt
		}
		if d := done.Add(1); d%500 == 0 || d == int64(len(todo)) {
			r.progressETA(d, int64(len(todo)), start)
		}
	})
	r.record(p, len(todo), carried, reasons)
	cov := evidence.Coverage{Dataset: evidence.DSFactors, Status: evidence.Complete, Items: total - int(failed.Load())}
	if n := failed.Load(); n > 0 {
		cov.Status = evidence.Partial
		cov.Detail = fmt.Sprintf("factors of %d of %d users not read (see each account's methods_error)", n, total)
	}
	r.src.SetCoverage(cov)
	r.log.Debug("okta: factors read", "users", total, "read", len(todo), "carried_over", carried, "failed", failed.Load(), "elapsed", time.Since(start))
}

// carryOver copies an account's methods from the previous snapshot. The
// factor ids feed the System Log events' method kinds, and an unknown
// factor type is warned about again, as a fresh read would.
func (r *run) carryOver(acc *evidence.Account, old *evidence.Account) {
	acc.Methods = append([]evidence.Method{}, old.Methods...)
	for i, m := range acc.Methods {
		if m.Created != nil {
			t := *m.Created
			acc.Methods[i].Created = &t
		}
		if m.LastUsed != nil {
			t := *m.LastUsed
			acc.Methods[i].LastUsed = &t
		}
		if _, ok := evidence.OktaFactorKind(m.VendorType, m.VendorProvider); !ok {
			r.warn(fmt.Sprintf("unknown Okta factor factorType %q provider %q: treated as %s", m.VendorType, m.VendorProvider, evidence.KindUnknown))
		}
		r.mu.Lock()
		r.factorOf[m.ID] = m.Kind
		r.mu.Unlock()
	}
	t := *old.FactorsReadAt
	acc.FactorsReadAt = &t
	acc.CarriedOver = true
}

// progressETA reports factor progress with the rate so far and the time
// left at that rate.
func (r *run) progressETA(done, total int64, start time.Time) {
	el := time.Since(start)
	if done == 0 || el <= 0 {
		return
	}
	eta := time.Duration(float64(el) / float64(done) * float64(total-done))
	r.progress("okta: factors %d/%d users re-read (%.0f/s, ETA %s, %d rate-limit waits)",
		done, total, float64(done)/el.Seconds(), eta.Round(time.Second), r.c.pacer.waits.Load())
}

// method normalizes one ACTIVE factor.
func (r *run) method(f rawFactor) evidence.Method {
	kind, ok := evidence.OktaFactorKind(f.FactorType, f.Provider)
	if !ok {
		r.warn(fmt.Sprintf("unknown Okta factor factorType %q provider %q: treated as %s", f.FactorType, f.Provider, evidence.KindUnknown))
	}
	r.mu.Lock()
	r.factorOf[f.ID] = kind
	r.mu.Unlock()
	return evidence.Method{
		Kind: kind, VendorType: f.FactorType, VendorProvider: f.Provider, ID: f.ID,
		Name: factorName(f), Status: f.Status, Created: parseTime(f.Created),
	}
}

// factorName is a short label for an enrolled factor: the device or key
// name, or the last digits of a phone number. E-mail addresses and security
// question texts are left out of the evidence.
func factorName(f rawFactor) string {
	s := func(k string) string { v, _ := f.Profile[k].(string); return v }
	switch f.FactorType {
	case "sms", "call":
		return maskPhone(s("phoneNumber"))
	case "webauthn":
		return s("authenticatorName")
	case "push", "signed_nonce":
		return s("name")
	}
	return ""
}

func maskPhone(p string) string {
	var digits []rune
	for _, c := range p {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	if len(digits) < 4 {
		return ""
	}
	return "…" + string(digits[len(digits)-4:])
}

// parseTime reads an Okta timestamp; empty or malformed values give nil.
func parseTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
