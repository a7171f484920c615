package graphtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type object = map[string]any

// tenant is the in-memory directory. Collections are keyed by fixture name.
type tenant struct {
	lists              map[string][]object // users, userRegistrationDetails, …
	singles            map[string]object   // authenticationMethodsPolicy, authorizationPolicy
	authMethods        map[string][]object // user id → methods
	groupMembers       map[string][]string // group id → direct member ids
	owners             map[string][]string // application / service principal id → owner ids
	appRoleAssignments map[string][]object // service principal id → assignments
	perUserMFA         map[string]string   // user id → perUserMfaState (beta)
	byID               map[string]object   // users, groups, service principals, applications
	generated          int
}

// Fixture file names (without .json) holding {"value": [...]} collections.
var listFixtures = []string{"users", "userRegistrationDetails", "conditionalAccessPolicies",
	"roleDefinitions", "roleAssignments", "roleEligibilitySchedules", "groups", "directoryAudits", "applications", "servicePrincipals", "organization", "namedLocations"}

func newTenant() *tenant {
	return &tenant{lists: map[string][]object{}, singles: map[string]object{},
		authMethods: map[string][]object{}, groupMembers: map[string][]string{},
		owners: map[string][]string{}, appRoleAssignments: map[string][]object{}, byID: map[string]object{}, perUserMFA: map[string]string{}}
}

func (t *tenant) load(dir string) error {
	read := func(name string, v any) error {
		p := filepath.Join(dir, name+".json")
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("graphtest: %w", err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("graphtest: fixture %s: %w", p, err)
		}
		return nil
	}
	for _, name := range listFixtures {
		var c struct {
			Value []object `json:"value"`
		}
		if err := read(name, &c); err != nil {
			return err
		}
		for i, o := range c.Value {
			if _, ok := o["id"].(string); !ok {
				return fmt.Errorf("graphtest: fixture %s.json: value[%d] has no string id", name, i)
			}
		}
		t.lists[name] = c.Value
	}
	for _, name := range []string{"authenticationMethodsPolicy", "authorizationPolicy", "identitySecurityDefaultsEnforcementPolicy"} {
		var o object
		if err := read(name, &o); err != nil {
			return err
		}
		if o != nil {
			t.singles[name] = o
		}
	}
	for name, v := range map[string]any{"authenticationMethods": &t.authMethods, "groupMembers": &t.groupMembers,
		"owners": &t.owners, "appRoleAssignments": &t.appRoleAssignments, "perUserMfaState": &t.perUserMFA} {
		if err := read(name, v); err != nil {
			return err
		}
	}
	for _, name := range []string{"users", "groups", "servicePrincipals", "applications"} {
		for _, o := range t.lists[name] {
			o := o
			typ := map[string]string{"users": "user", "groups": "group", "servicePrincipals": "servicePrincipal", "applications": "application"}[name]
			t.byID[o["id"].(string)] = withType(o, "#microsoft.graph."+typ)
		}
	}
	return nil
}

func withType(o object, typ string) object {
	c := make(object, len(o)+1)
	for k, v := range o {
		c[k] = v
	}
	c["@odata.type"] = typ
	return c
}

// generatedID is the id of the i-th generated user.
func generatedID(i int) string { return fmt.Sprintf("c0000000-0000-4000-8000-%012d", i) }

var generatedMethods = [][]string{{"microsoftAuthenticatorPush", "mobilePhone"}, {"fido2SecurityKey"}, {}, {"email"}}

