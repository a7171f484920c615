package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

type rawAPIToken struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	UserID      string `json:"userId"`
	ClientName  string `json:"clientName"`
	Created     string `json:"created"`
	LastUpdated string `json:"lastUpdated"`
	ExpiresAt   string `json:"expiresAt"`
}

// apiTokens reads the org's active SSWS tokens (raw: v2.20.0 has no
// ApiToken resource). A token acts with its owner's admin roles, so the
// owner's roles become the workload's.
func (r *run) apiTokens(ctx context.Context) {
	var toks []rawAPIToken
	if err := list(ctx, r.c, "/api/v1/api-tokens", func(t rawAPIToken) { toks = append(toks, t) }); err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSAPITokens, 0, err))
		return
	}
	for _, t := range toks {
		owner := evidence.Owner{ID: t.UserID, Name: r.logins[t.UserID]}
		if ai, ok := r.accounts[t.UserID]; ok {
			// Only in-scope accounts (ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT,
			// RECOVERY) count as active owners.
			owner.Active = true
			owner.Privileged = r.src.Accounts[ai].Privileged
		}
		var roles []evidence.Role
		for _, role := range r.roles[t.UserID] {
			role.Via = "owner " + t.UserID
			roles = append(roles, role)
		}
		if len(r.roles[t.UserID]) > 0 {
			owner.Privileged = true
		}
		created := parseTime(t.Created)
		// The API has no last-used time. Okta slides expiresAt (30 days
		// after the last use by default) and bumps lastUpdated, so
		// lastUpdated is the best available proxy for the last use.
		lastUsed := parseTime(t.LastUpdated)
		name := t.Name
		if name == "" {
			name = t.ID
		}
		r.src.Workloads = append(r.src.Workloads, evidence.Workload{
			ID: t.ID, Type: evidence.WAPIToken, Name: name, Enabled: true,
			Owners: []evidence.Owner{owner}, AuthMethod: "SSWS",
			Credentials: []evidence.Credential{{
				ID: t.ID, Type: evidence.CredAPIToken, Name: name, Created: created,
				Expires: parseTime(t.ExpiresAt), LastUsed: lastUsed, Active: true,
			}},
			Roles: roles, LastUsed: lastUsed, Created: created,
		})
	}
	cov := evidence.Coverage{Dataset: evidence.DSAPITokens, Status: evidence.Complete, Items: len(toks)}
	if !r.rolesOK && len(toks) > 0 {
		// A token acts with its owner's roles: without them its privilege
		// is unknown, so the dataset is not complete.
		cov.Status = evidence.Partial
		cov.Detail = "token owners' admin roles could not all be read"
	}
	r.src.SetCoverage(cov)
}

type rawApp struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Label       string `json:"label"`
	Status      string `json:"status"`
	SignOnMode  string `json:"signOnMode"`
	Created     string `json:"created"`
	Credentials struct {
		OAuthClient struct {
			ClientID   string `json:"client_id"`
			AuthMethod string `json:"token_endpoint_auth_method"`
		} `json:"oauthClient"`
	} `json:"credentials"`
	Settings struct {
		OAuthClient struct {
			ApplicationType string `json:"application_type"`
			JWKS            struct {
				Keys []rawKey `json:"keys"`
			} `json:"jwks"`
		} `json:"oauthClient"`
	} `json:"settings"`
}

type rawSecret struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Created string `json:"created"`
	// client_secret and secret_hash are deliberately not decoded.
}

type rawKey struct {
	ID      string `json:"id"`
	KID     string `json:"kid"`
	Status  string `json:"status"`
	Created string `json:"created"`
}

type rawGrant struct {
	ScopeID string `json:"scopeId"`
	Status  string `json:"status"`
}

