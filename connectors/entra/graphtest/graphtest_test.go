package graphtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func token(t *testing.T, s *Server, secret string) (string, int) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID},
		"client_secret": {secret}, "scope": {s.URL + "/.default"}}
	resp, err := s.Client().PostForm(s.URL+"/"+s.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), secret) {
		t.Errorf("token response echoes the secret: %s", b)
	}
	_ = json.Unmarshal(b, &body)
	return body.AccessToken, resp.StatusCode
}

type page struct {
	Value    []map[string]any `json:"value"`
	NextLink string           `json:"@odata.nextLink"`
}

func get(t *testing.T, s *Server, tok, u string) (int, page, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", u, ct)
	}
	var p page
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &p)
	return resp.StatusCode, p, resp.Header
}

func collect(t *testing.T, s *Server, tok, u string) ([]map[string]any, int) {
	t.Helper()
	var all []map[string]any
	pages := 0
	for u != "" {
		st, p, _ := get(t, s, tok, u)
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d", u, st)
		}
		pages++
		all = append(all, p.Value...)
		if p.NextLink != "" && !strings.HasPrefix(p.NextLink, s.URL+"/v1.0/") {
			t.Fatalf("nextLink not absolute: %q", p.NextLink)
		}
		u = p.NextLink
	}
	return all, pages
}

func TestTokenFlow(t *testing.T) {
	s := NewServer(t)
	tests := []struct {
		name   string
		secret string
		want   int
	}{
		{"right secret", s.ClientSecret, http.StatusOK},
		{"wrong secret", "nope", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, st := token(t, s, tc.secret)
			if st != tc.want {
				t.Fatalf("status %d, want %d", st, tc.want)
			}
			gst, _, _ := get(t, s, tok, s.URL+"/v1.0/users")
			wantGraph := http.StatusOK
			if tc.want != http.StatusOK {
				wantGraph = http.StatusUnauthorized
			}
			if gst != wantGraph {
				t.Errorf("graph status %d, want %d", gst, wantGraph)
			}
		})
	}
	st, _, _ := get(t, s, "", s.URL+"/"+s.TenantID+"/v2.0/.well-known/openid-configuration")
	if st != http.StatusOK {
		t.Errorf("openid-configuration: %d", st)
	}
	s.AssertReadOnly(t)
}

func TestPagingSelectFilter(t *testing.T) {
	s := NewServer(t, WithMaxPageSize(2))
	tok := s.StaticToken()
	users, pages := collect(t, s, tok, s.URL+"/v1.0/users?$select=id,displayName&$top=999")
	if len(users) != 9 || pages != 5 {
		t.Fatalf("users %d in %d pages, want 9 in 5", len(users), pages)
	}
	if _, ok := users[0]["userPrincipalName"]; ok {
		t.Errorf("$select not applied: %v", users[0])
	}
	audits, _ := collect(t, s, tok, s.URL+"/v1.0/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDateTime ge 2026-10-27T12:00:00Z"))
	if len(audits) != 9 {
		t.Errorf("audits in window %d, want 9", len(audits))
	}
	st, _, _ := get(t, s, tok, s.URL+"/v1.0/auditLogs/directoryAudits?$filter="+url.QueryEscape("startswith(activityDisplayName,'Reset')"))
	if st != http.StatusBadRequest {
		t.Errorf("unsupported filter: %d, want 400", st)
	}
	// Both spellings of the cast (msgraph-sdk-go sends graph.user) return
	// users only: the nested group Sales EMEA is not a member user.
	for _, cast := range []string{"microsoft.graph.user", "graph.user"} {
		members, _ := collect(t, s, tok, s.URL+"/v1.0/groups/b2000000-0000-4000-8000-000000000001/transitiveMembers/"+cast)
		if len(members) != 3 {
			t.Errorf("%s: transitive user members of Sales %d, want 3 (bob, carol, grace via Sales EMEA)", cast, len(members))
		}
	}
	elig, pages := collect(t, s, tok, s.URL+"/v1.0/roleManagement/directory/roleEligibilitySchedules")
	if len(elig) != 4 || pages != 2 {
		t.Fatalf("eligibility schedules %d in %d pages, want 4 in 2", len(elig), pages)
	}
	for _, f := range []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "memberType", "status", "scheduleInfo"} {
		if _, ok := elig[0][f]; !ok {
			t.Errorf("eligibility schedule without %s: %v", f, elig[0])
		}
	}
}

func TestFaults(t *testing.T) {
	s := NewServer(t, WithRetryAfter(1))
	tok := s.StaticToken()
	s.Deny("/reports/")
	s.Unlicensed("/roleManagement/directory/roleEligibilitySchedules")
	s.FailNext("/users", http.StatusTooManyRequests, 1)
	s.GarbageNext("/groups", 1)
	tests := []struct {
		name, path string
		want       int
	}{
		{"denied", "/reports/authenticationMethods/userRegistrationDetails", http.StatusForbidden},
		{"unlicensed", "/roleManagement/directory/roleEligibilitySchedules", http.StatusBadRequest},
		{"active assignments still served", "/roleManagement/directory/roleAssignments", http.StatusOK},
		{"throttled once", "/users", http.StatusTooManyRequests},
		{"then fine", "/users", http.StatusOK},
		{"garbage is 200", "/groups", http.StatusOK},
		{"unknown segment", "/nothing", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, h := get(t, s, tok, s.URL+"/v1.0"+tc.path)
			if st != tc.want {
				t.Fatalf("status %d, want %d", st, tc.want)
			}
			if st == http.StatusTooManyRequests && h.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q", h.Get("Retry-After"))
			}
		})
	}
	if n := s.RequestCount("/users"); n != 2 {
		t.Errorf("RequestCount(/users) = %d, want 2", n)
	}
}

func TestAddUsers(t *testing.T) {
	s := NewServer(t, WithoutFixtures())
	s.AddUsers(2500)
	users, pages := collect(t, s, s.StaticToken(), s.URL+"/v1.0/users?$top=999")
	if len(users) != 2500 || pages != 3 {
		t.Fatalf("%d users in %d pages", len(users), pages)
	}
	reg, _ := collect(t, s, s.StaticToken(), s.URL+"/v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999")
	if len(reg) != 2500 {
		t.Fatalf("%d registration rows", len(reg))
	}
}
