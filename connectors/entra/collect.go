package entra

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// LogRetentionDays is how long Entra keeps directory audits with an Entra ID
// P1/P2 licence (7 days without); the connector cannot see the licence
// reliably, so it assumes P1/P2, which the registration report and
// Conditional Access already require.
const LogRetentionDays = 30

// run holds the state of one Collect.
type run struct {
	c    *Connector
	opts evidence.CollectOptions
	log  *slog.Logger
	src  *evidence.Source

	mu       sync.Mutex
	accounts map[string]*evidence.Account // enabled users by id
	disabled map[string]bool              // disabled user ids
	usersOK  bool
	// groupRefs are the group ids referenced by policies and role assignments.
	groupRefs map[string]bool
	// roleByPrincipal collects directory roles per principal id.
	roleByPrincipal map[string][]evidence.Role
	spEnabled       map[string]bool // service principal id → accountEnabled
	unknown         map[string]int  // unknown vendor values → count
	recoveryKinds   []evidence.MethodKind
	methodsPolicyOK bool
}

func (r *run) progress(format string, args ...any) {
	if r.opts.Progress != nil {
		r.opts.Progress(format, args...)
	}
}

func (r *run) warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.src.Warnings = append(r.src.Warnings, msg)
	r.log.Warn("entra: " + msg)
}

func (r *run) unknownValue(what, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unknown[what+" "+fmt.Sprintf("%q", v)]++
}

// fail records a dataset failure as coverage and logs it.
func (r *run) fail(dataset string, items int, err error) {
	cov := evidence.CoverageFromError(dataset, items, err)
	r.src.SetCoverage(cov)
	r.log.Warn("entra: dataset not read", "dataset", dataset, "status", string(cov.Status), "detail", cov.Detail)
}

func (r *run) ok(dataset string, items int, detail string) {
	r.src.SetCoverage(evidence.Coverage{Dataset: dataset, Status: evidence.Complete, Items: items, Detail: detail})
	r.log.Debug("entra: dataset read", "dataset", dataset, "items", items)
}

// Collect reads the tenant. Every dataset in evidence.Datasets[evidence.Entra]
// gets a coverage entry; Collect returns an error only when nothing could be
// read at all (bad credentials, unreachable endpoint, cancelled context).
func (c *Connector) Collect(ctx context.Context, opts evidence.CollectOptions) (*evidence.Source, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	since := opts.Since
	if since.IsZero() {
		since = now.AddDate(0, 0, -30)
	}
	r := &run{
		c: c, opts: opts, log: logger(opts.Logger),
		src: &evidence.Source{
			Provider: evidence.Entra, Tenant: c.cfg.TenantID, CollectedAt: now,
			AuditWindow:      evidence.Window{Since: since, Until: now},
			LogRetentionDays: LogRetentionDays,
			Accounts:         []evidence.Account{},
		},
		accounts: map[string]*evidence.Account{}, disabled: map[string]bool{},
		groupRefs: map[string]bool{}, roleByPrincipal: map[string][]evidence.Role{},
		spEnabled: map[string]bool{}, unknown: map[string]int{},
	}
	r.log.Info("entra: collecting", "tenant", c.cfg.TenantID, "graph", c.ep.graphRoot)

	if err := r.users(ctx); err != nil && fatal(ctx, err) {
		// Nothing else will work either when the first read cannot
		// authenticate or reach Graph; an answer from Graph (403, 500) is
		// only this dataset's failure.
		return nil, err
	}
	steps := []func(context.Context){
		r.registration, r.methodsPolicy, r.conditionalAccess, r.authorizationPolicy,
		r.roles, r.workloads, r.groups, r.audits, r.perUserMFA,
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		step(ctx)
	}
	r.finish()
	return r.src, nil
}

