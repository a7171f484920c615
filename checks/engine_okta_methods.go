package checks

import (
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Okta enables methods per authenticator, not per kind: a Google
// Authenticator factor (token:software:totp, provider GOOGLE) belongs to the
// google_otp authenticator and is unusable when that authenticator is
// inactive, whatever Okta Verify's own TOTP method says
// (developer.okta.com Authenticators API: each authenticator's methods,
// GET /api/v1/authenticators/{id}/methods, carry their own status;
// okta-sdk-golang openapi.yaml UserFactor provider → authenticator key).

// oktaKey is one authenticator as the method check needs it.
type oktaKey struct {
	enabled bool    // the authenticator is ACTIVE and allowed for sign-in or recovery
	kinds   kindSet // the kinds its ACTIVE methods enable
}

// oktaFactorKey names the authenticator an enrolled Okta factor belongs to;
// "" when the factor type is not tied to one this version knows.
func oktaFactorKey(m *evidence.Method) string {
	p := strings.ToUpper(m.VendorProvider)
	switch strings.ToLower(m.VendorType) {
	case "push", "signed_nonce":
		return "okta_verify"
	case "token:software:totp":
		if p == "GOOGLE" {
			return "google_otp"
		}
		return "okta_verify"
	case "sms", "call":
		return "phone_number"
	case "email":
		return "okta_email"
	case "question":
		return "security_question"
	case "webauthn", "u2f":
		return "webauthn"
	case "token:hardware":
		return "yubikey_token"
	case "token":
		if p == "SYMANTEC" {
			return "symantec_vip"
		}
		return "onprem_mfa"
	case "web":
		return "duo"
	case "password":
		return "okta_password"
	}
	return ""
}

// compileOktaKeys indexes an Identity Engine org's authenticators by key.
// Classic orgs' method settings are derived from enrolment policies, not
// read per authenticator, so they are not indexed.
func (e *env) compileOktaKeys() {
	e.credProviders = e.src.CredentialProviders
	if e.provider != evidence.Okta || e.engine != evidence.EngineOktaIdentity {
		return
	}
	keys := map[string]oktaKey{}
	for i := range e.settings {
		s := &e.settings[i]
		k := s.s.VendorKey
		if k == "okta_phone" {
			k = "phone_number"
		}
		if k == "" {
			continue
		}
		cur := keys[k]
		if s.s.Enabled && (s.s.SignIn || s.s.Recovery) {
			cur.enabled = true
			cur.kinds |= s.kinds
		}
		keys[k] = cur
	}
	if len(keys) > 0 {
		e.oktaKeys = keys
	}
}

// oktaMethodUsable: the authenticator an enrolled factor belongs to is
// active and its method for the factor's kind is. A factor of an
// authenticator the org does not list stays usable (absent configuration
// must not make an account look stronger). WebAuthn enrolments stay usable
// while the authenticator is active: blocking synced passkeys applies to
// new enrolments only (help.okta.com, "Configure the Passkeys (FIDO2
// WebAuthn) access controls").
func (e *env) oktaMethodUsable(m *evidence.Method) bool {
	if e.oktaKeys == nil {
		return true
	}
	key := oktaFactorKey(m)
	st, governed := e.oktaKeys[key]
	if key == "" || !governed {
		return true
	}
	if !st.enabled {
		return false
	}
	if key == "webauthn" {
		return true
	}
	return st.kinds.has(m.Kind)
}

// oktaVerifyDevice reports whether a factor is part of an Okta Verify
// enrolment and names its device where the API shows it: push and
// signed_nonce factors carry profile.name, the device's name
// (openapi.yaml UserFactorPushProfile); Okta Verify's TOTP carries none.
// Resetting Okta Verify push also resets its TOTP and FastPass: one
// enrolment, one backup-relevant method (developer.okta.com Factors API).
func oktaVerifyDevice(m *evidence.Method) (device string, ok bool) {
	if !strings.EqualFold(m.VendorProvider, "OKTA") {
		return "", false
	}
	switch strings.ToLower(m.VendorType) {
	case "push", "signed_nonce":
		return m.Name, true
	case "token:software:totp":
		return "", true
	}
	return "", false
}

// oktaMFACount counts an account's usable MFA-capable methods with each
// Okta Verify device once: distinct device names among its push and
// FastPass factors, or one when none is named. Two devices that report
// the same name count once, the conservative reading for MFA-02.
func (e *env) oktaMFACount(a *evidence.Account) int {
	n := 0
	devices := map[string]bool{}
	ov := false
	for j := range a.Methods {
		m := &a.Methods[j]
		if !methodUsable(m.Status) || !e.oktaMethodUsable(m) || !Classify(m.Kind).MFACapable {
			continue
		}
		if dev, ok := oktaVerifyDevice(m); ok {
			ov = true
			if dev != "" {
				devices[dev] = true
			}
			continue
		}
		n++
	}
	switch {
	case len(devices) > 0:
		n += len(devices)
	case ov:
		n++
	}
	return n
}

// federated: the account authenticates at an external identity provider
// (Okta credentials.provider.type FEDERATION or SOCIAL): it has no Okta
// password and no Okta recovery (openapi.yaml AuthenticationProviderType:
// "Doesn't support a password or recovery question credential").
func (e *env) federated(x *acct) bool {
	switch e.credProviders[x.a.ID] {
	case "FEDERATION", "SOCIAL":
		return true
	}
	return false
}

// recoveryApplies: an Okta password policy applies to the accounts whose
// credential provider is its conditions.authProvider (OKTA by default;
// imported password hashes are Okta passwords); federated accounts have
// no password to recover.
func (e *env) recoveryApplies(x *acct, r *evidence.RecoveryPolicy) bool {
	if e.provider != evidence.Okta {
		return true
	}
	prov := e.credProviders[x.a.ID]
	switch prov {
	case "FEDERATION", "SOCIAL":
		return false
	case "", "IMPORT":
		prov = "OKTA"
	}
	want := strings.ToUpper(r.AuthProvider)
	if want == "" {
		want = "OKTA"
	}
	return want == prov
}

// federatedContext names the first factor of a federated account's paths:
// its "password" is presented at the external identity provider, whose own
// requirements the Okta API does not show.
func (e *env) federatedContext(x *acct) string {
	if !e.federated(x) {
		return ""
	}
	return "first factor at the external identity provider (" + strings.ToLower(e.credProviders[x.a.ID]) + " user: no Okta password; the IdP's own MFA is not visible)"
}

// oktaVerifyFactors counts an account's usable Okta Verify factors.
func (e *env) oktaVerifyFactors(a *evidence.Account) int {
	n := 0
	for j := range a.Methods {
		m := &a.Methods[j]
		if _, ok := oktaVerifyDevice(m); ok && methodUsable(m.Status) && e.oktaMethodUsable(m) {
			n++
		}
	}
	return n
}
