package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

type rawAuthenticator struct {
	ID       string `json:"id"`
	Key      string `json:"key"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Settings *struct {
		AllowedFor string `json:"allowedFor"`
	} `json:"settings"`
	// Provider is the temporary access code's configuration
	// (okta-sdk-golang openapi.yaml AuthenticatorKeyTac_allOf_provider:
	// provider.type "tac", provider.configuration minTtl, maxTtl,
	// defaultTtl, length, complexity, multiUseAllowed).
	Provider *struct {
		Type          string `json:"type"`
		Configuration *struct {
			MinTTL          *float64 `json:"minTtl"`
			MaxTTL          *float64 `json:"maxTtl"`
			DefaultTTL      *float64 `json:"defaultTtl"`
			MultiUseAllowed *bool    `json:"multiUseAllowed"`
		} `json:"configuration"`
	} `json:"provider"`
}

// rawAuthenticatorMethod is one entry of GET
// /api/v1/authenticators/{id}/methods (listAuthenticatorMethods,
// AuthenticatorMethodBase: type and status; the webauthn method's
// settings.allowSyncablePasskeys, default true).
type rawAuthenticatorMethod struct {
	Type     string `json:"type"`
	Status   string `json:"status"`
	Settings *struct {
		AllowSyncablePasskeys *bool `json:"allowSyncablePasskeys"`
	} `json:"settings"`
}

// methodKinds maps authenticator method types (openapi.yaml
// AuthenticatorMethodType) to kinds; ok is false for a type this version
// does not know.
func methodKinds(key, typ string) ([]evidence.MethodKind, bool) {
	switch typ {
	case "push":
		return []evidence.MethodKind{evidence.KindPush}, true
	case "totp":
		return []evidence.MethodKind{evidence.KindTOTPSoftware}, true
	case "signed_nonce":
		return []evidence.MethodKind{evidence.KindFastPass}, true
	case "sms":
		return []evidence.MethodKind{evidence.KindSMS}, true
	case "voice":
		return []evidence.MethodKind{evidence.KindVoice}, true
	case "email":
		return []evidence.MethodKind{evidence.KindEmailOTP}, true
	case "password":
		return []evidence.MethodKind{evidence.KindPassword}, true
	case "security_question":
		return []evidence.MethodKind{evidence.KindSecurityQuestion}, true
	case "webauthn":
		return []evidence.MethodKind{evidence.KindFIDO2, evidence.KindPasskeySynced}, true
	case "cert":
		return []evidence.MethodKind{evidence.KindCertificate}, true
	case "duo":
		return []evidence.MethodKind{evidence.KindPush}, true
	case "tac":
		return []evidence.MethodKind{evidence.KindTAP}, true
	case "otp":
		// Hardware or third-party OTP: the key's own kinds.
		return evidence.OktaAuthenticatorKinds(key)
	case "idp":
		return evidence.OktaAuthenticatorKinds(key)
	}
	return nil, false
}

// authenticatorMethods reads the methods of each authenticator and returns,
// per authenticator id, the kinds its ACTIVE and its other methods enable
// (absent when its methods could not be read) and the reads that failed.
func (r *run) authenticatorMethods(ctx context.Context, as []rawAuthenticator) (map[string]authnKinds, []string) {
	ms := make([][]rawAuthenticatorMethod, len(as))
	errs := make([]error, len(as))
	r.c.forEach(ctx, len(as), func(ctx context.Context, i int) {
		_, errs[i] = r.c.get(ctx, "/api/v1/authenticators/"+url.PathEscape(as[i].ID)+"/methods", &ms[i])
	})
	out := map[string]authnKinds{}
	var failures []string
	for i, a := range as {
		if errs[i] != nil {
			var ae *evidence.APIError
			if errors.As(errs[i], &ae) && ae.Status == http.StatusNotFound {
				// An authenticator without a methods resource: its key decides.
				continue
			}
			failures = append(failures, fmt.Sprintf("methods of authenticator %s: %v", a.ID, errs[i]))
			continue
		}
		var k authnKinds
		k.active = []evidence.MethodKind{}
		for _, m := range ms[i] {
			ks, ok := methodKinds(a.Key, m.Type)
			if m.Status != "ACTIVE" {
				for _, kd := range ks {
					if !slices.Contains(k.inactive, kd) {
						k.inactive = append(k.inactive, kd)
					}
				}
				continue
			}
			if !ok {
				r.warn(fmt.Sprintf("unknown method type %q of authenticator %s: treated as %s", m.Type, a.Key, evidence.KindUnknown))
				ks = []evidence.MethodKind{evidence.KindUnknown}
			}
			if m.Type == "webauthn" && m.Settings != nil && m.Settings.AllowSyncablePasskeys != nil && !*m.Settings.AllowSyncablePasskeys {
				ks = []evidence.MethodKind{evidence.KindFIDO2}
				r.blocksSynced = true
			}
			for _, kd := range ks {
				if !slices.Contains(k.active, kd) {
					k.active = append(k.active, kd)
				}
			}
		}
		k.inactive = slices.DeleteFunc(k.inactive, func(kd evidence.MethodKind) bool { return slices.Contains(k.active, kd) })
		out[a.ID] = k
	}
	return out, failures
}

// authnKinds are the kinds an authenticator's methods enable, by status.
type authnKinds struct{ active, inactive []evidence.MethodKind }

// keyAliases folds authenticator keys that name the same thing
// (enrollment policies in the docs say okta_phone, the API phone_number).
var keyAliases = map[string]string{"okta_phone": "phone_number"}

func canonKey(k string) string {
	if a, ok := keyAliases[k]; ok {
		return a
	}
	return k
}

// authenticators reads the Identity Engine authenticators into
// Policies.Methods. Classic orgs (404) get settings derived from the
// MFA_ENROLL policies' settings.factors instead, with a warning.
func (r *run) authenticators(ctx context.Context, pols *readPolicies) {
	defer r.classifyPasskeys()
	var as []rawAuthenticator
	_, err := r.c.get(ctx, "/api/v1/authenticators", &as)
	var ae *evidence.APIError
	if err != nil && errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		r.classic = true
		r.classicMethods(pols)
		return
	}
	if err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSAuthn, 0, err))
		return
	}
	targets := r.enrollTargets(pols)
	methods, failures := r.authenticatorMethods(ctx, as)
	for _, a := range as {
		kinds, ok := evidence.OktaAuthenticatorKinds(a.Key)
		var inactiveKinds []evidence.MethodKind
		if mk, read := methods[a.ID]; read && a.Type != "tac" {
			// Kinds per authenticator, from its own methods' status: an
			// inactive SMS method leaves the phone authenticator voice only.
			// An inactive authenticator keeps every kind it governs, disabled.
			ok = true
			if a.Status == "ACTIVE" {
				kinds, inactiveKinds = mk.active, mk.inactive
			} else {
				kinds = append(append([]evidence.MethodKind{}, mk.active...), mk.inactive...)
			}
		}
		switch {
		case a.Type == "tac":
			kinds = []evidence.MethodKind{evidence.KindTAP}
			r.temporaryAccessCode(a, targets)
		case !ok:
			r.warn(fmt.Sprintf("unknown Okta authenticator key %q (type %q): treated as %s", a.Key, a.Type, evidence.KindUnknown))
		}
		signIn, recovery := true, true
		if a.Settings != nil {
			switch a.Settings.AllowedFor {
			case "sso":
				recovery = false
			case "recovery":
				signIn = false
			case "none":
				signIn, recovery = false, false
			case "any", "":
			default:
				r.warn(fmt.Sprintf("unknown allowedFor %q on authenticator %s: treated as any", a.Settings.AllowedFor, a.Key))
			}
		}
		t, narrowed := targets[canonKey(a.Key)]
		if !narrowed {
			t = evidence.Targets{All: true}
		}
		r.src.Policies.Methods = append(r.src.Policies.Methods, evidence.MethodSetting{
			ID: a.ID, Name: a.Name, VendorKey: a.Key, Kinds: kinds, Enabled: a.Status == "ACTIVE",
			SignIn: signIn, Recovery: recovery, Targets: t,
		})
		if len(inactiveKinds) > 0 {
			// The methods switched off in an active authenticator: a
			// disabled setting, so the kinds stay governed (not allowed by
			// default) and MFA-06 does not count them as enabled.
			r.src.Policies.Methods = append(r.src.Policies.Methods, evidence.MethodSetting{
				ID: a.ID + "/inactive-methods", Name: a.Name + " (inactive methods)", VendorKey: a.Key, Kinds: inactiveKinds,
				SignIn: signIn, Recovery: recovery, Targets: t,
			})
		}
	}
	if len(failures) > 0 {
		// The authenticator's key then stands for its methods: every kind
		// it can enable counts as enabled, which never makes an account
		// look stronger.
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthn, Status: evidence.Partial, Items: len(as),
			Detail: strings.Join(capList(failures, 3), "; ") + " (kinds taken from the authenticator key)"})
		return
	}
	r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthn, Status: evidence.Complete, Items: len(as)})
}

// temporaryAccessCode records a temporary access code (tac) authenticator
// as a TemporaryAccessSetting from its provider.configuration: maxTtl and
// defaultTtl are minutes, multiUseAllowed makes a code reusable until it
// expires (openapi.yaml AuthenticatorKeyTac_allOf_provider_configuration).
// A configuration that is not in the response is recorded as unknown
// (MaxLifetimeMinutes 0), which REC-04 reports rather than passes.
func (r *run) temporaryAccessCode(a rawAuthenticator, targets map[string]evidence.Targets) {
	t, narrowed := targets[canonKey(a.Key)]
	if !narrowed {
		t = evidence.Targets{All: true}
	}
	ts := evidence.TemporaryAccessSetting{ID: a.ID, Name: a.Name, Enabled: a.Status == "ACTIVE", Targets: t}
	if a.Provider == nil || a.Provider.Configuration == nil {
		if ts.Enabled {
			r.warn(fmt.Sprintf("temporary access code authenticator %s has no provider.configuration in the response: its lifetime and reuse are unknown", a.ID))
		}
	} else {
		c := a.Provider.Configuration
		if c.MaxTTL != nil {
			ts.MaxLifetimeMinutes = int(*c.MaxTTL)
		}
		if c.DefaultTTL != nil {
			ts.DefaultLifetimeMinutes = int(*c.DefaultTTL)
		}
		ts.Reusable = c.MultiUseAllowed != nil && *c.MultiUseAllowed
	}
	r.src.Policies.TemporaryAccess = append(r.src.Policies.TemporaryAccess, ts)
}

// enrollTargets says, per authenticator key, whom the enrollment policies
// let enroll it: All if any active policy offering it targets everyone,
// otherwise the union of the offering policies' users and groups. It is
// empty (no narrowing) when the enrollment policies were not all read.
func (r *run) enrollTargets(pols *readPolicies) map[string]evidence.Targets {
	out := map[string]evidence.Targets{}
	if pols == nil || !pols.ok {
		return out
	}
	for _, p := range pols.byType["MFA_ENROLL"] {
		if p.Status != "ACTIVE" {
			continue
		}
		var st enrollSettings
		rawJSON(p.Settings, &st)
		keys, _ := st.offered()
		pt := r.targets(p, nil)
		for _, k := range keys {
			k = canonKey(k)
			t := out[k]
			switch {
			case t.All:
			case pt.All:
				t = evidence.Targets{All: true}
			default:
				t.Users = appendNew(t.Users, pt.Users...)
				t.Groups = appendNew(t.Groups, pt.Groups...)
			}
			out[k] = t
		}
	}
	// Authenticators no enrollment policy offers stay enabled but nobody can
	// enroll them: an empty target.
	for _, p := range pols.byType["MFA_ENROLL"] {
		var st enrollSettings
		rawJSON(p.Settings, &st)
		for _, a := range st.Authenticators {
			if _, ok := out[canonKey(a.Key)]; !ok {
				out[canonKey(a.Key)] = evidence.Targets{}
			}
		}
	}
	return out
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		if !contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// classicFactorKinds maps Classic MFA_ENROLL settings.factors keys.
var classicFactorKinds = map[string][]evidence.MethodKind{
	"duo": {evidence.KindPush}, "fido_u2f": {evidence.KindFIDO2}, "fido_webauthn": {evidence.KindFIDO2},
	"google_otp": {evidence.KindTOTPSoftware}, "okta_call": {evidence.KindVoice}, "okta_email": {evidence.KindEmailOTP},
	"okta_otp": {evidence.KindTOTPSoftware}, "okta_password": {evidence.KindPassword}, "okta_push": {evidence.KindPush},
	"okta_question": {evidence.KindSecurityQuestion}, "okta_sms": {evidence.KindSMS}, "rsa_token": {evidence.KindTOTPHardware},
	"symantec_vip": {evidence.KindTOTPHardware}, "yubikey_token": {evidence.KindTOTPHardware},
}

// classicMethods derives Policies.Methods for a Classic engine org from the
// MFA_ENROLL policies' settings.factors: a factor any active policy offers
// is enabled for sign-in, targeted at that policy's people; it counts for
// recovery when an active password policy lists its kind.
func (r *run) classicMethods(pols *readPolicies) {
	r.warn("Classic engine org (no /api/v1/authenticators): method settings derived from MFA_ENROLL settings.factors")
	if pols == nil || !pols.ok {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthn, Status: evidence.Errored,
			Detail: "Classic engine org: method settings need the MFA_ENROLL policies, which could not be read"})
		return
	}
	recovery := map[evidence.MethodKind]bool{}
	for _, rp := range r.src.Policies.Recovery {
		if rp.Enabled {
			for _, k := range append(append([]evidence.MethodKind{}, rp.Methods...), rp.StepUpMethods...) {
				recovery[k] = true
			}
		}
	}
	targets := r.enrollTargets(pols)
	keys := make([]string, 0, len(targets))
	for k := range targets {
		keys = append(keys, k)
	}
	for _, p := range pols.byType["MFA_ENROLL"] {
		var st enrollSettings
		rawJSON(p.Settings, &st)
		for k := range st.Factors {
			if _, ok := targets[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		kinds, ok := classicFactorKinds[k]
		if !ok {
			kinds, ok = evidence.OktaAuthenticatorKinds(k)
		}
		if !ok {
			r.warn(fmt.Sprintf("unknown Okta factor key %q in MFA_ENROLL settings: treated as %s", k, evidence.KindUnknown))
		}
		t := targets[k]
		rec := false
		for _, kind := range kinds {
			rec = rec || recovery[kind]
		}
		r.src.Policies.Methods = append(r.src.Policies.Methods, evidence.MethodSetting{
			ID: k, Name: k, VendorKey: k, Kinds: kinds, Enabled: t.All || len(t.Users)+len(t.Groups) > 0,
			SignIn: true, Recovery: rec, Targets: t,
		})
	}
	r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthn, Status: evidence.Complete, Items: len(seen),
		Detail: "Classic engine org: derived from MFA_ENROLL settings.factors"})
}