// users reads /users (enabled ⇒ Accounts, disabled ⇒ OutOfScope).
func (r *run) users(ctx context.Context) error {
	const ep = "/users"
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName", "userPrincipalName", "accountEnabled", "userType", "createdDateTime"},
			Top:    &top,
		}})
	n, disabled := 0, 0
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUserCollectionResponseFromDiscriminatorValue, func(u models.Userable) error {
			n++
			id := deref(u.GetId())
			if id == "" {
				return nil
			}
			if !deref(u.GetAccountEnabled()) {
				// accountEnabled false (or absent, which Graph never returns
				// when selected) is out of scope.
				r.disabled[id] = true
				disabled++
				return nil
			}
			ut := strings.ToLower(deref(u.GetUserType()))
			if ut != "member" && ut != "guest" {
				if ut != "" {
					r.unknownValue("userType", ut)
				}
				ut = "member"
			}
			r.accounts[id] = &evidence.Account{ID: id, Name: deref(u.GetDisplayName()), Login: deref(u.GetUserPrincipalName()),
				Status: "enabled", UserType: ut, Created: timePtr(u.GetCreatedDateTime()), Methods: []evidence.Method{}}
			return nil
		})
	}
	if err != nil {
		err = apiError(evidence.DSUsers, ep, err)
		r.fail(evidence.DSUsers, n, err)
		return err
	}
	r.usersOK = true
	if disabled > 0 {
		r.src.OutOfScope = append(r.src.OutOfScope, evidence.Count{Reason: "accountEnabled false", Count: disabled})
	}
	r.ok(evidence.DSUsers, n, "")
	r.progress("entra: %d users (%d disabled)", n, disabled)
	return nil
}

// registration reads the bulk registration report, or falls back to
// per-user methods when it is denied.
func (r *run) registration(ctx context.Context) {
	const ep = "/reports/authenticationMethods/userRegistrationDetails"
	if !r.usersOK {
		err := errors.New("not read: the users dataset could not be read, so methods cannot be attached to accounts")
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Partial, Detail: err.Error()})
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial, Detail: err.Error()})
		return
	}
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.Reports().AuthenticationMethods().UserRegistrationDetails().Get(ctx,
		&reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetRequestConfiguration{
			QueryParameters: &reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetQueryParameters{Top: &top}})
	if isBadRequest(err) {
		// The v1.0 doc lists only $filter and $orderby for this report; if
		// the service refuses $top, read it with the service's page size.
		r.log.Debug("entra: registration report refused $top; retrying without it")
		res, err = r.c.client.Reports().AuthenticationMethods().UserRegistrationDetails().Get(ctx, nil)
	}
	n := 0
	seen := map[string]bool{}
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUserRegistrationDetailsCollectionResponseFromDiscriminatorValue, func(d models.UserRegistrationDetailsable) error {
			n++
			a := r.accounts[deref(d.GetId())]
			if a == nil {
				return nil // disabled or created after the users read
			}
			seen[a.ID] = true
			if deref(d.GetIsAdmin()) {
				a.Privileged = true
			}
			a.SSPR = &evidence.SSPRState{Enabled: deref(d.GetIsSsprEnabled()), Registered: deref(d.GetIsSsprRegistered()), Capable: deref(d.GetIsSsprCapable())}
			a.Methods = a.Methods[:0]
			for _, v := range d.GetMethodsRegistered() {
				k, ok := evidence.EntraRegisteredKind(v)
				if !ok {
					r.unknownValue("methodsRegistered", v)
				}
				a.Methods = append(a.Methods, evidence.Method{Kind: k, VendorType: v})
			}
			return nil
		})
	}
	if err == nil {
		missing := 0
		for id, a := range r.accounts {
			if !seen[id] {
				missing++
				a.MethodsError = "absent from the registration report"
			}
		}
		if missing > 0 {
			r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Partial, Items: n,
				Detail: fmt.Sprintf("%d enabled users are absent from the registration report (it can lag behind new accounts)", missing)})
		} else {
			r.ok(evidence.DSRegDetails, n, "")
		}
		// The per-user endpoint is a fallback: not needed when the report was read.
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Complete,
			Detail: "not read per user: methods come from the registration report (one method per registered kind)"})
		r.progress("entra: registration report, %d rows", n)
		return
	}
	err = apiError(evidence.DSRegDetails, ep, err)
	r.fail(evidence.DSRegDetails, n, err)
	if !isDenied(err) {
		// An error (not a denial) mid-report: methods are unknown; the
		// fallback would cost one call per user, so it is kept for denials.
		for _, a := range r.accounts {
			a.Methods, a.MethodsError = []evidence.Method{}, "registration report could not be read"
		}
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial,
			Detail: "not read: the per-user fallback is used only when the report is denied"})
		return
	}
	r.warn(fmt.Sprintf("registration report denied (%s); fell back to per-user /users/{id}/authentication/methods for %d accounts", needed[evidence.DSRegDetails], len(r.accounts)))
	r.perUserMethods(ctx)
}

