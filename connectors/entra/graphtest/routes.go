package graphtest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/shadowpath/shadowpath/internal/fakeserver"
)

// routes is the fake's API. The identity platform's patterns
// (/{tenant}/…) overlap /v1.0/… in a single ServeMux, so they live in a
// mux of their own behind the catch-all.
func (s *Server) routes() http.Handler {
	identity := http.NewServeMux()
	identity.HandleFunc("/{tenant}/v2.0/.well-known/openid-configuration", s.serveOpenID)
	identity.HandleFunc("/{tenant}/oauth2/v2.0/token", s.serveToken)
	identity.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Request_ResourceNotFound", "graphtest: unknown path "+r.URL.Path)
	})

	v1 := http.NewServeMux()
	get := func(pattern string, f func(t *tenant, r *http.Request) answer) {
		v1.HandleFunc("GET /v1.0"+pattern, s.answer(f))
	}
	for _, name := range []string{"users", "groups", "applications", "servicePrincipals", "organization"} {
		get("/"+name, func(t *tenant, r *http.Request) answer { return answer{list: t.lists[name]} })
	}
	for _, name := range []string{"users", "groups", "applications", "servicePrincipals"} {
		get("/"+name+"/{id}", func(t *tenant, r *http.Request) answer {
			o, ok := t.byID[r.PathValue("id")]
			return answer{single: o, isSingle: true, missing: !ok}
		})
	}
	get("/users/{id}/authentication/methods", func(t *tenant, r *http.Request) answer {
		id := r.PathValue("id")
		return answer{list: t.authMethods[id], missing: t.byID[id] == nil}
	})
	for _, name := range []string{"authenticationMethodsPolicy", "authorizationPolicy", "identitySecurityDefaultsEnforcementPolicy"} {
		get("/policies/"+name, func(t *tenant, r *http.Request) answer {
			o, ok := t.singles[name]
			return answer{single: o, isSingle: true, missing: !ok, what: name}
		})
	}
	for path, fixture := range map[string]string{
		"/reports/authenticationMethods/userRegistrationDetails": "userRegistrationDetails",
		"/identity/conditionalAccess/policies":                   "conditionalAccessPolicies",
		"/identity/conditionalAccess/namedLocations":             "namedLocations",
		"/roleManagement/directory/roleAssignments":              "roleAssignments",
		"/roleManagement/directory/roleEligibilitySchedules":     "roleEligibilitySchedules",
		"/roleManagement/directory/roleDefinitions":              "roleDefinitions",
		"/auditLogs/directoryAudits":                             "directoryAudits",
	} {
		get(path, func(t *tenant, r *http.Request) answer { return answer{list: t.lists[fixture]} })
	}
	members := func(usersOnly bool) func(t *tenant, r *http.Request) answer {
		return func(t *tenant, r *http.Request) answer {
			id := r.PathValue("id")
			if t.byID[id] == nil {
				return answer{missing: true}
			}
			return answer{list: t.transitiveMembers(id, usersOnly)}
		}
	}
	get("/groups/{id}/transitiveMembers", members(false))
	get("/groups/{id}/transitiveMembers/microsoft.graph.user", members(true))
	// graph.user is the form msgraph-sdk-go sends (GraphUser()); Graph
	// treats it as the OData cast microsoft.graph.user and returns only the
	// users, nested groups' included ("List group transitive members",
	// learn.microsoft.com/graph/api/group-list-transitivemembers: OData
	// cast is enabled, e.g. .../transitiveMembers/microsoft.graph.user).
	// This fake used to return every member here, devices and service
	// principals too, so a group's member count was too high.
	get("/groups/{id}/transitiveMembers/graph.user", members(true))
	owners := func(t *tenant, r *http.Request) answer {
		id := r.PathValue("id")
		if t.byID[id] == nil {
			return answer{missing: true}
		}
		var list []object
		for _, oid := range t.owners[id] {
			if o, ok := t.directoryObject(oid); ok {
				list = append(list, o)
			}
		}
		return answer{list: list}
	}
	get("/applications/{id}/owners", owners)
	get("/servicePrincipals/{id}/owners", owners)
	get("/servicePrincipals/{id}/appRoleAssignments", func(t *tenant, r *http.Request) answer {
		id := r.PathValue("id")
		return answer{list: t.appRoleAssignments[id], missing: t.byID[id] == nil}
	})
	// Unknown segments and OData forms the fake does not serve ($count,
	// other casts) answer as Graph does for a segment it does not know.
	v1.HandleFunc("/v1.0/", func(w http.ResponseWriter, r *http.Request) {
		seg := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/v1.0"), "/"), "/")
		writeError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+seg[len(seg)-1]+"'.")
	})

	root := http.NewServeMux()
	root.Handle("/v1.0/", s.graph(v1))
	// Method-less: the guard answers other methods as it does for /v1.0.
	root.Handle("/beta/users/{id}/authentication/requirements", s.graph(s.answer(perUserMFA)))
	root.Handle("/", identity)
	return root
}

