// Package evidence holds shadowpath's normalized evidence model: what the
// connectors read from a tenant (accounts, enrolled methods, policies reduced to
// what the catalog needs, audit events, workload identities) and how completely
// each dataset was read.
//
// Besides the types it holds what every side of the model must agree on:
// the snapshot's canonical encoding and its SHA-256 (snapshot.go, and the
// streaming hash in hashstream.go and hashfast.go), the tables that map
// vendor values to method kinds (methods.go), the typed API errors the
// connectors record as coverage (errors.go) and the redacting Secret.
//
// It is a leaf package and does no I/O: snapshots are encoded to bytes and
// decoded from an io.Reader; the caller opens and writes files (cmd through
// internal/safeio).
package evidence

import (
	"context"
	"log/slog"
	"time"
)

// SchemaVersion is the version of the snapshot file format. Version 2 adds
// the policies as the vendors' engines read them (Policies.Engine and
// Policies.Access); version 1 snapshots still decode and are evaluated with
// the reduced sign-in flags they carry (Policies.SignIn), with a warning.
const SchemaVersion = "2"

// SupportedSchemaVersions are the snapshot versions this build reads.
var SupportedSchemaVersions = []string{"1", "2"}

// Provider names an identity provider.
type Provider string

// Providers shadowpath reads.
const (
	Okta  Provider = "okta"
	Entra Provider = "entra"
)

// Providers lists every supported provider in report order.
var Providers = []Provider{Okta, Entra}

// Snapshot is one evidence file: one or more sources collected at a point in time.
type Snapshot struct {
	SchemaVersion string    `json:"schema_version"`
	Tool          string    `json:"tool,omitempty"` // "shadowpath x.y.z" that collected it
	Sources       []*Source `json:"sources"`
}

// Source is everything read from one tenant.
type Source struct {
	Provider Provider `json:"provider"`
	// Tenant is the org host (acme.okta.com) or the Entra tenant id: the id used
	// for tenant-level findings.
	Tenant      string    `json:"tenant"`
	TenantName  string    `json:"tenant_name,omitempty"`
	CollectedAt time.Time `json:"collected_at"`
	// AuditWindow is the period whose audit events were requested.
	AuditWindow Window `json:"audit_window"`
	// LogRetentionDays is how far back the vendor keeps the audit log (Okta 90,
	// Entra 30 with P1/P2, 7 without); 0 when unknown.
	LogRetentionDays int `json:"log_retention_days,omitempty"`
	// Credential is the kind of credential the tenant was read with:
	// api_token or private_key_jwt (Okta); client_secret, client_certificate
	// or default_chain (Entra: azidentity's managed identity / CLI chain).
	// Empty in snapshots written before it was recorded.
	Credential string `json:"credential,omitempty"`

	Coverage  []Coverage `json:"coverage"`
	Accounts  []Account  `json:"accounts"`
	Groups    []Group    `json:"groups,omitempty"`
	Policies  Policies   `json:"policies"`
	Events    []Event    `json:"events,omitempty"`
	Workloads []Workload `json:"workloads,omitempty"`

	// CredentialProviders maps an account id to its credential provider
	// where it is not the IdP's own (Okta credentials.provider.type
	// FEDERATION, SOCIAL, ACTIVE_DIRECTORY, LDAP, IMPORT; accounts not
	// listed are OKTA). FEDERATION and SOCIAL users have no Okta password
	// or recovery question and authenticate at their identity provider.
	CredentialProviders map[string]string `json:"credential_providers,omitempty"`

	// OutOfScope counts accounts left out of the human checks, by reason
	// ("status SUSPENDED", "accountEnabled false").
	OutOfScope []Count `json:"out_of_scope,omitempty"`
	// Warnings are things a reader of the report must know (unknown vendor
	// values, fallbacks used, beta endpoints read).
	Warnings []string `json:"warnings,omitempty"`
	// Collection says how the source was read: incremental or full (and
	// why), and the share of the vendor's rate limits spent. nil for
	// connectors and snapshots that do not record it.
	Collection *Collection `json:"collection,omitempty"`
}

