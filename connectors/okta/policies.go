package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

type rawIncExc struct {
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
}

type rawPeople struct {
	Users  *rawIncExc `json:"users"`
	Groups *rawIncExc `json:"groups"`
}

type rawConditions struct {
	People *rawPeople `json:"people"`
}

type rawPolicy struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Priority   int             `json:"priority"`
	System     bool            `json:"system"`
	Conditions *rawConditions  `json:"conditions"`
	Settings   json.RawMessage `json:"settings"`

	rules []rawRule
	// rawConditions is the whole conditions object; resourceType is
	// _embedded.resourceType (END_USER_ACCOUNT_MANAGEMENT for the Okta
	// account management policy, APP for other authentication policies).
	rawConditions json.RawMessage
	resourceType  string
}

// UnmarshalJSON keeps the raw conditions beside the people condition.
func (p *rawPolicy) UnmarshalJSON(b []byte) error {
	type plain rawPolicy
	var aux struct {
		*plain
		Conditions json.RawMessage `json:"conditions"`
		Embedded   struct {
			ResourceType string `json:"resourceType"`
		} `json:"_embedded"`
	}
	aux.plain = (*plain)(p)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	p.rawConditions, p.resourceType = aux.Conditions, aux.Embedded.ResourceType
	var err error
	p.Conditions, err = decodeConditions(aux.Conditions)
	return err
}

// decodeConditions decodes a policy's or rule's raw conditions object;
// nil for an absent or null one.
func decodeConditions(raw json.RawMessage) (*rawConditions, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var c rawConditions
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

type rawRule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Priority   int             `json:"priority"`
	System     bool            `json:"system"`
	Conditions *rawConditions  `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`

	rawConditions json.RawMessage
}

// UnmarshalJSON keeps the raw conditions beside the people condition.
func (r *rawRule) UnmarshalJSON(b []byte) error {
	type plain rawRule
	var aux struct {
		*plain
		Conditions json.RawMessage `json:"conditions"`
	}
	aux.plain = (*plain)(r)
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.rawConditions = aux.Conditions
	var err error
	r.Conditions, err = decodeConditions(aux.Conditions)
	return err
}

// policyTypes are the policy types read, in order.
var policyTypes = []string{"PASSWORD", "MFA_ENROLL", "OKTA_SIGN_ON", "ACCESS_POLICY"}

// readPolicies holds what policies() read, for the authenticator pass.
type readPolicies struct {
	byType map[string][]*rawPolicy
	ok     bool // every policy list was read (rules may still be partial)
}

// policies reads the four policy types and their rules and reduces them to
// Policies.Recovery, Registration and SignIn.
func (r *run) policies(ctx context.Context) *readPolicies {
	rp := &readPolicies{byType: map[string][]*rawPolicy{}, ok: true}
	engine := r.engine(ctx)
	r.networkZones(ctx)
	accessAvailable := true
	var failures []string
	var hardErr error
	for _, typ := range policyTypes {
		var ps []*rawPolicy
		err := list(ctx, r.c, "/api/v1/policies?type="+typ, func(p rawPolicy) { ps = append(ps, &p) })
		if err != nil {
			var ae *evidence.APIError
			if typ == "ACCESS_POLICY" && errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusNotFound) {
				// Classic engine orgs have no authentication policies.
				accessAvailable = false
				if engine != evidence.EngineOktaClassic {
					r.warn("ACCESS_POLICY policies not available (Classic engine org?): " + err.Error())
				}
				continue
			}
			rp.ok = false
			if hardErr == nil {
				hardErr = err
			}
			var rle *evidence.RateLimitError
			if errors.As(err, &rle) {
				// The bucket outlasted every retry; the next type shares it
				// and would spend as long failing. The dataset is an error
				// either way.
				break
			}
			continue
		}
		rules := make([][]rawRule, len(ps))
		errs := make([]error, len(ps))
		r.c.forEach(ctx, len(ps), func(ctx context.Context, i int) {
			_, errs[i] = r.c.get(ctx, "/api/v1/policies/"+url.PathEscape(ps[i].ID)+"/rules", &rules[i])
		})
		for i, p := range ps {
			if errs[i] != nil {
				failures = append(failures, fmt.Sprintf("rules of %s %s: %v", typ, p.ID, errs[i]))
				continue
			}
			p.rules = rules[i]
			sort.SliceStable(p.rules, func(a, b int) bool { return p.rules[a].Priority < p.rules[b].Priority })
		}
		sort.SliceStable(ps, func(a, b int) bool { return ps[a].Priority < ps[b].Priority })
		rp.byType[typ] = ps
	}

	for _, p := range rp.byType["PASSWORD"] {
		r.recovery(p)
	}
	acctMgmt := r.accountManagementPolicy(rp.byType["ACCESS_POLICY"])
	if engine == "" {
		engine = evidence.EngineOktaClassic
		if accessAvailable {
			engine = evidence.EngineOktaIdentity
		}
	}
	r.classic = r.classic || engine == evidence.EngineOktaClassic
	r.src.Policies.Engine = engine
	failures = append(failures, r.accessPolicies(ctx, rp, acctMgmt)...)
	for _, p := range rp.byType["MFA_ENROLL"] {
		r.registration(p, acctMgmt)
	}
	// Sign-in is judged from Policies.Access (the engine's own rules); the
	// reduced Policies.SignIn flags are what version 1 snapshots carried.

	items := 0
	for _, ps := range rp.byType {
		items += len(ps)
	}
	switch {
	case hardErr != nil:
		cov := evidence.CoverageFromError(evidence.DSPolicies, items, hardErr)
		r.src.SetCoverage(cov)
	case len(failures) > 0:
		rp.ok = false
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSPolicies, Status: evidence.Partial, Items: items,
			Detail: strings.Join(capList(failures, 3), "; ")})
	default:
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSPolicies, Status: evidence.Complete, Items: items})
	}
	return rp
}

