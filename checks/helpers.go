package checks

import (
	"sort"
	"strconv"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// sampleSize bounds id lists in evidence so that a million affected accounts
// do not turn one finding into a megabyte.
const sampleSize = 20

// tally counts the accounts a finding covers: how many, how many of them
// privileged, and the first sampleSize ids.
type tally struct {
	accounts, privileged int
	ids                  []string
}

// count adds x to the tally.
func (t *tally) count(x *acct) {
	t.accounts++
	if x.privileged {
		t.privileged++
	}
	if len(t.ids) < sampleSize {
		t.ids = append(t.ids, x.a.ID)
	}
}

func (e *env) tenantSubject() Subject {
	return Subject{Type: "tenant", ID: e.src.Tenant, Name: e.src.TenantName}
}

func userSubject(a *evidence.Account) Subject {
	name := a.Name
	if name == "" {
		name = a.Login
	}
	return Subject{Type: "user", ID: a.ID, Name: name}
}

func displayName(a *evidence.Account) string {
	if a.Login != "" {
		return a.Login
	}
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// userFinding builds a finding about one account with the evidence every
// per-account finding carries.
func userFinding(x *acct, sev Severity, msg string, ev map[string]any) Finding {
	if ev == nil {
		ev = map[string]any{}
	}
	ev["login"] = x.a.Login
	ev["privileged"] = x.privileged
	if x.service {
		ev["service_account"] = true
	}
	return Finding{Subject: userSubject(x.a), Message: displayName(x.a) + " " + msg, Severity: sev, Evidence: ev}
}

func policySubject(id, name string) Subject { return Subject{Type: "policy", ID: id, Name: name} }

// sample keeps the first sampleSize ids (callers pass them sorted).
func sample(ids []string) []string {
	if len(ids) > sampleSize {
		return ids[:sampleSize:sampleSize]
	}
	return ids
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func itoa(n int) string { return strconv.Itoa(n) }

func sev(base, escalated Severity, escalate bool) Severity {
	if escalate {
		return escalated
	}
	return base
}

// targetsEvidence describes a Targets value for evidence, naming groups.
func (e *env) targetsEvidence(t evidence.Targets) map[string]any {
	m := map[string]any{}
	if t.All {
		m["all"] = true
	}
	add := func(k string, v []string) {
		if len(v) > 0 {
			m[k] = v
		}
	}
	add("users", t.Users)
	add("groups", e.groupLabels(t.Groups))
	add("roles", t.Roles)
	add("exclude_users", t.ExcludeUsers)
	add("exclude_groups", e.groupLabels(t.ExcludeGroups))
	add("exclude_roles", t.ExcludeRoles)
	return m
}

func (e *env) groupLabels(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if n := e.groupNames[id]; n != "" {
			out[i] = id + " (" + n + ")"
		} else {
			out[i] = id
		}
	}
	return out
}

func kindStrings(ks []evidence.MethodKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
