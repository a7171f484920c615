package okta

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Probe lines that are parts of a dataset rather than datasets of their own.
const (
	probeAuthnMethods = "authenticators (methods)"
	probeZones        = "network zones (names)"
)

// Probe implements evidence.Prober for `shadowpath doctor`: one cheap GET
// (limit=1 where the endpoint pages) per dataset, reporting whether the
// credential can read it and which scope it needs. It returns an error only
// when the org is unreachable or the credential is refused outright.
func (c *Connector) Probe(ctx context.Context) ([]evidence.Probe, error) {
	now := time.Now().UTC()
	logs := url.Values{
		"since": {now.Add(-time.Hour).Format(logTimeFormat)}, "until": {now.Format(logTimeFormat)}, "limit": {"1"},
	}
	var firstUser, firstAuthenticator string
	probes := []struct {
		ds   string
		path func() string
		v    func() any
	}{
		{evidence.DSUsers, func() string { return "/api/v1/users?limit=1" }, nil},
		{evidence.DSFactors, func() string {
			if firstUser == "" {
				return ""
			}
			return "/api/v1/users/" + url.PathEscape(firstUser) + "/factors"
		}, nil},
		{evidence.DSGroups, func() string { return "/api/v1/groups?limit=1" }, nil},
		{evidence.DSRoles, func() string { return "/api/v1/iam/assignees/users?limit=1" }, func() any { return &assigneePage{} }},
		{evidence.DSAuthn, func() string { return "/api/v1/authenticators" }, nil},
		// The methods of each authenticator (their own status) are part of
		// the authenticators dataset; zone names are best effort.
		{probeAuthnMethods, func() string {
			if firstAuthenticator == "" {
				return ""
			}
			return "/api/v1/authenticators/" + url.PathEscape(firstAuthenticator) + "/methods"
		}, nil},
		{probeZones, func() string { return "/api/v1/zones?limit=1" }, nil},
		{evidence.DSPolicies, func() string { return "/api/v1/policies?type=PASSWORD&limit=1" }, nil},
		{evidence.DSSystemLog, func() string { return "/api/v1/logs?" + logs.Encode() }, nil},
		{evidence.DSAPITokens, func() string { return "/api/v1/api-tokens?limit=1" }, nil},
		{evidence.DSApps, func() string { return "/api/v1/apps?limit=1" }, nil},
	}
	var out []evidence.Probe
	for i, p := range probes {
		path := p.path()
		pr := evidence.Probe{Dataset: p.ds, Needed: neededFor(endpointOf(path))}
		if path == "" && p.ds == probeAuthnMethods {
			pr.Status, pr.Needed = evidence.Complete, neededFor("/api/v1/authenticators")
			pr.Detail = "no authenticator to probe (Classic engine org, or the list was not readable)"
			out = append(out, pr)
			continue
		}
		if path == "" {
			pr.Status = evidence.Errored
			pr.Needed = neededFor("/api/v1/users")
			pr.Detail = "no user to probe factors with"
			out = append(out, pr)
			continue
		}
		var v any = &[]json.RawMessage{}
		if p.v != nil {
			v = p.v()
		}
		_, err := c.get(ctx, path, v)
		if err == nil && p.ds == evidence.DSUsers {
			if raw := *(v.(*[]json.RawMessage)); len(raw) > 0 {
				var u idOnly
				if json.Unmarshal(raw[0], &u) == nil {
					firstUser = u.ID
				}
			}
		}
		if err == nil && p.ds == evidence.DSAuthn {
			if raw := *(v.(*[]json.RawMessage)); len(raw) > 0 {
				var a idOnly
				if json.Unmarshal(raw[0], &a) == nil {
					firstAuthenticator = a.ID
				}
			}
		}
		var ae *evidence.APIError
		switch {
		case err == nil && p.ds == probeZones:
			pr.Status = evidence.Complete
			pr.Detail = "readable (zone names in rule contexts)"
		case p.ds == probeZones:
			// Best effort: without it contexts name zones by id.
			cov := evidence.CoverageFromError(p.ds, 0, err)
			pr.Status = cov.Status
			pr.Detail = cov.Detail + " (best effort: rule contexts will name zones by id)"
		case err == nil:
			pr.Status = evidence.Complete
			pr.Detail = "readable"
		case p.ds == evidence.DSAuthn && errors.As(err, &ae) && ae.Status == http.StatusNotFound:
			pr.Status = evidence.Complete
			pr.Detail = "Classic engine org: derived from MFA_ENROLL policies"
		default:
			cov := evidence.CoverageFromError(p.ds, 0, err)
			pr.Status, pr.Detail = cov.Status, cov.Detail
			if i == 0 && fatal(err) {
				return append(out, pr), err
			}
		}
		out = append(out, pr)
	}
	return out, nil
}
