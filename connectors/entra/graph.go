package entra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
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
	evidence.DSRoles:             "RoleManagement.Read.Directory (or Directory.Read.All; PIM-eligible assignments need RoleManagement.Read.Directory and Entra ID P2)",
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
		var cut *bodyCutError
		var ne net.Error
		switch {
		case errors.As(err, &cut):
			return fmt.Errorf("entra: %s: %w", endpoint, cut)
		case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
			return fmt.Errorf("entra: %s: timed out: no complete response within the request deadline: %w", endpoint, err)
		case strings.Contains(err.Error(), "invalid json"), strings.Contains(err.Error(), "content is empty"):
			// kiota's JSON parse node reports a body that is not JSON
			// with these plain errors.
			return fmt.Errorf("entra: %s: decode response: invalid JSON: %w", endpoint, err)
		}
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

// isLicenceError reports an answer refusing a feature the tenant has no
// licence for (Graph answers PIM reads without Entra ID P2 with a 400 or
// 403 whose code names the missing premium licence).
func isLicenceError(err error) bool {
	var ae *evidence.APIError
	if !errors.As(err, &ae) {
		return false
	}
	code := strings.ToLower(ae.Code + " " + ae.Message)
	return strings.Contains(code, "licen") || strings.Contains(code, "premium")
}

// isDenied reports a 401/403 answer.
func isDenied(err error) bool {
	var pe *evidence.PermissionError
	return errors.As(err, &pe)
}

// guardAdapter wraps the request adapter for next-page requests: a nextLink
// seen before, or more than max pages, ends the read with an error instead
// of looping forever.
type guardAdapter struct {
	abstractions.RequestAdapter
	max   int
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
	tooMany := g.pages > g.max
	pages := g.pages
	g.mu.Unlock()
	if repeat {
		return nil, fmt.Errorf("pagination: @odata.nextLink repeats a page already read (after %d pages); the collection was not read to its end", pages)
	}
	if tooMany {
		return nil, fmt.Errorf("pagination: more than %d pages; stopped before the end of the collection", g.max)
	}
	return g.RequestAdapter.Send(ctx, ri, f, em)
}

// iterate walks every page of a collection response with the SDK's
// PageIterator, calling fn for each item; pages counts the pages read.
func iterate[T any](ctx context.Context, c *Connector, first any, factory serialization.ParsableFactory, fn func(T) error) (pages int, err error) {
	g := &guardAdapter{RequestAdapter: c.adapter, max: c.cfg.MaxPages, seen: map[string]bool{}}
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
	var mu sync.Mutex
	var crashed any
	for _, it := range items {
		if ctx.Err() != nil || stop() {
			break
		}
		mu.Lock()
		done := crashed != nil
		mu.Unlock()
		if done {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// A panic must not kill the process from a worker: keep the
			// first and re-raise it in the caller's goroutine, where the
			// collection can recover it.
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					if crashed == nil {
						crashed = fmt.Sprintf("%v\n%s", r, debug.Stack())
					}
					mu.Unlock()
				}
			}()
			fn(ctx, it)
		}()
	}
	wg.Wait()
	if crashed != nil {
		panic(fmt.Sprintf("entra worker: %v", crashed))
	}
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
	var afe *azidentity.AuthenticationFailedError
	var nr interface{ NonRetriable() }
	return evidence.Unreachable(err) || errors.As(err, &afe) || errors.As(err, &nr)
}

// cutBody marks a failure to read a response body (connection closed or
// reset mid-response, a Content-Length the server did not honour), so that
// it is reported as such and not as a decoding problem.
type cutBody struct {
	io.ReadCloser
	n int64
}

func (b *cutBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF {
		return n, &bodyCutError{read: b.n, err: err}
	}
	return n, err
}

// bodyCutError is a response body that ended before it was complete.
type bodyCutError struct {
	read int64
	err  error
}

func (e *bodyCutError) Error() string {
	return fmt.Sprintf("response cut off: connection closed after %d bytes of the body (%v)", e.read, e.err)
}

func (e *bodyCutError) Unwrap() error { return e.err }
