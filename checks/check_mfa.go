package checks

import (
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// memberFindings judges every member account whose methods are known:
// fails picks the failing ones, build makes their findings. The findings
// slice is allocated once: a large tenant can have 10^5 of them.
func (e *env) memberFindings(fails func(x *acct) bool, build func(x *acct) Finding) (findings []Finding, members int) {
	var idx []int32
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member || !x.methodsKnown {
			continue
		}
		members++
		if fails(x) {
			idx = append(idx, int32(i))
		}
	}
	if len(idx) == 0 {
		return nil, members
	}
	findings = make([]Finding, len(idx))
	for j, i := range idx {
		findings[j] = build(&e.accts[i])
	}
	return findings, members
}

func evalMFA01(e *env) outcome {
	var o outcome
	priv := 0
	var members int
	o.findings, members = e.memberFindings(
		func(x *acct) bool { return x.kinds&mfaCapableKinds == 0 },
		func(x *acct) Finding {
			if x.privileged {
				priv++
			}
			return userFinding(x, sev(High, Critical, x.privileged), "has no MFA-capable method", map[string]any{"methods": e.methodList(x.kinds)})
		})
	if len(o.findings) == 0 {
		o.rationale = "Every member account (" + itoa(members) + ") has an MFA-capable method."
		return o
	}
	o.rationale = "Member accounts without an MFA-capable method: " + itoa(len(o.findings)) + " of " + itoa(members) + " (" + itoa(priv) + " privileged)."
	return o
}

func evalMFA02(e *env) outcome {
	var o outcome
	var members int
	o.findings, members = e.memberFindings(
		func(x *acct) bool { return x.mfaCount == 1 },
		func(x *acct) Finding {
			ev := map[string]any{"methods": e.methodList(x.kinds)}
			msg := "has a single MFA-capable method and no backup"
			if e.provider == evidence.Okta && e.oktaVerifyFactors(x.a) > 1 {
				// Push, TOTP and FastPass of one Okta Verify enrolment.
				ev["okta_verify"] = "push, TOTP and FastPass on one device count as one method"
				msg += " (its Okta Verify factors are one enrolment on one device)"
			}
			return userFinding(x, sev(Medium, High, x.privileged), msg, ev)
		})
	if len(o.findings) == 0 {
		o.rationale = "No member account (" + itoa(members) + " checked) relies on a single MFA-capable method."
		return o
	}
	o.rationale = "Member accounts with exactly one MFA-capable method: " + itoa(len(o.findings)) + " of " + itoa(members) + "."
	return o
}

func evalMFA03(e *env) outcome {
	var o outcome
	var members int
	o.findings, members = e.memberFindings(
		func(x *acct) bool { return x.effective.AAL < x.nominal },
		func(x *acct) Finding {
			path := e.weakestLabel(x)
			return userFinding(x, High,
				"holds "+x.nominal.String()+" methods but a session can be had at "+x.effective.AAL.String()+" via "+path,
				e.withPaths(map[string]any{
					"nominal_aal":   x.nominal.String(),
					"effective_aal": x.effective.AAL.String(),
					"weakest_path":  path,
					"methods":       e.methodList(x.kinds),
				}, e.pathsBelow(x, x.nominal)))
		})
	if len(o.findings) == 0 {
		o.rationale = "Every member account's weakest path is as strong as its strongest method (" + itoa(members) + " checked)."
		return o
	}
	o.rationale = "Member accounts whose effective AAL is below their nominal AAL: " + itoa(len(o.findings)) + " of " + itoa(members) + "."
	return o
}

