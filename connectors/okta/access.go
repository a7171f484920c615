package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// This file turns the sign-in policies Okta returns into
// evidence.AccessPolicy: every policy and rule in Okta's order, with the
// conditions and requirements Okta's engine decides on, read from the wire
// format (developer.okta.com Policy API; okta-sdk-golang okta/api/openapi.yaml
// OktaSignOnPolicyRule, AccessPolicyRule, AccessPolicyConstraints,
// AuthenticationMethodChain, PolicyMapping).

// orgMetadata is GET /.well-known/okta-organization (WellKnownOrgMetadata).
type orgMetadata struct {
	ID       string `json:"id"`
	Pipeline string `json:"pipeline"` // idx = Identity Engine, v1 = Classic
}

// engine reads the org's authentication pipeline. It is public metadata
// (no scope); when it cannot be read the engine is inferred from whether
// authentication policies exist, and a warning says so.
func (r *run) engine(ctx context.Context) string {
	var m orgMetadata
	if _, err := r.c.get(ctx, "/.well-known/okta-organization", &m); err != nil {
		r.warn("Okta engine: /.well-known/okta-organization could not be read (" + err.Error() + "); inferred from the policy types the org has")
		return ""
	}
	switch m.Pipeline {
	case "idx":
		return evidence.EngineOktaIdentity
	case "v1":
		return evidence.EngineOktaClassic
	}
	r.warn(fmt.Sprintf("Okta engine: unknown pipeline %q in /.well-known/okta-organization; inferred from the policy types the org has", m.Pipeline))
	return ""
}

type rawNetwork struct {
	Connection string   `json:"connection"`
	Include    []string `json:"include"`
	Exclude    []string `json:"exclude"`
}

type rawAccessConditions struct {
	People  *rawPeople  `json:"people"`
	Network *rawNetwork `json:"network"`
	Risk    *struct {
		Behaviors []string `json:"behaviors"`
	} `json:"risk"`
	RiskScore *struct {
		Level string `json:"level"`
	} `json:"riskScore"`
	Device *struct {
		Registered *bool `json:"registered"`
		Managed    *bool `json:"managed"`
		Assurance  *struct {
			Include []string `json:"include"`
		} `json:"assurance"`
	} `json:"device"`
	Platform *struct {
		Include []rawPlatform `json:"include"`
		Exclude []rawPlatform `json:"exclude"`
	} `json:"platform"`
	UserType    *rawIncExc `json:"userType"`
	ElCondition *struct {
		Condition string `json:"condition"`
	} `json:"elCondition"`
	AuthContext *struct {
		AuthType string `json:"authType"`
	} `json:"authContext"`
	IdentityProvider *struct {
		Provider string   `json:"provider"`
		IdpIDs   []string `json:"idpIds"`
	} `json:"identityProvider"`
	AuthProvider *struct {
		Provider string `json:"provider"`
	} `json:"authProvider"`
}

type rawPlatform struct {
	Type string `json:"type"`
	OS   *struct {
		Type string `json:"type"`
	} `json:"os"`
}

func (p rawPlatform) String() string {
	if p.OS != nil && p.OS.Type != "" && p.OS.Type != "ANY" {
		return p.Type + " " + p.OS.Type
	}
	return p.Type
}

// knownConditions are the condition keys conditions() models.
var knownConditions = map[string]bool{
	"people": true, "network": true, "risk": true, "riskScore": true, "device": true, "platform": true,
	"userType": true, "elCondition": true, "authContext": true, "identityProvider": true, "authProvider": true,
}

