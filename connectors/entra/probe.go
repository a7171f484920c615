package entra

import (
	"context"
	"errors"

	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Probe implements evidence.Prober for `shadowpath doctor`: one cheap GET
// ($top=1 where the endpoint accepts it) per dataset, in contract order.
// It returns an error only when no request could be made at all (token or
// network failure).
func (c *Connector) Probe(ctx context.Context) ([]evidence.Probe, error) {
	one := int32(1)
	var firstUser string
	notes := map[string]string{} // dataset → detail of a readable dataset
	checks := map[string]func(context.Context) error{
		evidence.DSUsers: func(ctx context.Context) error {
			res, err := c.client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &one}})
			if err == nil && res != nil && len(res.GetValue()) > 0 {
				firstUser = deref(res.GetValue()[0].GetId())
			}
			return err
		},
		evidence.DSGroups: func(ctx context.Context) error {
			_, err := c.client.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &one}})
			return err
		},
		evidence.DSRegDetails: func(ctx context.Context) error {
			_, err := c.client.Reports().AuthenticationMethods().UserRegistrationDetails().Get(ctx,
				&reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetRequestConfiguration{
					QueryParameters: &reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetQueryParameters{Top: &one}})
			return err
		},
		evidence.DSAuthMethods: func(ctx context.Context) error {
			if firstUser == "" {
				return errSkipped
			}
			_, err := c.client.Users().ByUserId(firstUser).Authentication().Methods().Get(ctx, nil)
			if err != nil {
				return err
			}
			// Per-user MFA (beta) is read with the same permission for the
			// accounts no CA policy covers; a refusal is a note, as Collect
			// makes it a warning.
			r := &run{c: c}
			if _, err := r.userMFAState(ctx, firstUser); err != nil {
				notes[evidence.DSAuthMethods] = "per-user methods readable; per-user MFA state (Graph beta) not: " + err.Error()
			}
			return nil
		},
		evidence.DSMethodsPol: func(ctx context.Context) error {
			_, err := c.client.Policies().AuthenticationMethodsPolicy().Get(ctx, nil)
			return err
		},
		evidence.DSCondAccess: func(ctx context.Context) error {
			_, err := c.client.Identity().ConditionalAccess().Policies().Get(ctx, &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{
				QueryParameters: &identity.ConditionalAccessPoliciesRequestBuilderGetQueryParameters{Top: &one}})
			if err != nil {
				return err
			}
			// Security defaults and named locations complete the dataset.
			if _, err := c.client.Policies().IdentitySecurityDefaultsEnforcementPolicy().Get(ctx, nil); err != nil {
				return err
			}
			_, err = c.client.Identity().ConditionalAccess().NamedLocations().Get(ctx, nil)
			return err
		},
		evidence.DSAuthzPolicy: func(ctx context.Context) error {
			_, err := c.client.Policies().AuthorizationPolicy().Get(ctx, nil)
			return err
		},
		evidence.DSRoles: func(ctx context.Context) error {
			// roleAssignments documents no $top; one unfiltered page.
			_, err := c.client.RoleManagement().Directory().RoleAssignments().Get(ctx, nil)
			if err != nil {
				return err
			}
			// The PIM eligibility schedules are read with the roles but do
			// not fail them: a refusal is a note, as Collect makes it a
			// warning.
			if _, err := c.client.RoleManagement().Directory().RoleEligibilitySchedules().Get(ctx, nil); err != nil {
				notes[evidence.DSRoles] = "active assignments readable; PIM-eligible assignments not: " + apiError(evidence.DSRoles, "/roleManagement/directory/roleEligibilitySchedules", err).Error()
			}
			return nil
		},
		evidence.DSAudits: func(ctx context.Context) error {
			_, err := c.client.AuditLogs().DirectoryAudits().Get(ctx, &auditlogs.DirectoryAuditsRequestBuilderGetRequestConfiguration{
				QueryParameters: &auditlogs.DirectoryAuditsRequestBuilderGetQueryParameters{Top: &one}})
			return err
		},
		evidence.DSApplications: func(ctx context.Context) error {
			_, err := c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
				QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &one}})
			return err
		},
		evidence.DSServicePrincipals: func(ctx context.Context) error {
			_, err := c.client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
				QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &one}})
			return err
		},
	}
	var out []evidence.Probe
	for i, ds := range evidence.Datasets[evidence.Entra] {
		p := evidence.Probe{Dataset: ds, Needed: needed[ds], Status: evidence.Complete}
		err := checks[ds](ctx)
		switch {
		case err == nil:
			p.Detail = notes[ds]
		case errors.Is(err, errSkipped):
			p.Status, p.Detail = evidence.Partial, "not probed: no user to read methods of"
		default:
			if i == 0 && fatal(ctx, err) {
				return nil, apiError(ds, "/users", err)
			}
			cov := evidence.CoverageFromError(ds, 0, apiError(ds, ds, err))
			p.Status, p.Detail = cov.Status, cov.Detail
		}
		out = append(out, p)
	}
	return out, nil
}

var errSkipped = errors.New("skipped")
