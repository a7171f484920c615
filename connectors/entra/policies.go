package entra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// allUsersTarget is the methods policy's pseudo-group for every user.
const allUsersTarget = "all_users"

// registerSecurityInfo is the CA user action that protects security-info
// registration.
const registerSecurityInfo = "urn:user:registersecurityinfo"

// methodsPolicy reads /policies/authenticationMethodsPolicy into
// Policies.Methods and Policies.TemporaryAccess.
func (r *run) methodsPolicy(ctx context.Context) {
	const ep = "/policies/authenticationMethodsPolicy"
	p, err := r.c.client.Policies().AuthenticationMethodsPolicy().Get(ctx, nil)
	if err == nil && p == nil {
		err = errors.New("empty answer")
	}
	if err != nil {
		r.fail(evidence.DSMethodsPol, 0, apiError(evidence.DSMethodsPol, ep, err))
		return
	}
	n := 0
	for _, cfg := range p.GetAuthenticationMethodConfigurations() {
		n++
		id := deref(cfg.GetId())
		kinds, ok := evidence.EntraMethodConfigKinds(id)
		if !ok {
			r.unknownValue("method configuration", id)
		}
		enabled := cfg.GetState() != nil && cfg.GetState().String() == "enabled"
		targets, primarySignIn, known := r.configTargets(cfg)
		if !known {
			r.warn(fmt.Sprintf("method configuration %s (%s): include targets not readable; treated as targeting nobody", id, deref(cfg.GetOdataType())))
		}
		ms := evidence.MethodSetting{ID: id, Name: id, VendorKey: id, Kinds: kinds, Enabled: enabled, Targets: targets}
		lower := strings.ToLower(id)
		switch lower {
		case "temporaryaccesspass":
			// A TAP is a bootstrap credential judged by REC-04 (DESIGN.md), not
			// a sign-in path of the effective AAL.
			ms.SignIn = false
		case "email":
			// Graph's emailAuthenticationMethodConfiguration: "The tenant's
			// cloud-native users may use email OTP for self-service password
			// reset. External users can use email OTP for authentication during
			// invitation redemption and self-service sign-up". Members cannot
			// satisfy sign-in MFA with it in a workforce tenant, so it is a
			// recovery method only (guest B2B passcodes are the guest's
			// home-tenant concern, outside the per-user MFA checks).
			ms.SignIn = false
		default:
			// Every other enabled method can complete sign-in MFA. For SMS,
			// isUsableForSignIn additionally allows SMS as the *primary*
			// factor (no password), which the name records.
			ms.SignIn = enabled
		}
		if v, ok := cfg.(models.VoiceAuthenticationMethodConfigurationable); ok && enabled {
			// Office phones receive voice calls only when the Voice
			// configuration allows them (learn.microsoft.com "Phone
			// authentication methods").
			r.entraSettings().VoiceOfficePhone = deref(v.GetIsOfficePhoneAllowed())
		}
		if lower == "sms" && primarySignIn {
			ms.Name = id + " (also usable as primary sign-in: isUsableForSignIn)"
		}
		// Methods SSPR accepts (Graph v1.0 has no per-method SSPR flag; these
		// are the kinds Entra SSPR offers once the policy is migrated).
		switch lower {
		case "sms", "voice", "email", "microsoftauthenticator", "softwareoath", "hardwareoath":
			ms.Recovery = enabled
		}
		if ms.Recovery {
			for _, k := range kinds {
				if !slices.Contains(r.recoveryKinds, k) {
					r.recoveryKinds = append(r.recoveryKinds, k)
				}
			}
		}
		r.src.Policies.Methods = append(r.src.Policies.Methods, ms)
		if tap, ok := cfg.(models.TemporaryAccessPassAuthenticationMethodConfigurationable); ok {
			r.src.Policies.TemporaryAccess = append(r.src.Policies.TemporaryAccess, evidence.TemporaryAccessSetting{
				ID: id, Name: "Temporary Access Pass", Enabled: enabled, Targets: targets,
				Reusable:               !deref(tap.GetIsUsableOnce()),
				MaxLifetimeMinutes:     int(deref(tap.GetMaximumLifetimeInMinutes())),
				DefaultLifetimeMinutes: int(deref(tap.GetDefaultLifetimeInMinutes())),
			})
		}
	}
	if ms := p.GetPolicyMigrationState(); ms != nil {
		r.entraSettings().MigrationState = ms.String()
	}
	r.methodsPolicyOK = true
	r.ok(evidence.DSMethodsPol, n, "")
}

