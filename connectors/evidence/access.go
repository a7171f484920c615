package evidence

// This file holds sign-in policies as the vendors' engines read them:
// policies and rules in the vendor's order with their conditions and
// requirements, normalized (one shape for both vendors) but not pre-judged.
// checks evaluates them per account and context (DESIGN.md "Access paths").

// Okta authentication pipelines (GET /.well-known/okta-organization
// `pipeline`: "idx" = Identity Engine, "v1" = Classic).
const (
	EngineOktaIdentity = "okta_identity_engine"
	EngineOktaClassic  = "okta_classic"
	EngineEntra        = "entra"
)

// Access policy types.
const (
	// Okta Identity Engine global session policy / Classic Okta sign-on
	// policy (type OKTA_SIGN_ON): decides the Okta session.
	APOktaGlobalSession = "okta_global_session"
	// Okta authentication (app sign-in) policy (type ACCESS_POLICY, resource
	// type APP): decides access to the apps mapped to it.
	APOktaAuthentication = "okta_authentication"
	// Okta account management policy (ACCESS_POLICY with
	// _embedded.resourceType END_USER_ACCOUNT_MANAGEMENT): decides
	// enrolment and recovery in Identity Engine.
	APOktaAccountManagement = "okta_account_management"
	// Entra Conditional Access policy.
	APEntraConditionalAccess = "entra_conditional_access"
)

// Well-known app ids an Okta authentication policy can guard besides real
// app instances.
const (
	AppOktaDashboard    = "okta:dashboard"     // the Okta End-User Dashboard (everyone)
	AppOktaAdminConsole = "okta:admin_console" // the Okta Admin Console (administrators)
)

// AccessPolicy is one sign-in policy, as the vendor's engine reads it.
type AccessPolicy struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Type is one of the AP* constants.
	Type string `json:"type"`
	// Priority orders policies of one type (Okta: lower first). Entra
	// applies every matching policy, so it is 0 there.
	Priority int `json:"priority"`
	// Status is the vendor's (ACTIVE, INACTIVE; enabled, disabled,
	// enabledForReportingButNotEnforced).
	Status  string `json:"status"`
	Enabled bool   `json:"enabled"`
	// ReportOnly: evaluated but never enforced (Entra report-only).
	ReportOnly bool `json:"report_only,omitempty"`
	// System: the vendor's default policy (Okta `system`).
	System bool `json:"system,omitempty"`
	// Apps are the applications the policy guards (Okta mappings; the
	// well-known AppOkta* ids for the Dashboard and Admin Console). Nil
	// when the vendor attaches the policy otherwise (Entra: Conditions.Apps).
	Apps []AppRef `json:"apps,omitempty"`
	// AppsKnown is false when the mapping could not be read: the policy may
	// guard any app.
	AppsKnown  bool       `json:"apps_known,omitempty"`
	Conditions Conditions `json:"conditions"`
	// Rules in the vendor's order (Okta: by priority, lower first). An Entra
	// policy has one rule holding its grant.
	Rules []AccessRule `json:"rules"`
}

// AppRef names an application.
type AppRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// AccessRule is one rule of an access policy.
type AccessRule struct {
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Priority int    `json:"priority"`
	Status   string `json:"status,omitempty"`
	Enabled  bool   `json:"enabled"`
	System   bool   `json:"system,omitempty"`
	// Conditions must all hold (with the policy's) for the rule to apply.
	Conditions Conditions `json:"conditions"`
	// Access is ALLOW or DENY.
	Access      string      `json:"access"`
	Requirement Requirement `json:"requirement"`
	// SessionLifetimeMinutes: Okta maxSessionLifetimeMinutes / Entra
	// sign-in frequency; 0 = not set.
	SessionLifetimeMinutes int `json:"session_lifetime_minutes,omitempty"`
}

// Conditions are the assignments and conditions of a policy or rule. An
// empty field does not restrict.
type Conditions struct {
	People Targets `json:"people"`
	// Network: Okta network.connection ANYWHERE|ZONE with zone ids; Entra
	// locations (All, AllTrusted, named location ids).
	Network *Network `json:"network,omitempty"`
	// Apps (Entra): includeApplications/excludeApplications, user actions
	// (urn:user:registersecurityinfo) and authentication contexts.
	Apps *AppCondition `json:"apps,omitempty"`
	// ClientAppTypes (Entra): browser, mobileAppsAndDesktopClients,
	// exchangeActiveSync, other, all.
	ClientAppTypes []string `json:"client_app_types,omitempty"`
	Platforms      *IncExc  `json:"platforms,omitempty"`
	// RiskLevels: Okta riskScore.level / Entra signInRiskLevels.
	RiskLevels []string `json:"risk_levels,omitempty"`
	// UserRiskLevels (Entra).
	UserRiskLevels []string `json:"user_risk_levels,omitempty"`
	// Device: Okta device.registered/managed/assurance; Entra device filter.
	Device *Device `json:"device,omitempty"`
	// UserTypes: Okta userType include/exclude.
	UserTypes *IncExc `json:"user_types,omitempty"`
	// Expression: Okta elCondition.condition (Okta Expression Language).
	Expression string `json:"expression,omitempty"`
	// AuthProvider: Okta password policy authProvider (OKTA, ACTIVE_DIRECTORY, LDAP).
	AuthProvider string `json:"auth_provider,omitempty"`
	// Other names vendor conditions this version does not model; a rule
	// with any matches only in some contexts.
	Other []string `json:"other,omitempty"`
}