// Collection modes.
const (
	CollectFull        = "full"
	CollectIncremental = "incremental"
)

// Collection records how a source was collected, so that a report (and an
// auditor re-performing the test) can say what was read and what was
// carried over.
type Collection struct {
	// Mode is CollectFull or CollectIncremental.
	Mode string `json:"mode"`
	// FullReason says why a collection that was asked to be incremental
	// read everything ("" when it was not asked, or when it was incremental).
	FullReason string `json:"full_reason,omitempty"`
	// Base identifies the previous snapshot an incremental collection
	// started from.
	Base *CollectionBase `json:"base,omitempty"`
	// LogWindow is the audit-log period read for changes: every account
	// carried over has FactorsReadAt at or after its start.
	LogWindow *Window `json:"log_window,omitempty"`
	// ChangeEvents counts the change events read in LogWindow.
	ChangeEvents int `json:"change_events,omitempty"`
	// Users is the number of accounts; Reread how many of them had their
	// methods read in this collection, CarriedOver how many were carried over.
	Users       int `json:"users"`
	Reread      int `json:"reread"`
	CarriedOver int `json:"carried_over"`
	// RereadReasons counts the re-read accounts by reason (an account is
	// counted under its first reason).
	RereadReasons []Count `json:"reread_reasons,omitempty"`
	// Format names the normalization of the carried-over data; a base of
	// another format is not carried over.
	Format string `json:"format,omitempty"`
	// RateShare is the share (0–1] of each rate-limit bucket the collector
	// allowed itself; RateShareNote says how it was chosen (configured
	// share, the org's warning threshold, or the threshold assumed when it
	// could not be read).
	RateShare     float64 `json:"rate_share,omitempty"`
	RateShareNote string  `json:"rate_share_note,omitempty"`
	// Notes are the entries of Source.Warnings that restate this record
	// (for a report that shows warnings).
	Notes []string `json:"notes,omitempty"`
}

// CollectionBase identifies a previous snapshot.
type CollectionBase struct {
	CollectedAt time.Time `json:"collected_at"`
	// EvidenceSHA256 is the base source's evidence hash.
	EvidenceSHA256 string `json:"evidence_sha256"`
}

// WithoutReadMetadata returns a copy of s without what records how it was
// read (per-account FactorsReadAt and CarriedOver, Collection and the
// warnings that restate it): two
// collections of the same tenant state, one full and one incremental, have
// the same hash once this is removed.
func (s *Source) WithoutReadMetadata() *Source {
	cp := *s
	if s.Collection != nil && len(s.Collection.Notes) > 0 {
		notes := map[string]bool{}
		for _, n := range s.Collection.Notes {
			notes[n] = true
		}
		cp.Warnings = nil
		for _, w := range s.Warnings {
			if !notes[w] {
				cp.Warnings = append(cp.Warnings, w)
			}
		}
	}
	cp.Collection = nil
	cp.Accounts = make([]Account, len(s.Accounts))
	for i, a := range s.Accounts {
		a.FactorsReadAt = nil
		a.CarriedOver = false
		cp.Accounts[i] = a
	}
	return &cp
}

// Window is a closed time interval.
type Window struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// Count is a labelled number.
type Count struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// CoverageStatus says how completely a dataset was read.
type CoverageStatus string

// Coverage statuses. Anything but Complete makes the checks that need the
// dataset not_assessed.
const (
	Complete CoverageStatus = "complete"
	Partial  CoverageStatus = "partial"
	Denied   CoverageStatus = "denied"
	Errored  CoverageStatus = "error"
)

// Coverage records how one dataset was read.
type Coverage struct {
	Dataset string         `json:"dataset"`
	Status  CoverageStatus `json:"status"`
	Detail  string         `json:"detail,omitempty"`
	Items   int            `json:"items"`
}