// perUserMethods is the fallback: one bounded, concurrent call per account.
func (r *run) perUserMethods(ctx context.Context) {
	ids := make([]string, 0, len(r.accounts))
	for id := range r.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var denied atomic.Pointer[error]
	var failed, done atomic.Int64
	type result struct {
		id      string
		methods []evidence.Method
		err     error
	}
	results := make(chan result, len(ids))
	forEach(ctx, r.c.cfg.Concurrency, ids, func() bool { return denied.Load() != nil }, func(ctx context.Context, id string) {
		ms, err := r.userMethods(ctx, id)
		if err != nil && isDenied(err) {
			denied.CompareAndSwap(nil, &err)
		}
		results <- result{id, ms, err}
		if d := done.Add(1); d%1000 == 0 {
			r.progress("entra: per-user methods %d/%d", d, len(ids))
		}
	})
	close(results)
	read := 0
	for res := range results {
		a := r.accounts[res.id]
		if res.err != nil {
			failed.Add(1)
			a.MethodsError = res.err.Error()
			continue
		}
		read++
		a.Methods = res.methods
	}
	if p := denied.Load(); p != nil {
		for _, a := range r.accounts {
			if a.MethodsError == "" && len(a.Methods) == 0 {
				a.MethodsError = "per-user methods denied"
			}
		}
		r.fail(evidence.DSAuthMethods, read, *p)
		return
	}
	if ctx.Err() != nil || int(failed.Load()) > 0 || read < len(ids) {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial, Items: read,
			Detail: fmt.Sprintf("fallback: %d of %d accounts read; %d failed (see methods_error)", read, len(ids), failed.Load())})
		return
	}
	r.ok(evidence.DSAuthMethods, read, "fallback for the denied registration report: instance-level methods, one call per account")
}

func (r *run) userMethods(ctx context.Context, id string) ([]evidence.Method, error) {
	ep := "/users/{id}/authentication/methods"
	res, err := r.c.client.Users().ByUserId(id).Authentication().Methods().Get(ctx, nil)
	out := []evidence.Method{}
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateAuthenticationMethodCollectionResponseFromDiscriminatorValue, func(m models.AuthenticationMethodable) error {
			out = append(out, r.method(m))
			return nil
		})
	}
	if err != nil {
		return nil, apiError(evidence.DSAuthMethods, ep, err)
	}
	return out, nil
}

func (r *run) method(m models.AuthenticationMethodable) evidence.Method {
	typ := deref(m.GetOdataType())
	phoneType := ""
	var name string
	var created *time.Time
	switch v := m.(type) {
	case models.PhoneAuthenticationMethodable:
		if pt := v.GetPhoneType(); pt != nil {
			phoneType = pt.String()
		}
		name = strings.TrimSpace(phoneType + " " + maskPhone(deref(v.GetPhoneNumber())))
	case models.Fido2AuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.MicrosoftAuthenticatorAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.WindowsHelloForBusinessAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.PlatformCredentialAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.EmailAuthenticationMethodable:
		name = maskEmail(deref(v.GetEmailAddress()))
	case models.TemporaryAccessPassAuthenticationMethodable:
		created = timePtr(v.GetCreatedDateTime())
	}
	k, ok := evidence.EntraMethodODataKind(typ, phoneType)
	if !ok {
		r.unknownValue("authentication method @odata.type", typ)
	}
	return evidence.Method{Kind: k, VendorType: typ, ID: deref(m.GetId()), Name: name, Created: created}
}