// Network is a network-location condition.
type Network struct {
	// Connection: Okta ANYWHERE | ZONE.
	Connection string   `json:"connection,omitempty"`
	Include    []string `json:"include,omitempty"`
	Exclude    []string `json:"exclude,omitempty"`
	// Names maps zone / named-location ids to display names.
	Names map[string]string `json:"names,omitempty"`
}

// AppCondition is Entra's application assignment.
type AppCondition struct {
	Include      []string `json:"include,omitempty"` // All, Office365, MicrosoftAdminPortals, app ids, None
	Exclude      []string `json:"exclude,omitempty"`
	UserActions  []string `json:"user_actions,omitempty"`
	AuthContexts []string `json:"auth_contexts,omitempty"`
}

// IncExc is an include/exclude list.
type IncExc struct {
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// Device is a device condition.
type Device struct {
	Registered *bool    `json:"registered,omitempty"`
	Managed    *bool    `json:"managed,omitempty"`
	Assurance  []string `json:"assurance,omitempty"`
	Filter     string   `json:"filter,omitempty"` // Entra devices.deviceFilter rule
	// FilterMode: Entra deviceFilter mode (include: the policy applies to
	// matching devices; exclude: to the others).
	FilterMode string `json:"filter_mode,omitempty"`
}

// Requirement is what a rule asks for.
type Requirement struct {
	// Okta authentication policy: verificationMethod.factorMode (1FA|2FA),
	// type (ASSURANCE|AUTH_METHOD_CHAIN), constraints (alternatives: any one
	// satisfies) and chains.
	FactorMode  string       `json:"factor_mode,omitempty"`
	Type        string       `json:"type,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
	Chains      []Chain      `json:"chains,omitempty"`
	// Okta global session policy: requireFactor and primaryFactor
	// (PASSWORD_IDP | PASSWORD_IDP_ANY_FACTOR; empty in Classic).
	RequireFactor bool   `json:"require_factor,omitempty"`
	PrimaryFactor string `json:"primary_factor,omitempty"`
	// Entra grant controls: operator (AND|OR), builtInControls (mfa,
	// compliantDevice, domainJoinedDevice, approvedApplication,
	// compliantApplication, passwordChange, block) and the authentication
	// strength.
	Operator string                  `json:"operator,omitempty"`
	Controls []string                `json:"controls,omitempty"`
	Strength *AuthenticationStrength `json:"strength,omitempty"`
}

// Constraint is one Okta constraint alternative: what each factor class
// must be.
type Constraint struct {
	Knowledge  *ConstraintPart `json:"knowledge,omitempty"`
	Possession *ConstraintPart `json:"possession,omitempty"`
	Inherence  *ConstraintPart `json:"inherence,omitempty"`
}

// ConstraintPart is the constraint on one factor class.
type ConstraintPart struct {
	Types              []string `json:"types,omitempty"`
	Methods            []string `json:"methods,omitempty"`
	PhishingResistant  string   `json:"phishing_resistant,omitempty"` // REQUIRED | OPTIONAL
	UserVerification   string   `json:"user_verification,omitempty"`
	DeviceBound        string   `json:"device_bound,omitempty"`
	HardwareProtection string   `json:"hardware_protection,omitempty"`
	// AuthenticationMethods / ExcludedAuthenticationMethods: authenticator
	// key and method ({"key":"okta_verify","method":"signed_nonce"}).
	AuthenticationMethods         []AuthMethodRef `json:"authentication_methods,omitempty"`
	ExcludedAuthenticationMethods []AuthMethodRef `json:"excluded_authentication_methods,omitempty"`
	Required                      *bool           `json:"required,omitempty"`
}

// AuthMethodRef names an authenticator method.
type AuthMethodRef struct {
	Key    string `json:"key"`
	Method string `json:"method,omitempty"`
}

// Chain is one AUTH_METHOD_CHAIN alternative: the methods in order.
type Chain struct {
	Steps [][]AuthMethodRef `json:"steps"`
}

// AuthenticationStrength is an Entra authentication strength.
type AuthenticationStrength struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// AllowedCombinations: password,microsoftAuthenticatorPush; fido2; …
	AllowedCombinations []string `json:"allowed_combinations"`
}