// priority orders rules across policies: policy priority first, then rule
// priority (lower is evaluated first, as in Okta).
func priority(p *rawPolicy, rule *rawRule) int {
	if rule == nil {
		return p.Priority * 1000
	}
	return p.Priority*1000 + rule.Priority
}

// targets combines a policy's and a rule's people conditions. Okta applies a
// rule to the people matching both; the model has one level, so a rule's own
// include list wins over the policy's, excludes are merged, and including
// the Everyone group (or nobody in particular) means All.
func (r *run) targets(p *rawPolicy, rule *rawRule) evidence.Targets {
	var t evidence.Targets
	var pol, rl *rawPeople
	if p.Conditions != nil {
		pol = p.Conditions.People
	}
	if rule != nil && rule.Conditions != nil {
		rl = rule.Conditions.People
	}
	includes := func(pp *rawPeople) (users, groups []string) {
		if pp == nil {
			return nil, nil
		}
		if pp.Users != nil {
			users = pp.Users.Include
		}
		if pp.Groups != nil {
			groups = pp.Groups.Include
		}
		return users, groups
	}
	ru, rg := includes(rl)
	pu, pg := includes(pol)
	switch {
	case len(ru) > 0 || len(rg) > 0:
		t.Users, t.Groups = ru, rg
	case len(pu) > 0 || len(pg) > 0:
		t.Users, t.Groups = pu, pg
	}
	for _, pp := range []*rawPeople{pol, rl} {
		if pp == nil {
			continue
		}
		if pp.Users != nil {
			t.ExcludeUsers = append(t.ExcludeUsers, pp.Users.Exclude...)
		}
		if pp.Groups != nil {
			t.ExcludeGroups = append(t.ExcludeGroups, pp.Groups.Exclude...)
		}
	}
	if len(t.Users) == 0 && (len(t.Groups) == 0 || (r.everyone != "" && contains(t.Groups, r.everyone))) {
		t.All = true
		t.Groups = nil
	}
	return t
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// recoveryKind maps classic recovery factor keys and OIE SSPR methods.
func (r *run) recoveryKind(name string) evidence.MethodKind {
	k, ok := evidence.OktaRecoveryMethodKind(name)
	if !ok {
		r.warn(fmt.Sprintf("unknown Okta recovery method %q: treated as %s", name, evidence.KindUnknown))
	}
	return k
}

type passwordSettings struct {
	Recovery struct {
		Factors map[string]struct {
			Status string `json:"status"`
		} `json:"factors"`
	} `json:"recovery"`
}

type passwordActions struct {
	SelfServicePasswordReset *struct {
		Access      string `json:"access"`
		Requirement *struct {
			AccessControl string `json:"accessControl"`
			Primary       *struct {
				Methods []string `json:"methods"`
			} `json:"primary"`
			StepUp *struct {
				Required bool     `json:"required"`
				Methods  []string `json:"methods"`
			} `json:"stepUp"`
		} `json:"requirement"`
	} `json:"selfServicePasswordReset"`
}

// recovery reduces a PASSWORD policy to one RecoveryPolicy per rule.
//
// Classic orgs configure recovery in the policy's settings.recovery.factors:
// okta_email / okta_sms / okta_call start recovery, and recovery_question is
// the additional security-question step asked after them. Identity Engine
// rules carry selfServicePasswordReset.requirement (primary methods and a
// stepUp); without a requirement the policy's recovery factors apply.
// Okta SSPR signs the user in when it completes, so EndsInSession is true
// unless the rule's step-up demands an MFA-capable authenticator, which is
// the only "further challenge" the API can express.
func (r *run) recovery(p *rawPolicy) {
	var st passwordSettings
	rawJSON(p.Settings, &st)
	var classic, question []evidence.MethodKind
	keys := make([]string, 0, len(st.Recovery.Factors))
	for k := range st.Recovery.Factors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if st.Recovery.Factors[k].Status != "ACTIVE" {
			continue
		}
		kind := r.recoveryKind(k)
		if kind == evidence.KindSecurityQuestion {
			question = append(question, kind)
		} else {
			classic = append(classic, kind)
		}
	}
	// Password policies apply by the user's credential provider:
	// conditions.authProvider.provider OKTA (the default), ACTIVE_DIRECTORY
	// or LDAP (developer.okta.com Policy API, password policy conditions).
	authProvider := ""
	var pc rawAccessConditions
	if rawJSON(p.rawConditions, &pc) && pc.AuthProvider != nil {
		authProvider = pc.AuthProvider.Provider
	}
	rules := p.rules
	if len(rules) == 0 {
		rules = []rawRule{{}}
	}
	for i := range rules {
		rule := &rules[i]
		rp := evidence.RecoveryPolicy{
			ID: p.ID, Name: p.Name, RuleID: rule.ID, Priority: priority(p, rule),
			Enabled: p.Status == "ACTIVE" && (rule.ID == "" || rule.Status == "ACTIVE"),
			Targets: r.targets(p, rule), Methods: []evidence.MethodKind{}, Known: true,
		}
		var act passwordActions
		rawJSON(rule.Actions, &act)
		sspr := act.SelfServicePasswordReset
		switch {
		case rule.ID == "":
			rp.Known = false
			rp.Manual = "the password policy has no rules readable through the API; verify self-service recovery in the Admin Console"
			rp.Methods = append(rp.Methods, classic...)
			rp.Source = "classic settings.recovery.factors"
		case sspr == nil:
			// Classic rules have no selfServicePasswordReset action: the
			// policy's recovery factors drive recovery.
			rp.SelfService = len(classic) > 0
			rp.Methods = append(rp.Methods, classic...)
			rp.StepUpRequired = len(question) > 0
			rp.StepUpMethods = question
			rp.Source = "classic settings.recovery.factors"
		case sspr.Requirement != nil && sspr.Requirement.Primary != nil:
			rp.SelfService = sspr.Access == "ALLOW"
			for _, m := range sspr.Requirement.Primary.Methods {
				rp.Methods = append(rp.Methods, r.recoveryKind(m))
			}
			if su := sspr.Requirement.StepUp; su != nil && su.Required {
				rp.StepUpRequired = true
				for _, m := range su.Methods {
					rp.StepUpMethods = append(rp.StepUpMethods, r.recoveryKind(m))
				}
			}
			rp.Source = "OIE rule selfServicePasswordReset.requirement"
		default:
			rp.SelfService = sspr.Access == "ALLOW"
			rp.Methods = append(rp.Methods, classic...)
			rp.StepUpRequired = len(question) > 0
			rp.StepUpMethods = question
			rp.Source = "OIE rule without requirement: settings.recovery.factors"
		}
		if sspr != nil && sspr.Requirement != nil {
			rp.AccessControl = sspr.Requirement.AccessControl
		}
		rp.AuthProvider = authProvider
		if len(rules) > 0 && rule.ID != "" {
			var rc rawAccessConditions
			if rawJSON(rule.rawConditions, &rc) && rc.AuthProvider != nil && rc.AuthProvider.Provider != "" {
				rp.AuthProvider = rc.AuthProvider.Provider
			}
		}
		rp.EndsInSession = rp.SelfService && !mfaStepUp(rp)
		r.src.Policies.Recovery = append(r.src.Policies.Recovery, rp)
	}
}

