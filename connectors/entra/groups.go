package entra

// This file reads the groups dataset: transitive members of the groups
// the policies and roles reference.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

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