// usableNonPR returns the proofs a can use that are not phishing-resistant
// (MFA-capable, email OTP, security question; the password alone does not
// count): those of its paths, and the proofs of the self-service recovery
// flows it may start even where the flow does not by itself end in a
// session (CATALOG.md MFA-04: "allow for sign-in or recovery"); and the
// paths among them.
func (e *env) usableNonPR(x *acct) (kindSet, []int32) {
	candidates := (mfaCapableKinds | bitOf(evidence.KindEmailOTP) | bitOf(evidence.KindSecurityQuestion) | bitOf(evidence.KindUnknown)) &^ phishingResistantKinds
	var weak kindSet
	_, recoveryAllowed := e.allowedKinds(x)
	e.recoveryFor(x, func(_ int, r *recoveryPolicy) {
		proofs := r.methods | r.stepUp
		if r.methods == 0 {
			proofs |= recoveryAllowed & e.coveredKinds
		}
		proofs.each(func(i int, k evidence.MethodKind) {
			if e.proofAvailable(x, k) {
				weak |= (1 << i) & candidates
			}
		})
	})
	var paths []int32
	for _, id := range e.pathsOf(x) {
		p := e.path(id)
		var ks kindSet
		for _, k := range p.key.proofs {
			if k != "" {
				ks |= bitOf(k)
			}
		}
		if ks&candidates != 0 {
			weak |= ks & candidates
			paths = append(paths, id)
		}
	}
	return weak, paths
}

func evalMFA04(e *env) outcome {
	var o outcome
	admins := 0
	for i := range e.accts {
		x := &e.accts[i]
		if !x.member || !x.privileged || !x.methodsKnown {
			continue
		}
		admins++
		weak, weakPaths := e.usableNonPR(x)
		pr := x.kinds & phishingResistantKinds
		if weak == 0 && pr != 0 {
			continue
		}
		msg := "is privileged and "
		switch {
		case pr == 0 && weak != 0:
			msg += "has no phishing-resistant method; usable fallbacks: " + joinKinds(weak)
		case pr == 0:
			msg += "has no phishing-resistant method"
		default:
			msg += "can fall back to " + joinKinds(weak)
		}
		o.findings = append(o.findings, userFinding(x, Critical, msg, e.withPaths(map[string]any{
			"phishing_resistant":            pr.strings(),
			"usable_non_phishing_resistant": weak.strings(),
			"methods":                       e.methodList(x.kinds),
			"effective_aal":                 x.effective.AAL.String(),
			"weakest_path":                  e.weakestLabel(x),
			"roles":                         roleList(x.a.Roles),
		}, weakPaths)))
	}
	if len(o.findings) == 0 {
		if admins == 0 {
			o.rationale = "No privileged member account is in scope."
		} else {
			o.rationale = "Every privileged member account (" + itoa(admins) + ") signs in and recovers with phishing-resistant methods only."
		}
		return o
	}
	o.rationale = "Privileged accounts that can sign in or recover without a phishing-resistant method: " + itoa(len(o.findings)) + " of " + itoa(admins) + "."
	return o
}

func joinKinds(s kindSet) string {
	out := ""
	for i, k := range s.kinds() {
		if i > 0 {
			out += ", "
		}
		out += string(k)
	}
	return out
}

func evalMFA05(e *env) outcome {
	var o outcome
	var partial []string
	for i := range e.settings {
		s := &e.settings[i]
		if !s.s.Enabled || !s.s.SignIn || s.kinds&phishingResistantKinds == 0 {
			continue
		}
		t := s.s.Targets
		if (t.All || s.targets.all) && len(t.ExcludeUsers)+len(t.ExcludeGroups)+len(t.ExcludeRoles) == 0 {
			o.rationale = "\"" + s.s.Name + "\" (" + s.s.ID + ") offers " + joinKinds(s.kinds&phishingResistantKinds) + " to all users."
			return o
		}
		partial = append(partial, s.s.ID)
	}
	ev := map[string]any{"partially_enabled": partial}
	msg := "No phishing-resistant authenticator is enabled for sign-in by all users"
	if len(partial) > 0 {
		msg += "; enabled only for some users: " + joinStrings(partial)
	}
	o.findings = append(o.findings, Finding{Subject: e.tenantSubject(), Message: msg, Severity: High, Evidence: ev})
	o.rationale = msg + "."
	return o
}

