package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// perUserMFAEndpoint is the only beta read: per-user MFA (the legacy
// "enabled/enforced" state) is not in Graph v1.0 (Graph beta
// "Get authentication requirements": strongAuthenticationRequirements
// perUserMfaState disabled | enabled | enforced).
const perUserMFAEndpoint = "/beta/users/{id}/authentication/requirements"

// perUserMFA reads the per-user MFA state of the accounts no enforced
// Conditional Access policy asks for MFA in every context (the only ones
// that can have a password-only path), bounded and concurrent like the
// methods fallback: a tenant whose policies cover everyone costs no call.
// Security defaults, when on, decide instead. An account whose state
// cannot be read keeps PerUserMFA "" and its password-only paths say
// unverified.
func (r *run) perUserMFA(ctx context.Context) {
	s := r.src.Policies.Entra
	if s == nil || (s.SecurityDefaults != nil && *s.SecurityDefaults) || r.src.Policies.Engine != evidence.EngineEntra {
		return
	}
	var ids []string
	for id, a := range r.accounts {
		if !r.coveredByMFA(a) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	sort.Strings(ids)
	var denied atomic.Pointer[error]
	var failed atomic.Int64
	type result struct{ id, state string }
	results := make(chan result, len(ids))
	forEach(ctx, r.c.cfg.Concurrency, ids, func() bool { return denied.Load() != nil }, func(ctx context.Context, id string) {
		st, err := r.userMFAState(ctx, id)
		if err != nil {
			if isDenied(err) {
				denied.CompareAndSwap(nil, &err)
			}
			failed.Add(1)
			return
		}
		results <- result{id, st}
	})
	close(results)
	read := 0
	for res := range results {
		r.accounts[res.id].PerUserMFA = res.state
		read++
	}
	switch {
	case denied.Load() != nil:
		r.warn(fmt.Sprintf("per-user MFA state (Graph beta %s, UserAuthenticationMethod.Read.All) denied: password-only paths of %d accounts say unverified", perUserMFAEndpoint, len(ids)))
	case failed.Load() > 0 || read < len(ids):
		r.warn(fmt.Sprintf("per-user MFA state read for %d of %d accounts not covered by an MFA policy (Graph beta %s); the others' password-only paths say unverified", read, len(ids), perUserMFAEndpoint))
	default:
		r.warn(fmt.Sprintf("per-user MFA state read from Graph beta (%s) for the %d accounts no Conditional Access policy asks for MFA in every context", perUserMFAEndpoint, len(ids)))
	}
}

// coveredByMFA: an enforced CA policy targets a for every app, client and
// condition and every way through its grant needs MFA, so per-user MFA
// cannot weaken anything for it.
func (r *run) coveredByMFA(a *evidence.Account) bool {
	for i := range r.src.Policies.Access {
		p := &r.src.Policies.Access[i]
		c := p.Conditions
		if !p.Enabled || p.ReportOnly || c.Apps == nil || !slices.Contains(c.Apps.Include, "All") || len(c.Apps.Exclude) > 0 ||
			len(c.Apps.AuthContexts) > 0 || c.Network != nil || c.Platforms != nil || len(c.RiskLevels) > 0 || len(c.UserRiskLevels) > 0 ||
			c.Device != nil || len(c.Other) > 0 || len(p.Rules) == 0 {
			continue
		}
		if len(c.ClientAppTypes) > 0 && !slices.Contains(c.ClientAppTypes, "all") &&
			!(slices.Contains(c.ClientAppTypes, "browser") && slices.Contains(c.ClientAppTypes, "mobileAppsAndDesktopClients")) {
			continue
		}
		if !allWaysMFA(p.Rules[0].Requirement) || !targetsAccount(c.People, a) {
			continue
		}
		return true
	}
	return false
}

func allWaysMFA(q evidence.Requirement) bool {
	mfa := slices.Contains(q.Controls, "mfa") || q.Strength != nil
	if q.Operator == "AND" {
		return mfa
	}
	for _, c := range q.Controls {
		if c != "mfa" {
			return false
		}
	}
	return mfa
}

// targetsAccount: the people assignment includes a (tenant-wide active
// roles only) and does not exclude it.
func targetsAccount(t evidence.Targets, a *evidence.Account) bool {
	if slices.Contains(t.ExcludeUsers, a.ID) || (a.UserType == "guest" && slices.Contains(t.ExcludeUsers, guestsOrExternal)) {
		return false
	}
	for _, g := range a.Groups {
		if slices.Contains(t.ExcludeGroups, g) {
			return false
		}
	}
	for _, ro := range a.Roles {
		if slices.Contains(t.ExcludeRoles, ro.ID) {
			return false
		}
	}
	if t.All || slices.Contains(t.Users, a.ID) || (a.UserType == "guest" && slices.Contains(t.Users, guestsOrExternal)) {
		return true
	}
	for _, g := range a.Groups {
		if slices.Contains(t.Groups, g) {
			return true
		}
	}
	for _, ro := range a.Roles {
		// Eligible (PIM) and scoped roles are not targeted (checks reads
		// them the same way).
		if slices.Contains(t.Roles, ro.ID) && !strings.HasPrefix(ro.Via, viaEligible) && !strings.Contains(ro.Via, "scope ") {
			return true
		}
	}
	return false
}

// userMFAState reads one account's perUserMfaState.
func (r *run) userMFAState(ctx context.Context, id string) (string, error) {
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.GET
	u, err := url.Parse(r.c.ep.graphRoot + "/beta/users/" + url.PathEscape(id) + "/authentication/requirements")
	if err != nil {
		return "", err
	}
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	v, err := r.c.adapter.SendPrimitive(ctx, ri, "[]byte", abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return "", apiError(evidence.DSAuthMethods, perUserMFAEndpoint, err)
	}
	b, _ := v.([]byte)
	var body struct {
		State string `json:"perUserMfaState"`
	}
	if err := json.Unmarshal(b, &body); err != nil || body.State == "" {
		return "", errors.New("entra: " + perUserMFAEndpoint + ": no perUserMfaState in the answer")
	}
	return body.State, nil
}
