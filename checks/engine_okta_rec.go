package checks

import (
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// REC-05 on Okta's engines: who can enrol a new authenticator with proofs
// that are not MFA (the password, an email code, a security question).
//
// Identity Engine: the Okta account management policy decides enrolment.
// Its rules are evaluated like an authentication policy's (by priority,
// first match, conditions per context) for the operation being performed,
// accessRequest.operation == 'enroll' (help.okta.com "Okta account
// management policy"; support.okta.com "Okta Account Management Policy
// Enrollment for Specific Authenticators"); a user who cannot satisfy the
// matching rule is denied enrolment. An org whose policy list holds no
// account management policy is judged by Okta's documented default, the
// policy's catch-all rule, which "allows access with two factors"
// (help.okta.com "Okta account management policy", How it works), and the
// finding says so.
//
// Classic: there is no account management policy; users enrol inside an
// Okta session (MFA enrollment rule enroll.self CHALLENGE/LOGIN), so the
// Okta sign-on policy's first matching rule is what guards enrolment: with
// requireFactor the account's own enrolled factor must be presented
// (Classic accepts any, email and question included); without it, the
// password alone. An account with no factor yet enrols after its password.

// enrolGate is one rule that decides enrolment for some accounts.
type enrolGate struct {
	ref        PolicyRef
	documented bool // Okta's documented default, not a rule read
	tally
	proofs   map[string]bool
	contexts map[string]bool
}

// defaultAccountManagement is Okta's documented catch-all of the account
// management policy: two factors.
var defaultAccountManagement = &evidence.AccessRule{ID: "", Name: "Catch-all Rule (Okta's documented default)", Priority: 99,
	Status: "ACTIVE", Enabled: true, Access: "ALLOW", Requirement: evidence.Requirement{FactorMode: "2FA", Type: "ASSURANCE"}}

func evalREC05Okta(e *env) outcome {
	var o outcome
	gates := map[string]*enrolGate{}
	add := func(ref PolicyRef, documented bool, x *acct, proofs []evidence.MethodKind, ctx string) {
		key := ref.ID + "\x00" + ref.RuleID + "\x00" + ref.Rule
		g := gates[key]
		if g == nil {
			g = &enrolGate{ref: ref, documented: documented, proofs: map[string]bool{}, contexts: map[string]bool{}}
			gates[key] = g
		}
		g.count(x)
		g.proofs[strings.Join(kindStrings(proofs), " + ")] = true
		if ctx != "" {
			g.contexts[ctx] = true
		}
	}
	members := 0
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member || !x.methodsKnown {
			continue
		}
		members++
		// Judge each account once, by its weakest way in: the first gate
		// that admits non-MFA proofs.
		switch e.engine {
		case evidence.EngineOktaIdentity:
			e.enrolIdentity(x, add)
		case evidence.EngineOktaClassic:
			e.enrolClassic(x, add)
		}
	}
	keys := make([]string, 0, len(gates))
	for k := range gates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := gates[k]
		subject := policySubject(g.ref.ID, g.ref.Name)
		if g.documented {
			subject = e.tenantSubject()
		}
		proofs := sortedKeys(g.proofs)
		msg := "\"" + g.ref.Label() + "\" lets " + plural(g.accounts, "member account", "member accounts") + " (" + itoa(g.privileged) +
			" privileged) enrol a new authenticator with " + strings.Join(proofs, " or ") + ", no MFA-capable factor"
		ev := map[string]any{"accounts": g.accounts, "privileged_accounts": g.privileged, "sample": sample(g.ids),
			"proofs": proofs, "operation": "enroll"}
		if g.ref.RuleID != "" {
			ev["policies"] = []string{g.ref.ID + "/" + g.ref.RuleID}
		}
		if cs := sortedKeys(g.contexts); len(cs) > 0 {
			ev["contexts"] = cs
		}
		if g.documented {
			ev["assumed"] = "no Okta account management policy was returned: judged by its documented catch-all rule (two factors)"
			msg += " (no account management policy was returned; judged by Okta's documented default, two factors)"
		}
		o.findings = append(o.findings, Finding{Subject: subject, Severity: sev(High, Critical, g.privileged > 0), Message: msg, Evidence: ev})
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = "Some member accounts can enrol a new authenticator without an MFA-capable factor (" + plural(len(o.findings), "deciding rule", "deciding rules") + ")."
	case e.engine == evidence.EngineOktaClassic:
		o.rationale = "Every member account (" + itoa(members) + ") enrols inside a session whose Okta sign-on rule requires an MFA-capable factor it holds."
	default:
		o.rationale = "Every member account (" + itoa(members) + ") must present an MFA-capable factor to enrol a new authenticator (account management policy rules for enroll)."
	}
	return o
}