type methodTarget interface {
	GetId() *string
	GetTargetType() *models.AuthenticationMethodTargetType
}

// configTargets reads a configuration's include/exclude targets. primary is
// true when an SMS include target allows SMS as a primary sign-in method;
// known is false when the configuration type exposes no include targets.
func (r *run) configTargets(cfg models.AuthenticationMethodConfigurationable) (t evidence.Targets, primary, known bool) {
	var inc []methodTarget
	switch c := cfg.(type) {
	case models.SmsAuthenticationMethodConfigurationable:
		for _, x := range c.GetIncludeTargets() {
			inc = append(inc, x)
			primary = primary || deref(x.GetIsUsableForSignIn())
		}
		known = true
	case models.MicrosoftAuthenticatorAuthenticationMethodConfigurationable:
		for _, x := range c.GetIncludeTargets() {
			inc = append(inc, x)
		}
		known = true
	case interface {
		GetIncludeTargets() []models.AuthenticationMethodTargetable
	}:
		for _, x := range c.GetIncludeTargets() {
			inc = append(inc, x)
		}
		known = true
	}
	for _, x := range inc {
		id := deref(x.GetId())
		switch {
		case id == allUsersTarget:
			t.All = true
		case x.GetTargetType() != nil && x.GetTargetType().String() == "user":
			t.Users = append(t.Users, id)
		default:
			t.Groups = append(t.Groups, id)
			r.groupRefs[id] = true
		}
	}
	for _, x := range cfg.GetExcludeTargets() {
		id := deref(x.GetId())
		if x.GetTargetType() != nil && x.GetTargetType().String() == "user" {
			t.ExcludeUsers = append(t.ExcludeUsers, id)
			continue
		}
		if id == allUsersTarget {
			// Excluding everyone: nobody is targeted.
			t.All, t.Users, t.Groups = false, nil, nil
			continue
		}
		t.ExcludeGroups = append(t.ExcludeGroups, id)
		r.groupRefs[id] = true
	}
	return t, primary, known
}

// conditionalAccess reads CA policies into Policies.SignIn,
// Policies.Registration and Policies.LegacyAuthBlocked.
func (r *run) conditionalAccess(ctx context.Context) {
	const ep = "/identity/conditionalAccess/policies"
	res, err := r.c.client.Identity().ConditionalAccess().Policies().Get(ctx, nil)
	n := 0
	var signIn []evidence.SignInPolicy
	var reg []evidence.RegistrationPolicy
	var access []evidence.AccessPolicy
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateConditionalAccessPolicyCollectionResponseFromDiscriminatorValue, func(p models.ConditionalAccessPolicyable) error {
			n++
			access = append(access, r.accessPolicy(p))
			s, rp, isReg := r.caPolicy(p)
			if isReg {
				reg = append(reg, rp)
			} else {
				signIn = append(signIn, s)
			}
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSCondAccess, n, apiError(evidence.DSCondAccess, ep, err))
		return
	}
	blocked := false
	for _, s := range signIn {
		if s.Enabled && s.Block && s.LegacyClients && s.Targets.All && s.AllApps {
			blocked = true
		}
	}
	r.src.Policies.SignIn = append(r.src.Policies.SignIn, signIn...)
	r.src.Policies.Registration = append(r.src.Policies.Registration, reg...)
	r.src.Policies.LegacyAuthBlocked = &blocked
	// The Entra engine judges Policies.Access; SignIn and LegacyAuthBlocked
	// stay for readers of version 1 fields.
	r.src.Policies.Engine = evidence.EngineEntra
	r.src.Policies.Access = append(r.src.Policies.Access, access...)
	r.entraSettings()
	// Security defaults and named locations decide the same thing as the
	// policies (who needs MFA where) and need the same permission
	// (Policy.Read.All): they belong to this dataset, which is partial
	// without them.
	var missing []string
	if err := r.securityDefaults(ctx); err != nil {
		missing = append(missing, err.Error())
	}
	if err := r.namedLocations(ctx); err != nil {
		missing = append(missing, err.Error())
	}
	if len(missing) > 0 {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSCondAccess, Status: evidence.Partial, Items: n,
			Detail: "policies read; not read: " + strings.Join(missing, "; ")})
	} else {
		r.ok(evidence.DSCondAccess, n, "policies, security defaults and named locations")
	}
	r.progress("entra: %d conditional access policies", n)
}

