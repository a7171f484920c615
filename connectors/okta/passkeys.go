package okta

import (
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// A WebAuthn factor's profile.authenticatorName "is set from the AAGUID
// metadata during enrollment" (okta-sdk-golang openapi.yaml
// UserFactorWebAuthnProfile); the factor does not carry the AAGUID itself.
// Passkeys synced by a provider are exportable keys: NIST SP 800-63B-4
// counts them at AAL2, not AAL3 (help.okta.com "Configure the Passkeys
// (FIDO2 WebAuthn) access controls": synced passkeys lack device-bound
// keys and attestation; the webauthn method's settings.allowSyncablePasskeys,
// default true, blocks them for new enrolments when false).

// syncedProviders are AAGUID metadata names of passkey providers that sync
// credentials across devices (FIDO MDS / the passkey provider AAGUID list).
var syncedProviders = []string{
	"icloud keychain", "apple passwords", "google password manager", "chrome on mac",
	"samsung pass", "microsoft password manager", "1password", "bitwarden", "dashlane",
	"keeper", "nordpass", "enpass", "proton pass", "lastpass", "roboform", "keepassxc",
	"strongbox", "keepassdx",
}

// boundAuthenticators are names of authenticators whose keys never leave
// the device (security keys, TPM-backed platform authenticators).
var boundAuthenticators = []string{
	"yubikey", "security key by yubico", "feitian", "titan", "solokey", "thales", "token2",
	"nitrokey", "onlykey", "trezor", "ledger", "kensington", "hid crescendo", "idem key",
	"gotrust", "excelsecu", "tpm",
}

// webauthnKind classifies one WebAuthn factor by its authenticator name.
// A known synced provider is passkey_synced; a known hardware key stays
// fido2; Windows Hello is windows_hello. An unknown or unnamed
// authenticator is AAL3 only where the org blocks synced passkeys (it
// could otherwise be one), the conservative reading.
func webauthnKind(name string, blocksSynced bool) evidence.MethodKind {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, p := range syncedProviders {
		if strings.Contains(n, p) {
			return evidence.KindPasskeySynced
		}
	}
	if strings.Contains(n, "windows hello") {
		return evidence.KindWindowsHello
	}
	for _, b := range boundAuthenticators {
		if strings.Contains(n, b) {
			return evidence.KindFIDO2
		}
	}
	if blocksSynced {
		return evidence.KindFIDO2
	}
	return evidence.KindPasskeySynced
}

// classifyPasskeys re-reads the kind of every WebAuthn factor once the
// webauthn method's passkey setting is known (authenticators are read after
// factors).
func (r *run) classifyPasskeys() {
	for i := range r.src.Accounts {
		ms := r.src.Accounts[i].Methods
		for j := range ms {
			m := &ms[j]
			if m.VendorType != "webauthn" {
				continue // u2f: hardware security keys
			}
			m.Kind = webauthnKind(m.Name, r.blocksSynced)
			r.mu.Lock()
			r.factorOf[m.ID] = m.Kind
			r.mu.Unlock()
		}
	}
}
