package oktatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Object is one Okta JSON object as the API returns it, with the vendor's
// real field names (factorType, provider, eventType, …).
type Object = map[string]any

// Org is the in-memory tenant the fake serves. Each field is read from the
// fixture file named in its json tag (for example users.json); a missing file
// leaves the field empty. Maps are keyed by the owning object's id.
type Org struct {
	Users        []Object            `json:"users"`         // users.json: /api/v1/users
	Factors      map[string][]Object `json:"factors"`       // factors.json: user id → /users/{id}/factors
	Groups       []Object            `json:"groups"`        // groups.json: /api/v1/groups
	GroupMembers map[string][]string `json:"group_members"` // group_members.json: group id → user ids
	UserRoles    map[string][]Object `json:"user_roles"`    // user_roles.json: user id → directly assigned roles
	GroupRoles   map[string][]Object `json:"group_roles"`   // group_roles.json: group id → roles its members inherit
	// Authenticators is nil for a Classic-engine org: /api/v1/authenticators
	// then answers 404.
	Authenticators []Object            `json:"authenticators"` // authenticators.json
	Policies       []Object            `json:"policies"`       // policies.json: every type; filtered by ?type=
	PolicyRules    map[string][]Object `json:"policy_rules"`   // policy_rules.json: policy id → rules
	Logs           []Object            `json:"logs"`           // logs.json: System Log events
	APITokens      []Object            `json:"api_tokens"`     // api_tokens.json
	Apps           []Object            `json:"apps"`           // apps.json
	AppSecrets     map[string][]Object `json:"app_secrets"`    // app_secrets.json: app id → client secrets
	AppJWKS        map[string][]Object `json:"app_jwks"`       // app_jwks.json: app id → JWKS keys
	AppGrants      map[string][]Object `json:"app_grants"`     // app_grants.json: app id → scope grants
	ClientRoles    map[string][]Object `json:"client_roles"`   // client_roles.json: client id → admin roles
	// WellKnown is /.well-known/okta-organization; nil answers a
	// WellKnownOrgMetadata whose pipeline follows Authenticators (idx when
	// set, v1 when nil).
	WellKnown      Object              `json:"well_known"`      // well_known.json
	PolicyMappings map[string][]Object `json:"policy_mappings"` // policy_mappings.json: policy id → PolicyMapping objects
	// AuthenticatorMethods: authenticator id → /api/v1/authenticators/{id}/methods.
	// An authenticator without an entry answers the methods a fresh org
	// has for its key (DefaultMethods).
	AuthenticatorMethods map[string][]Object `json:"authenticator_methods"` // authenticator_methods.json
	// Zones is /api/v1/zones (NetworkZone objects).
	Zones []Object `json:"zones"` // zones.json
}

// DefaultMethods are the methods of a fresh org's authenticator of this
// key (developer.okta.com Authenticators API, listAuthenticatorMethods
// examples), each with the authenticator's status.
func DefaultMethods(a Object) []Object {
	st := str(a["status"])
	m := func(types ...string) []Object {
		out := make([]Object, 0, len(types))
		for _, t := range types {
			o := Object{"type": t, "status": st, "_links": Object{"self": Object{"href": "/api/v1/authenticators/" + str(a["id"]) + "/methods/" + t, "hints": Object{"allow": []string{"GET", "PUT"}}}}}
			switch t {
			case "push":
				o["settings"] = Object{"algorithms": []string{"RS256", "ES256"}, "keyProtection": "ANY"}
			case "signed_nonce":
				o["settings"] = Object{"algorithms": []string{"RS256", "ES256"}, "keyProtection": "ANY", "showSignInWithOV": "DISABLED"}
			case "totp":
				o["settings"] = Object{"timeIntervalInSeconds": 30, "encoding": "base32", "algorithm": "HMacSHA1", "passCodeLength": 6}
			case "webauthn":
				o["settings"] = Object{"userVerification": "PREFERRED", "attachment": "ANY"}
			}
			out = append(out, o)
		}
		return out
	}
	switch str(a["key"]) {
	case "okta_verify":
		return m("push", "totp", "signed_nonce")
	case "phone_number":
		return m("sms", "voice")
	case "okta_email":
		return m("email")
	case "okta_password":
		return m("password")
	case "security_question":
		return m("security_question")
	case "webauthn":
		return m("webauthn")
	case "google_otp", "yubikey_token", "symantec_vip", "onprem_mfa":
		return m("otp")
	case "duo":
		return m("duo")
	case "smart_card_idp":
		return m("cert")
	case "external_idp":
		return m("idp")
	case "tac":
		return m("tac")
	}
	return []Object{}
}

