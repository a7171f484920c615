package entra

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// MicrosoftTenantID owns Microsoft's first-party applications; their
// service principals are not third-party.
const MicrosoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

// MicrosoftCorpTenantID is Microsoft's corporate tenant, which owns more
// first-party applications (learn.microsoft.com "Verify first-party
// Microsoft applications in sign-in reports": appOwnerTenantId
// f8cdef31-a31e-4b4a-93e4-5f571e91255a or 72f988bf-86f1-41af-91ab-2d7cd011db47).
const MicrosoftCorpTenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// microsoftOwned: a Microsoft first-party application's owner tenant.
func microsoftOwned(owner string) bool {
	return strings.EqualFold(owner, MicrosoftTenantID) || strings.EqualFold(owner, MicrosoftCorpTenantID)
}

// MaxServicePrincipalDetails bounds the per-service-principal owner and
// app-role-assignment reads (two calls each); beyond it the dataset is
// partial. Microsoft's first-party service principals are never detailed.
const MaxServicePrincipalDetails = 5000

func (r *run) workloads(ctx context.Context) {
	r.applications(ctx)
	r.servicePrincipals(ctx)
}

func (r *run) applications(ctx context.Context) {
	const ep = "/applications"
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{
			Select: []string{"id", "appId", "displayName", "createdDateTime", "passwordCredentials", "keyCredentials"}, Top: &top}})
	var ws []evidence.Workload
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateApplicationCollectionResponseFromDiscriminatorValue, func(a models.Applicationable) error {
			ws = append(ws, evidence.Workload{ID: deref(a.GetId()), Type: evidence.WApplication, Name: deref(a.GetDisplayName()),
				AppID: deref(a.GetAppId()), Enabled: true, OwnerOrg: r.c.cfg.TenantID, Owners: []evidence.Owner{},
				Credentials: credentials(a.GetPasswordCredentials(), a.GetKeyCredentials(), r.src.CollectedAt),
				Created:     timePtr(a.GetCreatedDateTime())})
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSApplications, len(ws), apiError(evidence.DSApplications, ep, err))
		return
	}
	failed := r.details(ctx, ws, func(ctx context.Context, w *evidence.Workload) error {
		res, err := r.c.client.Applications().ByApplicationId(w.ID).Owners().Get(ctx, nil)
		if err == nil {
			w.Owners, err = r.owners(ctx, res)
		}
		return apiError(evidence.DSApplications, "/applications/{id}/owners", err)
	})
	r.src.Workloads = append(r.src.Workloads, ws...)
	if len(failed) > 0 {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSApplications, Status: evidence.Partial, Items: len(ws),
			Detail: fmt.Sprintf("owners of %d applications not read: %s", len(failed), failed[0])})
		return
	}
	r.ok(evidence.DSApplications, len(ws), "")
	r.progress("entra: %d applications", len(ws))
}

// details runs fn over workloads with bounded concurrency and returns the
// failures (first one first).
func (r *run) details(ctx context.Context, ws []evidence.Workload, fn func(context.Context, *evidence.Workload) error) []string {
	idx := make([]int, len(ws))
	for i := range idx {
		idx[i] = i
	}
	var mu sync.Mutex
	var failed []string
	forEach(ctx, r.c.cfg.Concurrency, idx, func() bool { return false }, func(ctx context.Context, i int) {
		if err := fn(ctx, &ws[i]); err != nil {
			mu.Lock()
			failed = append(failed, ws[i].ID+": "+err.Error())
			mu.Unlock()
		}
	})
	if ctx.Err() != nil {
		failed = append(failed, ctx.Err().Error())
	}
	sort.Strings(failed)
	return failed
}

