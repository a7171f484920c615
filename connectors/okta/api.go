package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	oktasdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

const (
	// rateLimitRetries is how many times a call answered 429 is retried;
	// each retry first waits for the bucket's reset (at most
	// Config.MaxRateLimitWait), outside the per-attempt deadline.
	rateLimitRetries = 8
	// serverErrorRetries bounds retries of transient 5xx answers.
	serverErrorRetries = 2
)

// get sends one GET through the SDK's request executor and decodes the JSON
// body into v. It adds what the SDK lacks: a deadline per attempt (which
// does not include rate-limit waits: those happen before the attempt, on
// the pacer, under ctx), bounded retries of 429s (the pacer holds the
// bucket until its reset) and of transient 5xx. Failures come back as
// evidence typed errors (see apiError).
func (c *Connector) get(ctx context.Context, path string, v any) (*oktasdk.Response, error) {
	var (
		resp *oktasdk.Response
		err  error
	)
	rlTries, srvTries := 0, 0
	for {
		resp, err = c.getOnce(ctx, path, v)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return resp, c.apiError(path, resp, ctx.Err())
		}
		switch {
		case isRateLimited(resp, err) && rlTries < rateLimitRetries:
			rlTries++
			// The pacer has recorded the bucket's reset from the 429; the
			// next attempt waits for it in getOnce, before its deadline
			// starts.
			continue
		case resp != nil && resp.Response != nil && isTransient(resp.StatusCode) && srvTries < serverErrorRetries:
			srvTries++
			if sleepCtx(ctx, time.Duration(250*(1<<srvTries))*time.Millisecond) != nil {
				return resp, c.apiError(path, resp, ctx.Err())
			}
			continue
		}
		return resp, c.apiError(path, resp, err)
	}
}

func (c *Connector) getOnce(ctx context.Context, path string, v any) (_ *oktasdk.Response, err error) {
	defer recoverCall(endpointOf(path), &err)
	release, err := c.pacer.wait(ctx, bucketOf(endpointOf(path)))
	if err != nil {
		return nil, err
	}
	defer release()
	ctx = context.WithValue(ctx, pacedKey{}, true)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	rq := c.client.CloneRequestExecutor()
	req, err := rq.WithAccept("application/json").NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return rq.Do(ctx, req, v)
}

// isRateLimited recognises a 429 that outlasted the SDK's retries: v2.20.0
// returns a nil Response and a plain errors.New("too many requests").
func isRateLimited(resp *oktasdk.Response, err error) bool {
	if resp != nil && resp.Response != nil && resp.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return resp == nil && err != nil && err.Error() == "too many requests"
}

