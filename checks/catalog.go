package checks

import (
	"slices"
	"sort"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Check is one catalog entry: metadata as data, logic in an unexported
// evaluation function. Values returned by Catalog are fresh copies; a Check
// never carries results.
type Check struct {
	ID       string
	Title    string
	Severity Severity // base severity; findings may escalate it
	// Requirement states what the check verifies as a requirement ("Every
	// account has an MFA-capable method"): the control matrix shows it, so
	// that "Pass" never reads as a double negative beside a problem title.
	Requirement string
	Controls    []Control
	// Summary is the "fails when" text.
	Summary     string
	Remediation string
	// Sources says where the evidence comes from, per provider.
	Sources map[evidence.Provider]string
	// Datasets lists, per provider, the coverage datasets that must be
	// complete for the check to be assessed. "a|b" means either one.
	Datasets map[evidence.Provider][]string
	// Refine lists, per provider, datasets that only refine the check's
	// subjects (which accounts are privileged; the methods of accounts whose
	// read failed, which are then skipped): when one was not read completely
	// the findings the rest proves stand, marked incomplete, and a check with
	// none is not_assessed (DESIGN.md "Partial data").
	Refine map[evidence.Provider][]string
	// Manual, per provider, says what a person must verify where no API
	// exposes the setting; the check is then always manual for that provider.
	Manual map[evidence.Provider]string
	// Docs, per provider, is the vendor documentation page the check's
	// rule follows (Okta help or developer docs, Microsoft Learn): the
	// reports link it, as Maester's help URLs do. Set from docs.go.
	Docs map[evidence.Provider]string

	eval func(e *env) outcome
}

// outcome is what an evaluation function returns for one provider.
type outcome struct {
	// status is empty for "fail when there are findings, else pass".
	status    Status
	rationale string
	findings  []Finding
}

func c63(ids ...string) []Control {
	out := make([]Control, len(ids))
	for i, id := range ids {
		out[i] = Control{Framework: FwNIST63B, ID: id}
	}
	return out
}

func c63i(ids ...string) []Control {
	out := c63(ids...)
	for i := range out {
		out[i].Interpretive = true
	}
	return out
}

func csf(ids ...string) []Control {
	out := make([]Control, len(ids))
	for i, id := range ids {
		out[i] = Control{Framework: FwCSF, ID: id}
	}
	return out
}

func nhi(ids ...string) []Control {
	out := make([]Control, len(ids))
	for i, id := range ids {
		out[i] = Control{Framework: FwNHI, ID: id}
	}
	return out
}

func controls(groups ...[]Control) []Control {
	var out []Control
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// ds builds a Datasets map.
func ds(okta, entra []string) map[evidence.Provider][]string {
	m := map[evidence.Provider][]string{}
	if okta != nil {
		m[evidence.Okta] = okta
	}
	if entra != nil {
		m[evidence.Entra] = entra
	}
	return m
}

func src(okta, entra string) map[evidence.Provider]string {
	return map[evidence.Provider]string{evidence.Okta: okta, evidence.Entra: entra}
}

// entraMethods: per-user enrolment comes from the registration report, or
// from per-user methods where the report is not licensed.
const entraMethods = evidence.DSRegDetails + "|" + evidence.DSAuthMethods

const (
	dsUsers    = evidence.DSUsers
	dsGroups   = evidence.DSGroups
	dsRoles    = evidence.DSRoles
	dsFactors  = evidence.DSFactors
	dsAuthn    = evidence.DSAuthn
	dsPolicies = evidence.DSPolicies
	dsLog      = evidence.DSSystemLog
	dsTokens   = evidence.DSAPITokens
	dsApps     = evidence.DSApps
	dsMPol     = evidence.DSMethodsPol
	dsCA       = evidence.DSCondAccess
	dsAuthz    = evidence.DSAuthzPolicy
	dsAudits   = evidence.DSAudits
	dsAppRegs  = evidence.DSApplications
	dsSPs      = evidence.DSServicePrincipals
)

func l(s ...string) []string { return s }

// refinable names, per check and provider, the datasets of its Datasets
// that only refine its subjects. Roles decide who is privileged (severity,
// the privileged-only checks' population) — except on Entra for the checks
// that read access paths, where Conditional Access policies target roles
// and a missing role would invent a weaker path. Per-account methods are
// read per account; an account whose read failed carries methods_error and
// is skipped, so the others' findings stand.
var refinable = map[string]map[evidence.Provider][]string{
	"MFA-01": both(l(dsRoles, dsFactors), l(dsRoles, entraMethods)),
	"MFA-02": both(l(dsRoles, dsFactors), l(dsRoles, entraMethods)),
	"MFA-03": both(l(dsRoles, dsFactors), l(entraMethods)),
	"MFA-04": both(l(dsRoles, dsFactors), l(entraMethods)),
	"MFA-06": both(l(dsRoles, dsFactors), l(dsRoles, entraMethods)),
	"EXC-01": both(l(dsRoles), nil),
	"EXC-02": both(l(dsRoles, dsFactors), l(entraMethods)),
	"REC-07": both(l(dsRoles), l(dsRoles)),
	// Entra: the recovery and registration paths depend on each account's
	// methods (an account whose read failed is skipped).
	"REC-03": both(nil, l(entraMethods)),
	"REC-05": both(nil, l(entraMethods)),
	"NHI-05": both(l(dsRoles), l(dsRoles)),
}

func both(okta, entra []string) map[evidence.Provider][]string {
	return map[evidence.Provider][]string{evidence.Okta: okta, evidence.Entra: entra}
}

// splitRefinable moves each check's refinable datasets from Datasets to Refine.
func splitRefinable(cs []Check) {
	for i := range cs {
		c := &cs[i]
		rs := refinable[c.ID]
		if len(rs) == 0 {
			continue
		}
		c.Refine = map[evidence.Provider][]string{}
		for p, list := range c.Datasets {
			var keep []string
			for _, d := range list {
				if slices.Contains(rs[p], d) {
					c.Refine[p] = append(c.Refine[p], d)
				} else {
					keep = append(keep, d)
				}
			}
			c.Datasets[p] = keep
		}
	}
}

// Catalog returns every check, sorted by id.
func Catalog() []Check {
	cs := []Check{
		{
			ID: "MFA-01", Requirement: "Every account has an MFA-capable method", Title: "Accounts without MFA", Severity: High,
			Controls:    controls(c63("2.2.1"), csf("PR.AA-03")),
			Summary:     "An in-scope account has no MFA-capable method (critical if privileged).",
			Remediation: "Enrol every account in an MFA-capable method, phishing-resistant where possible; service accounts move to workload identities.",
			Sources:     src("users + factors", "registration report (+ users for accountEnabled)"),
			Datasets:    ds(l(dsUsers, dsFactors, dsRoles), l(dsUsers, entraMethods, dsRoles)),
			eval:        evalMFA01,
		},
		{
			ID: "MFA-02", Requirement: "Every account has a backup MFA method", Title: "No backup method", Severity: Medium,
			Controls:    controls(c63("4.1.2.1"), csf("PR.AA-01")),
			Summary:     "An in-scope account has exactly one MFA-capable method, so a lost device means a help-desk exception (high if privileged).",
			Remediation: "Have every account register a second, independent MFA-capable method of the same strength.",
			Sources:     src("factors", "registration report / per-user methods"),
			Datasets:    ds(l(dsUsers, dsFactors, dsRoles), l(dsUsers, entraMethods, dsRoles)),
			eval:        evalMFA02,
		},
		{
			ID: "MFA-03", Requirement: "No account's weakest path is below its strongest method", Title: "Backup weaker than primary", Severity: High,
			Controls:    controls(c63i("2.2.1", "2.3.1", "4.1.3"), csf("PR.AA-03")),
			Summary:     "An account's effective AAL (its weakest path to a session) is below its nominal AAL (its strongest method), e.g. FIDO2 plus SMS.",
			Remediation: "Remove or disable the weaker methods and recovery paths for accounts that hold stronger ones, or restrict sign-in to an authentication strength.",
			Sources:     src("factors + authenticators", "methods + methods policy"),
			Datasets:    ds(l(dsUsers, dsFactors, dsAuthn, dsPolicies, dsGroups, dsRoles), l(dsUsers, entraMethods, dsMPol, dsCA, dsGroups, dsRoles)),
			eval:        evalMFA03,
		},
		{
			ID: "MFA-04", Requirement: "Privileged accounts use phishing-resistant methods only", Title: "Privileged fallback not phishing-resistant", Severity: Critical,
			Controls:    controls(c63("2.2.2", "2.3.2", "3.2.5"), csf("PR.AA-03", "PR.AA-05")),
			Summary:     "A privileged account has a usable non-phishing-resistant method (MFA-capable, email OTP or security question allowed for sign-in or recovery), or no phishing-resistant one.",
			Remediation: "Give administrators FIDO2 / Windows Hello / certificates (two of them) and scope every weaker method and recovery path away from admin roles.",
			Sources:     src("roles + factors", "isAdmin/roles + methods"),
			Datasets:    ds(l(dsUsers, dsRoles, dsFactors, dsAuthn, dsPolicies, dsGroups), l(dsUsers, dsRoles, entraMethods, dsMPol, dsCA, dsGroups)),
			eval:        evalMFA04,
		},
		{
			ID: "MFA-05", Requirement: "A phishing-resistant authenticator is offered to all users", Title: "Phishing-resistant option not offered", Severity: High,
			Controls:    controls(c63("2.2.2"), csf("PR.AA-03")),
			Summary:     "No phishing-resistant authenticator is enabled for all users.",
			Remediation: "Enable a phishing-resistant authenticator (WebAuthn/FIDO2, FastPass, Windows Hello, certificates) for all users.",
			Sources:     src("authenticators (webauthn, okta_verify FastPass)", "methods policy (fido2, x509, WHfB)"),
			Datasets:    ds(l(dsAuthn), l(dsMPol)),
			eval:        evalMFA05,
		},
		{
			ID: "MFA-06", Requirement: "SMS and voice are not enabled for sign-in", Title: "Restricted authenticators enabled", Severity: Medium,
			Controls:    controls(c63("3.1.3.3", "3.2.9"), csf("PR.AA-03")),
			Summary:     "SMS or voice is enabled for sign-in; the finding lists the enabling configuration and how many accounts rely on it (high if admins are in scope).",
			Remediation: "Disable SMS and voice, or document the risk acceptance, a non-restricted alternative and a migration plan (800-63B-4 3.2.9); never allow them for admins.",
			Sources:     src("phone authenticator / factors", "sms, voice configurations"),
			Datasets:    ds(l(dsAuthn, dsUsers, dsFactors, dsGroups, dsRoles), l(dsMPol, dsUsers, entraMethods, dsGroups, dsRoles)),
			eval:        evalMFA06,
		},
		{
			ID: "MFA-07", Requirement: "Email cannot satisfy sign-in MFA", Title: "Email accepted as an authenticator", Severity: High,
			Controls:    controls(c63("3.1.3.1"), csf("PR.AA-03")),
			Summary:     "Email OTP can satisfy sign-in MFA for members.",
			Remediation: "Restrict the email authenticator to recovery (Okta allowedFor: recovery) or disable it for members.",
			Sources:     src("email authenticator allowedFor", "email configuration (members)"),
			Datasets:    ds(l(dsAuthn, dsUsers, dsGroups), l(dsMPol, dsUsers, dsGroups)),
			eval:        evalMFA07,
		},
		{
			ID: "REC-01", Requirement: "Recovery does not rely on security questions", Title: "Knowledge-based recovery", Severity: High,
			Controls:    controls(c63("4.2.1", "4.2.2"), c63i("3.1.1.2"), csf("PR.AA-01", "PR.AA-03")),
			Summary:     "Security questions can recover or authenticate an account.",
			Remediation: "Remove security questions from every recovery policy and disable the security-question authenticator.",
			Sources:     src("password policy recovery / security_question authenticator", "registered securityQuestion proves SSPR uses it; else manual"),
			Datasets:    ds(l(dsPolicies, dsAuthn), l(dsUsers, entraMethods)),
			eval:        evalREC01,
		},
		{
			ID: "REC-02", Requirement: "Self-service recovery needs more than one issued code", Title: "Single-proof recovery", Severity: High,
			Controls:    controls(c63("4.2.2.2"), csf("PR.AA-02", "PR.AA-03")),
			Summary:     "Self-service recovery completes on one issued code (email/SMS/voice) with no second element.",
			Remediation: "Require a step-up (a second, different proof) in every self-service recovery rule.",
			Sources:     src("password policy rules (stepUp) / classic recovery factors", "manual (SSPR method count is not in Graph)"),
			Datasets:    ds(l(dsPolicies), nil),
			Manual: map[evidence.Provider]string{
				evidence.Entra: "Graph does not expose the SSPR method count: verify in the Entra admin center (Password reset > Authentication methods) that \"Number of methods required to reset\" is 2 for every SSPR-enabled group.",
			},
			eval: evalREC02,
		},
		{
			ID: "REC-03", Requirement: "Recovery is as strong as sign-in", Title: "Recovery weaker than sign-in", Severity: High,
			Controls:    controls(c63("4.2.2", "4.1.2.1", "3.2.2"), csf("PR.AA-02", "PR.AA-03")),
			Summary:     "The weakest self-service recovery path for a population is below the assurance its sign-in policy requires (critical for admins).",
			Remediation: "Make recovery at least as strong as sign-in for each population: exclude admins from self-service recovery or require phishing-resistant re-verification.",
			Sources:     src("password + access policies", "SSPR-capable methods vs CA/auth strength"),
			Datasets:    ds(l(dsPolicies, dsAuthn, dsUsers, dsGroups, dsRoles), l(dsMPol, dsCA, dsAuthz, dsUsers, dsGroups, dsRoles, entraMethods)),
			eval:        evalREC03,
		},
		{
			ID: "REC-04", Requirement: "Temporary access passes are one-time and short-lived", Title: "Temporary access not bounded", Severity: High,
			Controls:    controls(c63i("4.1.2.2", "4.2.1.2"), csf("PR.AA-01")),
			Summary:     "A temporary access pass / bypass code is reusable, or its maximum lifetime exceeds the threshold (default 8h).",
			Remediation: "Make temporary access passes one-time use and cap their maximum lifetime at the threshold.",
			Sources:     src("not applicable unless a temporary-code authenticator exists", "TAP configuration"),
			Datasets:    ds(l(dsAuthn), l(dsMPol)),
			eval:        evalREC04,
		},
		{
			ID: "REC-05", Requirement: "Registering security info requires MFA", Title: "Security-info registration unprotected", Severity: High,
			Controls:    controls(c63("4.1.2.1"), csf("PR.AA-02")),
			Summary:     "Enrolling a new method does not require MFA (or a trusted device).",
			Remediation: "Require MFA (or a compliant device) to register security information: an Okta enrollment policy rule / an Entra CA policy on the \"Register security information\" user action.",
			Sources:     src("enrollment / account-management policy", "CA policy on urn:user:registersecurityinfo"),
			Datasets:    ds(l(dsPolicies, dsUsers, dsGroups, dsFactors, dsAuthn), l(dsCA, dsUsers, dsGroups, dsRoles, entraMethods)),
			eval:        evalREC05,
		},
		{
			ID: "REC-06", Requirement: "A reset is followed by re-enrolment", Title: "Recovery not followed by re-enrolment", Severity: Medium,
			Controls:    controls(c63("4.2", "4.3"), csf("PR.AA-01")),
			Summary:     "A factor reset or temporary access pass in the audit window is not followed by enrolment of an MFA-capable method within the re-enrolment window (default 7 days).",
			Remediation: "Follow up every recovery: the account re-enrols an MFA-capable method, or it is suspended until it does.",
			Sources:     src("system log", "directory audits"),
			Datasets:    ds(l(dsLog, dsUsers), l(dsAudits, dsUsers)),
			eval:        evalREC06,
		},
		{
			ID: "REC-07", Requirement: "Assisted resets of privileged accounts are reviewed", Title: "Assisted resets to review", Severity: High,
			Controls:    controls(c63("4.2.1", "3.2.2"), csf("PR.AA-02", "PR.AA-05", "DE.CM-03")),
			Summary:     "An admin reset a privileged account's factors/password or issued it a TAP, or one actor made more resets per day than the threshold (default 10).",
			Remediation: "Review each assisted reset of a privileged account against a ticket and identity re-verification; investigate actors with unusual reset volume.",
			Sources:     src("system log + roles", "directory audits + roles"),
			Datasets:    ds(l(dsLog, dsRoles, dsUsers), l(dsAudits, dsRoles, dsUsers)),
			eval:        evalREC07,
		},
		{
			ID: "REC-08", Requirement: "Users are notified of recovery and new methods", Title: "Recovery notification", Severity: Medium,
			Controls: controls(c63("4.2.3", "4.6"), csf("PR.AA-01")),
			Summary:  "Users are not notified of recovery or new-method enrolment.",
			Remediation: "Turn on end-user notifications for password reset, factor reset and new-method enrolment, " +
				"sent to an address independent of the event.",
			Sources: src("manual unless exposed", "manual"),
			Manual: map[evidence.Provider]string{
				evidence.Okta:  "No API exposes the notification settings: verify in the Okta Admin Console (Settings > Account > End-user notifications, and Security > General > Security notification emails) that password reset, MFA factor reset and new-factor enrolment notifications are on.",
				evidence.Entra: "No API exposes the notification settings: verify in the Entra admin center (Password reset > Notifications) that \"Notify users on password resets\" is Yes, and that security-info registration notifications reach users.",
			},
		},
		{
			ID: "EXC-01", Requirement: "No MFA exclusion without an approved waiver", Title: "MFA policy exclusions", Severity: High,
			Controls:    controls(c63i("2.2.1"), csf("PR.AA-03", "PR.AA-05"), nhi("NHI10")),
			Summary:     "A user, group or role is excluded from an MFA-enforcing policy and no waiver covers it; declared break-glass accounts are checked for a phishing-resistant method instead (critical if privileged; NHI10 when a service account).",
			Remediation: "Remove the exclusion, or declare the account as break-glass with phishing-resistant credentials and record a waiver.",
			Sources:     src("sign-on / access policy rules", "CA policies"),
			Datasets:    ds(l(dsPolicies, dsUsers, dsGroups, dsRoles, dsFactors), l(dsCA, dsUsers, dsGroups, dsRoles, entraMethods)),
			eval:        evalEXC01,
		},
		{
			ID: "EXC-02", Requirement: "No path reaches a session with the password alone", Title: "Password-only paths", Severity: High,
			Controls:    controls(c63("2.2.1"), csf("PR.AA-03"), nhi("NHI4")),
			Summary:     "A policy grants a session with one factor, or legacy authentication is not blocked.",
			Remediation: "Require two factors in every sign-in rule and block legacy authentication clients.",
			Sources:     src("access / sign-on rules", "CA (legacy clients)"),
			Datasets:    ds(l(dsPolicies), l(dsCA)),
			eval:        evalEXC02,
		},
		{
			ID: "NHI-01", Requirement: "Workload credentials have an active owner and are used", Title: "Orphaned NHI credentials", Severity: Medium,
			Controls:    controls(csf("PR.AA-01"), nhi("NHI1")),
			Summary:     "A credential's owner is deactivated, its workload has no owner or is disabled with live credentials, or it is unused beyond the threshold (default 90 days).",
			Remediation: "Revoke credentials of deactivated owners and disabled workloads, assign owners, and remove unused credentials.",
			Sources:     src("API tokens (owner, lastUpdated)", "apps/SPs without owners, disabled SPs with live credentials"),
			Datasets:    ds(l(dsTokens, dsApps, dsUsers), l(dsAppRegs, dsSPs)),
			eval:        evalNHI01,
		},
		{
			ID: "NHI-03", Requirement: "Third-party workloads hold no unreviewed access", Title: "Third-party NHIs holding access", Severity: High,
			Controls:    controls(csf("PR.AA-05", "DE.CM-06"), nhi("NHI3", "NHI5")),
			Summary:     "A third-party app holds credentials in the tenant or high-privilege grants.",
			Remediation: "Review each third-party integration: remove credentials held in the tenant, reduce grants to least privilege, monitor its activity.",
			Sources:     src("OAuth service apps with okta.* scope grants", "SPs with appOwnerOrganizationId ≠ tenant"),
			Datasets:    ds(l(dsApps), l(dsSPs)),
			eval:        evalNHI03,
		},
		{
			ID: "NHI-04", Requirement: "Workloads use keys, certificates or federation, not shared secrets", Title: "Static workload secrets", Severity: Medium,
			Controls:    controls(csf("PR.AA-03"), nhi("NHI4")),
			Summary:     "A workload uses a shared secret where a key, certificate or federation is available (client secrets, SSWS tokens).",
			Remediation: "Move workloads to private_key_jwt / certificates / workload identity federation and delete the secrets.",
			Sources:     src("API tokens, service apps with client_secret", "passwordCredentials"),
			Datasets:    ds(l(dsTokens, dsApps), l(dsAppRegs, dsSPs)),
			eval:        evalNHI04,
		},
		{
			ID: "NHI-05", Requirement: "Workloads hold least privilege", Title: "Overprivileged NHIs", Severity: High,
			Controls:    controls(csf("PR.AA-05"), nhi("NHI5")),
			Summary:     "A workload identity holds an admin role or directory-wide write permission (an SSWS token inherits its owner's admin role).",
			Remediation: "Grant workloads narrowly scoped permissions; replace admin-owned API tokens with scoped OAuth service apps.",
			Sources:     src("tokens owned by super admins, service-app admin roles", "SP role assignments / app roles"),
			Datasets:    ds(l(dsTokens, dsApps, dsRoles), l(dsAppRegs, dsSPs, dsRoles)),
			eval:        evalNHI05,
		},
		{
			ID: "NHI-07", Requirement: "Workload secrets are short-lived and single", Title: "Long-lived or fallback secrets", Severity: High,
			Controls:    controls(csf("PR.AA-01"), nhi("NHI7")),
			Summary:     "A secret lives longer than the threshold (secrets 180d, certificates 365d) or never expires, or an identity keeps more than one active credential of a kind.",
			Remediation: "Rotate credentials within the thresholds, set expiries, and keep one active credential per kind.",
			Sources:     src("API tokens", "application/SP credentials"),
			Datasets:    ds(l(dsTokens, dsApps), l(dsAppRegs, dsSPs)),
			eval:        evalNHI07,
		},
		{
			ID: "NHI-10", Requirement: "Service accounts are not used interactively and not exempt from MFA", Title: "Human use of service accounts", Severity: High,
			Controls:    controls(csf("PR.AA-01", "PR.AA-03", "DE.CM-03"), nhi("NHI10")),
			Summary:     "An account marked as a service account (config patterns) signs in interactively or is exempt from MFA.",
			Remediation: "Replace service accounts with workload identities; where one must remain, block interactive sign-in and keep it under MFA policy.",
			Sources:     src("users + policies + log", "users + CA + sign-ins/audits"),
			Datasets:    ds(l(dsUsers, dsPolicies, dsGroups, dsLog), l(dsUsers, dsCA, dsGroups, dsAudits)),
			eval:        evalNHI10,
		},
		{
			ID: "LOG-01", Requirement: "The audit log covers the whole audit window", Title: "Recovery audit coverage", Severity: Medium,
			Controls:    controls(c63("4.1"), csf("PR.PS-04", "DE.CM-03")),
			Summary:     "The audit window could not be read in full (retention shorter than the window, or no permission).",
			Remediation: "Export the audit log to a SIEM with retention at least as long as the audit window, and grant the read scope.",
			Sources:     src("system log", "directory audits"),
			Datasets:    ds(l(dsLog), l(dsAudits)),
			eval:        evalLOG01,
		},
	}
	splitRefinable(cs)
	withDocs(cs)
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	return cs
}

// Lookup returns the catalog check with the given id.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalog() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
