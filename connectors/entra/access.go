package entra

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// This file reads Conditional Access policies into Policies.Access as the
// Entra engine (checks/engine_entra.go) evaluates them, and the tenant
// settings beside them (security defaults, named locations): everything
// the policies say, normalized but not pre-judged.

// guestsOrExternal is the includeUsers/excludeUsers value for every guest
// and external user, and the value the normalized targets use for the
// includeGuestsOrExternalUsers / excludeGuestsOrExternalUsers objects.
const guestsOrExternal = "GuestsOrExternalUsers"

// accessPolicy normalizes one CA policy. Report-only policies are kept
// (Enabled false, ReportOnly true): they are evaluated by Entra but never
// enforced (learn.microsoft.com "Conditional Access report-only mode").
func (r *run) accessPolicy(p models.ConditionalAccessPolicyable) evidence.AccessPolicy {
	state := ""
	if st := p.GetState(); st != nil {
		state = st.String()
	}
	ap := evidence.AccessPolicy{ID: deref(p.GetId()), Name: deref(p.GetDisplayName()), Type: evidence.APEntraConditionalAccess,
		Status: state, Enabled: state == "enabled", ReportOnly: state == "enabledForReportingButNotEnforced"}
	var c evidence.Conditions
	if cond := p.GetConditions(); cond != nil {
		if u := cond.GetUsers(); u != nil {
			c.People = r.caTargets(u)
			if g := u.GetIncludeGuestsOrExternalUsers(); g != nil && !slices.Contains(c.People.Users, guestsOrExternal) {
				c.People.Users = append(c.People.Users, guestsOrExternal)
			}
			if g := u.GetExcludeGuestsOrExternalUsers(); g != nil && !slices.Contains(c.People.ExcludeUsers, guestsOrExternal) {
				c.People.ExcludeUsers = append(c.People.ExcludeUsers, guestsOrExternal)
			}
		}
		if a := cond.GetApplications(); a != nil {
			c.Apps = &evidence.AppCondition{Include: a.GetIncludeApplications(), Exclude: a.GetExcludeApplications(),
				UserActions: a.GetIncludeUserActions(), AuthContexts: a.GetIncludeAuthenticationContextClassReferences()}
			if f := a.GetApplicationFilter(); f != nil && deref(f.GetRule()) != "" {
				c.Other = append(c.Other, "application filter "+deref(f.GetRule()))
			}
		}
		for _, t := range cond.GetClientAppTypes() {
			c.ClientAppTypes = append(c.ClientAppTypes, t.String())
		}
		if l := cond.GetLocations(); l != nil && (len(l.GetIncludeLocations()) > 0 || len(l.GetExcludeLocations()) > 0) {
			c.Network = &evidence.Network{Include: l.GetIncludeLocations(), Exclude: l.GetExcludeLocations()}
		}
		if pl := cond.GetPlatforms(); pl != nil && (len(pl.GetIncludePlatforms()) > 0 || len(pl.GetExcludePlatforms()) > 0) {
			c.Platforms = &evidence.IncExc{}
			for _, v := range pl.GetIncludePlatforms() {
				c.Platforms.Include = append(c.Platforms.Include, v.String())
			}
			for _, v := range pl.GetExcludePlatforms() {
				c.Platforms.Exclude = append(c.Platforms.Exclude, v.String())
			}
		}
		for _, v := range cond.GetSignInRiskLevels() {
			c.RiskLevels = append(c.RiskLevels, v.String())
		}
		for _, v := range cond.GetUserRiskLevels() {
			c.UserRiskLevels = append(c.UserRiskLevels, v.String())
		}
		if len(cond.GetServicePrincipalRiskLevels()) > 0 {
			c.Other = append(c.Other, "service principal risk")
		}
		if ir := cond.GetInsiderRiskLevels(); ir != nil {
			c.Other = append(c.Other, "insider risk "+ir.String())
		}
		if af := cond.GetAuthenticationFlows(); af != nil && af.GetTransferMethods() != nil {
			c.Other = append(c.Other, "authentication flow "+af.GetTransferMethods().String())
		}
		if d := cond.GetDevices(); d != nil {
			if f := d.GetDeviceFilter(); f != nil && deref(f.GetRule()) != "" {
				mode := "include"
				if m := f.GetMode(); m != nil {
					mode = m.String()
				}
				c.Device = &evidence.Device{Filter: deref(f.GetRule()), FilterMode: mode}
			}
		}
	}
	ap.Conditions = c
	rule := evidence.AccessRule{ID: ap.ID, Enabled: ap.Enabled, Status: state, Access: "ALLOW"}
	if g := p.GetGrantControls(); g != nil {
		q := evidence.Requirement{Operator: strings.ToUpper(deref(g.GetOperator()))}
		if q.Operator == "" {
			q.Operator = "OR"
		}
		for _, b := range g.GetBuiltInControls() {
			q.Controls = append(q.Controls, b.String())
		}
		for _, t := range g.GetTermsOfUse() {
			q.Controls = append(q.Controls, "termsOfUse:"+t)
		}
		for _, f := range g.GetCustomAuthenticationFactors() {
			q.Controls = append(q.Controls, "custom:"+f)
		}
		if s := g.GetAuthenticationStrength(); s != nil {
			q.Strength = r.strength(s)
		}
		if slices.Contains(q.Controls, "block") {
			rule.Access = "DENY"
		}
		rule.Requirement = q
	}
	if s := p.GetSessionControls(); s != nil {
		if f := s.GetSignInFrequency(); f != nil && deref(f.GetIsEnabled()) && f.GetValue() != nil {
			n := int(deref(f.GetValue()))
			if t := f.GetTypeEscaped(); t != nil && t.String() == "days" {
				n *= 24 * 60
			} else {
				n *= 60
			}
			rule.SessionLifetimeMinutes = n
		}
	}
	ap.Rules = []evidence.AccessRule{rule}
	return ap
}