// Dataset names (the results.json contract).
const (
	DSUsers             = "users"
	DSGroups            = "groups"
	DSRoles             = "roles"
	DSFactors           = "factors" // okta
	DSAuthn             = "authenticators"
	DSPolicies          = "policies"               // okta
	DSSystemLog         = "system_log"             // okta
	DSAPITokens         = "api_tokens"             // okta
	DSApps              = "apps"                   // okta
	DSRegDetails        = "registration_details"   // entra
	DSAuthMethods       = "authentication_methods" // entra, per-user fallback
	DSMethodsPol        = "methods_policy"         // entra
	DSCondAccess        = "conditional_access"     // entra
	DSAuthzPolicy       = "authorization_policy"   // entra
	DSAudits            = "directory_audits"       // entra
	DSApplications      = "applications"           // entra
	DSServicePrincipals = "service_principals"     // entra
)

// Datasets lists the coverage dataset names per provider, in report order.
var Datasets = map[Provider][]string{
	Okta:  {DSUsers, DSFactors, DSGroups, DSRoles, DSAuthn, DSPolicies, DSSystemLog, DSAPITokens, DSApps},
	Entra: {DSUsers, DSGroups, DSRegDetails, DSAuthMethods, DSMethodsPol, DSCondAccess, DSAuthzPolicy, DSRoles, DSAudits, DSApplications, DSServicePrincipals},
}

// CoverageOf returns the coverage entry for a dataset; ok is false when the
// dataset was never recorded (which counts as not read).
func (s *Source) CoverageOf(dataset string) (Coverage, bool) {
	for _, c := range s.Coverage {
		if c.Dataset == dataset {
			return c, true
		}
	}
	return Coverage{}, false
}

// SetCoverage records (or replaces) a dataset's coverage.
func (s *Source) SetCoverage(c Coverage) {
	for i := range s.Coverage {
		if s.Coverage[i].Dataset == c.Dataset {
			s.Coverage[i] = c
			return
		}
	}
	s.Coverage = append(s.Coverage, c)
}

// Account is one human (or service) user account in scope of the human checks.
// Connectors put only in-scope accounts here (Okta ACTIVE, PASSWORD_EXPIRED,
// LOCKED_OUT, RECOVERY; Entra accountEnabled) and count the rest in OutOfScope.
type Account struct {
	ID       string `json:"id"`   // immutable object id (00u…, GUID)
	Name     string `json:"name"` // display name
	Login    string `json:"login"`
	Status   string `json:"status"`    // vendor status (ACTIVE, LOCKED_OUT, enabled)
	UserType string `json:"user_type"` // member | guest
	// Privileged: any admin role (Okta) or isAdmin / directory role (Entra).
	Privileged bool   `json:"privileged"`
	Roles      []Role `json:"roles,omitempty"`
	// Groups are the ids of the groups the account belongs to (transitively on
	// Entra), so policies can be resolved per population.
	Groups  []string `json:"groups,omitempty"`
	Methods []Method `json:"methods"`
	// MethodsError is set when this account's methods could not be read; its
	// dataset is then partial and the account is not judged on methods.
	MethodsError string `json:"methods_error,omitempty"`
	// SSPR is the Entra registration report's SSPR state; nil when not read.
	SSPR *SSPRState `json:"sspr,omitempty"`
	// PerUserMFA is the Entra per-user MFA state (disabled, enabled,
	// enforced); "" when not read.
	PerUserMFA string     `json:"per_user_mfa,omitempty"`
	LastSignIn *time.Time `json:"last_sign_in,omitempty"`
	Created    *time.Time `json:"created,omitempty"`
	// FactorsReadAt is the collection time (the CollectedAt of the source
	// that read them) at which Methods were last read from the vendor; nil
	// for connectors that do not record it.
	FactorsReadAt *time.Time `json:"factors_read_at,omitempty"`
	// CarriedOver: Methods were not re-read in this collection but carried
	// over from the previous snapshot, because the audit log window recorded
	// in Source.Collection shows no change to them since FactorsReadAt.
	CarriedOver bool `json:"carried_over,omitempty"`
}