// fixtureFiles maps fixture file names to the Org field they fill.
func (o *Org) fixtureFiles() map[string]any {
	return map[string]any{
		"users.json":                 &o.Users,
		"factors.json":               &o.Factors,
		"groups.json":                &o.Groups,
		"group_members.json":         &o.GroupMembers,
		"user_roles.json":            &o.UserRoles,
		"group_roles.json":           &o.GroupRoles,
		"authenticators.json":        &o.Authenticators,
		"policies.json":              &o.Policies,
		"policy_rules.json":          &o.PolicyRules,
		"logs.json":                  &o.Logs,
		"api_tokens.json":            &o.APITokens,
		"apps.json":                  &o.Apps,
		"app_secrets.json":           &o.AppSecrets,
		"app_jwks.json":              &o.AppJWKS,
		"app_grants.json":            &o.AppGrants,
		"client_roles.json":          &o.ClientRoles,
		"well_known.json":            &o.WellKnown,
		"policy_mappings.json":       &o.PolicyMappings,
		"authenticator_methods.json": &o.AuthenticatorMethods,
		"zones.json":                 &o.Zones,
	}
}

// LoadOrg reads an org from a fixture directory (one JSON file per
// endpoint family, see Org). Missing files leave their field empty; a file
// that is not valid JSON is an error naming it.
func LoadOrg(dir string) (*Org, error) {
	o := &Org{}
	for name, dst := range o.fixtureFiles() {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("oktatest: read fixture: %w", err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, fmt.Errorf("oktatest: fixture %s: %w", p, err)
		}
	}
	o.init()
	return o, nil
}

func (o *Org) init() {
	if o.Factors == nil {
		o.Factors = map[string][]Object{}
	}
	if o.GroupMembers == nil {
		o.GroupMembers = map[string][]string{}
	}
	if o.UserRoles == nil {
		o.UserRoles = map[string][]Object{}
	}
	if o.GroupRoles == nil {
		o.GroupRoles = map[string][]Object{}
	}
	if o.PolicyRules == nil {
		o.PolicyRules = map[string][]Object{}
	}
	if o.AppSecrets == nil {
		o.AppSecrets = map[string][]Object{}
	}
	if o.AppJWKS == nil {
		o.AppJWKS = map[string][]Object{}
	}
	if o.AppGrants == nil {
		o.AppGrants = map[string][]Object{}
	}
	if o.ClientRoles == nil {
		o.ClientRoles = map[string][]Object{}
	}
	if o.AuthenticatorMethods == nil {
		o.AuthenticatorMethods = map[string][]Object{}
	}
}

// genUser builds the i-th generated user (deterministic ids and names).
func genUser(i int) Object {
	login := fmt.Sprintf("gen.user%06d@example.com", i)
	return Object{
		"id":              fmt.Sprintf("00ugen%014d", i),
		"status":          "ACTIVE",
		"created":         "2024-01-01T00:00:00.000Z",
		"activated":       "2024-01-01T00:00:00.000Z",
		"statusChanged":   nil,
		"lastLogin":       "2026-11-01T09:00:00.000Z",
		"lastUpdated":     "2024-01-01T00:00:00.000Z",
		"passwordChanged": "2024-01-01T00:00:00.000Z",
		"type":            Object{"id": "oty1defaultusertype"},
		"profile": Object{
			"firstName": "Gen",
			"lastName":  fmt.Sprintf("User%06d", i),
			"email":     login,
			"login":     login,
		},
		"credentials": Object{"password": Object{}, "provider": Object{"type": "OKTA", "name": "OKTA"}},
	}
}

// genFactors gives every generated user an Okta Verify push factor and, for
// every third user, an SMS factor as backup.
func genFactors(i int, userID string) []Object {
	fs := []Object{{
		"id": fmt.Sprintf("opfgen%014d", i), "factorType": "push", "provider": "OKTA", "vendorName": "OKTA",
		"status": "ACTIVE", "created": "2024-01-02T00:00:00.000Z", "lastUpdated": "2024-01-02T00:00:00.000Z",
		"profile": Object{"credentialId": userID, "deviceType": "SmartPhone_IPhone", "name": "iPhone", "platform": "IOS", "version": "17.0"},
	}}
	if i%3 == 0 {
		fs = append(fs, Object{
			"id": fmt.Sprintf("smsgen%014d", i), "factorType": "sms", "provider": "OKTA", "vendorName": "OKTA",
			"status": "ACTIVE", "created": "2024-01-02T00:00:00.000Z", "lastUpdated": "2024-01-02T00:00:00.000Z",
			"profile": Object{"phoneNumber": "+1 XXX-XXX-1234"},
		})
	}
	return fs
}
