package reports

import (
	"regexp"
	"strings"

	"github.com/shadowpath/shadowpath/checks"
)

// Directory names the ids a scan read, so that a report never prints a
// bare id where a name is known: the accounts (with whether each is
// privileged and how weakly it can sign in) and the subjects of findings
// (apps, service principals, policies, groups).
type Directory struct {
	m map[string]dirEntry
}

type dirEntry struct {
	name       string
	account    bool
	privileged bool
	effective  string // effective AAL of an account
}

// NewDirectory indexes r's identities and finding subjects by id.
func NewDirectory(r *checks.Results) *Directory {
	d := &Directory{m: map[string]dirEntry{}}
	if r == nil {
		return d
	}
	for i := range r.Checks {
		for _, f := range r.Checks[i].Findings {
			if f.Subject.ID != "" && f.Subject.Name != "" && f.Subject.Name != f.Subject.ID {
				if _, ok := d.m[idKey(f.Subject.ID)]; !ok {
					d.m[idKey(f.Subject.ID)] = dirEntry{name: f.Subject.Name}
				}
			}
		}
	}
	for _, id := range r.Identities {
		name := id.Name
		if name == "" || name == id.ID {
			name = id.Login
		}
		if name == "" {
			continue
		}
		d.m[idKey(id.ID)] = dirEntry{name: name, account: true, privileged: id.Privileged, effective: id.EffectiveAAL}
	}
	return d
}

// idKey is how an id is looked up: a GUID in lower case (Entra prints them
// in either case), any other id as it is — Okta's ids are case-sensitive,
// so two may differ only in case.
func idKey(id string) string {
	if len(id) == 36 && id[8] == '-' && id[13] == '-' {
		return strings.ToLower(id)
	}
	return id
}

// idToken matches the ids the vendors print: Okta's (20 characters from
// "00") and Entra's GUIDs.
var idToken = regexp.MustCompile(`\b(?:00[A-Za-z0-9]{18}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\b`)

// Name returns the name read for id, "" when none was.
func (d *Directory) Name(id string) string {
	if d == nil {
		return ""
	}
	return d.m[idKey(id)].name
}

// ActorFlags says what a reader of an actor, owner or approver must know
// about the account: "privileged", "weakest sign-in AAL1" (or "below AAL1"),
// joined; "" for a strong, unprivileged or unknown account.
func (d *Directory) ActorFlags(id string) string {
	if d == nil {
		return ""
	}
	e, ok := d.m[idKey(id)]
	if !ok || !e.account {
		return ""
	}
	var flags []string
	if e.privileged {
		flags = append(flags, "privileged")
	}
	switch e.effective {
	case checks.AAL1.String():
		flags = append(flags, "weakest sign-in AAL1")
	case checks.AALNone.String():
		flags = append(flags, "weakest sign-in below AAL1")
	}
	return strings.Join(flags, ", ")
}

// ResolveEvidence names the ids in the text of one evidence key of the
// finding about self (left as it is), flagging accounts under the keys that
// name actors and owners.
func (d *Directory) ResolveEvidence(key, text, self string) string {
	return d.resolve(text, actorKeys[key], self)
}

// resolve rewrites the ids in s as "Name (id)"; with actor, an account that
// is privileged or weak is flagged: "Name (id; privileged, weakest sign-in
// AAL1)". Ids with no name read, and self, stay as they are.
func (d *Directory) resolve(s string, actor bool, self string) string {
	if d == nil || len(d.m) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idToken.FindAllStringIndex(s, -1) {
		id, before, after := s[m[0]:m[1]], s[:m[0]], s[m[1]:]
		name := d.Name(id)
		// Already named ("id (Name)", "policy/rule (Name)"), half of a
		// policy/rule pair, or unknown.
		if name == "" || strings.EqualFold(id, self) || strings.HasPrefix(after, " (") || strings.HasPrefix(after, "/") || strings.HasSuffix(before, "/") {
			continue
		}
		label := id
		if actor {
			if f := d.ActorFlags(id); f != "" {
				label += "; " + f
			}
		}
		b.WriteString(s[last:m[0]])
		if strings.HasSuffix(before, "(") && strings.HasPrefix(after, ")") {
			b.WriteString(name + ", " + label) // "(Name, id)", not "(Name (id))"
		} else {
			b.WriteString(name + " (" + label + ")")
		}
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
