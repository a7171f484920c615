package entra

// This file reads the roles dataset: directory role assignments and the
// PIM eligibility schedules.

import (
	"context"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

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