// maskPhone keeps the last two digits: the report needs to tell numbers
// apart, not to dial them.
func maskPhone(p string) string {
	digits := 0
	for _, ch := range p {
		if ch >= '0' && ch <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return ""
	}
	var b strings.Builder
	seen := 0
	for _, ch := range p {
		if ch >= '0' && ch <= '9' {
			seen++
			if seen <= digits-2 && seen > 1 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func maskEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at <= 0 {
		return ""
	}
	return e[:1] + "***" + e[at:]
}

func timePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// roles reads directory role assignments and definitions.
func (r *run) roles(ctx context.Context) {
	names := map[string]string{}
	res, err := r.c.client.RoleManagement().Directory().RoleDefinitions().Get(ctx, &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetQueryParameters{Select: []string{"id", "templateId", "displayName"}}})
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUnifiedRoleDefinitionCollectionResponseFromDiscriminatorValue, func(d models.UnifiedRoleDefinitionable) error {
			names[deref(d.GetId())] = deref(d.GetDisplayName())
			if t := deref(d.GetTemplateId()); t != "" {
				names[t] = deref(d.GetDisplayName())
			}
			return nil
		})
	}
	if err != nil {
		// Names are cosmetic: keep going with ids.
		r.warn("role definitions not read (" + apiError(evidence.DSRoles, "/roleManagement/directory/roleDefinitions", err).Error() + "); roles are named by id")
	}
	n := 0
	ares, err := r.c.client.RoleManagement().Directory().RoleAssignments().Get(ctx, nil)
	if err == nil {
		_, err = iterate(ctx, r.c, ares, models.CreateUnifiedRoleAssignmentCollectionResponseFromDiscriminatorValue, func(a models.UnifiedRoleAssignmentable) error {
			n++
			rid, pid := deref(a.GetRoleDefinitionId()), deref(a.GetPrincipalId())
			if rid == "" || pid == "" {
				return nil
			}
			via := "direct"
			if s := deref(a.GetDirectoryScopeId()); s != "" && s != "/" {
				via = "direct, scope " + s
			}
			name := names[rid]
			if name == "" {
				name = rid
			}
			r.roleByPrincipal[pid] = append(r.roleByPrincipal[pid], evidence.Role{ID: rid, Name: name, Via: via})
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSRoles, n, apiError(evidence.DSRoles, "/roleManagement/directory/roleAssignments", err))
		return
	}
	detail := "active assignments and PIM-eligible assignments"
	m, err := r.eligibleRoles(ctx, names)
	if err != nil {
		// The active assignments are complete; only the eligible ones are
		// missing, which the warning says (the dataset list is fixed, so
		// there is no dataset of their own to mark).
		detail = "active assignments only: PIM-eligible assignments could not be read"
		if isDenied(err) || isLicenceError(err) {
			r.warn(pimWarning)
		} else {
			r.warn("PIM-eligible role assignments could not be read (" + err.Error() + "): accounts eligible for admin roles are judged as non-privileged")
		}
	}
	for pid, roles := range r.roleByPrincipal {
		if a := r.accounts[pid]; a != nil {
			a.Roles = append(a.Roles, roles...)
			a.Privileged = true
		}
	}
	r.ok(evidence.DSRoles, n+m, detail)
	r.progress("entra: %d role assignments, %d PIM eligibilities", n, m)
}

// pimWarning is the Source warning when Graph refuses the PIM eligibility
// schedules (no Entra ID P2 licence or no permission).
const pimWarning = "PIM-eligible role assignments could not be read (needs Entra ID P2 and RoleManagement.Read.Directory): accounts eligible for admin roles are judged as non-privileged"

// viaEligible labels a role a principal may activate through PIM.
const viaEligible = "eligible (PIM)"

