package demo

import (
	"slices"
	"strconv"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// entraPerson describes one demo Entra user; methods are methodsRegistered values.
type entraPerson struct {
	name, upn string
	methods   []string
	roles     []evidence.Role
	groups    []string
	guest     bool
	lastSign  time.Duration
}

// Entra built-in role template ids.
var (
	roleGlobalAdmin = evidence.Role{ID: "62e90394-69f5-4237-9190-012177145e10", Name: "Global Administrator", Via: "direct"}
	rolePrivAuth    = evidence.Role{ID: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", Name: "Privileged Authentication Administrator", Via: "direct"}
	roleHelpdesk    = evidence.Role{ID: "729827e3-9c14-49f7-bb1b-9608f156bbb8", Name: "Helpdesk Administrator", Via: "direct"}
	roleSecAdmin    = evidence.Role{ID: "194ae4cb-b126-40b2-bd5b-6091b380977d", Name: "Security Administrator", Via: "direct"}
	roleAppAdmin    = evidence.Role{ID: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", Name: "Application Administrator", Via: "direct"}
)

const (
	egAll        = "All Company"
	egAdmins     = "Tier-0 Admins"
	egExclusions = "CA-MFA-Exclusions"
	egSales      = "Sales"
	egOps        = "IT Operations"
	egSSPR       = "SSPR-Enabled Users"
)

var entraPeople = []entraPerson{
	{"Break Glass 01", "bg-admin-01@acmecorp.onmicrosoft.com", []string{"fido2SecurityKey", "fido2SecurityKey"}, []evidence.Role{roleGlobalAdmin}, nil, false, 45 * day},
	{"Break Glass 02", "bg-admin-02@acmecorp.onmicrosoft.com", nil, []evidence.Role{roleGlobalAdmin}, nil, false, 200 * day},
	{"Rebecca Thornton", "rebecca.thornton@acme.com", []string{"fido2SecurityKey", "windowsHelloForBusiness", "microsoftAuthenticatorPush"}, []evidence.Role{roleGlobalAdmin}, []string{egAdmins, egOps}, false, 3 * time.Hour},
	{"Oliver Grant", "oliver.grant@acme.com", []string{"microsoftAuthenticatorPush", "mobilePhone"}, []evidence.Role{rolePrivAuth}, []string{egAdmins, egOps}, false, 1 * day},
	{"Nadia Petrova", "nadia.petrova@acme.com", []string{"windowsHelloForBusiness", "fido2SecurityKey"}, []evidence.Role{roleSecAdmin}, []string{egAdmins}, false, 5 * time.Hour},
	{"Carlos Mendes", "carlos.mendes@acme.com", []string{"microsoftAuthenticatorPush", "softwareOneTimePasscode", "mobilePhone"}, []evidence.Role{roleHelpdesk}, []string{egOps, egSSPR}, false, 2 * time.Hour},
	{"Ingrid Larsen", "ingrid.larsen@acme.com", []string{"microsoftAuthenticatorPush", "email"}, []evidence.Role{roleAppAdmin}, []string{egOps}, false, 2 * day},
	{"Ahmed Karim", "ahmed.karim@acme.com", []string{"microsoftAuthenticatorPush", "mobilePhone", "email"}, nil, []string{egSales, egSSPR}, false, 1 * day},
	{"Julia Nowak", "julia.nowak@acme.com", []string{"mobilePhone"}, nil, []string{egSales, egSSPR}, false, 3 * day},
	{"Benjamin Clarke", "benjamin.clarke@acme.com", []string{"microsoftAuthenticatorPasswordless", "microsoftAuthenticatorPush", "fido2SecurityKey"}, nil, []string{egOps}, false, 8 * time.Hour},
	{"Amara Nwosu", "amara.nwosu@acme.com", []string{"microsoftAuthenticatorPush"}, nil, []string{egSales}, false, 4 * day},
	{"Lukas Novák", "lukas.novak@acme.com", []string{"microsoftAuthenticatorPush", "softwareOneTimePasscode"}, nil, []string{egOps, egSSPR}, false, 6 * time.Hour},
	{"Élodie Moreau", "elodie.moreau@acme.com", []string{"email", "securityQuestion"}, nil, []string{egSales, egSSPR}, false, 12 * day},
	{"Sanjay Gupta", "sanjay.gupta@acme.com", nil, nil, []string{egSales}, false, 30 * day},
	{"Hiroshi Tanaka", "hiroshi.tanaka@acme.com", []string{"windowsHelloForBusiness", "microsoftAuthenticatorPush"}, nil, []string{egOps}, false, 9 * time.Hour},
	{"Freya Lindqvist", "freya.lindqvist@acme.com", []string{"mobilePhone", "officePhone"}, nil, []string{egSales, egSSPR}, false, 7 * day},
	{"Mateo Silva", "mateo.silva@acme.com", []string{"microsoftAuthenticatorPush", "mobilePhone"}, nil, []string{egSales, egSSPR}, false, 2 * day},
	{"Warehouse Scanner 3", "scanner3@acme.com", nil, nil, []string{egExclusions}, false, 3 * time.Hour},
	{"svc-sharepoint-migrate", "svc-sharepoint-migrate@acme.com", []string{"mobilePhone"}, nil, []string{egExclusions}, false, 2 * day},
	{"Ama Boateng", "ama.boateng@acme.com", []string{"passKeyDeviceBound", "microsoftAuthenticatorPush"}, nil, []string{egOps}, false, 11 * time.Hour},
	{"Tobias Weber", "tobias.weber@acme.com", []string{"microsoftAuthenticatorPush", "hardwareOneTimePasscode"}, nil, []string{egOps}, false, 3 * day},
	{"Leila Farahani", "leila.farahani@acme.com", []string{"microsoftAuthenticatorPush", "mobilePhone", "alternateMobilePhone"}, nil, []string{egSales, egSSPR}, false, 20 * time.Hour},
	{"Connor Walsh", "connor.walsh@acme.com", []string{"softwareOneTimePasscode"}, nil, []string{egSales}, false, 5 * day},
	{"Ana Costa", "ana.costa@acme.com", []string{"microsoftAuthenticatorPush", "fido2SecurityKey"}, nil, []string{egOps}, false, 4 * time.Hour},
	{"=HYPERLINK(\"https://evil.example/x\",\"Click\")", "intern.2026@acme.com", []string{"email"}, nil, []string{egSales}, false, 14 * day},
	{"Partner: Lena Vogel (Contoso)", "lena.vogel_contoso.com#EXT#@acmecorp.onmicrosoft.com", nil, nil, nil, true, 10 * day},
	{"Partner: Raj Iyer (Fabrikam)", "raj.iyer_fabrikam.com#EXT#@acmecorp.onmicrosoft.com", []string{"email"}, nil, nil, true, 40 * day},
	{"Auditor: Kim Park (KPMG)", "kim.park_kpmg.com#EXT#@acmecorp.onmicrosoft.com", []string{"microsoftAuthenticatorPush"}, nil, nil, true, 2 * day},
	{"Yusuf Demir", "yusuf.demir@acme.com", []string{"microsoftAuthenticatorPush", "mobilePhone"}, nil, []string{egSales, egSSPR}, false, 1 * day},
	{"Charlotte King", "charlotte.king@acme.com", []string{"windowsHelloForBusiness", "microsoftAuthenticatorPasswordless"}, nil, []string{egOps}, false, 2 * time.Hour},
}

func entraGroupID(name string) string { return guid("entra-group-" + name) }

func buildEntra() *evidence.Source {
	src := &evidence.Source{
		Provider:         evidence.Entra,
		Tenant:           entraTenant,
		TenantName:       "Acme Corp (acmecorp.onmicrosoft.com)",
		CollectedAt:      CollectedAt,
		AuditWindow:      window(),
		LogRetentionDays: 30,
		OutOfScope:       []evidence.Count{{Reason: "accountEnabled false", Count: 27}},
	}
	members := map[string]int{}
	byUPN := map[string]evidence.Principal{}
	for i, p := range entraPeople {
		uid := guid("entra-user-" + p.upn)
		byUPN[p.upn] = evidence.Principal{ID: uid, Name: p.name, Type: "user"}
		a := evidence.Account{
			ID: uid, Name: p.name, Login: p.upn, Status: "enabled", UserType: "member",
			Privileged: len(p.roles) > 0, Roles: p.roles, LastSignIn: ago(p.lastSign),
			Created: ago(time.Duration(300+i*23) * day), Methods: []evidence.Method{},
		}
		if p.guest {
			a.UserType = "guest"
		}
		groups := p.groups
		if !p.guest {
			groups = append([]string{egAll}, groups...)
		}
		for _, g := range groups {
			a.Groups = append(a.Groups, entraGroupID(g))
			members[g]++
		}
		for _, m := range p.methods {
			kind, _ := evidence.EntraRegisteredKind(m)
			a.Methods = append(a.Methods, evidence.Method{Kind: kind, VendorType: m})
		}
		// isSsprEnabled: the SSPR policy is scoped to the SSPR-Enabled Users
		// group; registered once any SSPR method is.
		inSSPR := false
		for _, g := range p.groups {
			inSSPR = inSSPR || g == egSSPR
		}
		a.SSPR = &evidence.SSPRState{Enabled: inSSPR, Registered: len(p.methods) > 0, Capable: inSSPR && len(p.methods) > 0}
		// Every demo account has a context CA001 leaves open (trusted
		// locations), so the connector read its per-user MFA state: off.
		a.PerUserMFA = "disabled"
		src.Accounts = append(src.Accounts, a)
	}
	for _, g := range []string{egAll, egAdmins, egExclusions, egSales, egOps, egSSPR} {
		src.Groups = append(src.Groups, evidence.Group{ID: entraGroupID(g), Name: g, Members: members[g]})
	}

	all := evidence.Targets{All: true}
	bg1 := guid("entra-user-bg-admin-01@acmecorp.onmicrosoft.com")
	bg2 := guid("entra-user-bg-admin-02@acmecorp.onmicrosoft.com")
	adminRoles := []string{roleGlobalAdmin.ID, rolePrivAuth.ID, roleSecAdmin.ID, roleHelpdesk.ID, roleAppAdmin.ID}
	src.Policies = evidence.Policies{
		Methods: []evidence.MethodSetting{
			{ID: "Fido2", Name: "FIDO2 security key (passkey)", VendorKey: "Fido2", Kinds: []evidence.MethodKind{evidence.KindFIDO2, evidence.KindPasskeyDeviceBound}, Enabled: true, SignIn: true, Targets: all},
			{ID: "MicrosoftAuthenticator", Name: "Microsoft Authenticator", VendorKey: "MicrosoftAuthenticator", Kinds: []evidence.MethodKind{evidence.KindPush, evidence.KindPasswordlessApp}, Enabled: true, SignIn: true, Recovery: true, Targets: all},
			{ID: "Sms", Name: "SMS", VendorKey: "Sms", Kinds: []evidence.MethodKind{evidence.KindSMS}, Enabled: true, SignIn: true, Recovery: true, Targets: all},
			{ID: "Voice", Name: "Voice call", VendorKey: "Voice", Kinds: []evidence.MethodKind{evidence.KindVoice}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{Groups: []string{entraGroupID(egSales)}}},
			{ID: "Email", Name: "Email OTP", VendorKey: "Email", Kinds: []evidence.MethodKind{evidence.KindEmailOTP}, Enabled: true, SignIn: false, Recovery: true, Targets: all},
			{ID: "SoftwareOath", Name: "Third-party software OATH tokens", VendorKey: "SoftwareOath", Kinds: []evidence.MethodKind{evidence.KindTOTPSoftware}, Enabled: true, SignIn: true, Recovery: true, Targets: all},
			{ID: "HardwareOath", Name: "Hardware OATH tokens", VendorKey: "HardwareOath", Kinds: []evidence.MethodKind{evidence.KindTOTPHardware}, Enabled: true, SignIn: true, Targets: evidence.Targets{Groups: []string{entraGroupID(egOps)}}},
			{ID: "TemporaryAccessPass", Name: "Temporary Access Pass", VendorKey: "TemporaryAccessPass", Kinds: []evidence.MethodKind{evidence.KindTAP}, Enabled: true, SignIn: true, Targets: all},
			{ID: "X509Certificate", Name: "Certificate-based authentication", VendorKey: "X509Certificate", Kinds: []evidence.MethodKind{evidence.KindCertificate}, Enabled: false, Targets: all},
		},
		TemporaryAccess: []evidence.TemporaryAccessSetting{
			{ID: "TemporaryAccessPass", Name: "Temporary Access Pass", Enabled: true, Targets: all, Reusable: true, MaxLifetimeMinutes: 1440, DefaultLifetimeMinutes: 480},
		},
		Recovery: []evidence.RecoveryPolicy{{
			ID: "authorizationPolicy", Name: "Self-service password reset (users)", Enabled: true, Targets: evidence.Targets{Groups: []string{entraGroupID(egSSPR)}},
			SelfService: true, Methods: []evidence.MethodKind{evidence.KindEmailOTP, evidence.KindSMS, evidence.KindVoice, evidence.KindPush, evidence.KindTOTPSoftware},
			EndsInSession: false, Known: false,
			Manual: "Graph v1.0 does not expose the number of methods SSPR requires or whether security questions are allowed: check Entra admin center > Password reset > Authentication methods.",
			Source: "authorizationPolicy.allowedToUseSSPR + authentication methods policy",
		}},
		SignIn: []evidence.SignInPolicy{
			{ID: guid("ca-mfa-all"), Name: "CA001: Require MFA for all users", Kind: "conditional_access", Enabled: true, AllApps: true, RequiresMFA: true,
				Targets: evidence.Targets{All: true, ExcludeUsers: []string{bg1, bg2}, ExcludeGroups: []string{entraGroupID(egExclusions)}}},
			{ID: guid("ca-admins-pr"), Name: "CA002: Phishing-resistant MFA for admins", Kind: "conditional_access", Enabled: true, AllApps: true, RequiresMFA: true, PhishingResistant: true,
				AllowedKinds: []evidence.MethodKind{evidence.KindFIDO2, evidence.KindWindowsHello, evidence.KindCertificate, evidence.KindPasskeyDeviceBound},
				Targets:      evidence.Targets{Roles: adminRoles, ExcludeUsers: []string{bg1, bg2}}},
			{ID: guid("ca-legacy"), Name: "CA003: Block legacy authentication", Kind: "conditional_access", Enabled: true, AllApps: true, Block: true, LegacyClients: true,
				Targets: evidence.Targets{All: true, ExcludeUsers: []string{bg1}}},
		},
		Registration: []evidence.RegistrationPolicy{
			{ID: guid("ca-secinfo"), Name: "CA004: Secure security info registration", Enabled: false, Targets: evidence.Targets{All: true, ExcludeRoles: []string{roleGlobalAdmin.ID}}, RequiresMFA: true, TrustedDevice: true, Detail: "state enabledForReportingButNotEnforced (report-only)"},
		},
		LegacyAuthBlocked: boolp(true),
	}
	src.Policies.Engine = evidence.EngineEntra
	src.Policies.Access = entraAccess(bg1, bg2, adminRoles)
	src.Policies.Entra = &evidence.EntraSettings{
		SecurityDefaults: boolp(false), MigrationState: "migrationComplete", AdminSSPR: boolp(true), VoiceOfficePhone: true,
		NamedLocations: []evidence.NamedLocation{
			{ID: guid("loc-hq"), Name: "HQ network", Trusted: true},
			{ID: guid("loc-warehouse"), Name: "Warehouse network", Trusted: true},
			{ID: guid("loc-sanctioned"), Name: "Sanctioned countries"},
		},
		NamedLocationsKnown: true,
	}

	helpdesk := byUPN["carlos.mendes@acme.com"]
	var n int
	ev := func(kind evidence.EventKind, vendor string, when time.Duration, actor, target evidence.Principal, mk evidence.MethodKind) {
		n++
		src.Events = append(src.Events, evidence.Event{
			ID: "Directory_" + guid("entra-audit-"+strconv.Itoa(n)), Kind: kind, Time: at(when), VendorType: vendor,
			Actor: actor, Target: target, Outcome: "success", MethodKind: mk,
		})
	}
	oliver := byUPN["oliver.grant@acme.com"]
	ev(evidence.EvTAPIssued, "Admin registered security info", 9*day, helpdesk, oliver, evidence.KindTAP)
	ev(evidence.EvMethodEnrolled, "User registered security info", 9*day-20*time.Minute, oliver, oliver, evidence.KindPush)
	ingrid := byUPN["ingrid.larsen@acme.com"]
	ev(evidence.EvPasswordResetAdmin, "Reset password (by admin)", 6*day, helpdesk, ingrid, "")
	julia := byUPN["julia.nowak@acme.com"]
	ev(evidence.EvFactorReset, "Admin deleted security info", 14*day, helpdesk, julia, evidence.KindPush)
	sanjay := byUPN["sanjay.gupta@acme.com"]
	ev(evidence.EvFactorReset, "Admin deleted security info", 11*day, helpdesk, sanjay, evidence.KindSMS)
	ev(evidence.EvTAPIssued, "Admin registered security info", 11*day-10*time.Minute, helpdesk, sanjay, evidence.KindTAP)
	for i, upn := range []string{"ahmed.karim@acme.com", "mateo.silva@acme.com", "leila.farahani@acme.com", "elodie.moreau@acme.com"} {
		u := byUPN[upn]
		ev(evidence.EvPasswordResetSelf, "Reset password (self-service)", time.Duration(2+i*6)*day, u, u, "")
	}
	freya := byUPN["freya.lindqvist@acme.com"]
	ev(evidence.EvUnlock, "Unlock user account (self-service)", 5*day, freya, freya, "")
	svc := byUPN["svc-sharepoint-migrate@acme.com"]
	for i := 0; i < 3; i++ {
		src.Events = append(src.Events, evidence.Event{ID: "signin_" + guid("entra-signin-svc-"+strconv.Itoa(i)), Kind: evidence.EvSignIn, Time: at(time.Duration(2+i*9) * day), VendorType: "interactive sign-in", Actor: svc, Target: svc, Outcome: "success", Interactive: true})
	}

	rebecca := evidence.Owner{ID: byUPN["rebecca.thornton@acme.com"].ID, Name: "Rebecca Thornton", Active: true, Privileged: true}
	ingridO := evidence.Owner{ID: ingrid.ID, Name: "Ingrid Larsen", Active: true, Privileged: true}
	departed := evidence.Owner{ID: guid("entra-user-departed"), Name: "Mark Ellison (disabled)", Active: false}
	src.Workloads = []evidence.Workload{
		{ID: guid("app-payroll"), Type: evidence.WApplication, Name: "Payroll connector", AppID: guid("appid-payroll"), Enabled: true, Owners: []evidence.Owner{ingridO},
			Credentials: []evidence.Credential{
				{ID: guid("pw-payroll-1"), Type: evidence.CredSecret, Name: "prod", Created: ago(500 * day), Expires: ago(-230 * day), Active: true},
				{ID: guid("pw-payroll-2"), Type: evidence.CredSecret, Name: "prod-rotation", Created: ago(20 * day), Expires: ago(-710 * day), Active: true},
			},
			Grants: []string{"User.Read.All"}, Created: ago(500 * day)},
		{ID: guid("app-gha"), Type: evidence.WApplication, Name: "GitHub Actions deploy", AppID: guid("appid-gha"), Enabled: true, Owners: []evidence.Owner{rebecca},
			Credentials: []evidence.Credential{{ID: guid("fic-gha"), Type: evidence.CredFederated, Name: "repo:acme/infra:ref:refs/heads/main", Created: ago(100 * day), Active: true}},
			Grants:      []string{"Application.Read.All"}, Created: ago(100 * day)},
		{ID: guid("app-intranet"), Type: evidence.WApplication, Name: "Intranet SSO", AppID: guid("appid-intranet"), Enabled: true, Owners: []evidence.Owner{departed},
			Credentials: []evidence.Credential{{ID: guid("cert-intranet"), Type: evidence.CredCertificate, Name: "CN=intranet.acme.com", Created: ago(800 * day), Expires: ago(-300 * day), Active: true}},
			Created:     ago(800 * day)},
		{ID: guid("sp-contoso"), Type: evidence.WServicePrincipal, Name: "Contoso Analytics", AppID: guid("appid-contoso"), Enabled: true, ThirdParty: true, OwnerOrg: guid("tenant-contoso"),
			Credentials: []evidence.Credential{{ID: guid("pw-contoso"), Type: evidence.CredSecret, Name: "contoso-sync", Created: ago(300 * day), Active: true}},
			Grants:      []string{"AuditLog.Read.All", "Directory.ReadWrite.All"}, Created: ago(300 * day)},
		{ID: guid("sp-legacy-mail"), Type: evidence.WServicePrincipal, Name: "Legacy mail relay", AppID: guid("appid-mail"), Enabled: false,
			Credentials: []evidence.Credential{{ID: guid("pw-mail"), Type: evidence.CredSecret, Name: "relay", Created: ago(900 * day), Expires: ago(-1000 * day), Active: true}},
			Created:     ago(900 * day)},
		{ID: guid("sp-automation"), Type: evidence.WServicePrincipal, Name: "Identity automation runbook", AppID: guid("appid-automation"), Enabled: true, Owners: []evidence.Owner{rebecca},
			Credentials: []evidence.Credential{{ID: guid("cert-automation"), Type: evidence.CredCertificate, Name: "CN=automation", Created: ago(90 * day), Expires: ago(-275 * day), Active: true}},
			Roles:       []evidence.Role{{ID: "fe930be7-5e62-47db-91af-98c3a49a38b1", Name: "User Administrator", Via: "direct"}}, Created: ago(90 * day)},
	}

	items := map[string]int{
		evidence.DSUsers: len(src.Accounts), evidence.DSGroups: len(src.Groups), evidence.DSRegDetails: len(src.Accounts),
		evidence.DSMethodsPol: len(src.Policies.Methods), evidence.DSCondAccess: 7, evidence.DSAuthzPolicy: 1,
		evidence.DSRoles: 7, evidence.DSAudits: len(src.Events), evidence.DSApplications: 3, evidence.DSServicePrincipals: 3,
	}
	src.Coverage = complete(evidence.Entra, items)
	for i := range src.Coverage {
		if src.Coverage[i].Dataset == evidence.DSAuthMethods {
			src.Coverage[i].Detail = "per-user methods not needed: the registration report covered every user"
		}
	}
	return src
}

// entraAccess is the demo tenant's Conditional Access as the connector
// reads it: MFA for everyone except from trusted locations, phishing-
// resistant MFA for admins, legacy authentication blocked (but for one
// break-glass account), security-info registration in report-only, the
// warehouse scanners held to the warehouse network, Sales' Office 365
// satisfied by a compliant device instead of MFA, and a report-only
// device policy for admins.
func entraAccess(bg1, bg2 string, adminRoles []string) []evidence.AccessPolicy {
	pol := func(seed, name, state string, c evidence.Conditions, q evidence.Requirement) evidence.AccessPolicy {
		id := guid(seed)
		if len(c.ClientAppTypes) == 0 {
			c.ClientAppTypes = []string{"all"}
		}
		access := "ALLOW"
		if slices.Contains(q.Controls, "block") {
			access = "DENY"
		}
		return evidence.AccessPolicy{ID: id, Name: name, Type: evidence.APEntraConditionalAccess, Status: state,
			Enabled: state == "enabled", ReportOnly: state == "enabledForReportingButNotEnforced", Conditions: c,
			Rules: []evidence.AccessRule{{ID: id, Status: state, Enabled: state == "enabled", Access: access, Requirement: q}}}
	}
	allApps := &evidence.AppCondition{Include: []string{"All"}}
	mfa := evidence.Requirement{Operator: "OR", Controls: []string{"mfa"}}
	block := evidence.Requirement{Operator: "OR", Controls: []string{"block"}}
	return []evidence.AccessPolicy{
		pol("ca-mfa-all", "CA001: Require MFA for all users", "enabled", evidence.Conditions{
			People: evidence.Targets{All: true, ExcludeUsers: []string{bg1, bg2}, ExcludeGroups: []string{entraGroupID(egExclusions)}},
			Apps:   allApps, Network: &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}}, mfa),
		pol("ca-admins-pr", "CA002: Phishing-resistant MFA for admins", "enabled", evidence.Conditions{
			People: evidence.Targets{Roles: adminRoles, ExcludeUsers: []string{bg1, bg2}}, Apps: allApps},
			evidence.Requirement{Operator: "OR", Strength: &evidence.AuthenticationStrength{ID: "00000000-0000-0000-0000-000000000004",
				Name: "Phishing-resistant MFA", AllowedCombinations: []string{"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"}}}),
		pol("ca-legacy", "CA003: Block legacy authentication", "enabled", evidence.Conditions{
			People: evidence.Targets{All: true, ExcludeUsers: []string{bg1}}, Apps: allApps,
			ClientAppTypes: []string{"exchangeActiveSync", "other"}}, block),
		pol("ca-secinfo", "CA004: Secure security info registration", "enabledForReportingButNotEnforced", evidence.Conditions{
			People:  evidence.Targets{All: true, ExcludeRoles: []string{roleGlobalAdmin.ID}},
			Apps:    &evidence.AppCondition{UserActions: []string{"urn:user:registersecurityinfo"}},
			Network: &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}}, mfa),
		pol("ca-warehouse", "CA005: Warehouse scanners only from the warehouse network", "enabled", evidence.Conditions{
			People: evidence.Targets{Groups: []string{entraGroupID(egExclusions)}}, Apps: allApps,
			Network: &evidence.Network{Include: []string{"All"}, Exclude: []string{guid("loc-warehouse")}}}, block),
		pol("ca-sales-o365", "CA006: Sales - MFA or compliant device for Office 365", "enabled", evidence.Conditions{
			People: evidence.Targets{Groups: []string{entraGroupID(egSales)}}, Apps: &evidence.AppCondition{Include: []string{"Office365"}}},
			evidence.Requirement{Operator: "OR", Controls: []string{"mfa", "compliantDevice"}}),
		pol("ca-admins-device", "CA007: Compliant device for admins (report-only)", "enabledForReportingButNotEnforced", evidence.Conditions{
			People: evidence.Targets{Roles: adminRoles}, Apps: allApps},
			evidence.Requirement{Operator: "OR", Controls: []string{"compliantDevice"}}),
	}
}
