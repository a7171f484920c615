package checks

import (
	"slices"
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func evalEXC01(e *env) outcome {
	if e.access != nil {
		return evalEXC01Access(e)
	}
	var o outcome
	type excl struct {
		typ, id  string
		policies []string
		names    []string
	}
	ex := map[string]*excl{}
	add := func(typ, id string, p *evidence.SignInPolicy) {
		if id == "" {
			return // malformed target list: nobody to name
		}
		key := typ + "\x00" + id
		x := ex[key]
		if x == nil {
			x = &excl{typ: typ, id: id}
			ex[key] = x
		}
		pid := p.ID
		if p.RuleID != "" {
			pid += "/" + p.RuleID
		}
		x.policies = append(x.policies, pid)
		x.names = append(x.names, policyLabel(p.Name, p.RuleName))
	}
	enforcing := 0
	for i := range e.signIn {
		s := &e.signIn[i]
		if !s.mfaEnforcing() {
			continue
		}
		enforcing++
		for _, id := range s.p.Targets.ExcludeUsers {
			add("user", id, s.p)
		}
		for _, id := range s.p.Targets.ExcludeGroups {
			add("group", id, s.p)
		}
		for _, id := range s.p.Targets.ExcludeRoles {
			add("role", id, s.p)
		}
	}
	// Group and role populations, counted once for the excluded ones only.
	type pop struct{ members, privileged, service int }
	groups, roles := map[string]*pop{}, map[string]*pop{}
	for _, x := range ex {
		switch x.typ {
		case "group":
			groups[x.id] = &pop{}
		case "role":
			roles[x.id] = &pop{}
		}
	}
	if len(groups)+len(roles) > 0 {
		for i := range e.accts {
			a := &e.accts[i]
			count := func(p *pop) {
				p.members++
				if a.privileged {
					p.privileged++
				}
				if a.service {
					p.service++
				}
			}
			for _, g := range a.a.Groups {
				if p := groups[g]; p != nil {
					count(p)
				}
			}
			for _, r := range a.a.Roles {
				if p := roles[r.ID]; p != nil {
					count(p)
				}
			}
		}
	}
	breakGlassOK := 0
	keys := sortedKeys(ex)
	for _, k := range keys {
		x := ex[k]
		ev := map[string]any{"policies": x.policies, "policy_names": x.names}
		subject := Subject{Type: x.typ, ID: x.id}
		var f Finding
		switch x.typ {
		case "user":
			xi, ok := e.lookup(x.id)
			if !ok {
				xi, ok = e.lookupLogin(x.id)
			}
			if !ok {
				ev["account_in_scope"] = false
				f = Finding{Subject: subject, Severity: High, Evidence: ev,
					Message: "User " + x.id + " (not an in-scope account) is excluded from MFA policy " + quoteJoin(x.names)}
				break
			}
			a := &e.accts[xi]
			subject = userSubject(a.a)
			subject.ID = x.id
			ev["login"] = a.a.Login
			ev["privileged"] = a.privileged
			if a.service {
				ev["service_account"] = true
				ev["owasp_nhi"] = "NHI10"
			}
			if a.breakGlass {
				ev["break_glass"] = true
				pr := a.kinds & phishingResistantKinds
				if pr != 0 {
					breakGlassOK++
					continue
				}
				ev["methods"] = e.methodList(a.kinds)
				f = Finding{Subject: subject, Severity: Critical, Evidence: ev,
					Message: "Declared break-glass account " + displayName(a.a) + " is excluded from MFA policy and holds no phishing-resistant method"}
				break
			}
			f = Finding{Subject: subject, Severity: sev(High, Critical, a.privileged), Evidence: ev,
				Message: displayName(a.a) + " is excluded from MFA policy " + quoteJoin(x.names)}
		case "group":
			p := groups[x.id]
			subject.Name = e.groupNames[x.id]
			ev["members"] = p.members
			ev["privileged_members"] = p.privileged
			if p.service > 0 {
				ev["service_accounts"] = p.service
				ev["owasp_nhi"] = "NHI10"
			}
			label := x.id
			if subject.Name != "" {
				label = subject.Name
			}
			f = Finding{Subject: subject, Severity: sev(High, Critical, p.privileged > 0), Evidence: ev,
				Message: "Group " + label + " (" + plural(p.members, "member", "members") + ", " + itoa(p.privileged) + " privileged) is excluded from MFA policy " + quoteJoin(x.names)}
		case "role":
			p := roles[x.id]
			ev["holders"] = p.members
			// An administrative role excluded from MFA is privileged by definition.
			f = Finding{Subject: subject, Severity: Critical, Evidence: ev,
				Message: "Role " + x.id + " (" + plural(p.members, "holder", "holders") + ") is excluded from MFA policy " + quoteJoin(x.names)}
		}
		o.findings = append(o.findings, f)
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "principal is", "principals are") + " excluded from MFA-enforcing policies."
		if breakGlassOK > 0 {
			o.rationale += " " + plural(breakGlassOK, "declared break-glass account holds", "declared break-glass accounts hold") + " a phishing-resistant method and is not counted."
		}
	case enforcing == 0:
		o.rationale = "No enforced MFA policy exists, so none has exclusions (see MFA-01 and EXC-02)."
	default:
		o.rationale = "No MFA-enforcing policy (" + itoa(enforcing) + ") excludes anyone but declared break-glass accounts holding a phishing-resistant method."
	}
	return o
}