// Role is an administrative role held by an account or workload.
type Role struct {
	ID   string `json:"id"`            // Okta role type (SUPER_ADMIN) / Entra role template id
	Name string `json:"name"`          // human label
	Via  string `json:"via,omitempty"` // "direct", "group 00g…"
}

// Method is one enrolled authenticator instance (or one kind, where the API
// shows kinds only, e.g. the Entra registration report).
type Method struct {
	Kind           MethodKind `json:"kind"`
	VendorType     string     `json:"vendor_type"`               // factorType / @odata.type / methodsRegistered value
	VendorProvider string     `json:"vendor_provider,omitempty"` // Okta provider (OKTA, GOOGLE, FIDO…)
	ID             string     `json:"id,omitempty"`
	Name           string     `json:"name,omitempty"` // device or key name, masked phone
	Status         string     `json:"status,omitempty"`
	Created        *time.Time `json:"created,omitempty"`
	LastUsed       *time.Time `json:"last_used,omitempty"`
}

// Group is a directory group, for naming policy targets.
type Group struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Members int    `json:"members,omitempty"`
}

// Policies is the tenant's configuration as the catalog needs it.
type Policies struct {
	// Engine names the policy engine that decides sign-in (EngineOkta*,
	// EngineEntra). Empty in version 1 snapshots, whose sign-in policies
	// exist only as reduced flags in SignIn.
	Engine string `json:"engine,omitempty"`
	// Access are the sign-in policies as the engine reads them, in the
	// vendor's order; checks evaluates them per account and context.
	Access          []AccessPolicy           `json:"access,omitempty"`
	Methods         []MethodSetting          `json:"methods"`
	Recovery        []RecoveryPolicy         `json:"recovery"`
	SignIn          []SignInPolicy           `json:"sign_in"`
	Registration    []RegistrationPolicy     `json:"registration"`
	TemporaryAccess []TemporaryAccessSetting `json:"temporary_access"`
	// LegacyAuthBlocked: nil when the provider has no such notion or it could
	// not be determined.
	LegacyAuthBlocked *bool `json:"legacy_auth_blocked,omitempty"`
	// SelfServiceRecoveryEnabled: whether self-service recovery is on for
	// the tenant; nil when unknown. Version 1 Entra snapshots put
	// authorizationPolicy.allowedToUseSSPR here, which governs administrators
	// only: Entra connectors now leave it nil and fill Entra.AdminSSPR.
	SelfServiceRecoveryEnabled *bool `json:"self_service_recovery_enabled,omitempty"`
	// Entra holds the Entra tenant settings the Entra engine reads beside
	// Access; nil for other providers and version 1 snapshots.
	Entra *EntraSettings `json:"entra,omitempty"`
}

// EntraSettings are the Entra tenant settings that decide sign-in and
// recovery beside Conditional Access.
type EntraSettings struct {
	// SecurityDefaults: identitySecurityDefaultsEnforcementPolicy.isEnabled;
	// nil when it could not be read.
	SecurityDefaults *bool `json:"security_defaults,omitempty"`
	// MigrationState: authenticationMethodsPolicy.policyMigrationState
	// (preMigration, migrationInProgress, migrationComplete); "" when not
	// read. Before migrationComplete the legacy MFA and SSPR policies (not in
	// Graph v1.0) still allow methods.
	MigrationState string `json:"migration_state,omitempty"`
	// AdminSSPR: authorizationPolicy.allowedToUseSSPR, which switches the
	// administrator SSPR policy (two gates) on or off; nil when not read.
	AdminSSPR *bool `json:"admin_sspr,omitempty"`
	// NamedLocations are the CA named locations (isTrusted for IP ranges;
	// country locations are never trusted).
	NamedLocations []NamedLocation `json:"named_locations,omitempty"`
	// NamedLocationsKnown is false when the named locations could not be
	// read: whether a location is trusted is then unknown.
	NamedLocationsKnown bool `json:"named_locations_known,omitempty"`
	// VoiceOfficePhone: the Voice configuration's isOfficePhoneAllowed.
	VoiceOfficePhone bool `json:"voice_office_phone,omitempty"`
}

