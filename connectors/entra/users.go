package entra

// This file reads the users dataset.

import (
	"context"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// users reads /users (enabled ⇒ Accounts, disabled ⇒ OutOfScope).
func (r *run) users(ctx context.Context) error {
	const ep = "/users"
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{
			Select: []string{"id", "displayName", "userPrincipalName", "accountEnabled", "userType", "createdDateTime"},
			Top:    &top,
		}})
	n, disabled := 0, 0
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUserCollectionResponseFromDiscriminatorValue, func(u models.Userable) error {
			n++
			id := deref(u.GetId())
			if id == "" {
				return nil
			}
			if !deref(u.GetAccountEnabled()) {
				// accountEnabled false (or absent, which Graph never returns
				// when selected) is out of scope.
				r.disabled[id] = true
				disabled++
				return nil
			}
			ut := strings.ToLower(deref(u.GetUserType()))
			if ut != "member" && ut != "guest" {
				if ut != "" {
					r.unknownValue("userType", ut)
				}
				ut = "member"
			}
			r.accounts[id] = &evidence.Account{ID: id, Name: deref(u.GetDisplayName()), Login: deref(u.GetUserPrincipalName()),
				Status: "enabled", UserType: ut, Created: timePtr(u.GetCreatedDateTime()), Methods: []evidence.Method{}}
			return nil
		})
	}
	if err != nil {
		err = apiError(evidence.DSUsers, ep, err)
		r.fail(evidence.DSUsers, n, err)
		return err
	}
	r.usersOK = true
	if disabled > 0 {
		r.src.OutOfScope = append(r.src.OutOfScope, evidence.Count{Reason: "accountEnabled false", Count: disabled})
	}
	r.ok(evidence.DSUsers, n, "")
	r.progress("entra: %d users (%d disabled)", n, disabled)
	return nil
}