func joinStrings(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func evalMFA06(e *env) outcome {
	var o outcome
	for i := range e.settings {
		s := &e.settings[i]
		if !s.s.Enabled || !s.s.SignIn || s.kinds&restrictedKinds == 0 {
			continue
		}
		targeted, relying, admins, adminsRelying := 0, 0, 0, 0
		for j := range e.accts {
			x := &e.accts[j]
			if !s.targets.match(x) {
				continue
			}
			targeted++
			rel := x.kinds&s.kinds&restrictedKinds != 0
			if rel {
				relying++
			}
			if x.privileged {
				admins++
				if rel {
					adminsRelying++
				}
			}
		}
		if targeted == 0 {
			continue
		}
		o.findings = append(o.findings, Finding{
			Subject: policySubject(s.s.ID, s.s.Name),
			Message: "\"" + s.s.Name + "\" enables " + joinKinds(s.kinds&restrictedKinds) + " for sign-in for " +
				plural(targeted, "account", "accounts") + "; registered by " + itoa(relying) + " (" + itoa(adminsRelying) + " privileged)",
			Severity: sev(Medium, High, admins > 0),
			Evidence: map[string]any{
				"kinds":                       (s.kinds & restrictedKinds).strings(),
				"vendor_key":                  s.s.VendorKey,
				"targets":                     e.targetsEvidence(s.s.Targets),
				"accounts_in_scope":           targeted,
				"accounts_relying":            relying,
				"privileged_in_scope":         admins,
				"privileged_accounts_relying": adminsRelying,
			},
		})
	}
	if f, ok := e.migrationFinding(); ok {
		o.findings = append(o.findings, f)
	}
	if len(o.findings) == 0 {
		o.rationale = "No SMS or voice configuration is enabled for sign-in."
		return o
	}
	o.rationale = plural(len(o.findings), "configuration enables", "configurations enable") + " SMS or voice for sign-in."
	if _, ok := e.migrationFinding(); ok {
		o.rationale = "SMS or voice is enabled for sign-in, or may be: the authentication methods policy migration is not complete, so the legacy MFA and SSPR policies (not in Graph v1.0) can still allow text messages and calls; verify them in the Entra admin center (Multifactor authentication > Service settings; Password reset > Authentication methods)."
	}
	return o
}

// migrationFinding: on Entra, the methods policy migration is not
// complete (policyMigrationState), so the legacy MFA and SSPR policies
// still allow methods the methods policy does not show (learn.microsoft.com
// "How to migrate MFA and SSPR policy settings to the Authentication
// methods policy"; CISA SCuBA MS.AAD.3.4v1).
func (e *env) migrationFinding() (Finding, bool) {
	s := e.src.Policies.Entra
	if e.provider != evidence.Entra || s == nil || s.MigrationState == "" || s.MigrationState == "migrationComplete" {
		return Finding{}, false
	}
	return Finding{
		Subject:  Subject{Type: "policy", ID: "authenticationMethodsPolicy", Name: "Authentication methods policy"},
		Message:  "The authentication methods policy migration is " + s.MigrationState + ": the legacy MFA and SSPR policies still allow methods, SMS and voice included",
		Severity: Medium,
		Evidence: map[string]any{"policy_migration_state": s.MigrationState},
	}, true
}

func evalMFA07(e *env) outcome {
	var o outcome
	for i := range e.settings {
		s := &e.settings[i]
		if !s.s.Enabled || !s.s.SignIn || !s.kinds.has(evidence.KindEmailOTP) {
			continue
		}
		members := 0
		for j := range e.accts {
			x := &e.accts[j]
			if x.member && s.targets.match(x) {
				members++
			}
		}
		if members == 0 && !s.targets.all {
			continue
		}
		o.findings = append(o.findings, Finding{
			Subject:  policySubject(s.s.ID, s.s.Name),
			Message:  "\"" + s.s.Name + "\" lets email OTP satisfy sign-in for " + plural(members, "member account", "member accounts"),
			Severity: High,
			Evidence: map[string]any{"vendor_key": s.s.VendorKey, "targets": e.targetsEvidence(s.s.Targets), "members_in_scope": members},
		})
	}
	if len(o.findings) == 0 {
		o.rationale = "Email OTP is not enabled for member sign-in."
		return o
	}
	o.rationale = "Email OTP can satisfy sign-in for members (" + plural(len(o.findings), "configuration", "configurations") + ")."
	return o
}