// eligibleRoles reads the PIM role eligibility schedules and records each
// provisioned, unexpired one in roleByPrincipal with Via "eligible (PIM)".
// It returns the number recorded. Eligibilities are added only when the
// whole list was read, so a failure leaves roleByPrincipal as it was.
func (r *run) eligibleRoles(ctx context.Context, names map[string]string) (int, error) {
	const ep = "/roleManagement/directory/roleEligibilitySchedules"
	res, err := r.c.client.RoleManagement().Directory().RoleEligibilitySchedules().Get(ctx, nil)
	found := map[string][]evidence.Role{}
	m := 0
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUnifiedRoleEligibilityScheduleCollectionResponseFromDiscriminatorValue, func(e models.UnifiedRoleEligibilityScheduleable) error {
			rid, pid := deref(e.GetRoleDefinitionId()), deref(e.GetPrincipalId())
			if rid == "" || pid == "" || !eligibilityInForce(e, r.src.CollectedAt) {
				return nil
			}
			via := viaEligible
			if s := deref(e.GetDirectoryScopeId()); s != "" && s != "/" {
				via += ", scope " + s
			}
			name := names[rid]
			if name == "" {
				name = rid
			}
			found[pid] = append(found[pid], evidence.Role{ID: rid, Name: name, Via: via})
			m++
			return nil
		})
	}
	if err != nil {
		return 0, apiError(evidence.DSRoles, ep, err)
	}
	for pid, roles := range found {
		r.roleByPrincipal[pid] = append(r.roleByPrincipal[pid], roles...)
	}
	return m, nil
}

// eligibilityInForce reports whether a schedule grants eligibility at now:
// status Provisioned (or absent), started, and not past its end.
func eligibilityInForce(e models.UnifiedRoleEligibilityScheduleable, now time.Time) bool {
	if s := deref(e.GetStatus()); s != "" && !strings.EqualFold(s, "Provisioned") {
		return false
	}
	si := e.GetScheduleInfo()
	if si == nil {
		return true
	}
	if st := si.GetStartDateTime(); st != nil && st.After(now) {
		return false
	}
	if ex := si.GetExpiration(); ex != nil {
		if end := ex.GetEndDateTime(); end != nil && !end.After(now) {
			return false
		}
	}
	return true
}

// groups resolves the transitive user members of the groups referenced by
// methods/CA policies and of groups holding directory roles. Listing every
// group's members would cost one call per group of the directory; this
// costs one per referenced group.
func (r *run) groups(ctx context.Context) {
	// Role principals that are neither users nor service principals are
	// role-assignable groups — which can be told only when the users were
	// read.
	for pid := range r.roleByPrincipal {
		if r.usersOK && r.accounts[pid] == nil && !r.disabled[pid] {
			if _, sp := r.spEnabled[pid]; !sp {
				r.groupRefs[pid] = true
			}
		}
	}
	ids := make([]string, 0, len(r.groupRefs))
	for id := range r.groupRefs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	members := map[string][]string{}
	var firstErr error
	resolved := 0
	for _, gid := range ids {
		if ctx.Err() != nil {
			firstErr = ctx.Err()
			break
		}
		g, err := r.c.client.Groups().ByGroupId(gid).Get(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}}})
		if err != nil {
			if isNotFound(err) {
				if _, isRole := r.roleByPrincipal[gid]; !isRole {
					r.warn("group " + gid + " is referenced by a policy but does not exist")
				}
				continue
			}
			firstErr = apiError(evidence.DSGroups, "/groups/{id}", err)
			break
		}
		top := int32(r.c.cfg.PageSize)
		res, err := r.c.client.Groups().ByGroupId(gid).TransitiveMembers().GraphUser().Get(ctx,
			&groups.ItemTransitiveMembersGraphUserRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.ItemTransitiveMembersGraphUserRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &top}})
		var ms []string
		if err == nil {
			_, err = iterate(ctx, r.c, res, models.CreateUserCollectionResponseFromDiscriminatorValue, func(u models.Userable) error {
				ms = append(ms, deref(u.GetId()))
				return nil
			})
		}
		if err != nil {
			firstErr = apiError(evidence.DSGroups, "/groups/{id}/transitiveMembers/microsoft.graph.user", err)
			break
		}
		resolved++
		members[gid] = ms
		r.src.Groups = append(r.src.Groups, evidence.Group{ID: gid, Name: deref(g.GetDisplayName()), Members: len(ms)})
	}
	for gid, ms := range members {
		roles := r.roleByPrincipal[gid]
		for _, uid := range ms {
			a := r.accounts[uid]
			if a == nil {
				continue
			}
			a.Groups = append(a.Groups, gid)
			for _, role := range roles {
				if strings.HasPrefix(role.Via, viaEligible) {
					role.Via = viaEligible + " via group " + gid
				} else {
					role.Via = "group " + gid
				}
				a.Roles = append(a.Roles, role)
				a.Privileged = true
			}
		}
	}
	if firstErr != nil {
		r.fail(evidence.DSGroups, resolved, firstErr)
		return
	}
	if !r.usersOK {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSGroups, Status: evidence.Partial, Items: resolved,
			Detail: fmt.Sprintf("%d policy-referenced groups resolved, but the users dataset could not be read: memberships cannot be attached to accounts and role-holding groups cannot be told from users", resolved)})
		return
	}
	r.ok(evidence.DSGroups, resolved, fmt.Sprintf("transitive user members of the %d groups referenced by policies and role assignments", resolved))
}