func isTransient(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// list reads every page of a Link-paginated list. A failed page aborts the
// list with the error: pagination never silently truncates. A next link
// that repeats a page already read (a cursor that loops back) or a list
// longer than Config.MaxPages pages also ends it with an error, so a
// misbehaving server cannot keep a scan busy forever.
func list[T any](ctx context.Context, c *Connector, path string, each func(T)) error {
	g := newPageGuard(c.cfg.MaxPages)
	for path != "" {
		if err := g.next(path); err != nil {
			return err
		}
		var page []T
		resp, err := c.get(ctx, path, &page)
		if err != nil {
			return err
		}
		for _, it := range page {
			each(it)
		}
		if len(page) == 0 || resp == nil || !resp.HasNextPage() {
			return nil
		}
		path = resp.NextPage
	}
	return nil
}

// pageGuard bounds one paged read: the number of pages and repeated pages.
type pageGuard struct {
	max      int
	pages    int
	endpoint string
	seen     map[string]bool
}

func newPageGuard(maxPages int) *pageGuard {
	return &pageGuard{max: maxPages, seen: map[string]bool{}}
}

// next records that path is about to be read and refuses it when it was
// read before or when the page budget is spent.
func (g *pageGuard) next(path string) error {
	key := canonicalPath(path)
	if g.endpoint == "" {
		g.endpoint = endpointOf(path)
	}
	if g.seen[key] {
		return fmt.Errorf("okta: %s: pagination: the next link repeats a page already read (after %d pages); the list was not read to its end", g.endpoint, g.pages)
	}
	if g.pages >= g.max {
		return fmt.Errorf("okta: %s: pagination: more than %d pages; stopped before the end of the list", g.endpoint, g.max)
	}
	g.seen[key] = true
	g.pages++
	return nil
}

// canonicalPath orders a path's query parameters, so that the same page
// reached through links that encode its query differently is recognised.
func canonicalPath(p string) string {
	u, err := url.Parse(p)
	if err != nil {
		return p
	}
	return u.Path + "?" + u.Query().Encode()
}

// endpointOf strips the query (which may carry cursors) from a path.
func endpointOf(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

// neededFor names the OAuth scope (or, for API tokens, the admin permission
// the token's owner needs) that an endpoint requires.
func neededFor(endpoint string) string {
	switch {
	case strings.HasPrefix(endpoint, "/api/v1/iam/"), strings.HasPrefix(endpoint, "/oauth2/v1/clients/"),
		strings.HasPrefix(endpoint, "/api/v1/users/") && strings.HasSuffix(endpoint, "/roles"),
		strings.HasPrefix(endpoint, "/api/v1/groups/") && strings.HasSuffix(endpoint, "/roles"):
		return "okta.roles.read"
	case strings.HasPrefix(endpoint, "/api/v1/users"):
		return "okta.users.read"
	case strings.HasPrefix(endpoint, "/api/v1/groups"):
		return "okta.groups.read"
	case strings.HasPrefix(endpoint, "/api/v1/authenticators"):
		return "okta.authenticators.read"
	case strings.HasPrefix(endpoint, "/api/v1/policies"):
		return "okta.policies.read"
	case strings.HasPrefix(endpoint, "/api/v1/zones"):
		return "okta.networkZones.read"
	case strings.HasPrefix(endpoint, "/api/v1/rate-limit-settings"):
		return "okta.rateLimits.read"
	case strings.HasPrefix(endpoint, "/api/v1/logs"):
		return "okta.logs.read"
	case strings.HasPrefix(endpoint, "/api/v1/api-tokens"):
		return "okta.apiTokens.read"
	case strings.HasPrefix(endpoint, "/api/v1/apps/") && strings.HasSuffix(endpoint, "/grants"):
		return "okta.appGrants.read"
	case strings.HasPrefix(endpoint, "/api/v1/apps"):
		return "okta.apps.read"
	case endpoint == "/oauth2/v1/token":
		return "a service app allowed the client-credentials grant with these scopes: " + strings.Join(Scopes, " ")
	}
	return "read-only administrator"
}

// apiError is the one place that turns SDK and transport failures into the
// evidence typed errors. Messages carry the endpoint path (no query, no
// host, no headers), the HTTP status and Okta's error code and summary.
func (c *Connector) apiError(path string, resp *oktasdk.Response, err error) error {
	endpoint := endpointOf(path)
	status := 0
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	base := evidence.APIError{Provider: evidence.Okta, Status: status, Endpoint: endpoint}

	var oe *oktasdk.Error
	switch {
	case errors.As(err, &oe):
		base.Code = oe.ErrorCode
		base.Message = oe.ErrorSummary
		if oe.ErrorMessage != "" && status == 0 {
			// An OAuth error from the token endpoint, raised while the SDK
			// authorized the request: the credential was refused.
			base.Status = http.StatusUnauthorized
			base.Endpoint = "/oauth2/v1/token"
			base.Code = oe.ErrorMessage
			base.Message = oe.ErrorDescription
			return &evidence.PermissionError{APIError: base, Needed: neededFor("/oauth2/v1/token")}
		}
		if base.Message == "" {
			base.Message = oe.ErrorDescription
		}
		switch status {
		case http.StatusUnauthorized, http.StatusForbidden:
			return &evidence.PermissionError{APIError: base, Needed: neededFor(endpoint)}
		case http.StatusTooManyRequests:
			return &evidence.RateLimitError{APIError: base}
		}
		return &base
	case isRateLimited(resp, err):
		base.Status = http.StatusTooManyRequests
		base.Message = "rate limit: retries exhausted"
		return &evidence.RateLimitError{APIError: base}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error quotes the whole URL; the token request carries the
		// signed client assertion in its query, so drop every query.
		err = fmt.Errorf("%s %s: %w", ue.Op, endpointOf(stripHost(ue.URL)), ue.Err)
	}
	var cut *bodyCutError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &cut):
		return fmt.Errorf("okta: %s: %w", endpoint, cut)
	case isTimeout(err):
		return fmt.Errorf("okta: %s: timed out: no complete response within the %s request deadline: %w", endpoint, c.cfg.RequestTimeout, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("okta: %s: %w", endpoint, err)
	case errors.As(err, &syn), errors.As(err, &typ), errors.Is(err, io.ErrUnexpectedEOF):
		// The body arrived whole (a cut body is caught above) but does not
		// decode: JSON cut short by the server, or not JSON at all.
		return fmt.Errorf("okta: %s: decode response: invalid JSON: %w", endpoint, err)
	}
	if ue != nil {
		return fmt.Errorf("okta: %w", err)
	}
	if status >= 200 && status < 300 || status == 0 {
		// A body that is not the JSON we expect (or no body at all).
		return fmt.Errorf("okta: %s: decode response: %w", endpoint, err)
	}
	base.Message = err.Error()
	return &base
}

// isTimeout recognises a request that ran out of time: our per-call
// context deadline or the HTTP client's own timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func stripHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Path
}

// forEach runs fn for i in [0,n) on the connector's bounded worker pool.
func (c *Connector) forEach(ctx context.Context, n int, fn func(ctx context.Context, i int)) {
	workers := min(c.cfg.Concurrency, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var crashed *workerPanic
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic must not kill the process from here: keep the first,
			// drain the queue, and re-raise it in the caller's goroutine.
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { crashed = &workerPanic{value: r, stack: debug.Stack()} })
					for range next {
					}
				}
			}()
			for i := range next {
				fn(ctx, i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if crashed != nil {
		panic(fmt.Sprintf("okta worker: %v\n%s", crashed.value, crashed.stack))
	}
}

// rawJSON decodes a json.RawMessage leniently into v; ok is false (and v
// untouched) for an absent or malformed value.
func rawJSON(m json.RawMessage, v any) bool {
	if len(m) == 0 || string(m) == "null" {
		return false
	}
	return json.Unmarshal(m, v) == nil
}
