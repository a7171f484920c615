package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
}

type rawRule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Priority   int             `json:"priority"`
	System     bool            `json:"system"`
	Conditions *rawConditions  `json:"conditions"`
	Actions    json.RawMessage `json:"actions"`
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
	var failures []string
	var hardErr error
	for _, typ := range policyTypes {
		var ps []*rawPolicy
		err := list(ctx, r.c, "/api/v1/policies?type="+typ, func(p rawPolicy) { ps = append(ps, &p) })
		if err != nil {
			var ae *evidence.APIError
			if typ == "ACCESS_POLICY" && errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusNotFound) {
				// Classic engine orgs have no authentication policies.
				r.warn("ACCESS_POLICY policies not available (Classic engine org?): " + err.Error())
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
	acctMgmt := accountManagementPolicy(rp.byType["ACCESS_POLICY"])
	for _, p := range rp.byType["MFA_ENROLL"] {
		r.registration(p, acctMgmt)
	}
	for _, typ := range []string{"OKTA_SIGN_ON", "ACCESS_POLICY"} {
		for _, p := range rp.byType[typ] {
			if p == acctMgmt {
				continue
			}
			r.signIn(p)
		}
	}

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
			Primary *struct {
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

// accountManagementPolicy finds the Identity Engine "Okta Account
// Management Policy": the authentication policy that governs enrolling
// authenticators and recovery from the end-user settings. The API marks it
// only by name, so the name is matched.
func accountManagementPolicy(ps []*rawPolicy) *rawPolicy {
	for _, p := range ps {
		if strings.Contains(strings.ToLower(p.Name), "account management") {
			return p
		}
	}
	return nil
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

// requires2FA reports whether every active ALLOW rule of an access policy
// requires two factors.
func requires2FA(p *rawPolicy) bool {
	allows := 0
	for _, rule := range p.rules {
		if rule.Status != "" && rule.Status != "ACTIVE" {
			continue
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

type signonActions struct {
	Signon *struct {
		Access        string `json:"access"`
		RequireFactor *bool  `json:"requireFactor"`
	} `json:"signon"`
}

// signIn reduces OKTA_SIGN_ON (global session) and ACCESS_POLICY
// (authentication policy) rules.
func (r *run) signIn(p *rawPolicy) {
	for i := range p.rules {
		rule := &p.rules[i]
		sp := evidence.SignInPolicy{
			ID: p.ID, Name: p.Name, RuleID: rule.ID, RuleName: rule.Name, Kind: p.Type,
			Enabled:  p.Status == "ACTIVE" && (rule.Status == "" || rule.Status == "ACTIVE"),
			Priority: priority(p, rule), Targets: r.targets(p, rule),
		}
		switch p.Type {
		case "OKTA_SIGN_ON":
			// The global session policy governs the Okta session itself.
			sp.AllApps = true
			var a signonActions
			if !rawJSON(rule.Actions, &a) || a.Signon == nil {
				r.warn(fmt.Sprintf("sign-on rule %s of policy %s has no signon action; treated as one-factor", rule.ID, p.ID))
				sp.OneFactor = true
				break
			}
			switch a.Signon.Access {
			case "DENY":
				sp.Block = true
			default:
				sp.RequiresMFA = a.Signon.RequireFactor != nil && *a.Signon.RequireFactor
				sp.OneFactor = !sp.RequiresMFA
			}
		case "ACCESS_POLICY":
			// The default (system) authentication policy applies to every
			// app not given another policy.
			sp.AllApps = p.System
			var a accessActions
			if !rawJSON(rule.Actions, &a) || a.AppSignOn == nil {
				r.warn(fmt.Sprintf("authentication policy rule %s of policy %s has no appSignOn action; treated as one-factor", rule.ID, p.ID))
				sp.OneFactor = true
				break
			}
			if a.AppSignOn.Access == "DENY" {
				sp.Block = true
				break
			}
			vm := a.AppSignOn.VerificationMethod
			if vm == nil {
				sp.OneFactor = true
				break
			}
			sp.RequiresMFA = vm.FactorMode == "2FA"
			sp.OneFactor = vm.FactorMode == "1FA"
			sp.PhishingResistant, sp.AllowedKinds = r.constraints(vm.Constraints)
		}
		r.src.Policies.SignIn = append(r.src.Policies.SignIn, sp)
	}
}

type constraintPart struct {
	Types             []string `json:"types"`
	Methods           []string `json:"methods"`
	PhishingResistant string   `json:"phishingResistant"`
}

// constraints reads an access rule's constraint alternatives: the rule is
// phishing-resistant only when every alternative requires it, and the
// methods/types named anywhere restrict the satisfying kinds (the password,
// the first factor, is left out).
func (r *run) constraints(cs []map[string]json.RawMessage) (bool, []evidence.MethodKind) {
	if len(cs) == 0 {
		return false, nil
	}
	allPR := true
	set := map[evidence.MethodKind]bool{}
	for _, alt := range cs {
		pr := false
		names := make([]string, 0, len(alt))
		for name := range alt {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			var part constraintPart
			if !rawJSON(alt[name], &part) {
				continue
			}
			if part.PhishingResistant == "REQUIRED" {
				pr = true
			}
			for _, m := range part.Methods {
				for _, k := range r.constraintKinds(m, true) {
					set[k] = true
				}
			}
			for _, t := range part.Types {
				for _, k := range r.constraintKinds(t, false) {
					set[k] = true
				}
			}
		}
		allPR = allPR && pr
	}
	delete(set, evidence.KindPassword)
	var kinds []evidence.MethodKind
	for _, k := range evidence.AllKinds {
		if set[k] {
			kinds = append(kinds, k)
		}
	}
	return allPR, kinds
}

// constraintKinds maps an access-rule constraint method or type.
func (r *run) constraintKinds(v string, method bool) []evidence.MethodKind {
	m := map[string][]evidence.MethodKind{
		"PASSWORD": {evidence.KindPassword}, "SECURITY_QUESTION": {evidence.KindSecurityQuestion},
		"EMAIL": {evidence.KindEmailOTP},
	}
	if method {
		for k, v := range map[string][]evidence.MethodKind{
			"SMS": {evidence.KindSMS}, "VOICE": {evidence.KindVoice}, "PUSH": {evidence.KindPush},
			"SIGNED_NONCE": {evidence.KindFastPass}, "OTP": {evidence.KindTOTPSoftware, evidence.KindTOTPHardware},
			"TOTP": {evidence.KindTOTPSoftware}, "WEBAUTHN": {evidence.KindFIDO2}, "DUO": {evidence.KindPush},
			"CERT": {evidence.KindCertificate}, "IDP": {evidence.KindUnknown},
		} {
			m[k] = v
		}
	} else {
		for k, v := range map[string][]evidence.MethodKind{
			"SECURITY_KEY": {evidence.KindFIDO2}, "PHONE": {evidence.KindSMS, evidence.KindVoice},
			"APP": {evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass}, "FEDERATED": {evidence.KindUnknown},
		} {
			m[k] = v
		}
	}
	if ks, ok := m[strings.ToUpper(v)]; ok {
		return ks
	}
	r.warn(fmt.Sprintf("unknown Okta access-policy constraint value %q: treated as %s", v, evidence.KindUnknown))
	return []evidence.MethodKind{evidence.KindUnknown}
}