// NamedLocation is one Conditional Access named location.
type NamedLocation struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Trusted bool   `json:"trusted"`
}

// SSPRState is a user's self-service password reset state from the Entra
// registration report.
type SSPRState struct {
	// Enabled: isSsprEnabled, the user is in scope of the SSPR policy.
	Enabled bool `json:"enabled"`
	// Registered: isSsprRegistered, the user registered enough methods.
	Registered bool `json:"registered"`
	// Capable: isSsprCapable, enabled and registered.
	Capable bool `json:"capable"`
}

// Targets says whom a policy or setting applies to. IDs are user, group and
// role ids (Entra role template ids; Okta role types).
type Targets struct {
	All           bool     `json:"all,omitempty"`
	Users         []string `json:"users,omitempty"`
	Groups        []string `json:"groups,omitempty"`
	Roles         []string `json:"roles,omitempty"`
	ExcludeUsers  []string `json:"exclude_users,omitempty"`
	ExcludeGroups []string `json:"exclude_groups,omitempty"`
	ExcludeRoles  []string `json:"exclude_roles,omitempty"`
}

// MethodSetting is one tenant-level authenticator / method configuration.
type MethodSetting struct {
	ID        string       `json:"id"`                   // Okta authenticator id / Entra config id (Sms)
	Name      string       `json:"name"`                 // display name
	VendorKey string       `json:"vendor_key,omitempty"` // okta_email, phone_number, Fido2…
	Kinds     []MethodKind `json:"kinds"`                // normalized kinds it enables (okta_verify: push, totp_software, fastpass)
	Enabled   bool         `json:"enabled"`
	SignIn    bool         `json:"sign_in"`  // usable to sign in
	Recovery  bool         `json:"recovery"` // usable for self-service recovery
	Targets   Targets      `json:"targets"`
}

// RecoveryPolicy is one self-service recovery configuration (Okta password
// policy and its rules; Entra SSPR as far as Graph shows it).
type RecoveryPolicy struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	RuleID   string  `json:"rule_id,omitempty"`
	Enabled  bool    `json:"enabled"`
	Priority int     `json:"priority"`
	Targets  Targets `json:"targets"`
	// SelfService: end users can reset their password themselves.
	SelfService bool `json:"self_service"`
	// Methods are the proofs any one of which starts recovery.
	Methods []MethodKind `json:"methods"`
	// StepUpRequired: a second, different proof is required after the first.
	StepUpRequired bool         `json:"step_up_required"`
	StepUpMethods  []MethodKind `json:"step_up_methods,omitempty"`
	// EndsInSession: the flow signs the user in without a further MFA challenge.
	EndsInSession bool `json:"ends_in_session"`
	// AccessControl: Okta Identity Engine selfServicePasswordReset
	// requirement.accessControl: AUTH_POLICY defers the reset's proofs to the
	// Okta account management policy; LEGACY (or empty) uses Methods and
	// StepUpMethods.
	AccessControl string `json:"access_control,omitempty"`
	// Known is false when the vendor API does not expose the method list or the
	// step-up; Manual then says what a person must verify.
	Known  bool   `json:"known"`
	Manual string `json:"manual,omitempty"`
	Source string `json:"source,omitempty"` // where it was read (classic recovery.factors, OIE rule, …)
	// AuthProvider: the Okta password policy's conditions.authProvider.provider
	// (OKTA, ACTIVE_DIRECTORY, LDAP): the policy applies to the accounts
	// whose credentials come from that provider. Empty = OKTA.
	AuthProvider string `json:"auth_provider,omitempty"`
}