// mfaStepUp reports whether a recovery step-up requires an MFA-capable
// authenticator (anything but e-mail and security questions).
func mfaStepUp(rp evidence.RecoveryPolicy) bool {
	if !rp.StepUpRequired {
		return false
	}
	for _, k := range rp.StepUpMethods {
		switch k {
		case evidence.KindEmailOTP, evidence.KindSecurityQuestion, evidence.KindPassword, evidence.KindUnknown:
			continue
		}
		return true
	}
	return false
}

type enrollSettings struct {
	Type           string `json:"type"`
	Authenticators []struct {
		Key    string `json:"key"`
		Enroll struct {
			Self string `json:"self"`
		} `json:"enroll"`
	} `json:"authenticators"`
	Factors map[string]struct {
		Enroll struct {
			Self string `json:"self"`
		} `json:"enroll"`
	} `json:"factors"`
}

// offered returns the authenticator (or classic factor) keys an enrollment
// policy lets users enroll, with their enroll.self value, sorted by key.
func (s enrollSettings) offered() (keys []string, mode map[string]string) {
	mode = map[string]string{}
	for _, a := range s.Authenticators {
		if a.Enroll.Self != "NOT_ALLOWED" && a.Key != "" {
			mode[a.Key] = a.Enroll.Self
		}
	}
	for k, f := range s.Factors {
		if f.Enroll.Self != "NOT_ALLOWED" {
			mode[k] = f.Enroll.Self
		}
	}
	for k := range mode {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, mode
}

// accountManagementPolicy finds the Identity Engine Okta account
// management policy: the authentication policy whose
// _embedded.resourceType is END_USER_ACCOUNT_MANAGEMENT (okta-sdk-golang
// openapi.yaml, AccessPolicy _embedded.resourceType). A response without
// _embedded falls back to the policy's name, with a warning.
func (r *run) accountManagementPolicy(ps []*rawPolicy) *rawPolicy {
	for _, p := range ps {
		if p.resourceType == "END_USER_ACCOUNT_MANAGEMENT" {
			return p
		}
	}
	for _, p := range ps {
		if p.resourceType == "" && strings.Contains(strings.ToLower(p.Name), "account management") {
			r.warn("authentication policy " + p.ID + " taken for the Okta account management policy by its name (no _embedded.resourceType in the response)")
			return p
		}
	}
	return nil
}

// accessPolicies fills Policies.Access: global session policies and
// authentication policies with the apps mapped to them, and the account
// management policy. It returns the mapping reads that failed.
func (r *run) accessPolicies(ctx context.Context, rp *readPolicies, acctMgmt *rawPolicy) []string {
	extras := func(p *rawPolicy) policyExtras {
		x := policyExtras{conditions: p.rawConditions, ruleConditions: map[string]json.RawMessage{}}
		for _, rule := range p.rules {
			x.ruleConditions[rule.ID] = rule.rawConditions
		}
		return x
	}
	for _, p := range rp.byType["OKTA_SIGN_ON"] {
		r.src.Policies.Access = append(r.src.Policies.Access, r.accessPolicy(p, evidence.APOktaGlobalSession, extras(p)))
	}
	var apps []*rawPolicy
	for _, p := range rp.byType["ACCESS_POLICY"] {
		if p != acctMgmt {
			apps = append(apps, p)
		}
	}
	maps := make([][]evidence.AppRef, len(apps))
	errs := make([]error, len(apps))
	r.c.forEach(ctx, len(apps), func(ctx context.Context, i int) {
		maps[i], errs[i] = r.mappings(ctx, apps[i].ID)
	})
	var failures []string
	for i, p := range apps {
		x := extras(p)
		if errs[i] != nil {
			failures = append(failures, fmt.Sprintf("mappings of ACCESS_POLICY %s: %v", p.ID, errs[i]))
		} else {
			x.apps, x.appsKnown = maps[i], true
		}
		r.src.Policies.Access = append(r.src.Policies.Access, r.accessPolicy(p, evidence.APOktaAuthentication, x))
	}
	if acctMgmt != nil {
		x := extras(acctMgmt)
		x.appsKnown = true
		r.src.Policies.Access = append(r.src.Policies.Access, r.accessPolicy(acctMgmt, evidence.APOktaAccountManagement, x))
	}
	return failures
}

type accessActions struct {
	AppSignOn *struct {
		Access             string `json:"access"`
		VerificationMethod *struct {
			FactorMode  string                       `json:"factorMode"`
			Type        string                       `json:"type"`
			Constraints []map[string]json.RawMessage `json:"constraints"`
		} `json:"verificationMethod"`
	} `json:"appSignOn"`
}

// registration reduces an MFA_ENROLL policy.
//
// Interpretation (RequiresMFA): the enrollment policy decides which
// authenticators may be enrolled and when users are prompted (rule
// enroll.self CHALLENGE / LOGIN / NEVER); it does not say what proof is
// needed first. In Identity Engine that proof is set by the Okta Account
// Management Policy, so registration requires MFA only when every ALLOW
// rule of that policy requires 2FA. Without it (Classic orgs, or not
// found) users enroll inside a session that may have been opened with the
// password alone, so RequiresMFA is false — failing closed.
func (r *run) registration(p *rawPolicy, acct *rawPolicy) {
	var st enrollSettings
	rawJSON(p.Settings, &st)
	keys, mode := st.offered()
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+mode[k])
	}
	detail := "offers " + strings.Join(parts, ", ")
	if len(parts) == 0 {
		detail = "offers no authenticator"
	}
	for _, rule := range p.rules {
		var a struct {
			Enroll struct {
				Self string `json:"self"`
			} `json:"enroll"`
		}
		if rawJSON(rule.Actions, &a) && a.Enroll.Self != "" {
			detail += fmt.Sprintf("; rule %q enroll.self=%s", rule.Name, a.Enroll.Self)
		}
	}
	requires := false
	switch {
	case acct == nil:
		detail += "; no Okta Account Management Policy: enrollment is not gated by an MFA challenge"
	default:
		requires = requires2FA(acct)
		detail += fmt.Sprintf("; account management policy %s requires 2FA: %t", acct.ID, requires)
	}
	r.src.Policies.Registration = append(r.src.Policies.Registration, evidence.RegistrationPolicy{
		ID: p.ID, Name: p.Name, Enabled: p.Status == "ACTIVE", Targets: r.targets(p, nil),
		RequiresMFA: requires, Detail: detail,
	})
}