// audits reads directory audits in the window and keeps the recovery events.
func (r *run) audits(ctx context.Context) {
	const ep = "/auditLogs/directoryAudits"
	filter := "activityDateTime ge " + r.src.AuditWindow.Since.UTC().Format(time.RFC3339)
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.AuditLogs().DirectoryAudits().Get(ctx, &auditlogs.DirectoryAuditsRequestBuilderGetRequestConfiguration{
		QueryParameters: &auditlogs.DirectoryAuditsRequestBuilderGetQueryParameters{Filter: &filter, Top: &top}})
	n := 0
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateDirectoryAuditCollectionResponseFromDiscriminatorValue, func(a models.DirectoryAuditable) error {
			n++
			if ev, ok := auditEvent(a); ok {
				r.src.Events = append(r.src.Events, ev)
			}
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSAudits, n, apiError(evidence.DSAudits, ep, err))
		return
	}
	r.ok(evidence.DSAudits, n, fmt.Sprintf("%d audit records since %s, %d recovery events", n, r.src.AuditWindow.Since.UTC().Format(time.RFC3339), len(r.src.Events)))
	r.progress("entra: %d directory audit records", n)
}

// auditEvent maps the activities the catalog uses (names verbatim from the
// Entra audit activity reference); everything else is skipped.
func auditEvent(a models.DirectoryAuditable) (evidence.Event, bool) {
	name := deref(a.GetActivityDisplayName())
	text := auditText(a)
	var kind evidence.EventKind
	switch name {
	case "Admin deleted security info":
		kind = evidence.EvFactorReset
	case "Admin registered security info":
		kind = evidence.EvMethodEnrolled
		if strings.Contains(text, "temporary access pass") || strings.Contains(text, "temporaryaccesspass") {
			kind = evidence.EvTAPIssued
		}
	case "User registered security info":
		kind = evidence.EvMethodEnrolled
	case "User deleted security info":
		kind = evidence.EvMethodRemoved
	case "Reset password (by admin)", "Reset user password":
		kind = evidence.EvPasswordResetAdmin
	case "Reset password (self-service)":
		kind = evidence.EvPasswordResetSelf
	case "Unlock user account (self-service)":
		kind = evidence.EvUnlock
	default:
		return evidence.Event{}, false
	}
	ev := evidence.Event{ID: deref(a.GetId()), Kind: kind, VendorType: name, MethodKind: methodInText(text)}
	if kind == evidence.EvTAPIssued {
		ev.MethodKind = evidence.KindTAP
	}
	if t := a.GetActivityDateTime(); t != nil {
		ev.Time = t.UTC()
	}
	if res := a.GetResult(); res != nil {
		ev.Outcome = res.String()
	}
	if ib := a.GetInitiatedBy(); ib != nil {
		if u := ib.GetUser(); u != nil && deref(u.GetId()) != "" {
			ev.Actor = evidence.Principal{ID: deref(u.GetId()), Name: firstNonEmpty(deref(u.GetUserPrincipalName()), deref(u.GetDisplayName())), Type: "user"}
		} else if app := ib.GetApp(); app != nil {
			ev.Actor = evidence.Principal{ID: firstNonEmpty(deref(app.GetServicePrincipalId()), deref(app.GetAppId())), Name: deref(app.GetDisplayName()), Type: "app"}
		}
	}
	for _, t := range a.GetTargetResources() {
		if strings.EqualFold(deref(t.GetTypeEscaped()), "user") {
			ev.Target = evidence.Principal{ID: deref(t.GetId()), Name: firstNonEmpty(deref(t.GetUserPrincipalName()), deref(t.GetDisplayName())), Type: "user"}
			break
		}
	}
	return ev, true
}