// strength reads an authentication strength with its combinations verbatim
// (e.g. "password,microsoftAuthenticatorPush", "fido2"): which proofs each
// admits is the engine's business.
func (r *run) strength(s models.AuthenticationStrengthPolicyable) *evidence.AuthenticationStrength {
	out := &evidence.AuthenticationStrength{ID: deref(s.GetId()), Name: deref(s.GetDisplayName()), AllowedCombinations: []string{}}
	for _, c := range s.GetAllowedCombinations() {
		v := c.String()
		if c == 0 || v == "" {
			r.unknownValue("authentication strength combination", "(unknown to this SDK version)")
			v = "unknown"
		}
		out.AllowedCombinations = append(out.AllowedCombinations, v)
	}
	return out
}

// entraSettings returns the source's Entra settings, creating them.
func (r *run) entraSettings() *evidence.EntraSettings {
	if r.src.Policies.Entra == nil {
		r.src.Policies.Entra = &evidence.EntraSettings{}
	}
	return r.src.Policies.Entra
}

// namedLocations reads the CA named locations (ipNamedLocation.isTrusted;
// countryNamedLocation cannot be marked trusted). It returns an error
// when they could not be read.
func (r *run) namedLocations(ctx context.Context) error {
	res, err := r.c.client.Identity().ConditionalAccess().NamedLocations().Get(ctx, nil)
	var locs []evidence.NamedLocation
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateNamedLocationCollectionResponseFromDiscriminatorValue, func(l models.NamedLocationable) error {
			nl := evidence.NamedLocation{ID: deref(l.GetId()), Name: deref(l.GetDisplayName())}
			if ip, ok := l.(models.IpNamedLocationable); ok {
				nl.Trusted = deref(ip.GetIsTrusted())
			}
			locs = append(locs, nl)
			return nil
		})
	}
	if err != nil {
		return apiError(evidence.DSCondAccess, "/identity/conditionalAccess/namedLocations", err)
	}
	s := r.entraSettings()
	s.NamedLocations, s.NamedLocationsKnown = locs, true
	return nil
}

// securityDefaults reads identitySecurityDefaultsEnforcementPolicy.isEnabled.
func (r *run) securityDefaults(ctx context.Context) error {
	p, err := r.c.client.Policies().IdentitySecurityDefaultsEnforcementPolicy().Get(ctx, nil)
	if err == nil && (p == nil || p.GetIsEnabled() == nil) {
		err = errors.New("isEnabled absent from the answer")
	}
	if err != nil {
		return apiError(evidence.DSCondAccess, "/policies/identitySecurityDefaultsEnforcementPolicy", err)
	}
	v := *p.GetIsEnabled()
	r.entraSettings().SecurityDefaults = &v
	return nil
}
