package evidence

import "strings"

// MethodKind is a normalized authenticator kind (DESIGN.md "Method classification").
// The AAL, phishing resistance and restriction of each kind live in package checks.
type MethodKind string

// Normalized method kinds.
const (
	KindPassword           MethodKind = "password"
	KindSecurityQuestion   MethodKind = "security_question"
	KindEmailOTP           MethodKind = "email_otp"
	KindSMS                MethodKind = "sms"
	KindVoice              MethodKind = "voice"
	KindTOTPSoftware       MethodKind = "totp_software"
	KindTOTPHardware       MethodKind = "totp_hardware"
	KindPush               MethodKind = "push"
	KindPasswordlessApp    MethodKind = "passwordless_app"
	KindFastPass           MethodKind = "fastpass"
	KindPasskeySynced      MethodKind = "passkey_synced"
	KindFIDO2              MethodKind = "fido2"
	KindWindowsHello       MethodKind = "windows_hello"
	KindPasskeyDeviceBound MethodKind = "passkey_device_bound"
	KindCertificate        MethodKind = "certificate"
	KindTAP                MethodKind = "temporary_access_pass"
	KindUnknown            MethodKind = "unknown"
)

// AllKinds lists every kind in strength-agnostic report order.
var AllKinds = []MethodKind{
	KindPassword, KindSecurityQuestion, KindEmailOTP, KindSMS, KindVoice,
	KindTOTPSoftware, KindTOTPHardware, KindPush, KindPasswordlessApp, KindFastPass,
	KindPasskeySynced, KindFIDO2, KindWindowsHello, KindPasskeyDeviceBound,
	KindCertificate, KindTAP, KindUnknown,
}

// ValidKind reports whether k is one of the normalized kinds.
func ValidKind(k MethodKind) bool {
	for _, v := range AllKinds {
		if v == k {
			return true
		}
	}
	return false
}

// OktaFactorKind maps an Okta factor (factorType, provider) to a kind. ok is
// false for values this version does not know; the kind is then KindUnknown.
func OktaFactorKind(factorType, provider string) (MethodKind, bool) {
	switch strings.ToLower(factorType) {
	case "question":
		return KindSecurityQuestion, true
	case "email":
		return KindEmailOTP, true
	case "sms":
		return KindSMS, true
	case "call":
		return KindVoice, true
	case "push":
		return KindPush, true
	case "signed_nonce":
		return KindFastPass, true
	case "token:software:totp":
		return KindTOTPSoftware, true
	case "token:hardware", "token:hotp", "token":
		// YubiKey OTP, RSA SecurID, Symantec VIP, custom HOTP: OTP devices.
		if strings.EqualFold(provider, "GOOGLE") || strings.EqualFold(provider, "OKTA") {
			return KindTOTPSoftware, true
		}
		return KindTOTPHardware, true
	case "u2f", "webauthn":
		return KindFIDO2, true
	case "web":
		// Duo: a push/OTP app behind a web redirect.
		return KindPush, true
	case "password":
		return KindPassword, true
	}
	return KindUnknown, false
}

// OktaAuthenticatorKinds maps an Okta authenticator key to the kinds it enables.
func OktaAuthenticatorKinds(key string) ([]MethodKind, bool) {
	switch strings.ToLower(key) {
	case "okta_password":
		return []MethodKind{KindPassword}, true
	case "okta_email":
		return []MethodKind{KindEmailOTP}, true
	case "phone_number", "okta_phone":
		return []MethodKind{KindSMS, KindVoice}, true
	case "security_question":
		return []MethodKind{KindSecurityQuestion}, true
	case "okta_verify":
		return []MethodKind{KindPush, KindTOTPSoftware, KindFastPass}, true
	case "google_otp":
		return []MethodKind{KindTOTPSoftware}, true
	case "webauthn", "security_key":
		return []MethodKind{KindFIDO2}, true
	case "yubikey_token", "symantec_vip", "onprem_mfa", "rsa_token":
		return []MethodKind{KindTOTPHardware}, true
	case "duo", "custom_app":
		return []MethodKind{KindPush}, true
	case "smart_card_idp":
		return []MethodKind{KindCertificate}, true
	case "external_idp":
		return []MethodKind{KindUnknown}, true
	}
	return []MethodKind{KindUnknown}, false
}