func (t *tenant) addUsers(n int) {
	users := t.lists["users"]
	reg := t.lists["userRegistrationDetails"]
	for k := 0; k < n; k++ {
		t.generated++
		i := t.generated
		id := generatedID(i)
		upn := fmt.Sprintf("user%06d@contoso.example", i)
		name := fmt.Sprintf("Generated User %06d", i)
		u := object{"id": id, "displayName": name, "userPrincipalName": upn, "accountEnabled": i%50 != 0,
			"userType": "Member", "createdDateTime": "2024-01-01T00:00:00Z"}
		users = append(users, u)
		t.byID[id] = withType(u, "#microsoft.graph.user")
		ms := generatedMethods[i%len(generatedMethods)]
		reg = append(reg, object{"id": id, "userPrincipalName": upn, "userDisplayName": name, "userType": "member",
			"isAdmin": i%1000 == 0, "isMfaRegistered": len(ms) > 0 && ms[0] != "email", "isMfaCapable": len(ms) > 0 && ms[0] != "email",
			"isSsprRegistered": false, "isSsprEnabled": true, "isSsprCapable": false, "isPasswordlessCapable": false,
			"lastUpdatedDateTime": "2026-11-01T00:00:00Z", "methodsRegistered": ms,
			"isSystemPreferredAuthenticationMethodEnabled": true, "systemPreferredAuthenticationMethods": []string{},
			"userPreferredMethodForSecondaryAuthentication": "none"})
		am := []object{{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"}}
		for j, m := range ms {
			mid := fmt.Sprintf("%s-m%d", id, j)
			switch m {
			case "microsoftAuthenticatorPush":
				am = append(am, object{"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": mid, "displayName": "Phone"})
			case "mobilePhone":
				am = append(am, object{"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": mid, "phoneNumber": "+1 2065550100", "phoneType": "mobile"})
			case "fido2SecurityKey":
				am = append(am, object{"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": mid, "displayName": "Key"})
			case "email":
				am = append(am, object{"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": mid, "emailAddress": "x@example.net"})
			}
		}
		t.authMethods[id] = am
	}
	t.lists["users"] = users
	t.lists["userRegistrationDetails"] = reg
}

// directoryObject renders a user, group or service principal as it appears
// in owners and transitiveMembers.
func (t *tenant) directoryObject(id string) (object, bool) {
	o, ok := t.byID[id]
	if !ok {
		return nil, false
	}
	out := object{"@odata.type": o["@odata.type"], "id": id}
	for _, k := range []string{"displayName", "userPrincipalName", "appId", "accountEnabled"} {
		if v, ok := o[k]; ok {
			out[k] = v
		}
	}
	return out, true
}

func (t *tenant) transitiveMembers(groupID string, usersOnly bool) []object {
	seen := map[string]bool{groupID: true}
	queue := []string{groupID}
	var out []object
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		for _, m := range t.groupMembers[g] {
			if seen[m] {
				continue
			}
			seen[m] = true
			o, ok := t.directoryObject(m)
			if !ok {
				continue
			}
			if o["@odata.type"] == "#microsoft.graph.group" {
				queue = append(queue, m)
				if usersOnly {
					continue
				}
			} else if usersOnly && o["@odata.type"] != "#microsoft.graph.user" {
				continue
			}
			out = append(out, o)
		}
	}
	return out
}

// writeList writes one page of a collection: $filter, $select, $top and
// $skiptoken applied, an absolute @odata.nextLink while items remain (or as
// the paging faults on the path say).
func (s *Server) writeList(w http.ResponseWriter, r *http.Request, list []object) {
	rel := strings.TrimPrefix(r.URL.Path, "/v1.0")
	pm := s.Paging(r)
	loop, loopTop, endless := pm.SamePage, pm.FirstPage, pm.Endless
	q := r.URL.Query()
	sel := selectFields(q.Get("$select"))
	filtered, err := applyFilter(list, q.Get("$filter"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	page := defaultPageSize
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			writeError(w, http.StatusBadRequest, "BadRequest", "Invalid page size specified: '"+v+"'. Must be between 1 and 999 inclusive.")
			return
		}
		page = n
	}
	if s.maxPage > 0 && page > s.maxPage {
		page = s.maxPage
	}
	off := 0
	if v := q.Get("$skiptoken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "BadRequest", "Invalid $skiptoken")
			return
		}
		off = n
	}
	if endless && len(filtered) > 0 {
		value := make([]object, 0, page)
		for i := range page {
			value = append(value, project(filtered[(off+i)%len(filtered)], sel))
		}
		writeJSON(w, http.StatusOK, object{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + strings.Trim(rel, "/"),
			"value": value, "@odata.nextLink": s.nextLink(r, off+page)})
		return
	}
	end := min(off+page, len(filtered))
	if off > len(filtered) {
		off = len(filtered)
	}
	value := make([]object, 0, end-off)
	for _, o := range filtered[off:end] {
		value = append(value, project(o, sel))
	}
	body := object{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + strings.Trim(rel, "/"), "value": value}
	switch {
	case loop:
		body["@odata.nextLink"] = s.URL + r.URL.RequestURI()
	case loopTop && (off > 0 || end >= len(filtered)):
		body["@odata.nextLink"] = s.nextLink(r, 0)
	case end < len(filtered):
		body["@odata.nextLink"] = s.nextLink(r, end)
	}
	writeJSON(w, http.StatusOK, body)
}

// nextLink builds an absolute link with $ kept literal, as Graph does.
func (s *Server) nextLink(r *http.Request, skip int) string {
	q := r.URL.Query()
	q.Set("$skiptoken", strconv.Itoa(skip))
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(q.Get(k)))
	}
	return s.URL + r.URL.Path + "?" + b.String()
}

func selectFields(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func project(o object, sel []string) object {
	if len(sel) == 0 {
		return o
	}
	out := object{}
	for _, k := range append([]string{"@odata.type", "id"}, sel...) {
		if v, ok := o[k]; ok {
			out[k] = v
		}
	}
	return out
}

// applyFilter supports `field op value [and field op value…]` with op
// eq|ne|ge|le|gt|lt on top-level fields; values are 'quoted', true/false or
// bare timestamps. Anything else is rejected.
func applyFilter(list []object, filter string) ([]object, error) {
	if filter == "" {
		return list, nil
	}
	type clause struct{ field, op, value string }
	var cs []clause
	for _, part := range strings.Split(filter, " and ") {
		f := strings.Fields(strings.TrimSpace(part))
		if len(f) != 3 || !slices.Contains([]string{"eq", "ne", "ge", "le", "gt", "lt"}, f[1]) {
			return nil, fmt.Errorf("Invalid filter clause: %q", part)
		}
		cs = append(cs, clause{f[0], f[1], strings.Trim(f[2], "'")})
	}
	var out []object
	for _, o := range list {
		keep := true
		for _, c := range cs {
			var got string
			switch v := o[c.field].(type) {
			case string:
				got = v
			case bool:
				got = strconv.FormatBool(v)
			case nil:
				got = ""
			default:
				got = fmt.Sprint(v)
			}
			cmp := strings.Compare(got, c.value)
			if gt, err1 := time.Parse(time.RFC3339Nano, got); err1 == nil {
				if wt, err2 := time.Parse(time.RFC3339Nano, c.value); err2 == nil {
					cmp = gt.Compare(wt)
				}
			}
			ok := map[string]bool{"eq": cmp == 0, "ne": cmp != 0, "ge": cmp >= 0, "le": cmp <= 0, "gt": cmp > 0, "lt": cmp < 0}[c.op]
			if !ok {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, o)
		}
	}
	return out, nil
}
