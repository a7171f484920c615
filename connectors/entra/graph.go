package entra

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Permissions (and licences) each dataset needs, as named in Graph's docs.
var needed = map[string]string{
	evidence.DSUsers:             "User.Read.All (or Directory.Read.All)",
	evidence.DSGroups:            "GroupMember.Read.All (or Directory.Read.All)",
	evidence.DSRegDetails:        "AuditLog.Read.All and an Entra ID P1/P2 licence",
	evidence.DSAuthMethods:       "UserAuthenticationMethod.Read.All",
	evidence.DSMethodsPol:        "Policy.Read.All",
	evidence.DSCondAccess:        "Policy.Read.All (Conditional Access needs Entra ID P1)",
	evidence.DSAuthzPolicy:       "Policy.Read.All",
	evidence.DSRoles:             "RoleManagement.Read.Directory (or Directory.Read.All)",
	evidence.DSAudits:            "AuditLog.Read.All",
	evidence.DSApplications:      "Application.Read.All",
	evidence.DSServicePrincipals: "Application.Read.All",
}

// apiError turns an SDK error into the evidence error types: 401/403 ⇒
// *PermissionError naming what is needed, 429 ⇒ *RateLimitError, other
// statuses ⇒ *APIError; transport and decoding errors are wrapped as is.
func apiError(dataset, endpoint string, err error) error {
	if err == nil {
		return nil
	}
	var sc interface{ GetStatusCode() int }
	if !errors.As(err, &sc) || sc.GetStatusCode() == 0 {
		return fmt.Errorf("entra: %s: %w", endpoint, err)
	}
	base := evidence.APIError{Provider: evidence.Entra, Status: sc.GetStatusCode(), Endpoint: endpoint}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		if me := oe.GetErrorEscaped(); me != nil {
			base.Code = deref(me.GetCode())
			base.Message = deref(me.GetMessage())
		}
	}
	switch base.Status {
	case 401, 403:
		return &evidence.PermissionError{APIError: base, Needed: needed[dataset]}
	case 429:
		return &evidence.RateLimitError{APIError: base}
	}
	return &base
}

// isNotFound reports a 404 answer.
func isNotFound(err error) bool {
	var sc interface{ GetStatusCode() int }
	return errors.As(err, &sc) && sc.GetStatusCode() == 404
}

// isBadRequest reports a 400 answer.
func isBadRequest(err error) bool {
	var sc interface{ GetStatusCode() int }
	return errors.As(err, &sc) && sc.GetStatusCode() == 400
}

// isDenied reports a 401/403 answer.
func isDenied(err error) bool {
	var pe *evidence.PermissionError
	return errors.As(err, &pe)
}

// guardAdapter wraps the request adapter for next-page requests: a nextLink
// seen before, or more than maxPages pages, ends the read with an error
// instead of looping forever.
type guardAdapter struct {
	abstractions.RequestAdapter
	mu    sync.Mutex
	seen  map[string]bool
	pages int
}

func (g *guardAdapter) Send(ctx context.Context, ri *abstractions.RequestInformation, f serialization.ParsableFactory, em abstractions.ErrorMappings) (serialization.Parsable, error) {
	u, err := ri.GetUri()
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	key := u.String()
	repeat := g.seen[key]
	g.seen[key] = true
	g.pages++
	tooMany := g.pages > maxPages
	g.mu.Unlock()
	if repeat {
		return nil, errors.New("pagination: @odata.nextLink repeats a page already read")
	}
	if tooMany {
		return nil, fmt.Errorf("pagination: more than %d pages", maxPages)
	}
	return g.RequestAdapter.Send(ctx, ri, f, em)
}

// iterate walks every page of a collection response with the SDK's
// PageIterator, calling fn for each item; pages counts the pages read.
func iterate[T any](ctx context.Context, c *Connector, first any, factory serialization.ParsableFactory, fn func(T) error) (pages int, err error) {
	g := &guardAdapter{RequestAdapter: c.adapter, seen: map[string]bool{}}
	it, err := msgraphcore.NewPageIterator[T](first, g, factory)
	if err != nil {
		return 0, err
	}
	var cbErr error
	err = it.Iterate(ctx, func(v T) bool {
		if cbErr = fn(v); cbErr != nil {
			return false
		}
		return true
	})
	if err == nil {
		err = cbErr
	}
	return g.pages + 1, err
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// forEach runs fn over items with at most n concurrent calls and stops
// starting new ones once stop returns true.
func forEach[T any](ctx context.Context, n int, items []T, stop func() bool, fn func(context.Context, T)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, it := range items {
		if ctx.Err() != nil || stop() {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(ctx, it)
		}()
	}
	wg.Wait()
}

// fatal reports errors that doom every request: a cancelled context, a
// credential that cannot get a token, an unreachable endpoint.
func fatal(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return true
	}
	var ae *evidence.APIError
	if errors.As(err, &ae) {
		return ae.Status == 401
	}
	var sc interface{ GetStatusCode() int }
	if errors.As(err, &sc) && sc.GetStatusCode() != 0 {
		// Graph rejecting the token itself (wrong audience, expired, another
		// tenant) dooms every read; 403 is one dataset's permission.
		return sc.GetStatusCode() == 401
	}
	var ue *url.Error
	var afe *azidentity.AuthenticationFailedError
	var nr interface{ NonRetriable() }
	return errors.As(err, &ue) || errors.As(err, &afe) || errors.As(err, &nr)
}