// perUserMFA serves Graph beta strongAuthenticationRequirements; users
// without an entry in perUserMfaState.json are "disabled", the default.
func perUserMFA(t *tenant, r *http.Request) answer {
	id := r.PathValue("id")
	if t.byID[id] == nil {
		return answer{missing: true}
	}
	st := t.perUserMFA[id]
	if st == "" {
		st = "disabled"
	}
	return answer{isSingle: true, single: object{"@odata.context": "https://graph.microsoft.com/beta/$metadata#users('" + id + "')/authentication/requirements/$entity", "perUserMfaState": st}}
}

// graph guards the Graph API: Admit (a bearer token the fake issued, no
// Deny rule, GET only), then the licence, query and fault rules.
func (s *Server) graph(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, ok := s.Hold(w, r)
		defer release()
		if !ok {
			return
		}
		if !s.Admit(w, r, s.authorized(r)) {
			return
		}
		rel, _ := graphKey(r.URL.Path)
		s.mu.Lock()
		unlicensed := slices.ContainsFunc(s.unlicensed, func(p string) bool { return fakeserver.Match(p, rel) })
		i := slices.IndexFunc(s.rejects, func(rj rejection) bool { return fakeserver.Match(rj.prefix, rel) && r.URL.Query().Has(rj.param) })
		var rejected string
		if i >= 0 {
			rejected = s.rejects[i].param
		}
		s.mu.Unlock()
		switch {
		case unlicensed:
			writeError(w, http.StatusBadRequest, "AadPremiumLicenseRequired", "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.")
		case rejected != "":
			writeError(w, http.StatusBadRequest, "BadRequest", "Query option '"+rejected+"' is not allowed.")
		case !s.Inject(w, r):
			h.ServeHTTP(w, r)
		}
	})
}

// refusals are Graph's answers when Admit turns a request away.
var refusals = map[int]struct{ code, msg string }{
	http.StatusUnauthorized:     {"InvalidAuthenticationToken", "Access token is empty or invalid."},
	http.StatusForbidden:        {"Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
	http.StatusMethodNotAllowed: {"Request_BadRequest", "graphtest is read-only: only GET is served"},
}

func refuse(w http.ResponseWriter, status int) {
	e := refusals[status]
	writeError(w, status, e.code, e.msg)
}

// answer is what a Graph route found in the tenant.
type answer struct {
	list     []object
	single   object
	isSingle bool
	missing  bool   // the object the path names does not exist: 404
	what     string // its name in the 404 (default: the path's id)
}

// answer serves what f finds, reading the tenant under the lock; items are
// never mutated after load, so they are written after it is released.
func (s *Server) answer(f func(t *tenant, r *http.Request) answer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		a := f(s.tenant, r)
		a.list = slices.Clip(a.list)
		s.mu.Unlock()
		switch {
		case a.missing:
			what := a.what
			if what == "" {
				what = r.PathValue("id")
			}
			writeError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+what+"' does not exist or one of its queried reference-property objects are not present.")
		case a.isSingle:
			writeJSON(w, http.StatusOK, project(a.single, selectFields(r.URL.Query().Get("$select"))))
		default:
			s.writeList(w, r, a.list)
		}
	}
}