// SignInPolicy is one rule that governs sign-in reduced to flags: an Okta
// sign-on/access policy rule or an Entra Conditional Access policy. It is
// what version 1 snapshots carry; sources whose Policies.Engine is set are
// judged by Policies.Access instead.
type SignInPolicy struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	RuleID   string  `json:"rule_id,omitempty"`
	RuleName string  `json:"rule_name,omitempty"`
	Kind     string  `json:"kind"` // OKTA_SIGN_ON, ACCESS_POLICY, conditional_access
	Enabled  bool    `json:"enabled"`
	Priority int     `json:"priority"`
	Targets  Targets `json:"targets"`
	// Block: the rule denies access.
	Block bool `json:"block,omitempty"`
	// RequiresMFA: a session needs two factors (Okta 2FA / requireFactor; CA mfa
	// grant or authentication strength).
	RequiresMFA bool `json:"requires_mfa"`
	// OneFactor: the rule grants a session with one factor.
	OneFactor bool `json:"one_factor,omitempty"`
	// PhishingResistant: the rule requires a phishing-resistant method.
	PhishingResistant bool `json:"phishing_resistant,omitempty"`
	// AllowedKinds restricts the methods that satisfy the rule (authentication
	// strength, Okta constraints); empty means any MFA-capable method.
	AllowedKinds []MethodKind `json:"allowed_kinds,omitempty"`
	// AllApps: the rule covers every application (or the Okta session itself).
	AllApps bool `json:"all_apps,omitempty"`
	// LegacyClients: a CA policy that targets legacy clients (exchangeActiveSync, other).
	LegacyClients bool `json:"legacy_clients,omitempty"`
	// ReportOnly: Entra enabledForReportingButNotEnforced.
	ReportOnly bool `json:"report_only,omitempty"`
}

// RegistrationPolicy protects security-info registration (Okta authenticator
// enrollment / account management policy; Entra CA on urn:user:registersecurityinfo).
type RegistrationPolicy struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Enabled     bool    `json:"enabled"`
	Targets     Targets `json:"targets"`
	RequiresMFA bool    `json:"requires_mfa"`
	// TrustedDevice: registration is limited to a compliant/trusted device or network.
	TrustedDevice bool   `json:"trusted_device,omitempty"`
	Detail        string `json:"detail,omitempty"`
}

// TemporaryAccessSetting is a temporary access pass / bypass code configuration.
type TemporaryAccessSetting struct {
	ID                     string  `json:"id"`
	Name                   string  `json:"name"`
	Enabled                bool    `json:"enabled"`
	Targets                Targets `json:"targets"`
	Reusable               bool    `json:"reusable"`
	MaxLifetimeMinutes     int     `json:"max_lifetime_minutes"`
	DefaultLifetimeMinutes int     `json:"default_lifetime_minutes,omitempty"`
}

// EventKind normalizes audit events.
type EventKind string

// Event kinds.
const (
	EvFactorReset        EventKind = "factor_reset"
	EvMethodEnrolled     EventKind = "method_enrolled"
	EvMethodRemoved      EventKind = "method_removed"
	EvPasswordResetAdmin EventKind = "password_reset_admin"
	EvPasswordResetSelf  EventKind = "password_reset_self"
	EvTAPIssued          EventKind = "tap_issued"
	// EvRecoveryPINIssued: an administrator generated a recovery PIN for a
	// user (Okta device.desktop_mfa.recovery_pin.generate).
	EvRecoveryPINIssued EventKind = "recovery_pin_issued"
	EvUnlock            EventKind = "unlock"
	EvSignIn            EventKind = "sign_in" // interactive sign-in (for NHI-10)
)

// Principal is who did something or to whom.
type Principal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"` // user, app
}

// Event is one audit event.
type Event struct {
	ID         string     `json:"id"`
	Kind       EventKind  `json:"kind"`
	Time       time.Time  `json:"time"`
	VendorType string     `json:"vendor_type"` // eventType / activityDisplayName
	Actor      Principal  `json:"actor"`
	Target     Principal  `json:"target"`
	Outcome    string     `json:"outcome,omitempty"`     // SUCCESS / success
	MethodKind MethodKind `json:"method_kind,omitempty"` // enrolled/removed method, when known
	// Interactive: for sign_in, the session was started by a person (not a token grant).
	Interactive bool `json:"interactive,omitempty"`
}