// conditions normalizes a policy's or rule's conditions. Conditions this
// version does not model make the rule context-limited (Conditions.Other),
// never ignored.
func (r *run) conditions(raw json.RawMessage, people evidence.Targets, where string) evidence.Conditions {
	c := evidence.Conditions{People: people}
	if len(raw) == 0 || string(raw) == "null" {
		return c
	}
	var rc rawAccessConditions
	if err := json.Unmarshal(raw, &rc); err != nil {
		r.warn(fmt.Sprintf("%s: conditions not understood (%v): treated as matching only in some contexts", where, err))
		c.Other = append(c.Other, "unreadable")
		return c
	}
	if n := rc.Network; n != nil && n.Connection != "" && n.Connection != "ANYWHERE" {
		c.Network = &evidence.Network{Connection: n.Connection, Include: n.Include, Exclude: n.Exclude, Names: r.zoneNames}
	}
	if rc.RiskScore != nil && rc.RiskScore.Level != "" && rc.RiskScore.Level != "ANY" {
		c.RiskLevels = []string{rc.RiskScore.Level}
	}
	if rc.Risk != nil && len(rc.Risk.Behaviors) > 0 {
		c.Other = append(c.Other, "behavior "+strings.Join(rc.Risk.Behaviors, "/"))
	}
	if d := rc.Device; d != nil {
		dev := &evidence.Device{Registered: d.Registered, Managed: d.Managed}
		if d.Assurance != nil {
			dev.Assurance = d.Assurance.Include
		}
		if (dev.Registered != nil && *dev.Registered) || (dev.Managed != nil && *dev.Managed) || len(dev.Assurance) > 0 {
			c.Device = dev
		}
	}
	if p := rc.Platform; p != nil && (len(p.Include) > 0 || len(p.Exclude) > 0) {
		pl := &evidence.IncExc{}
		for _, x := range p.Include {
			pl.Include = append(pl.Include, x.String())
		}
		for _, x := range p.Exclude {
			pl.Exclude = append(pl.Exclude, x.String())
		}
		c.Platforms = pl
	}
	if u := rc.UserType; u != nil && (len(u.Include) > 0 || len(u.Exclude) > 0) {
		c.UserTypes = &evidence.IncExc{Include: u.Include, Exclude: u.Exclude}
	}
	if e := rc.ElCondition; e != nil && strings.TrimSpace(e.Condition) != "" {
		c.Expression = strings.TrimSpace(e.Condition)
	}
	if a := rc.AuthContext; a != nil && a.AuthType != "" && a.AuthType != "ANY" {
		c.Other = append(c.Other, "authentication type "+a.AuthType)
	}
	if i := rc.IdentityProvider; i != nil && i.Provider != "" && i.Provider != "ANY" {
		c.Other = append(c.Other, "identity provider "+i.Provider)
	}
	if a := rc.AuthProvider; a != nil {
		c.AuthProvider = a.Provider
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) == nil {
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if !knownConditions[k] && string(keys[k]) != "null" && string(keys[k]) != "{}" {
				r.warn(fmt.Sprintf("%s: condition %q is not modelled: the rule is treated as matching only in some contexts", where, k))
				c.Other = append(c.Other, k)
			}
		}
	}
	return c
}

// people converts one people condition (users and groups, include and
// exclude); including the Everyone group means everyone.
func (r *run) people(pp *rawPeople) evidence.Targets {
	var t evidence.Targets
	if pp == nil {
		return t
	}
	if pp.Users != nil {
		t.Users, t.ExcludeUsers = pp.Users.Include, pp.Users.Exclude
	}
	if pp.Groups != nil {
		t.Groups, t.ExcludeGroups = pp.Groups.Include, pp.Groups.Exclude
	}
	if r.everyone != "" && contains(t.Groups, r.everyone) {
		t.All, t.Groups = true, nil
	}
	return t
}

type rawSignonAction struct {
	Signon *struct {
		Access        string `json:"access"`
		RequireFactor *bool  `json:"requireFactor"`
		PrimaryFactor string `json:"primaryFactor"`
		Session       *struct {
			MaxSessionLifetimeMinutes int `json:"maxSessionLifetimeMinutes"`
		} `json:"session"`
	} `json:"signon"`
}

type rawChain struct {
	AuthenticationMethods []evidence.AuthMethodRef `json:"authenticationMethods"`
	Next                  []rawChain               `json:"next"`
}

type rawAppSignOn struct {
	AppSignOn *struct {
		Access             string `json:"access"`
		VerificationMethod *struct {
			FactorMode  string                       `json:"factorMode"`
			Type        string                       `json:"type"`
			Constraints []map[string]json.RawMessage `json:"constraints"`
			Chains      []rawChain                   `json:"chains"`
		} `json:"verificationMethod"`
	} `json:"appSignOn"`
}