func (r *run) owners(ctx context.Context, res models.DirectoryObjectCollectionResponseable) ([]evidence.Owner, error) {
	out := []evidence.Owner{}
	_, err := iterate(ctx, r.c, res, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue, func(o models.DirectoryObjectable) error {
		id := deref(o.GetId())
		ow := evidence.Owner{ID: id, Privileged: len(r.roleByPrincipal[id]) > 0}
		switch v := o.(type) {
		case models.Userable:
			ow.Name = firstNonEmpty(deref(v.GetUserPrincipalName()), deref(v.GetDisplayName()))
			switch {
			case v.GetAccountEnabled() != nil:
				ow.Active = *v.GetAccountEnabled()
			case r.disabled[id]:
				ow.Active = false
			default:
				// Known enabled, or users not read: not accused of being inactive.
				ow.Active = r.accounts[id] != nil || !r.usersOK
			}
		case models.ServicePrincipalable:
			ow.Name = deref(v.GetDisplayName())
			ow.Active = v.GetAccountEnabled() == nil || *v.GetAccountEnabled()
		default:
			ow.Name = deref(o.GetOdataType())
			ow.Active = true
		}
		out = append(out, ow)
		return nil
	})
	return out, err
}

func (r *run) servicePrincipals(ctx context.Context) {
	const ep = "/servicePrincipals"
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{
			Select: []string{"id", "appId", "displayName", "accountEnabled", "appOwnerOrganizationId", "servicePrincipalType",
				"passwordCredentials", "keyCredentials"}, Top: &top}})
	var ws []evidence.Workload
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateServicePrincipalCollectionResponseFromDiscriminatorValue, func(s models.ServicePrincipalable) error {
			id := deref(s.GetId())
			owner := ""
			if o := s.GetAppOwnerOrganizationId(); o != nil {
				owner = o.String()
			}
			enabled := s.GetAccountEnabled() == nil || *s.GetAccountEnabled()
			r.spEnabled[id] = enabled
			w := evidence.Workload{ID: id, Type: evidence.WServicePrincipal, Name: deref(s.GetDisplayName()), AppID: deref(s.GetAppId()),
				Enabled: enabled, OwnerOrg: owner, Owners: []evidence.Owner{},
				ThirdParty:  owner != "" && !strings.EqualFold(owner, r.c.cfg.TenantID) && !microsoftOwned(owner),
				Credentials: credentials(s.GetPasswordCredentials(), s.GetKeyCredentials(), r.src.CollectedAt),
				Roles:       r.roleByPrincipal[id]}
			ws = append(ws, w)
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSServicePrincipals, len(ws), apiError(evidence.DSServicePrincipals, ep, err))
		return
	}
	// Owners and grants only for non-Microsoft service principals, bounded.
	var detail []evidence.Workload
	var skipped int
	for _, w := range ws {
		if microsoftOwned(w.OwnerOrg) {
			continue
		}
		if len(detail) >= MaxServicePrincipalDetails {
			skipped++
			continue
		}
		detail = append(detail, w)
	}
	roles := &appRoleNames{r: r, names: map[string]map[string]string{}}
	failed := r.details(ctx, detail, func(ctx context.Context, w *evidence.Workload) error {
		ores, err := r.c.client.ServicePrincipals().ByServicePrincipalId(w.ID).Owners().Get(ctx, nil)
		if err == nil {
			w.Owners, err = r.owners(ctx, ores)
		}
		if err != nil {
			return apiError(evidence.DSServicePrincipals, "/servicePrincipals/{id}/owners", err)
		}
		ares, err := r.c.client.ServicePrincipals().ByServicePrincipalId(w.ID).AppRoleAssignments().Get(ctx, nil)
		if err == nil {
			_, err = iterate(ctx, r.c, ares, models.CreateAppRoleAssignmentCollectionResponseFromDiscriminatorValue, func(a models.AppRoleAssignmentable) error {
				w.Grants = append(w.Grants, roles.name(ctx, a))
				return nil
			})
		}
		sort.Strings(w.Grants)
		return apiError(evidence.DSServicePrincipals, "/servicePrincipals/{id}/appRoleAssignments", err)
	})
	byID := map[string]evidence.Workload{}
	for _, w := range detail {
		byID[w.ID] = w
	}
	for i := range ws {
		if d, ok := byID[ws[i].ID]; ok {
			ws[i] = d
		}
	}
	r.src.Workloads = append(r.src.Workloads, ws...)
	switch {
	case len(failed) > 0:
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSServicePrincipals, Status: evidence.Partial, Items: len(ws),
			Detail: fmt.Sprintf("owners/app role assignments of %d service principals not read: %s", len(failed), failed[0])})
	case skipped > 0:
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSServicePrincipals, Status: evidence.Partial, Items: len(ws),
			Detail: fmt.Sprintf("owners and grants read for the first %d non-Microsoft service principals; %d skipped", MaxServicePrincipalDetails, skipped)})
	default:
		r.ok(evidence.DSServicePrincipals, len(ws), fmt.Sprintf("owners and application permission grants read for %d non-Microsoft service principals (delegated grants not read)", len(detail)))
	}
	r.progress("entra: %d service principals", len(ws))
}