// enrollOps matches an account management rule's operation test
// (accessRequest.operation == 'enroll' | 'recover' | 'unlockAccount').
var enrollOps = regexp.MustCompile(`accessRequest\.operation\s*==\s*['"](\w+)['"]`)

// requires2FA reports whether every active ALLOW rule of an access policy
// that can apply to enrolment requires two factors (a rule limited to
// other operations does not decide enrolment). checks judges enrolment
// per account and context from Policies.Access; this is the reduced flag.
func requires2FA(p *rawPolicy) bool {
	allows := 0
	for _, rule := range p.rules {
		if rule.Status != "" && rule.Status != "ACTIVE" {
			continue
		}
		var rc rawAccessConditions
		if rawJSON(rule.rawConditions, &rc) && rc.ElCondition != nil {
			if ops := enrollOps.FindAllStringSubmatch(rc.ElCondition.Condition, -1); len(ops) > 0 &&
				!slices.ContainsFunc(ops, func(m []string) bool { return m[1] == "enroll" }) {
				continue
			}
		}
		var a accessActions
		if !rawJSON(rule.Actions, &a) || a.AppSignOn == nil || a.AppSignOn.Access != "ALLOW" {
			continue
		}
		allows++
		if a.AppSignOn.VerificationMethod == nil || a.AppSignOn.VerificationMethod.FactorMode != "2FA" {
			return false
		}
	}
	return allows > 0
}

// credentialProvider records an in-scope user's credentials.provider.type
// when it is not OKTA. FEDERATION and SOCIAL users "don't support a
// password or recovery question credential" and authenticate through
// their identity provider (okta-sdk-golang openapi.yaml
// AuthenticationProviderType).
func (r *run) credentialProvider(u rawUser) {
	t := strings.ToUpper(u.Credentials.Provider.Type)
	if t == "" || t == "OKTA" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.src.CredentialProviders == nil {
		r.src.CredentialProviders = map[string]string{}
	}
	r.src.CredentialProviders[u.ID] = t
}