// auditText gathers the free text that names the method (result reason,
// additional details, modified properties), lower-cased.
func auditText(a models.DirectoryAuditable) string {
	parts := []string{deref(a.GetResultReason())}
	for _, kv := range a.GetAdditionalDetails() {
		parts = append(parts, deref(kv.GetKey())+"="+deref(kv.GetValue()))
	}
	for _, t := range a.GetTargetResources() {
		for _, mp := range t.GetModifiedProperties() {
			parts = append(parts, deref(mp.GetDisplayName()), deref(mp.GetNewValue()))
		}
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// methodInText recognises the method named in an audit record's text
// ("Admin deleted Phone method for user"); "" when none is recognisable.
func methodInText(text string) evidence.MethodKind {
	for _, m := range []struct {
		needle string
		kind   evidence.MethodKind
	}{
		{"temporary access pass", evidence.KindTAP}, {"temporaryaccesspass", evidence.KindTAP},
		{"fido2", evidence.KindFIDO2}, {"security key", evidence.KindFIDO2}, {"passkey", evidence.KindPasskeyDeviceBound},
		{"windows hello", evidence.KindWindowsHello}, {"authenticator app", evidence.KindPush},
		{"software oath", evidence.KindTOTPSoftware}, {"hardware oath", evidence.KindTOTPHardware},
		{"office phone", evidence.KindVoice}, {"phone", evidence.KindSMS}, {"email", evidence.KindEmailOTP},
		{"security question", evidence.KindSecurityQuestion},
	} {
		if strings.Contains(text, m.needle) {
			return m.kind
		}
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// finish sorts everything and turns the unknown-value tallies into warnings.
func (r *run) finish() {
	ids := make([]string, 0, len(r.accounts))
	for id := range r.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.src.Accounts = make([]evidence.Account, 0, len(ids))
	for _, id := range ids {
		a := r.accounts[id]
		sort.Strings(a.Groups)
		a.Groups = slices.Compact(a.Groups)
		sort.Slice(a.Roles, func(i, j int) bool {
			if a.Roles[i].ID != a.Roles[j].ID {
				return a.Roles[i].ID < a.Roles[j].ID
			}
			return a.Roles[i].Via < a.Roles[j].Via
		})
		r.src.Accounts = append(r.src.Accounts, *a)
	}
	sort.Slice(r.src.Groups, func(i, j int) bool { return r.src.Groups[i].ID < r.src.Groups[j].ID })
	sort.SliceStable(r.src.Events, func(i, j int) bool {
		if !r.src.Events[i].Time.Equal(r.src.Events[j].Time) {
			return r.src.Events[i].Time.Before(r.src.Events[j].Time)
		}
		return r.src.Events[i].ID < r.src.Events[j].ID
	})
	sort.Slice(r.src.Workloads, func(i, j int) bool { return r.src.Workloads[i].ID < r.src.Workloads[j].ID })
	// Owners holding a role through a group (or flagged isAdmin) are
	// privileged too; direct role holders were marked when owners were read.
	for i := range r.src.Workloads {
		for j := range r.src.Workloads[i].Owners {
			o := &r.src.Workloads[i].Owners[j]
			if a := r.accounts[o.ID]; a != nil && a.Privileged {
				o.Privileged = true
			}
		}
	}
	keys := make([]string, 0, len(r.unknown))
	for k := range r.unknown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.warn(fmt.Sprintf("unknown %s (%d times) mapped to %q", k, r.unknown[k], evidence.KindUnknown))
	}
	// Every Entra dataset has a coverage entry, in contract order.
	var cov []evidence.Coverage
	for _, ds := range evidence.Datasets[evidence.Entra] {
		c, ok := r.src.CoverageOf(ds)
		if !ok {
			c = evidence.Coverage{Dataset: ds, Status: evidence.Partial, Detail: "not attempted"}
		}
		cov = append(cov, c)
	}
	r.src.Coverage = cov
	sort.Strings(r.src.Warnings)
}
