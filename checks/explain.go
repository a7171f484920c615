package checks

import (
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// AccountRef names an in-scope account of a snapshot.
type AccountRef struct {
	Provider evidence.Provider
	ID       string
	Login    string
	Name     string
}

// FindAccounts returns the in-scope accounts a query names: an exact id
// first; else a login (case-insensitive); else a display name
// (case-insensitive). More than one result means the query is ambiguous.
func FindAccounts(snap *evidence.Snapshot, query string) []AccountRef {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil
	}
	for _, pass := range []func(a *evidence.Account) bool{
		func(a *evidence.Account) bool { return a.ID == q },
		func(a *evidence.Account) bool { return a.Login != "" && strings.EqualFold(a.Login, q) },
		func(a *evidence.Account) bool { return a.Name != "" && strings.EqualFold(a.Name, q) },
	} {
		var out []AccountRef
		for _, src := range snap.Sources {
			for i := range src.Accounts {
				if a := &src.Accounts[i]; pass(a) {
					out = append(out, AccountRef{Provider: src.Provider, ID: a.ID, Login: a.Login, Name: a.Name})
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// Explanation is everything `shadowpath explain` prints for one account.
type Explanation struct {
	Account    AccountRef
	Privileged bool
	Roles      []string
	Methods    []string
	// MethodsError is set when the account's methods could not be read.
	MethodsError string
	// Engine names the policy engine whose rules decided the paths.
	Engine string
	Assurance
}

// Explain computes one account's paths as Evaluate does.
func Explain(snap *evidence.Snapshot, ref AccountRef, p Params) (*Explanation, bool) {
	p.Thresholds = p.Thresholds.withDefaults()
	for _, src := range snap.Sources {
		if src.Provider != ref.Provider {
			continue
		}
		e := newEnv(src, &p)
		i, ok := e.lookup(ref.ID)
		if !ok {
			return nil, false
		}
		x := &e.accts[i]
		ex := &Explanation{Account: ref, Privileged: x.privileged, Methods: e.methodList(x.kinds),
			MethodsError: x.a.MethodsError, Engine: engineName(src), Assurance: x.assurance(e)}
		ex.Roles = roleList(x.a.Roles)
		return ex, true
	}
	return nil, false
}

// engineName says in words which engine decided a source's paths.
func engineName(src *evidence.Source) string {
	switch src.Policies.Engine {
	case evidence.EngineOktaIdentity:
		return "Okta Identity Engine (global session policy + each app's authentication policy)"
	case evidence.EngineOktaClassic:
		return "Okta Classic Engine (Okta sign-on policy; app sign-on rules are not readable through the API)"
	case evidence.EngineEntra:
		return "Microsoft Entra ID (every matching Conditional Access policy, grants combined)"
	}
	return "sign-in flags of a version 1 snapshot (collect again for the vendor engine's rules)"
}
