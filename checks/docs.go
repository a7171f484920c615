package checks

import "github.com/shadowpath/shadowpath/connectors/evidence"

// Vendor documentation the checks' rules follow (the reports link it per
// check and provider, as Maester's help URLs do).
const (
	docOktaAuthnPolicies  = "https://help.okta.com/oie/en-us/content/topics/identity-engine/policies/about-app-sign-on-policies.htm"
	docOktaSessionPolicy  = "https://help.okta.com/oie/en-us/content/topics/identity-engine/policies/about-okta-sign-on-policies.htm"
	docOktaEnrolPolicy    = "https://help.okta.com/oie/en-us/content/topics/identity-engine/policies/create-mfa-policy.htm"
	docOktaWebAuthn       = "https://help.okta.com/oie/en-us/content/topics/identity-engine/authenticators/configure-webauthn.htm"
	docOktaPhone          = "https://help.okta.com/oie/en-us/content/topics/identity-engine/authenticators/configure-phone.htm"
	docOktaEmail          = "https://help.okta.com/oie/en-us/Content/Topics/identity-engine/authenticators/configure-email-authenticator.htm"
	docOktaQuestion       = "https://help.okta.com/oie/en-us/Content/Topics/identity-engine/authenticators/configure-security-question.htm"
	docOktaPassword       = "https://help.okta.com/oie/en-us/content/topics/identity-engine/authenticators/configure-password.htm"
	docOktaTAC            = "https://developer.okta.com/docs/guides/authenticators-tac-authenticator/main/"
	docOktaSystemLog      = "https://developer.okta.com/docs/reference/api/system-log/"
	docOktaAPITokens      = "https://help.okta.com/en-us/content/topics/security/api.htm"
	docOktaServiceApp     = "https://developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp/main/"
	docOktaAdminRoles     = "https://help.okta.com/oie/en-us/content/topics/security/administrators-admin-comparison.htm"
	docOktaSecurityGen    = "https://help.okta.com/oie/en-us/content/topics/security/security_general.htm"
	docEntraCAMFA         = "https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-all-users-mfa-strength"
	docEntraBlockLegacy   = "https://learn.microsoft.com/en-us/entra/identity/conditional-access/howto-conditional-access-policy-block-legacy"
	docEntraRetention     = "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/reference-reports-data-retention"
	docEntraCampaign      = "https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-mfa-registration-campaign"
	docEntraMethods       = "https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-methods-manage"
	docEntraStrengths     = "https://learn.microsoft.com/en-us/entra/identity/authentication/concept-authentication-strengths"
	docEntraPasskeys      = "https://learn.microsoft.com/en-us/entra/identity/authentication/how-to-enable-passkey-fido2"
	docEntraSMS           = "https://learn.microsoft.com/en-us/entra/identity/authentication/howto-authentication-sms-signin"
	docEntraEmail         = "https://learn.microsoft.com/en-us/graph/api/resources/emailauthenticationmethodconfiguration"
	docEntraAppOwners     = "https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/assign-app-owners"
	docEntraAppPerms      = "https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/manage-application-permissions"
	docEntraFederation    = "https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation"
	docEntraRoles         = "https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/best-practices"
	docEntraAppPolicies   = "https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/configure-app-management-policies"
	docEntraSvcAccounts   = "https://learn.microsoft.com/en-us/entra/architecture/secure-service-accounts"
	docEntraSSPR          = "https://learn.microsoft.com/en-us/entra/identity/authentication/concept-sspr-howitworks"
	docEntraTAP           = "https://learn.microsoft.com/en-us/entra/identity/authentication/howto-authentication-temporary-access-pass"
	docEntraRegisterCA    = "https://learn.microsoft.com/en-us/entra/identity/conditional-access/policy-all-users-security-info-registration"
	docEntraAuditLogs     = "https://learn.microsoft.com/en-us/entra/identity/monitoring-health/concept-audit-logs"
	docEntraSSPRMethodsID = docEntraSSPR + "#authentication-methods"
)

// docs is, per check id, the vendor page each provider's rule follows.
var docs = map[string][2]string{ // okta, entra
	"EXC-01": {docOktaAuthnPolicies, docEntraCAMFA},
	"EXC-02": {docOktaSessionPolicy, docEntraBlockLegacy},
	"LOG-01": {docOktaSystemLog, docEntraRetention},
	"MFA-01": {docOktaEnrolPolicy, docEntraCampaign},
	"MFA-02": {docOktaEnrolPolicy, docEntraMethods},
	"MFA-03": {docOktaAuthnPolicies, docEntraStrengths},
	"MFA-04": {docOktaAuthnPolicies, docEntraStrengths},
	"MFA-05": {docOktaWebAuthn, docEntraPasskeys},
	"MFA-06": {docOktaPhone, docEntraSMS},
	"MFA-07": {docOktaEmail, docEntraEmail},
	"NHI-01": {docOktaAPITokens, docEntraAppOwners},
	"NHI-03": {docOktaServiceApp, docEntraAppPerms},
	"NHI-04": {docOktaServiceApp, docEntraFederation},
	"NHI-05": {docOktaAdminRoles, docEntraRoles},
	"NHI-07": {docOktaAPITokens, docEntraAppPolicies},
	"NHI-10": {docOktaServiceApp, docEntraSvcAccounts},
	"REC-01": {docOktaQuestion, docEntraSSPRMethodsID},
	"REC-02": {docOktaPassword, docEntraSSPRMethodsID},
	"REC-03": {docOktaPassword, docEntraSSPR},
	"REC-04": {docOktaTAC, docEntraTAP},
	"REC-05": {docOktaEnrolPolicy, docEntraRegisterCA},
	"REC-06": {docOktaSystemLog, docEntraAuditLogs},
	"REC-07": {docOktaSystemLog, docEntraAuditLogs},
	"REC-08": {docOktaSecurityGen, docEntraSSPR},
}

// withDocs sets each check's Docs from the table.
func withDocs(cs []Check) {
	for i := range cs {
		if d, ok := docs[cs[i].ID]; ok {
			cs[i].Docs = map[evidence.Provider]string{evidence.Okta: d[0], evidence.Entra: d[1]}
		}
	}
}