// weakProofs are the proofs x holds that are not MFA: the password and,
// where the authenticators allow them for sign-in, the email address every
// Okta user has and an enrolled security question.
func (e *env) weakProofs(x *acct) []evidence.MethodKind {
	signInAllowed, _ := e.allowedKinds(x)
	var out []evidence.MethodKind
	for _, k := range e.oktaProofs(x, signInAllowed) {
		if !Classify(k).MFACapable {
			out = append(out, k)
		}
	}
	if x.kinds.has(evidence.KindSecurityQuestion) && signInAllowed.has(evidence.KindSecurityQuestion) && !containsKind(out, evidence.KindSecurityQuestion) {
		out = append(out, evidence.KindSecurityQuestion)
	}
	return out
}

func (e *env) enrolIdentity(x *acct, add func(PolicyRef, bool, *acct, []evidence.MethodKind, string)) {
	weak := e.weakProofs(x)
	pols := e.access[evidence.APOktaAccountManagement]
	if len(pols) == 0 {
		q := oktaRequirement(nil, defaultAccountManagement)
		q.passwordFirst = false
		if p := weakest(&q, weak); p != nil {
			add(PolicyRef{Name: "Okta account management policy", Rule: defaultAccountManagement.Name}, true, x, p, "")
		}
		return
	}
	for _, m := range e.firstMatchesFor(pols, x, "enroll") {
		if m.rule.r.Access == "DENY" {
			continue
		}
		q := oktaRequirement(nil, m.rule.r)
		q.passwordFirst = false
		if p := weakest(&q, weak); p != nil {
			add(m.rule.ref, false, x, p, strings.Join(m.ctx, "; "))
			return
		}
	}
}

func (e *env) enrolClassic(x *acct, add func(PolicyRef, bool, *acct, []evidence.MethodKind, string)) {
	signInAllowed, _ := e.allowedKinds(x)
	pw := evidence.KindPassword
	for _, g := range e.firstMatches(e.access[evidence.APOktaGlobalSession], x) {
		if g.rule.r.Access == "DENY" {
			continue
		}
		ctx := strings.Join(g.ctx, "; ")
		if !g.rule.r.Requirement.RequireFactor {
			add(g.rule.ref, false, x, []evidence.MethodKind{pw}, ctx)
			return
		}
		held := x.kinds & signInAllowed
		if held&mfaCapableKinds != 0 {
			continue
		}
		// Classic accepts any enrolled factor as the second one.
		var weak evidence.MethodKind
		held.each(func(i int, k evidence.MethodKind) {
			if weak == "" && k != pw && !kindClass[i].Bootstrap {
				weak = k
			}
		})
		proofs := []evidence.MethodKind{pw}
		if weak != "" {
			proofs = append(proofs, weak)
		}
		add(g.rule.ref, false, x, proofs, ctx)
		return
	}
}

// weakest is the smallest set of the given proofs q accepts, or nil.
func weakest(q *requirement, proofs []evidence.MethodKind) []evidence.MethodKind {
	var best []evidence.MethodKind
	combos(q, proofs, func(p []evidence.MethodKind) {
		if best == nil || len(p) < len(best) {
			best = append([]evidence.MethodKind(nil), p...)
		}
	})
	return best
}