type rawConstraintPart struct {
	Types                         []string                 `json:"types"`
	Methods                       []string                 `json:"methods"`
	PhishingResistant             string                   `json:"phishingResistant"`
	UserVerification              string                   `json:"userVerification"`
	DeviceBound                   string                   `json:"deviceBound"`
	HardwareProtection            string                   `json:"hardwareProtection"`
	AuthenticationMethods         []evidence.AuthMethodRef `json:"authenticationMethods"`
	ExcludedAuthenticationMethods []evidence.AuthMethodRef `json:"excludedAuthenticationMethods"`
	Required                      *bool                    `json:"required"`
}

// accessPolicy normalizes a global session (OKTA_SIGN_ON) or authentication
// (ACCESS_POLICY) policy with its rules.
func (r *run) accessPolicy(p *rawPolicy, typ string, raw policyExtras) evidence.AccessPolicy {
	ap := evidence.AccessPolicy{
		ID: p.ID, Name: p.Name, Type: typ, Priority: p.Priority, Status: p.Status,
		Enabled: p.Status == "ACTIVE", System: p.System, Apps: raw.apps, AppsKnown: raw.appsKnown,
		Rules: []evidence.AccessRule{},
	}
	var pp *rawPeople
	if p.Conditions != nil {
		pp = p.Conditions.People
	}
	ap.Conditions = r.conditions(raw.conditions, r.people(pp), "policy "+p.ID)
	// The policy's people condition is the only one a policy carries; the
	// rest of its conditions object is people again.
	ap.Conditions.Other = nil
	for i := range p.rules {
		rule := &p.rules[i]
		where := "rule " + rule.ID + " of policy " + p.ID
		var rp *rawPeople
		if rule.Conditions != nil {
			rp = rule.Conditions.People
		}
		ar := evidence.AccessRule{
			ID: rule.ID, Name: rule.Name, Priority: rule.Priority, Status: rule.Status,
			Enabled: rule.Status == "" || rule.Status == "ACTIVE", System: rule.System,
			Conditions: r.conditions(raw.ruleConditions[rule.ID], r.people(rp), where),
			Access:     "ALLOW",
		}
		switch typ {
		case evidence.APOktaGlobalSession:
			var a rawSignonAction
			if !rawJSON(rule.Actions, &a) || a.Signon == nil {
				r.warn(where + ": no signon action; treated as allowing a one-factor session")
				break
			}
			if a.Signon.Access != "" {
				ar.Access = a.Signon.Access
			}
			ar.Requirement.RequireFactor = a.Signon.RequireFactor != nil && *a.Signon.RequireFactor
			ar.Requirement.PrimaryFactor = a.Signon.PrimaryFactor
			if a.Signon.Session != nil {
				ar.SessionLifetimeMinutes = a.Signon.Session.MaxSessionLifetimeMinutes
			}
		default:
			var a rawAppSignOn
			if !rawJSON(rule.Actions, &a) || a.AppSignOn == nil {
				r.warn(where + ": no appSignOn action; treated as allowing one factor")
				ar.Requirement.FactorMode = "1FA"
				break
			}
			if a.AppSignOn.Access != "" {
				ar.Access = a.AppSignOn.Access
			}
			vm := a.AppSignOn.VerificationMethod
			if vm == nil {
				ar.Requirement.FactorMode = "1FA"
				break
			}
			ar.Requirement.FactorMode, ar.Requirement.Type = vm.FactorMode, vm.Type
			if ar.Requirement.FactorMode == "" {
				// Okta's default for an assurance rule is two factors; an
				// AUTH_METHOD_CHAIN rule spells out its steps instead.
				ar.Requirement.FactorMode = "2FA"
			}
			ar.Requirement.Constraints = r.accessConstraints(vm.Constraints, where)
			for _, ch := range vm.Chains {
				ar.Requirement.Chains = append(ar.Requirement.Chains, flattenChain(ch))
			}
		}
		ap.Rules = append(ap.Rules, ar)
	}
	return ap
}