func (r *run) caPolicy(p models.ConditionalAccessPolicyable) (evidence.SignInPolicy, evidence.RegistrationPolicy, bool) {
	state := ""
	if st := p.GetState(); st != nil {
		state = st.String()
	}
	id, name := deref(p.GetId()), deref(p.GetDisplayName())
	var targets evidence.Targets
	var clientApps, userActions, includeApps []string
	locations := false
	if cond := p.GetConditions(); cond != nil {
		if u := cond.GetUsers(); u != nil {
			targets = r.caTargets(u)
		}
		if a := cond.GetApplications(); a != nil {
			userActions = a.GetIncludeUserActions()
			includeApps = a.GetIncludeApplications()
		}
		for _, c := range cond.GetClientAppTypes() {
			clientApps = append(clientApps, c.String())
		}
		if l := cond.GetLocations(); l != nil && (len(l.GetIncludeLocations()) > 0 || len(l.GetExcludeLocations()) > 0) {
			locations = true
		}
	}
	var controls []string
	operator := "OR"
	var strength models.AuthenticationStrengthPolicyable
	if g := p.GetGrantControls(); g != nil {
		for _, c := range g.GetBuiltInControls() {
			controls = append(controls, c.String())
		}
		if op := deref(g.GetOperator()); op != "" {
			operator = strings.ToUpper(op)
		}
		strength = g.GetAuthenticationStrength()
	}
	hasMFA := slices.Contains(controls, "mfa") || strength != nil
	// With OR, MFA is required only when nothing else can satisfy the grant.
	onlyMFA := true
	for _, c := range controls {
		if c != "mfa" {
			onlyMFA = false
		}
	}
	requiresMFA := hasMFA && (operator == "AND" || onlyMFA)
	block := slices.Contains(controls, "block")

	if slices.Contains(userActions, registerSecurityInfo) {
		rp := evidence.RegistrationPolicy{ID: id, Name: name, Enabled: state == "enabled", Targets: targets,
			RequiresMFA:   requiresMFA && !block,
			TrustedDevice: slices.Contains(controls, "compliantDevice") || slices.Contains(controls, "domainJoinedDevice") || locations}
		var det []string
		if state != "enabled" {
			det = append(det, "state "+state)
		}
		if len(controls) > 0 {
			det = append(det, "grant "+strings.Join(controls, " "+operator+" "))
		}
		if strength != nil {
			det = append(det, "authentication strength "+deref(strength.GetDisplayName()))
		}
		if locations {
			det = append(det, "location condition")
		}
		rp.Detail = strings.Join(det, "; ")
		return evidence.SignInPolicy{}, rp, true
	}

	sp := evidence.SignInPolicy{ID: id, Name: name, Kind: "conditional_access", Enabled: state == "enabled",
		ReportOnly: state == "enabledForReportingButNotEnforced", Targets: targets, Block: block,
		RequiresMFA: requiresMFA && !block, AllApps: slices.Contains(includeApps, "All"),
		LegacyClients: slices.Contains(clientApps, "exchangeActiveSync") || slices.Contains(clientApps, "other")}
	if strength != nil && !block {
		sp.AllowedKinds, sp.PhishingResistant = r.strengthKinds(strength)
	}
	return sp, evidence.RegistrationPolicy{}, false
}

func (r *run) caTargets(u models.ConditionalAccessUsersable) evidence.Targets {
	var t evidence.Targets
	for _, v := range u.GetIncludeUsers() {
		switch v {
		case "All":
			t.All = true
		case "None":
		default:
			// Object ids, or the special value GuestsOrExternalUsers, kept verbatim.
			t.Users = append(t.Users, v)
		}
	}
	t.ExcludeUsers = append(t.ExcludeUsers, u.GetExcludeUsers()...)
	t.Groups = append(t.Groups, u.GetIncludeGroups()...)
	t.ExcludeGroups = append(t.ExcludeGroups, u.GetExcludeGroups()...)
	for _, g := range append(slices.Clone(t.Groups), t.ExcludeGroups...) {
		r.groupRefs[g] = true
	}
	for _, v := range u.GetIncludeRoles() {
		if v == "All" {
			continue
		}
		t.Roles = append(t.Roles, v)
	}
	t.ExcludeRoles = append(t.ExcludeRoles, u.GetExcludeRoles()...)
	return t
}

