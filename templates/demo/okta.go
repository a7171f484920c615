package demo

import (
	"strconv"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// oktaPerson describes one demo Okta user; factors are "factorType/provider".
type oktaPerson struct {
	name, login string
	factors     []string
	roles       []evidence.Role
	groups      []string
	status      string
	lastLogin   time.Duration
}

var (
	roleSuper    = evidence.Role{ID: "SUPER_ADMIN", Name: "Super Administrator", Via: "direct"}
	roleOrg      = evidence.Role{ID: "ORG_ADMIN", Name: "Organization Administrator", Via: "direct"}
	roleHelpDesk = evidence.Role{ID: "HELP_DESK_ADMIN", Name: "Help Desk Administrator", Via: "group Help Desk"}
	roleApp      = evidence.Role{ID: "APP_ADMIN", Name: "Application Administrator", Via: "direct"}
)

const (
	gEveryone   = "Everyone"
	gAdmins     = "Okta Admins"
	gHelpDesk   = "Help Desk"
	gMFAExempt  = "MFA Exempt - Legacy Kiosk"
	gVPN        = "VPN Contractors"
	gEngineers  = "Engineering"
	gFinance    = "Finance"
	gServiceAcc = "Service Accounts"
)

var oktaPeople = []oktaPerson{
	{"Dana Whitfield", "dana.whitfield@acme.com", []string{"webauthn/FIDO", "signed_nonce/OKTA", "webauthn/FIDO"}, []evidence.Role{roleSuper}, []string{gAdmins, gEngineers}, "ACTIVE", 2 * time.Hour},
	{"Marcus Chen", "marcus.chen@acme.com", []string{"webauthn/FIDO", "sms/OKTA"}, []evidence.Role{roleSuper}, []string{gAdmins}, "ACTIVE", 5 * time.Hour},
	{"Zoë Ångström-Łukasiewicz", "zoe.angstrom@acme.com", []string{"push/OKTA", "token:software:totp/GOOGLE", "question/OKTA"}, []evidence.Role{roleOrg}, []string{gAdmins, gFinance}, "ACTIVE", 26 * time.Hour},
	{"Priya Raman", "priya.raman@acme.com", []string{"push/OKTA", "sms/OKTA"}, []evidence.Role{roleHelpDesk}, []string{gHelpDesk}, "ACTIVE", 3 * time.Hour},
	{"Tomás Oliveira", "tomas.oliveira@acme.com", []string{"push/OKTA", "signed_nonce/OKTA"}, []evidence.Role{roleHelpDesk}, []string{gHelpDesk}, "ACTIVE", 30 * time.Hour},
	{"Aisha Bello", "aisha.bello@acme.com", []string{"webauthn/FIDO", "webauthn/FIDO"}, []evidence.Role{roleApp}, []string{gAdmins, gEngineers}, "ACTIVE", 50 * time.Hour},
	{"José Müller", "jose.muller@acme.com", []string{"push/OKTA", "sms/OKTA"}, nil, []string{gFinance}, "ACTIVE", 4 * day},
	{"Hannah Schmidt", "hannah.schmidt@acme.com", []string{"push/OKTA"}, nil, []string{gFinance}, "ACTIVE", 2 * day},
	{"Liam O'Connor", "liam.oconnor@acme.com", []string{"sms/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 6 * day},
	{"Sofia Rossi", "sofia.rossi@acme.com", []string{"push/OKTA", "token:software:totp/OKTA", "signed_nonce/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 20 * time.Hour},
	{"Kenji Watanabe", "kenji.watanabe@acme.com", []string{"webauthn/FIDO", "push/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 12 * time.Hour},
	{"Fatima Al-Sayed", "fatima.alsayed@acme.com", []string{"email/OKTA", "question/OKTA"}, nil, []string{gFinance}, "ACTIVE", 9 * day},
	{"Noah Fischer", "noah.fischer@acme.com", nil, nil, []string{gEngineers}, "PASSWORD_EXPIRED", 40 * day},
	{"Olivia Dubois", "olivia.dubois@acme.com", []string{"push/OKTA", "call/OKTA"}, nil, []string{gFinance}, "ACTIVE", 3 * day},
	{"Ethan Brooks", "ethan.brooks@acme.com", []string{"token:hardware/YUBICO", "push/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 1 * day},
	{"Mei Lin", "mei.lin@acme.com", []string{"push/OKTA", "sms/OKTA"}, nil, []string{gVPN}, "LOCKED_OUT", 15 * day},
	{"Grace Okafor", "grace.okafor@acme.com", []string{"webauthn/FIDO", "signed_nonce/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 7 * time.Hour},
	{"Lucas Martin", "lucas.martin@acme.com", []string{"sms/OKTA", "email/OKTA"}, nil, []string{gVPN}, "ACTIVE", 11 * day},
	{"Isabella García", "isabella.garcia@acme.com", []string{"push/OKTA", "webauthn/FIDO"}, nil, []string{gFinance}, "RECOVERY", 21 * day},
	{"Kiosk Front Desk", "kiosk.frontdesk@acme.com", nil, nil, []string{gMFAExempt}, "ACTIVE", 8 * time.Hour},
	{"svc-backup", "svc-backup@acme.com", nil, nil, []string{gServiceAcc, gMFAExempt}, "ACTIVE", 1 * day},
	{"svc-hr-sync", "svc-hr-sync@acme.com", []string{"token:software:totp/GOOGLE"}, nil, []string{gServiceAcc}, "ACTIVE", 60 * day},
	{"Ravi Patel", "ravi.patel@acme.com", []string{"push/OKTA", "duo-web/DUO"}, nil, []string{gEngineers}, "ACTIVE", 5 * day},
	{"Chloé Lefèvre", "chloe.lefevre@acme.com", []string{"push/OKTA", "signed_nonce/OKTA", "sms/OKTA"}, nil, []string{gFinance}, "ACTIVE", 2 * day},
	{"Samuel Adeyemi", "samuel.adeyemi@acme.com", []string{"push/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 4 * time.Hour},
	{"Emma Johansson", "emma.johansson@acme.com", []string{"webauthn/FIDO", "push/OKTA", "token:software:totp/OKTA"}, nil, []string{gEngineers}, "ACTIVE", 6 * time.Hour},
	{"Diego Fernández", "diego.fernandez@acme.com", []string{"sms/OKTA", "call/OKTA"}, nil, []string{gVPN}, "ACTIVE", 13 * day},
	{"Yara Haddad", "yara.haddad@acme.com", []string{"push/OKTA", "signed_nonce/OKTA"}, nil, []string{gFinance}, "ACTIVE", 9 * time.Hour},
}

// oktaOutOfScope are users that exist but are not judged (counted only).
var oktaOutOfScope = []evidence.Count{
	{Reason: "status DEPROVISIONED", Count: 41},
	{Reason: "status STAGED", Count: 6},
	{Reason: "status SUSPENDED", Count: 3},
}

func oktaGroupID(name string) string { return id("00g", "okta-group-"+name) }

func buildOkta() *evidence.Source {
	src := &evidence.Source{
		Provider:         evidence.Okta,
		Tenant:           oktaHost,
		TenantName:       "Acme Corp (Okta Identity Engine)",
		CollectedAt:      CollectedAt,
		AuditWindow:      window(),
		LogRetentionDays: 90,
		OutOfScope:       oktaOutOfScope,
	}
	groupMembers := map[string]int{}
	byLogin := map[string]string{}
	for i, p := range oktaPeople {
		uid := id("00u", "okta-user-"+p.login)
		byLogin[p.login] = uid
		a := evidence.Account{
			ID: uid, Name: p.name, Login: p.login, Status: p.status, UserType: "member",
			Privileged: len(p.roles) > 0, Roles: p.roles,
			LastSignIn: ago(p.lastLogin), Created: ago(time.Duration(400+i*17) * day),
			Methods: []evidence.Method{},
		}
		for _, g := range append([]string{gEveryone}, p.groups...) {
			a.Groups = append(a.Groups, oktaGroupID(g))
			groupMembers[g]++
		}
		for j, f := range p.factors {
			ft, prov, _ := strings.Cut(f, "/")
			if ft == "duo-web" {
				ft = "web"
			}
			kind, _ := evidence.OktaFactorKind(ft, prov)
			m := evidence.Method{
				Kind: kind, VendorType: ft, VendorProvider: prov, Status: "ACTIVE",
				ID:      id(factorPrefix(ft), "okta-factor-"+p.login+f+strconv.Itoa(j)),
				Created: ago(time.Duration(90+i*11+j*37) * day),
			}
			switch ft {
			case "webauthn":
				m.Name = []string{"YubiKey 5 NFC", "iCloud Keychain", "YubiKey 5C (backup)"}[(i+j)%3]
				if m.Name == "iCloud Keychain" {
					// A synced passkey (profile.authenticatorName from the
					// AAGUID metadata): AAL2, not AAL3.
					m.Kind = evidence.KindPasskeySynced
				}
			case "push", "signed_nonce":
				m.Name = "Okta Verify on " + []string{"iPhone 15", "Pixel 8", "ThinkPad X1"}[(i+j)%3]
			case "sms", "call":
				m.Name = "+1 •••• ••" + []string{"41", "87", "09", "23"}[(i+j)%4]
			}
			a.Methods = append(a.Methods, m)
		}
		src.Accounts = append(src.Accounts, a)
	}
	for _, g := range []string{gEveryone, gAdmins, gHelpDesk, gMFAExempt, gVPN, gEngineers, gFinance, gServiceAcc} {
		src.Groups = append(src.Groups, evidence.Group{ID: oktaGroupID(g), Name: g, Members: groupMembers[g]})
	}

	everyone := evidence.Targets{All: true}
	admins := evidence.Targets{Groups: []string{oktaGroupID(gAdmins)}}
	src.Policies = evidence.Policies{
		Methods: []evidence.MethodSetting{
			{ID: "aut1nbtrJKKA9m45a0g4", Name: "Password", VendorKey: "okta_password", Kinds: []evidence.MethodKind{evidence.KindPassword}, Enabled: true, SignIn: true, Targets: everyone},
			{ID: "aut1nbsPHh7jNjjyP0g4", Name: "Email", VendorKey: "okta_email", Kinds: []evidence.MethodKind{evidence.KindEmailOTP}, Enabled: true, SignIn: false, Recovery: true, Targets: everyone},
			{ID: "aut1nbuyD8m1ckAYc0g4", Name: "Phone", VendorKey: "phone_number", Kinds: []evidence.MethodKind{evidence.KindSMS, evidence.KindVoice}, Enabled: true, SignIn: true, Recovery: true, Targets: everyone},
			{ID: "aut1nbvIgEenhwE6c0g4", Name: "Security Question", VendorKey: "security_question", Kinds: []evidence.MethodKind{evidence.KindSecurityQuestion}, Enabled: true, Recovery: true, Targets: everyone},
			{ID: "aut1nd8PQhGcQtSxB0g4", Name: "Security Key or Biometric", VendorKey: "webauthn", Kinds: []evidence.MethodKind{evidence.KindFIDO2}, Enabled: true, SignIn: true, Targets: everyone},
			{ID: "aut1ov1rfyHvNbGnq0g4", Name: "Okta Verify", VendorKey: "okta_verify", Kinds: []evidence.MethodKind{evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass}, Enabled: true, SignIn: true, Targets: everyone},
			{ID: "aut1gotpWq0bq5sY90g4", Name: "Google Authenticator", VendorKey: "google_otp", Kinds: []evidence.MethodKind{evidence.KindTOTPSoftware}, Enabled: true, SignIn: true, Targets: everyone},
			{ID: "aut1yubiKJ8dnSmEo0g4", Name: "YubiKey OTP", VendorKey: "yubikey_token", Kinds: []evidence.MethodKind{evidence.KindTOTPHardware}, Enabled: true, SignIn: true, Targets: everyone},
			{ID: "aut1duoSec4AcmeAa0g4", Name: "Duo Security", VendorKey: "duo", Kinds: []evidence.MethodKind{evidence.KindPush}, Enabled: true, SignIn: true, Targets: evidence.Targets{Groups: []string{oktaGroupID(gEngineers)}}},
			{ID: "aut1tacHelpDesk0g4", Name: "Temporary Access Code", VendorKey: "tac", Kinds: []evidence.MethodKind{evidence.KindTAP}, Enabled: true, SignIn: true, Targets: everyone},
		},
		// The help desk's temporary access code: one-time, but valid a day
		// (provider.configuration maxTtl 1440, defaultTtl 120).
		TemporaryAccess: []evidence.TemporaryAccessSetting{
			{ID: "aut1tacHelpDesk0g4", Name: "Temporary Access Code", Enabled: true, Targets: everyone, MaxLifetimeMinutes: 1440, DefaultLifetimeMinutes: 120},
		},
		Recovery: []evidence.RecoveryPolicy{
			{
				ID: id("00p", "okta-pw-admins"), Name: "Administrators password policy", RuleID: id("0pr", "okta-pw-admins-rule"),
				Enabled: true, Priority: 1, Targets: admins, SelfService: false,
				Known: true, Source: "OIE password policy rule selfServicePasswordReset.access DENY (admins recover through the help desk)",
			},
			{
				ID: id("00p", "okta-pw-contractors"), Name: "Contractors password policy", RuleID: id("0pr", "okta-pw-contractors-rule"),
				Enabled: true, Priority: 2, Targets: evidence.Targets{Groups: []string{oktaGroupID(gVPN)}}, SelfService: true,
				Methods:       []evidence.MethodKind{evidence.KindSMS},
				EndsInSession: true, Known: true, AccessControl: "LEGACY", Source: "OIE password policy rule selfServicePasswordReset.requirement",
			},
			{
				ID: id("00p", "okta-pw-default"), Name: "Default Policy", RuleID: id("0pr", "okta-pw-default-rule"),
				Enabled: true, Priority: 3, Targets: everyone, SelfService: true,
				Methods:        []evidence.MethodKind{evidence.KindEmailOTP, evidence.KindSMS},
				StepUpRequired: true, StepUpMethods: []evidence.MethodKind{evidence.KindSecurityQuestion},
				EndsInSession: true, Known: true, AccessControl: "LEGACY", Source: "OIE password policy rule selfServicePasswordReset.requirement",
			},
		},
		Engine: evidence.EngineOktaIdentity,
		Access: oktaAccessPolicies(),
		Registration: []evidence.RegistrationPolicy{
			{ID: id("00p", "okta-enroll-admins"), Name: "Admin authenticator enrollment", Enabled: true, Targets: admins, RequiresMFA: true, Detail: "enrollment requires an existing factor challenge (rule enroll.self CHALLENGE)"},
			{ID: id("00p", "okta-enroll-default"), Name: "Default Policy", Enabled: true, Targets: everyone, RequiresMFA: false, Detail: "enrollment allowed after password sign-in (rule enroll.self LOGIN)"},
		},
	}

	// Audit events in the window.
	helpdesk := evidence.Principal{ID: byLogin["priya.raman@acme.com"], Name: "Priya Raman", Type: "user"}
	tomas := evidence.Principal{ID: byLogin["tomas.oliveira@acme.com"], Name: "Tomás Oliveira", Type: "user"}
	user := func(login, name string) evidence.Principal {
		return evidence.Principal{ID: byLogin[login], Name: name, Type: "user"}
	}
	var n int
	ev := func(kind evidence.EventKind, vendor string, when time.Duration, actor, target evidence.Principal, mk evidence.MethodKind) {
		n++
		src.Events = append(src.Events, evidence.Event{
			ID: guid("okta-event-" + vendor + strconv.Itoa(n)), Kind: kind, Time: at(when), VendorType: vendor,
			Actor: actor, Target: target, Outcome: "SUCCESS", MethodKind: mk,
		})
	}
	marcus := user("marcus.chen@acme.com", "Marcus Chen")
	ev(evidence.EvFactorReset, "user.mfa.factor.reset_all", 12*day, helpdesk, marcus, "")
	ev(evidence.EvMethodEnrolled, "user.mfa.factor.activate", 12*day-40*time.Minute, marcus, marcus, evidence.KindSMS)
	ev(evidence.EvMethodEnrolled, "user.mfa.factor.activate", 12*day-35*time.Minute, marcus, marcus, evidence.KindFIDO2)
	liam := user("liam.oconnor@acme.com", "Liam O'Connor")
	ev(evidence.EvFactorReset, "user.mfa.factor.deactivate", 19*day, tomas, liam, evidence.KindPush)
	noah := user("noah.fischer@acme.com", "Noah Fischer")
	ev(evidence.EvFactorReset, "user.mfa.factor.reset_all", 16*day, helpdesk, noah, "")
	ev(evidence.EvPasswordResetAdmin, "user.account.reset_password", 16*day-5*time.Minute, helpdesk, noah, "")
	zoe := user("zoe.angstrom@acme.com", "Zoë Ångström-Łukasiewicz")
	ev(evidence.EvPasswordResetAdmin, "user.account.reset_password", 4*day, tomas, zoe, "")
	// A help-desk burst: 13 factor resets by one operator on one day.
	burst := []string{"jose.muller@acme.com", "hannah.schmidt@acme.com", "sofia.rossi@acme.com", "kenji.watanabe@acme.com", "olivia.dubois@acme.com", "ethan.brooks@acme.com", "grace.okafor@acme.com", "ravi.patel@acme.com", "chloe.lefevre@acme.com", "samuel.adeyemi@acme.com", "emma.johansson@acme.com", "yara.haddad@acme.com", "diego.fernandez@acme.com"}
	for i, login := range burst {
		t := user(login, login)
		for _, p := range oktaPeople {
			if p.login == login {
				t.Name = p.name
			}
		}
		when := 8*day - time.Duration(i)*17*time.Minute
		ev(evidence.EvFactorReset, "user.mfa.factor.deactivate", when, helpdesk, t, evidence.KindPush)
		if login != "diego.fernandez@acme.com" && login != "ravi.patel@acme.com" {
			ev(evidence.EvMethodEnrolled, "user.mfa.factor.activate", when-2*time.Hour, t, t, evidence.KindPush)
		}
	}
	for i, login := range []string{"hannah.schmidt@acme.com", "lucas.martin@acme.com", "fatima.alsayed@acme.com"} {
		u := user(login, login)
		ev(evidence.EvPasswordResetSelf, "user.account.reset_password", time.Duration(3+i*5)*day, u, u, "")
	}
	mei := user("mei.lin@acme.com", "Mei Lin")
	ev(evidence.EvUnlock, "user.account.unlock_by_admin", 2*day, helpdesk, mei, "")
	svc := user("svc-backup@acme.com", "svc-backup")
	for i := 0; i < 4; i++ {
		e := evidence.Event{ID: guid("okta-signin-svc-" + strconv.Itoa(i)), Kind: evidence.EvSignIn, Time: at(time.Duration(1+i*6) * day), VendorType: "user.session.start", Actor: svc, Target: svc, Outcome: "SUCCESS", Interactive: true}
		src.Events = append(src.Events, e)
	}

	// Workloads: API tokens and OAuth service apps.
	dana := evidence.Owner{ID: byLogin["dana.whitfield@acme.com"], Name: "Dana Whitfield", Active: true, Privileged: true}
	aisha := evidence.Owner{ID: byLogin["aisha.bello@acme.com"], Name: "Aisha Bello", Active: true, Privileged: true}
	gone := evidence.Owner{ID: id("00u", "okta-user-departed"), Name: "Brian Kowalski (deprovisioned)", Active: false}
	src.Workloads = []evidence.Workload{
		{ID: id("00T", "tok-siem"), Type: evidence.WAPIToken, Name: "SIEM log export", Enabled: true, Owners: []evidence.Owner{dana},
			Credentials: []evidence.Credential{{ID: id("00T", "tok-siem"), Type: evidence.CredAPIToken, Name: "SIEM log export", Created: ago(700 * day), LastUsed: ago(1 * time.Hour), Active: true}},
			Roles:       []evidence.Role{roleSuper}, Created: ago(700 * day), LastUsed: ago(1 * time.Hour)},
		{ID: id("00T", "tok-old-provisioning"), Type: evidence.WAPIToken, Name: "Old provisioning script", Enabled: true, Owners: []evidence.Owner{gone},
			Credentials: []evidence.Credential{{ID: id("00T", "tok-old-provisioning"), Type: evidence.CredAPIToken, Name: "Old provisioning script", Created: ago(540 * day), LastUsed: ago(150 * day), Active: true}},
			Created:     ago(540 * day), LastUsed: ago(150 * day)},
		{ID: id("00T", "tok-scim"), Type: evidence.WAPIToken, Name: "SCIM bridge", Enabled: true, Owners: []evidence.Owner{aisha},
			Credentials: []evidence.Credential{{ID: id("00T", "tok-scim"), Type: evidence.CredAPIToken, Name: "SCIM bridge", Created: ago(45 * day), Expires: ago(-45 * day), LastUsed: ago(3 * time.Hour), Active: true}},
			Created:     ago(45 * day), LastUsed: ago(3 * time.Hour)},
		{ID: id("0oa", "app-terraform"), Type: evidence.WServiceApp, Name: "Terraform automation", AppID: id("0oa", "app-terraform"), Enabled: true, AuthMethod: "client_secret_basic", Owners: []evidence.Owner{aisha},
			Credentials: []evidence.Credential{
				{ID: "ocs1terraformPrimary0", Type: evidence.CredSecret, Name: "primary", Created: ago(420 * day), Active: true},
				{ID: "ocs2terraformRotated1", Type: evidence.CredSecret, Name: "rotation (old one never revoked)", Created: ago(30 * day), Active: true},
			},
			Grants: []string{"okta.groups.manage", "okta.policies.manage", "okta.users.manage"}, Roles: []evidence.Role{{ID: "ORG_ADMIN", Name: "Organization Administrator", Via: "client"}},
			Created: ago(420 * day), LastUsed: ago(2 * time.Hour)},
		{ID: id("0oa", "app-workday"), Type: evidence.WServiceApp, Name: "Workday HR provisioning (OIN)", AppID: id("0oa", "app-workday"), Enabled: true, ThirdParty: true, OwnerOrg: "Workday, Inc.", AuthMethod: "private_key_jwt",
			Credentials: []evidence.Credential{{ID: "kid-workday-2026", Type: evidence.CredCertificate, Name: "JWKS key", Created: ago(120 * day), Active: true}},
			Grants:      []string{"okta.groups.read", "okta.users.manage"}, Created: ago(800 * day), LastUsed: ago(20 * time.Minute)},
		{ID: id("0oa", "app-backup"), Type: evidence.WServiceApp, Name: "Backup connector", AppID: id("0oa", "app-backup"), Enabled: true, AuthMethod: "private_key_jwt", Owners: []evidence.Owner{dana},
			Credentials: []evidence.Credential{{ID: "kid-backup-2026", Type: evidence.CredCertificate, Name: "JWKS key", Created: ago(60 * day), Expires: ago(-300 * day), Active: true}},
			Grants:      []string{"okta.logs.read", "okta.users.read"}, Created: ago(60 * day), LastUsed: ago(6 * time.Hour)},
	}

	src.Coverage = complete(evidence.Okta, map[string]int{
		evidence.DSUsers: len(src.Accounts), evidence.DSFactors: len(src.Accounts), evidence.DSGroups: len(src.Groups),
		evidence.DSRoles: 6, evidence.DSAuthn: len(src.Policies.Methods), evidence.DSPolicies: 9,
		evidence.DSSystemLog: len(src.Events), evidence.DSAPITokens: 3, evidence.DSApps: 3,
	})
	return src
}

// oktaAccessPolicies is the org's sign-in configuration as Okta's engine
// reads it: Okta's default shape (global session Default Rule without MFA,
// PASSWORD_IDP_ANY_FACTOR; preset authentication policies asking for two
// factor types) plus the weaknesses a real org accumulates: the kiosk group
// excluded from the Dashboard's two-factor rule onto a one-factor
// catch-all, a one-factor RADIUS VPN for contractors, a
// one-factor rule for engineers on the HQ network, and an Admin Console
// rule that asks for phishing resistance only of the Okta Admins group
// (help-desk administrators hold their role through another group), and
// an account management rule that lets anyone enrol from the HQ network
// with the password alone.
func oktaAccessPolicies() []evidence.AccessPolicy {
	everyone := evidence.Targets{All: true}
	group := func(g string) evidence.Targets { return evidence.Targets{Groups: []string{oktaGroupID(g)}} }
	rule := func(key, name string, prio int, people evidence.Targets, req evidence.Requirement) evidence.AccessRule {
		return evidence.AccessRule{ID: id("0pr", "okta-rule-"+key), Name: name, Priority: prio, Status: "ACTIVE", Enabled: true,
			Conditions: evidence.Conditions{People: people}, Access: "ALLOW", Requirement: req}
	}
	twoFactors := evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE"}
	oneFactor := evidence.Requirement{FactorMode: "1FA", Type: "ASSURANCE",
		Constraints: []evidence.Constraint{{Knowledge: &evidence.ConstraintPart{Types: []string{"password"}}}}}
	phishingResistant := evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE",
		Constraints: []evidence.Constraint{{Possession: &evidence.ConstraintPart{PhishingResistant: "REQUIRED", UserVerification: "REQUIRED"}}}}
	catchAll := func(key string, req evidence.Requirement) evidence.AccessRule {
		r := rule(key+"-catchall", "Catch-all Rule", 99, evidence.Targets{}, req)
		r.System = true
		return r
	}
	// The Dashboard asks everyone but the kiosk group for two factors; the
	// catch-all below it (left at one factor after the Classic migration)
	// is where the excluded group lands.
	dashboard := rule("dash-everyone", "Everyone: any two factors", 1, evidence.Targets{All: true, ExcludeGroups: []string{oktaGroupID(gMFAExempt)}}, twoFactors)
	hqZone := id("nzo", "okta-zone-hq")
	hq := rule("vpn-hq", "Engineering on the HQ network: one factor", 2, group(gEngineers), oneFactor)
	hq.Conditions.Network = &evidence.Network{Connection: "ZONE", Include: []string{hqZone}, Names: map[string]string{hqZone: "Corporate HQ"}}
	// New hires enrol their first authenticator from the office with the
	// password alone: an account management rule for the enroll operation
	// on the HQ network.
	enrolHQ := rule("acctmgmt-enrol-hq", "Enrolment on the HQ network: password", 1, evidence.Targets{}, oneFactor)
	enrolHQ.Conditions.Network = &evidence.Network{Connection: "ZONE", Include: []string{hqZone}, Names: map[string]string{hqZone: "Corporate HQ"}}
	enrolHQ.Conditions.Expression = "accessRequest.operation == 'enroll'"
	gspAdmins := rule("gsp-admins", "Admins: MFA every sign-in", 1, group(gAdmins), evidence.Requirement{RequireFactor: true, PrimaryFactor: "PASSWORD_IDP"})
	gspAdmins.SessionLifetimeMinutes = 120
	gspDefault := rule("gsp-default", "Default Rule", 2, evidence.Targets{}, evidence.Requirement{PrimaryFactor: "PASSWORD_IDP_ANY_FACTOR"})
	gspDefault.System = true
	app := func(key, name string) evidence.AppRef {
		return evidence.AppRef{ID: id("0oa", "okta-app-"+key), Name: name}
	}
	return []evidence.AccessPolicy{
		{ID: id("00p", "okta-gsp-default"), Name: "Default Policy", Type: evidence.APOktaGlobalSession, Priority: 1, Status: "ACTIVE", Enabled: true, System: true,
			Conditions: evidence.Conditions{People: everyone}, Rules: []evidence.AccessRule{gspAdmins, gspDefault}},
		{ID: id("00p", "okta-access-admin"), Name: "Okta Admin Console", Type: evidence.APOktaAuthentication, Priority: 1, Status: "ACTIVE", Enabled: true,
			Apps: []evidence.AppRef{{ID: evidence.AppOktaAdminConsole, Name: "Okta Admin Console"}}, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("admin-pr", "Okta Admins: phishing-resistant", 1, group(gAdmins), phishingResistant), catchAll("admin", twoFactors)}},
		{ID: id("00p", "okta-access-dash"), Name: "Okta Dashboard", Type: evidence.APOktaAuthentication, Priority: 2, Status: "ACTIVE", Enabled: true,
			Apps: []evidence.AppRef{{ID: evidence.AppOktaDashboard, Name: "Okta Dashboard"}}, AppsKnown: true,
			Rules: []evidence.AccessRule{dashboard, catchAll("dash", oneFactor)}},
		{ID: id("00p", "okta-access-vpn"), Name: "Legacy VPN (RADIUS)", Type: evidence.APOktaAuthentication, Priority: 3, Status: "ACTIVE", Enabled: true,
			Apps: []evidence.AppRef{app("vpn", "Legacy VPN (RADIUS)")}, AppsKnown: true,
			Rules: []evidence.AccessRule{rule("vpn-contractors", "Contractors: 1FA", 1, group(gVPN), oneFactor), hq, catchAll("vpn", twoFactors)}},
		{ID: id("00p", "okta-access-default"), Name: "Default Policy", Type: evidence.APOktaAuthentication, Priority: 4, Status: "ACTIVE", Enabled: true, System: true,
			Apps: []evidence.AppRef{app("github", "GitHub Enterprise"), app("salesforce", "Salesforce"), app("workday", "Workday")}, AppsKnown: true,
			Rules: []evidence.AccessRule{catchAll("default", twoFactors)}},
		{ID: id("00p", "okta-access-pwonly"), Name: "Password only", Type: evidence.APOktaAuthentication, Priority: 5, Status: "ACTIVE", Enabled: true, AppsKnown: true,
			Rules: []evidence.AccessRule{catchAll("pwonly", oneFactor)}},
		{ID: id("00p", "okta-access-acctmgmt"), Name: "Okta Account Management Policy", Type: evidence.APOktaAccountManagement, Priority: 6, Status: "ACTIVE", Enabled: true, AppsKnown: true,
			Rules: []evidence.AccessRule{enrolHQ, catchAll("acctmgmt", twoFactors)}},
	}
}

func factorPrefix(ft string) string {
	switch ft {
	case "sms":
		return "sms"
	case "call":
		return "clf"
	case "push":
		return "opf"
	case "signed_nonce":
		return "sgn"
	case "webauthn":
		return "fwf"
	case "email":
		return "emf"
	case "question":
		return "ufs"
	}
	return "ost"
}
