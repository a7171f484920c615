package entra

// This file reads what each account has enrolled: the registration report
// (registration_details) or, where it is denied, the per-user methods
// (authentication_methods).

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/reports"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// registration reads the bulk registration report, or falls back to
// per-user methods when it is denied.
func (r *run) registration(ctx context.Context) {
	const ep = "/reports/authenticationMethods/userRegistrationDetails"
	if !r.usersOK {
		err := errors.New("not read: the users dataset could not be read, so methods cannot be attached to accounts")
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Partial, Detail: err.Error()})
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial, Detail: err.Error()})
		return
	}
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.Reports().AuthenticationMethods().UserRegistrationDetails().Get(ctx,
		&reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetRequestConfiguration{
			QueryParameters: &reports.AuthenticationMethodsUserRegistrationDetailsRequestBuilderGetQueryParameters{Top: &top}})
	if isBadRequest(err) {
		// The v1.0 doc lists only $filter and $orderby for this report; if
		// the service refuses $top, read it with the service's page size.
		r.log.Debug("entra: registration report refused $top; retrying without it")
		res, err = r.c.client.Reports().AuthenticationMethods().UserRegistrationDetails().Get(ctx, nil)
	}
	n := 0
	seen := map[string]bool{}
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateUserRegistrationDetailsCollectionResponseFromDiscriminatorValue, func(d models.UserRegistrationDetailsable) error {
			n++
			a := r.accounts[deref(d.GetId())]
			if a == nil {
				return nil // disabled or created after the users read
			}
			seen[a.ID] = true
			if deref(d.GetIsAdmin()) {
				a.Privileged = true
			}
			a.SSPR = &evidence.SSPRState{Enabled: deref(d.GetIsSsprEnabled()), Registered: deref(d.GetIsSsprRegistered()), Capable: deref(d.GetIsSsprCapable())}
			a.Methods = a.Methods[:0]
			for _, v := range d.GetMethodsRegistered() {
				k, ok := evidence.EntraRegisteredKind(v)
				if !ok {
					r.unknownValue("methodsRegistered", v)
				}
				a.Methods = append(a.Methods, evidence.Method{Kind: k, VendorType: v})
			}
			return nil
		})
	}
	if err == nil {
		missing := 0
		for id, a := range r.accounts {
			if !seen[id] {
				missing++
				a.MethodsError = "absent from the registration report"
			}
		}
		if missing > 0 {
			r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSRegDetails, Status: evidence.Partial, Items: n,
				Detail: fmt.Sprintf("%d enabled users are absent from the registration report (it can lag behind new accounts)", missing)})
		} else {
			r.ok(evidence.DSRegDetails, n, "")
		}
		// The per-user endpoint is a fallback: not needed when the report was read.
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Complete,
			Detail: "not read per user: methods come from the registration report (one method per registered kind)"})
		r.progress("entra: registration report, %d rows", n)
		return
	}
	err = apiError(evidence.DSRegDetails, ep, err)
	r.fail(evidence.DSRegDetails, n, err)
	if !isDenied(err) {
		// An error (not a denial) mid-report: methods are unknown; the
		// fallback would cost one call per user, so it is kept for denials.
		for _, a := range r.accounts {
			a.Methods, a.MethodsError = []evidence.Method{}, "registration report could not be read"
		}
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial,
			Detail: "not read: the per-user fallback is used only when the report is denied"})
		return
	}
	r.warn(fmt.Sprintf("registration report denied (%s); fell back to per-user /users/{id}/authentication/methods for %d accounts", needed[evidence.DSRegDetails], len(r.accounts)))
	r.perUserMethods(ctx)
}