// strengthModes maps authentication strength modes to kinds; password is
// not a second factor and maps to nothing.
var strengthModes = map[string]evidence.MethodKind{
	"voice": evidence.KindVoice, "sms": evidence.KindSMS, "hardwareOath": evidence.KindTOTPHardware,
	"softwareOath": evidence.KindTOTPSoftware, "fido2": evidence.KindFIDO2,
	"windowsHelloForBusiness": evidence.KindWindowsHello, "microsoftAuthenticatorPush": evidence.KindPush,
	"deviceBasedPush": evidence.KindPasswordlessApp, "temporaryAccessPassOneTime": evidence.KindTAP,
	"temporaryAccessPassMultiUse": evidence.KindTAP, "email": evidence.KindEmailOTP,
	"x509CertificateSingleFactor": evidence.KindCertificate, "x509CertificateMultiFactor": evidence.KindCertificate,
}

var phishingResistantModes = []string{"fido2", "windowsHelloForBusiness", "x509CertificateMultiFactor"}

// strengthKinds returns the kinds an authentication strength accepts and
// whether every allowed combination is phishing-resistant.
func (r *run) strengthKinds(s models.AuthenticationStrengthPolicyable) ([]evidence.MethodKind, bool) {
	var kinds []evidence.MethodKind
	combos := s.GetAllowedCombinations()
	pr := len(combos) > 0
	for _, c := range combos {
		comboPR := false
		if c == 0 {
			// The SDK decodes a combination it does not know as 0: count it as
			// an unknown, not phishing-resistant method.
			r.unknownValue("authentication strength combination", "(unknown to this SDK version)")
			if !slices.Contains(kinds, evidence.KindUnknown) {
				kinds = append(kinds, evidence.KindUnknown)
			}
			pr = false
			continue
		}
		for _, mode := range strings.Split(c.String(), ",") {
			if mode == "password" || mode == "" {
				continue
			}
			if slices.Contains(phishingResistantModes, mode) {
				comboPR = true
			}
			k, ok := strengthModes[mode]
			if !ok {
				// federatedSingleFactor/MultiFactor: an external IdP whose
				// method Graph cannot see.
				r.unknownValue("authentication strength mode", mode)
				k = evidence.KindUnknown
			}
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
		if !comboPR {
			pr = false
		}
	}
	return kinds, pr
}

// authorizationPolicy reads allowedToUseSSPR and describes SSPR as far as
// Graph v1.0 shows it.
func (r *run) authorizationPolicy(ctx context.Context) {
	const ep = "/policies/authorizationPolicy"
	p, err := r.c.client.Policies().AuthorizationPolicy().Get(ctx, nil)
	if err == nil && p == nil {
		err = errors.New("empty answer")
	}
	if err != nil {
		r.fail(evidence.DSAuthzPolicy, 0, apiError(evidence.DSAuthzPolicy, ep, err))
		return
	}
	allowed := p.GetAllowedToUseSSPR()
	if allowed == nil {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthzPolicy, Status: evidence.Partial, Items: 1,
			Detail: "allowedToUseSSPR absent from the answer"})
		return
	}
	v := *allowed
	// allowedToUseSSPR "indicates whether administrators of the tenant can
	// use the Self-Service Password Reset" (Graph authorizationPolicy;
	// learn.microsoft.com "Self-service password reset policies",
	// Administrator reset policy differences): users' SSPR scope is in the
	// registration report (isSsprEnabled), so it is not a tenant switch.
	r.entraSettings().AdminSSPR = &v
	manual := "Graph v1.0 does not expose the user SSPR policy: in the Entra admin center (Password reset) confirm " +
		"how many methods a reset requires (1 or 2) and which methods are allowed, including security questions " +
		"(who is in scope comes from the registration report's isSsprEnabled). Administrators follow the separate " +
		"administrator SSPR policy (two gates: mobile phone, email, authenticator app; never security questions)."
	if !r.methodsPolicyOK {
		manual += " The authentication methods policy could not be read, so the method list is empty."
	}
	methods := slices.Clone(r.recoveryKinds)
	slices.Sort(methods)
	r.src.Policies.Recovery = append(r.src.Policies.Recovery, evidence.RecoveryPolicy{
		ID: "sspr", Name: "Self-service password reset", Enabled: true, Targets: evidence.Targets{All: true},
		SelfService: true, Methods: methods,
		// Entra SSPR ends with a password change; signing in afterwards goes
		// through Conditional Access and MFA again, so the flow itself does
		// not yield a session.
		EndsInSession: false,
		Known:         false, Manual: manual,
		Source: "registration report isSsprEnabled (users); authorizationPolicy.allowedToUseSSPR (administrators); methods enabled for SSPR in authenticationMethodsPolicy",
	})
	r.ok(evidence.DSAuthzPolicy, 1, "")
}