// evalEXC02 finds the password-only and legacy-client paths: accounts that
// some context lets reach a session with no second factor. One finding per
// deciding rule (the most specific policy of the path: the app's rule
// where the global session rule does not ask for more), naming how many
// accounts reach it, in which contexts, and a sample.
func evalEXC02(e *env) outcome {
	var o outcome
	// One finding per deciding policy (a subject appears once per check),
	// naming the rules of it that let accounts in with the password alone.
	type group struct {
		subject  PolicyRef
		rules    []string
		policies []string
		tally
		paths map[string]bool
	}
	groups := map[string]*group{}
	// merge adds path p to its group; what it adds depends on the path
	// alone, so it runs once per interned path, not once per account.
	merge := func(id int32, p *pathInfo) *group {
		var subj PolicyRef
		if n := len(p.path.Policies); n > 0 {
			subj = p.path.Policies[n-1]
		}
		key := subj.ID + "\x00" + subj.Name
		g := groups[key]
		if g == nil {
			g = &group{subject: subj, paths: map[string]bool{}}
			groups[key] = g
		}
		if !slices.Contains(g.rules, subj.Label()) {
			g.rules = append(g.rules, subj.Label())
		}
		for _, pol := range e.pathPolicies([]int32{id}) {
			if !slices.Contains(g.policies, pol) {
				g.policies = append(g.policies, pol)
			}
		}
		g.paths[p.path.Label] = true
		return g
	}
	byPath := map[int32]*group{}
	var seen []*group // the groups counted for this account
	for i := range e.accts {
		x := &e.accts[i]
		seen = seen[:0]
		for _, id := range e.pathsOf(x) {
			p := e.path(id)
			if p.key.kind != PathPasswordOnly && p.key.kind != PathLegacy {
				continue
			}
			if p.key.kind == PathLegacy && x.breakGlass {
				// A legacy-authentication block may exclude declared
				// break-glass accounts (EXC-01 judges their exclusion).
				continue
			}
			g := byPath[id]
			if g == nil {
				g = merge(id, p)
				byPath[id] = g
			}
			if slices.Contains(seen, g) {
				continue
			}
			seen = append(seen, g)
			g.count(x)
		}
	}
	for _, k := range sortedKeys(groups) {
		g := groups[k]
		subject := policySubject(g.subject.ID, g.subject.Name)
		if g.subject.ID == "" {
			subject = e.tenantSubject()
		}
		sort.Strings(g.rules)
		ev := map[string]any{"accounts": g.accounts, "privileged_accounts": g.privileged, "sample": g.ids,
			"paths": sample(sortedKeys(g.paths)), "path_policies": g.policies, "rules": g.rules}
		msg := quoteJoin(g.rules) + " " + map[bool]string{true: "lets", false: "let"}[len(g.rules) == 1] + " " + plural(g.accounts, "account", "accounts") + " (" + itoa(g.privileged) +
			" privileged) reach a session with the password alone"
		if g.subject.ID == "" && g.subject.Name == "" {
			msg = "No enforced policy asks " + plural(g.accounts, "account", "accounts") + " (" + itoa(g.privileged) +
				" privileged) for more than the password in some context"
		}
		o.findings = append(o.findings, Finding{Subject: subject, Message: msg, Severity: High, Evidence: ev})
	}
	legacy := ""
	blocked := e.src.Policies.LegacyAuthBlocked
	if e.entra != nil {
		// The engine's legacy_auth paths are the uncovered population.
		blocked = nil
	}
	if blocked == nil && e.provider == evidence.Entra && e.entra == nil {
		b := false
		for i := range e.signIn {
			s := &e.signIn[i]
			if s.enforced() && s.p.Block && s.p.LegacyClients && s.targets.all {
				b = true
				legacy = s.p.ID
				break
			}
		}
		blocked = &b
	}
	if blocked != nil && !*blocked {
		o.findings = append(o.findings, Finding{
			Subject:  e.tenantSubject(),
			Message:  "Legacy authentication (protocols that cannot do MFA) is not blocked for all users",
			Severity: High,
			Evidence: map[string]any{"legacy_auth_blocked": false},
		})
	}
	sort.SliceStable(o.findings, func(i, j int) bool { return o.findings[i].Subject.ID < o.findings[j].Subject.ID })
	switch {
	case len(o.findings) > 0:
		o.rationale = plural(len(o.findings), "password-only path exists", "password-only paths exist") + "."
	case legacy != "":
		o.rationale = "No account reaches a session with one factor, and policy " + legacy + " blocks legacy authentication."
	default:
		o.rationale = "No account reaches a session with one factor" + map[bool]string{true: " and legacy authentication is blocked.", false: "."}[blocked != nil]
	}
	return o
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "\"" + n + "\""
	}
	return strings.Join(q, ", ")
}