// perUserMethods is the fallback: one bounded, concurrent call per account.
func (r *run) perUserMethods(ctx context.Context) {
	ids := make([]string, 0, len(r.accounts))
	for id := range r.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var denied atomic.Pointer[error]
	var failed, done atomic.Int64
	type result struct {
		id      string
		methods []evidence.Method
		err     error
	}
	results := make(chan result, len(ids))
	forEach(ctx, r.c.cfg.Concurrency, ids, func() bool { return denied.Load() != nil }, func(ctx context.Context, id string) {
		ms, err := r.userMethods(ctx, id)
		if err != nil && isDenied(err) {
			denied.CompareAndSwap(nil, &err)
		}
		results <- result{id, ms, err}
		if d := done.Add(1); d%1000 == 0 {
			r.progress("entra: per-user methods %d/%d", d, len(ids))
		}
	})
	close(results)
	read := 0
	for res := range results {
		a := r.accounts[res.id]
		if res.err != nil {
			failed.Add(1)
			a.MethodsError = res.err.Error()
			continue
		}
		read++
		a.Methods = res.methods
	}
	if p := denied.Load(); p != nil {
		for _, a := range r.accounts {
			if a.MethodsError == "" && len(a.Methods) == 0 {
				a.MethodsError = "per-user methods denied"
			}
		}
		r.fail(evidence.DSAuthMethods, read, *p)
		return
	}
	if ctx.Err() != nil || int(failed.Load()) > 0 || read < len(ids) {
		r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSAuthMethods, Status: evidence.Partial, Items: read,
			Detail: fmt.Sprintf("fallback: %d of %d accounts read; %d failed (see methods_error)", read, len(ids), failed.Load())})
		return
	}
	r.ok(evidence.DSAuthMethods, read, "fallback for the denied registration report: instance-level methods, one call per account")
}

func (r *run) userMethods(ctx context.Context, id string) ([]evidence.Method, error) {
	ep := "/users/{id}/authentication/methods"
	res, err := r.c.client.Users().ByUserId(id).Authentication().Methods().Get(ctx, nil)
	out := []evidence.Method{}
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateAuthenticationMethodCollectionResponseFromDiscriminatorValue, func(m models.AuthenticationMethodable) error {
			out = append(out, r.method(m))
			return nil
		})
	}
	if err != nil {
		return nil, apiError(evidence.DSAuthMethods, ep, err)
	}
	return out, nil
}

func (r *run) method(m models.AuthenticationMethodable) evidence.Method {
	typ := deref(m.GetOdataType())
	phoneType := ""
	var name string
	var created *time.Time
	switch v := m.(type) {
	case models.PhoneAuthenticationMethodable:
		if pt := v.GetPhoneType(); pt != nil {
			phoneType = pt.String()
		}
		name = strings.TrimSpace(phoneType + " " + maskPhone(deref(v.GetPhoneNumber())))
	case models.Fido2AuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.MicrosoftAuthenticatorAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.WindowsHelloForBusinessAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.PlatformCredentialAuthenticationMethodable:
		name, created = deref(v.GetDisplayName()), timePtr(v.GetCreatedDateTime())
	case models.EmailAuthenticationMethodable:
		name = maskEmail(deref(v.GetEmailAddress()))
	case models.TemporaryAccessPassAuthenticationMethodable:
		created = timePtr(v.GetCreatedDateTime())
	}
	k, ok := evidence.EntraMethodODataKind(typ, phoneType)
	if !ok {
		r.unknownValue("authentication method @odata.type", typ)
	}
	return evidence.Method{Kind: k, VendorType: typ, ID: deref(m.GetId()), Name: name, Created: created}
}

// maskPhone keeps the last two digits: the report needs to tell numbers
// apart, not to dial them.
func maskPhone(p string) string {
	digits := 0
	for _, ch := range p {
		if ch >= '0' && ch <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return ""
	}
	var b strings.Builder
	seen := 0
	for _, ch := range p {
		if ch >= '0' && ch <= '9' {
			seen++
			if seen <= digits-2 && seen > 1 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func maskEmail(e string) string {
	at := strings.IndexByte(e, '@')
	if at <= 0 {
		return ""
	}
	return e[:1] + "***" + e[at:]
}