// appRoleNames resolves app role ids to permission names (Directory.ReadWrite.All)
// by reading each resource service principal's appRoles once.
type appRoleNames struct {
	r     *run
	mu    sync.Mutex
	names map[string]map[string]string // resource id → app role id → value
}

func (a *appRoleNames) name(ctx context.Context, ra models.AppRoleAssignmentable) string {
	res, role := "", ""
	if v := ra.GetResourceId(); v != nil {
		res = v.String()
	}
	if v := ra.GetAppRoleId(); v != nil {
		role = v.String()
	}
	a.mu.Lock()
	m, ok := a.names[res]
	a.mu.Unlock()
	if !ok && res != "" {
		m = map[string]string{}
		sp, err := a.r.c.client.ServicePrincipals().ByServicePrincipalId(res).Get(ctx, &serviceprincipals.ServicePrincipalItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ServicePrincipalItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName", "appRoles"}}})
		if err == nil && sp != nil {
			for _, ar := range sp.GetAppRoles() {
				if ar.GetId() != nil {
					m[ar.GetId().String()] = deref(ar.GetValue())
				}
			}
		}
		a.mu.Lock()
		a.names[res] = m
		a.mu.Unlock()
	}
	if v := m[role]; v != "" {
		return v
	}
	if role == "00000000-0000-0000-0000-000000000000" {
		return deref(ra.GetResourceDisplayName()) + ": default access"
	}
	return deref(ra.GetResourceDisplayName()) + ": app role " + role
}

func credentials(pw []models.PasswordCredentialable, kc []models.KeyCredentialable, now time.Time) []evidence.Credential {
	out := []evidence.Credential{}
	active := func(start, end *time.Time) bool {
		return (start == nil || !start.After(now)) && (end == nil || end.After(now))
	}
	// SAML token signing (Graph servicePrincipal addTokenSigningCertificate:
	// "keyCredentials ... usage Sign ... usage Verify ... passwordCredentials
	// ... the password for the private key", all sharing one
	// customKeyIdentifier): one signing certificate, not a client secret
	// and not a spare key.
	signing := map[string]bool{}
	for _, k := range kc {
		if strings.EqualFold(deref(k.GetUsage()), "Sign") && len(k.GetCustomKeyIdentifier()) > 0 {
			signing[string(k.GetCustomKeyIdentifier())] = true
		}
	}
	for _, p := range pw {
		if signing[string(p.GetCustomKeyIdentifier())] && len(p.GetCustomKeyIdentifier()) > 0 {
			continue // the PFX password of a signing certificate
		}
		c := evidence.Credential{Type: evidence.CredSecret, Name: deref(p.GetDisplayName()),
			Created: timePtr(p.GetStartDateTime()), Expires: timePtr(p.GetEndDateTime())}
		if id := p.GetKeyId(); id != nil {
			c.ID = id.String()
		}
		c.Active = active(c.Created, c.Expires)
		out = append(out, c)
	}
	for _, k := range kc {
		typ := evidence.CredCertificate
		if strings.EqualFold(deref(k.GetTypeEscaped()), "Symmetric") {
			typ = evidence.CredSecret
		}
		name := deref(k.GetDisplayName())
		if cki := string(k.GetCustomKeyIdentifier()); signing[cki] {
			if !strings.EqualFold(deref(k.GetUsage()), "Sign") {
				continue // the Verify half of the same certificate
			}
			name = strings.TrimSpace("SAML token signing " + name)
		}
		c := evidence.Credential{Type: typ, Name: name,
			Created: timePtr(k.GetStartDateTime()), Expires: timePtr(k.GetEndDateTime())}
		if id := k.GetKeyId(); id != nil {
			c.ID = id.String()
		}
		c.Active = active(c.Created, c.Expires)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