// apps reads OAuth service apps (OPENID_CONNECT with application_type
// service): the workloads that call Okta's APIs with client credentials.
// Other apps are sign-in targets for people, not non-human identities, and
// are skipped. An app whose name is not "oidc_client" (the name of every
// custom OIDC app) comes from the Okta Integration Network: ThirdParty.
func (r *run) apps(ctx context.Context) {
	var svc []rawApp
	total := 0
	if err := list(ctx, r.c, "/api/v1/apps?limit=200", func(a rawApp) {
		total++
		r.appInfo[a.ID] = appNames{name: a.Name, label: a.Label}
		if a.SignOnMode == "OPENID_CONNECT" && a.Settings.OAuthClient.ApplicationType == "service" {
			svc = append(svc, a)
		}
	}); err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSApps, 0, err))
		return
	}
	wls := make([]evidence.Workload, len(svc))
	errs := make([][]string, len(svc))
	r.c.forEach(ctx, len(svc), func(ctx context.Context, i int) {
		wls[i], errs[i] = r.app(ctx, svc[i])
	})
	var failures []string
	for i := range svc {
		failures = append(failures, errs[i]...)
	}
	r.src.Workloads = append(r.src.Workloads, wls...)
	cov := evidence.Coverage{Dataset: evidence.DSApps, Status: evidence.Complete, Items: len(svc),
		Detail: fmt.Sprintf("%d service app(s) among %d apps", len(svc), total)}
	if len(failures) > 0 {
		cov.Status = evidence.Partial
		cov.Detail += "; not read: " + strings.Join(capList(failures, 3), "; ")
	}
	r.src.SetCoverage(cov)
}

func (r *run) app(ctx context.Context, a rawApp) (evidence.Workload, []string) {
	id := url.PathEscape(a.ID)
	clientID := a.Credentials.OAuthClient.ClientID
	if clientID == "" {
		clientID = a.ID
	}
	w := evidence.Workload{
		ID: a.ID, Type: evidence.WServiceApp, Name: a.Label, AppID: clientID, Enabled: a.Status == "ACTIVE",
		ThirdParty: a.Name != "" && a.Name != "oidc_client", Owners: []evidence.Owner{},
		AuthMethod: a.Credentials.OAuthClient.AuthMethod, Credentials: []evidence.Credential{},
		Created: parseTime(a.Created),
	}
	if w.ThirdParty {
		w.OwnerOrg = "Okta Integration Network: " + a.Name
	}
	var failed []string
	fail := func(what string, err error) {
		failed = append(failed, fmt.Sprintf("%s of app %s: %v", what, a.ID, err))
	}

	var secrets []rawSecret
	if _, err := r.c.get(ctx, "/api/v1/apps/"+id+"/credentials/secrets", &secrets); err != nil {
		fail("secrets", err)
	}
	for _, s := range secrets {
		w.Credentials = append(w.Credentials, evidence.Credential{
			ID: s.ID, Type: evidence.CredSecret, Created: parseTime(s.Created), Active: s.Status == "ACTIVE",
		})
	}
	var keys []rawKey
	if _, err := r.c.get(ctx, "/api/v1/apps/"+id+"/credentials/jwks", &keys); err != nil {
		var ae *evidence.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			keys = a.Settings.OAuthClient.JWKS.Keys // older orgs keep the JWKS in the app settings
		} else {
			fail("JWKS keys", err)
		}
	}
	for _, k := range keys {
		kid := k.ID
		if kid == "" {
			kid = k.KID
		}
		w.Credentials = append(w.Credentials, evidence.Credential{
			ID: kid, Type: evidence.CredCertificate, Name: k.KID, Created: parseTime(k.Created),
			Active: k.Status == "" || k.Status == "ACTIVE",
		})
	}
	var grants []rawGrant
	if _, err := r.c.get(ctx, "/api/v1/apps/"+id+"/grants", &grants); err != nil {
		fail("grants", err)
	}
	for _, g := range grants {
		if g.Status == "" || g.Status == "ACTIVE" {
			w.Grants = append(w.Grants, g.ScopeID)
		}
	}
	var roles []rawRole
	if _, err := r.c.get(ctx, "/oauth2/v1/clients/"+url.PathEscape(clientID)+"/roles", &roles); err != nil {
		fail("admin roles", err)
	}
	for _, rr := range roles {
		if rr.Status != "" && rr.Status != "ACTIVE" {
			continue
		}
		role := rr.toRole()
		role.Via = "client"
		w.Roles = append(w.Roles, role)
	}
	return w, failed
}
