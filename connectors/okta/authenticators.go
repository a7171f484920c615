package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

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
}

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
	for _, a := range as {
		kinds, ok := evidence.OktaAuthenticatorKinds(a.Key)
		switch {
		case a.Type == "tac":
			// Temporary access code: a bootstrap credential. Its lifetime
			// and reuse settings are not documented in the API reference we
			// work from, so no TemporaryAccessSetting is invented.
			kinds = []evidence.MethodKind{evidence.KindTAP}
			if a.Status == "ACTIVE" {
				r.warn(fmt.Sprintf("temporary access code authenticator %s is active: verify its lifetime and single use in the Admin Console", a.ID))
			}
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
	}
	r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthn, Status: evidence.Complete, Items: len(as)})
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