// WorkloadType says what kind of non-human identity a workload is.
type WorkloadType string

// Workload types.
const (
	WAPIToken         WorkloadType = "api_token"         // Okta SSWS token
	WServiceApp       WorkloadType = "service_app"       // Okta OAuth service app
	WApplication      WorkloadType = "application"       // Entra app registration
	WServicePrincipal WorkloadType = "service_principal" // Entra enterprise app
)

// Workload is a non-human identity and its credentials.
type Workload struct {
	ID      string       `json:"id"`
	Type    WorkloadType `json:"type"`
	Name    string       `json:"name"`
	AppID   string       `json:"app_id,omitempty"`
	Enabled bool         `json:"enabled"`
	// ThirdParty: registered by another organisation (Entra
	// appOwnerOrganizationId ≠ tenant) or a marketplace integration.
	ThirdParty bool    `json:"third_party"`
	OwnerOrg   string  `json:"owner_org,omitempty"`
	Owners     []Owner `json:"owners"`
	// AuthMethod: token_endpoint_auth_method for Okta service apps.
	AuthMethod  string       `json:"auth_method,omitempty"`
	Credentials []Credential `json:"credentials"`
	// Roles are admin roles held (Okta client roles, Entra directory roles).
	Roles []Role `json:"roles,omitempty"`
	// Grants are API permissions / scopes granted (okta.users.manage,
	// Directory.ReadWrite.All).
	Grants   []string   `json:"grants,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
	Created  *time.Time `json:"created,omitempty"`
}

// Owner is a workload's owner.
type Owner struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Active bool   `json:"active"`
	// Privileged: the owner holds an admin role (an SSWS token inherits its
	// owner's privileges).
	Privileged bool `json:"privileged,omitempty"`
}

// CredentialType names a workload credential.
type CredentialType string

// Credential types.
const (
	CredSecret      CredentialType = "secret"      // client secret / password credential
	CredCertificate CredentialType = "certificate" // key credential / JWKS key
	CredAPIToken    CredentialType = "api_token"   // Okta SSWS
	CredFederated   CredentialType = "federated"   // workload identity federation
)

// Credential is one credential of a workload.
type Credential struct {
	ID       string         `json:"id"`
	Type     CredentialType `json:"type"`
	Name     string         `json:"name,omitempty"`
	Created  *time.Time     `json:"created,omitempty"`
	Expires  *time.Time     `json:"expires,omitempty"`
	LastUsed *time.Time     `json:"last_used,omitempty"`
	Active   bool           `json:"active"`
}

// Connector reads one provider's tenant into a Source. Implementations issue
// GET requests only (plus OAuth token requests) and record coverage for every
// dataset they attempt, instead of failing the whole collection.
type Connector interface {
	Provider() Provider
	// Collect reads the tenant. It returns an error only when nothing useful
	// could be read (bad credentials, unreachable); dataset failures are
	// recorded as coverage.
	Collect(ctx context.Context, opts CollectOptions) (*Source, error)
}

// CollectOptions are the knobs common to every connector.
type CollectOptions struct {
	// Now is the scan time; Since the start of the audit window.
	Now   time.Time
	Since time.Time
	// Logger receives progress and warnings; never secrets.
	Logger *slog.Logger
	// Progress, when non-nil, receives a human progress line (a terminal).
	Progress func(format string, args ...any)
}

// Probe is one line of `shadowpath doctor`: whether a dataset can be read
// with the configured credentials.
type Probe struct {
	Dataset string         `json:"dataset"`
	Status  CoverageStatus `json:"status"` // complete = readable
	Detail  string         `json:"detail,omitempty"`
	// Needed names the scope, role, permission or licence the dataset needs.
	Needed string `json:"needed"`
}

// Prober is implemented by connectors that can check reachability,
// credentials and each dataset's permission with cheap reads (limit=1).
type Prober interface {
	Probe(ctx context.Context) ([]Probe, error)
}