// flattenChain turns a chain and its next steps into a list of steps.
func flattenChain(ch rawChain) evidence.Chain {
	var out evidence.Chain
	for c := &ch; c != nil; {
		out.Steps = append(out.Steps, c.AuthenticationMethods)
		if len(c.Next) == 0 || len(out.Steps) >= 3 {
			break
		}
		c = &c.Next[0]
	}
	return out
}

// accessConstraints reads every constraint alternative and field.
func (r *run) accessConstraints(cs []map[string]json.RawMessage, where string) []evidence.Constraint {
	var out []evidence.Constraint
	for _, alt := range cs {
		var c evidence.Constraint
		for _, name := range slices.Sorted(maps.Keys(alt)) {
			var part rawConstraintPart
			if !rawJSON(alt[name], &part) {
				r.warn(fmt.Sprintf("%s: constraint %q not understood", where, name))
				continue
			}
			ep := &evidence.ConstraintPart{
				Types: part.Types, Methods: part.Methods, PhishingResistant: part.PhishingResistant,
				UserVerification: part.UserVerification, DeviceBound: part.DeviceBound, HardwareProtection: part.HardwareProtection,
				AuthenticationMethods: part.AuthenticationMethods, ExcludedAuthenticationMethods: part.ExcludedAuthenticationMethods,
				Required: part.Required,
			}
			switch name {
			case "knowledge":
				c.Knowledge = ep
			case "possession":
				c.Possession = ep
			case "inherence":
				c.Inherence = ep
			default:
				r.warn(fmt.Sprintf("%s: unknown constraint class %q ignored", where, name))
			}
		}
		out = append(out, c)
	}
	return out
}

// policyExtras is what the generic policy read keeps raw for the access
// model: the conditions objects and the apps a policy is mapped to.
type policyExtras struct {
	conditions     json.RawMessage
	ruleConditions map[string]json.RawMessage
	apps           []evidence.AppRef
	appsKnown      bool
}

type rawMapping struct {
	ID    string `json:"id"`
	Links struct {
		Application struct {
			Href string `json:"href"`
			Name string `json:"name"`
		} `json:"application"`
	} `json:"_links"`
}

// mappings reads the apps an authentication policy is mapped to
// (GET /api/v1/policies/{id}/mappings, scope okta.policies.read).
func (r *run) mappings(ctx context.Context, policyID string) ([]evidence.AppRef, error) {
	var ms []rawMapping
	if _, err := r.c.get(ctx, "/api/v1/policies/"+url.PathEscape(policyID)+"/mappings", &ms); err != nil {
		return nil, err
	}
	out := make([]evidence.AppRef, 0, len(ms))
	for _, m := range ms {
		id := m.ID
		if h := m.Links.Application.Href; h != "" {
			if i := strings.LastIndex(h, "/apps/"); i >= 0 {
				id = strings.Trim(h[i+len("/apps/"):], "/")
			}
		}
		if id != "" {
			out = append(out, evidence.AppRef{ID: id, Name: m.Links.Application.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// firstPartyApps are the Okta apps (app `name`) that stand for the Okta
// Dashboard and the Admin Console in policy mappings.
var firstPartyApps = map[string]string{
	"okta_enduser": evidence.AppOktaDashboard,
	"saasure":      evidence.AppOktaAdminConsole,
}

// resolveApps names the mapped apps once the apps were read, and turns the
// first-party ones into the well-known ids.
func (r *run) resolveApps() {
	for i := range r.src.Policies.Access {
		p := &r.src.Policies.Access[i]
		for j := range p.Apps {
			a := &p.Apps[j]
			info, ok := r.appInfo[a.ID]
			if !ok {
				continue
			}
			if wk, ok := firstPartyApps[info.name]; ok {
				a.ID = wk
			}
			if info.label != "" {
				a.Name = info.label
			}
		}
		sort.Slice(p.Apps, func(a, b int) bool { return p.Apps[a].ID < p.Apps[b].ID })
	}
}