// OktaRecoveryMethodKind maps an Okta recovery method name as it appears in
// password policies (classic recovery factor keys and OIE rule methods).
func OktaRecoveryMethodKind(name string) (MethodKind, bool) {
	switch strings.ToLower(name) {
	case "okta_email", "email":
		return KindEmailOTP, true
	case "okta_sms", "sms":
		return KindSMS, true
	case "okta_call", "voice", "call":
		return KindVoice, true
	case "recovery_question", "security_question", "question":
		return KindSecurityQuestion, true
	case "push":
		return KindPush, true
	case "otp", "totp":
		return KindTOTPSoftware, true
	case "signed_nonce":
		return KindFastPass, true
	case "webauthn":
		return KindFIDO2, true
	}
	return KindUnknown, false
}

// EntraRegisteredKind maps a userRegistrationDetails.methodsRegistered value.
func EntraRegisteredKind(v string) (MethodKind, bool) {
	switch v {
	case "password":
		return KindPassword, true
	case "securityQuestion":
		return KindSecurityQuestion, true
	case "email":
		return KindEmailOTP, true
	case "mobilePhone":
		// A mobile phone receives text messages or calls: SMS, and voice
		// where the Voice configuration allows it (checks).
		return KindSMS, true
	case "alternateMobilePhone", "officePhone":
		// Alternate mobile and office phones receive calls only
		// (learn.microsoft.com "Phone authentication methods").
		return KindVoice, true
	case "softwareOneTimePasscode":
		return KindTOTPSoftware, true
	case "hardwareOneTimePasscode":
		return KindTOTPHardware, true
	case "microsoftAuthenticatorPush", "microsoftAuthenticator":
		return KindPush, true
	case "microsoftAuthenticatorPasswordless":
		return KindPasswordlessApp, true
	case "fido2SecurityKey", "fido2":
		return KindFIDO2, true
	case "passKeyDeviceBound", "passKeyDeviceBoundAuthenticator":
		return KindPasskeyDeviceBound, true
	case "passKeySynced":
		return KindPasskeySynced, true
	case "windowsHelloForBusiness", "passKeyDeviceBoundWindowsHello", "macOsSecureEnclaveKey", "platformCredential":
		return KindWindowsHello, true
	case "certificateBasedAuthentication", "x509Certificate":
		return KindCertificate, true
	case "temporaryAccessPass":
		return KindTAP, true
	}
	return KindUnknown, false
}

// EntraMethodODataKind maps an authentication method's @odata.type (per-user
// /authentication/methods).
func EntraMethodODataKind(odataType string, phoneType string) (MethodKind, bool) {
	switch strings.TrimPrefix(odataType, "#microsoft.graph.") {
	case "passwordAuthenticationMethod":
		return KindPassword, true
	case "emailAuthenticationMethod":
		return KindEmailOTP, true
	case "phoneAuthenticationMethod":
		if phoneType == "office" || phoneType == "alternateMobile" {
			return KindVoice, true
		}
		return KindSMS, true
	case "softwareOathAuthenticationMethod":
		return KindTOTPSoftware, true
	case "hardwareOathAuthenticationMethod":
		return KindTOTPHardware, true
	case "microsoftAuthenticatorAuthenticationMethod":
		return KindPush, true
	case "fido2AuthenticationMethod":
		return KindFIDO2, true
	case "windowsHelloForBusinessAuthenticationMethod", "platformCredentialAuthenticationMethod":
		return KindWindowsHello, true
	case "temporaryAccessPassAuthenticationMethod":
		return KindTAP, true
	case "x509CertificateAuthenticationMethod":
		return KindCertificate, true
	}
	return KindUnknown, false
}

// EntraMethodConfigKinds maps an authentication method configuration id
// (authenticationMethodsPolicy.authenticationMethodConfigurations[].id).
func EntraMethodConfigKinds(id string) ([]MethodKind, bool) {
	switch strings.ToLower(id) {
	case "fido2":
		return []MethodKind{KindFIDO2, KindPasskeyDeviceBound}, true
	case "microsoftauthenticator":
		return []MethodKind{KindPush, KindPasswordlessApp}, true
	case "sms":
		return []MethodKind{KindSMS}, true
	case "voice":
		return []MethodKind{KindVoice}, true
	case "email":
		return []MethodKind{KindEmailOTP}, true
	case "softwareoath":
		return []MethodKind{KindTOTPSoftware}, true
	case "hardwareoath":
		return []MethodKind{KindTOTPHardware}, true
	case "temporaryaccesspass":
		return []MethodKind{KindTAP}, true
	case "x509certificate":
		return []MethodKind{KindCertificate}, true
	case "windowshelloforbusiness":
		return []MethodKind{KindWindowsHello}, true
	case "passkeyprofile", "passkey":
		return []MethodKind{KindPasskeyDeviceBound, KindPasskeySynced}, true
	}
	return []MethodKind{KindUnknown}, false
}
