package okta

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// guardTransport sits below the SDK. It makes the connector read-only by
// construction (GET only, plus the OAuth token POST) and paces every request
// through the rate-limit bucket it belongs to, so the SDK's own retries are
// paced as well.
type guardTransport struct {
	next  http.RoundTripper
	pacer *pacer
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token := req.Method == http.MethodPost && req.URL.Path == "/oauth2/v1/token"
	if req.Method != http.MethodGet && !token {
		return nil, fmt.Errorf("okta: refusing %s %s: shadowpath only reads", req.Method, req.URL.Path)
	}
	b := bucketOf(req.URL.Path)
	if !token && req.Context().Value(pacedKey{}) == nil {
		if err := t.pacer.wait(req.Context(), b); err != nil {
			return nil, err
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.pacer.observe(b, resp)
		if lerr := checkLinks(req.URL.Path, resp); lerr != nil {
			return nil, lerr
		}
		resp.Body = &cutBody{ReadCloser: resp.Body, path: req.URL.Path}
	}
	return resp, err
}

// cutBody marks a failure to read a response body (the connection closed
// or reset mid-response, a Content-Length the server did not honour) so that
// it is reported as such and not as invalid JSON, which the SDK's
// io.ReadAll-then-decode would make look alike.
type cutBody struct {
	io.ReadCloser
	path string // no query: the token request's carries the client assertion
	n    int64
}

func (b *cutBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF {
		return n, &bodyCutError{path: b.path, read: b.n, err: err}
	}
	return n, err
}

// bodyCutError is a response body that ended before it was complete.
type bodyCutError struct {
	path string
	read int64
	err  error
}

func (e *bodyCutError) Error() string {
	return fmt.Sprintf("response cut off: connection closed after %d bytes of the body of %s (%v)", e.read, e.path, e.err)
}

func (e *bodyCutError) Unwrap() error { return e.err }

// pacedKey marks a request context whose pacing wait was already taken
// (by Connector.get, before the per-attempt deadline started).
type pacedKey struct{}

// bucketOf names a path's rate-limit bucket by its template: the object id
// after the collection is replaced (/api/v1/users/{id}/factors). Okta's real
// buckets are coarser for some paths; the Remaining header guard in observe
// covers buckets shared between templates.
func bucketOf(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) > 4 {
		parts[4] = "{id}"
	}
	return strings.Join(parts, "/")
}

// safety is the share of a bucket's remaining budget the pacer aims to
// spend before the reset, leaving headroom for other clients of the org.
const safety = 0.95

// pacer keeps one token-bucket limiter per rate-limit bucket. After every
// response it sets the bucket's rate to what is left of the window's budget
// (X-Rate-Limit-Remaining) spread over the time left until
// X-Rate-Limit-Reset, so it needs no assumption about the window length; and
// it blocks the bucket until the reset when a 429 arrives or fewer requests
// remain than may be in flight.
type pacer struct {
	maxWait time.Duration
	reserve int

	mu      sync.Mutex
	buckets map[string]*bucketState
	notify  func(bucket string, d time.Duration)

	waits    atomic.Int64 // reset waits taken
	limited  atomic.Int64 // 429 responses seen
	requests atomic.Int64
}

type bucketState struct {
	lim          *rate.Limiter
	blockedUntil time.Time
}

// newPacer makes a pacer; reserve is how many requests may be in flight at
// once, so a bucket is paused when fewer remain.
func newPacer(maxWait time.Duration, reserve int) *pacer {
	return &pacer{maxWait: maxWait, reserve: max(1, reserve), buckets: map[string]*bucketState{}}
}

func (p *pacer) setNotify(f func(bucket string, d time.Duration)) {
	p.mu.Lock()
	p.notify = f
	p.mu.Unlock()
}

func (p *pacer) state(b string) *bucketState {
	st := p.buckets[b]
	if st == nil {
		st = &bucketState{}
		p.buckets[b] = st
	}
	return st
}

// wait blocks until a request to bucket b may be sent.
func (p *pacer) wait(ctx context.Context, b string) error {
	for {
		p.mu.Lock()
		st := p.state(b)
		now := time.Now()
		if now.Before(st.blockedUntil) {
			d := st.blockedUntil.Sub(now)
			notify := p.notify
			p.mu.Unlock()
			p.waits.Add(1)
			if notify != nil && d >= 500*time.Millisecond {
				notify(b, d)
			}
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		lim := st.lim
		p.mu.Unlock()
		p.requests.Add(1)
		if lim == nil {
			return nil
		}
		return lim.Wait(ctx)
	}
}

// observe learns a bucket's budget from a response's headers.
func (p *pacer) observe(b string, resp *http.Response) {
	h := resp.Header
	remaining, errR := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, errS := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	if resp.StatusCode == http.StatusTooManyRequests {
		p.limited.Add(1)
	}
	now := time.Now()
	resetAt := time.Time{}
	if errS == nil && reset > 0 {
		resetAt = time.Unix(reset, 0).Add(50 * time.Millisecond)
	}
	p.mu.Lock()
	st := p.state(b)
	if errR == nil && !resetAt.IsZero() && resp.StatusCode != http.StatusTooManyRequests {
		// A 429 says nothing about the next window: the block below covers it.
		left := max(resetAt.Sub(now), time.Second)
		budget := float64(remaining-p.reserve) * safety
		r := rate.Limit(max(budget, 1) / left.Seconds())
		if st.lim == nil {
			st.lim = rate.NewLimiter(r, 1)
		} else {
			st.lim.SetLimit(r)
		}
	}
	exhausted := resp.StatusCode == http.StatusTooManyRequests || (errR == nil && remaining <= p.reserve)
	if !exhausted {
		p.mu.Unlock()
		return
	}
	until := now.Add(time.Second) // a 429 without a usable reset: back off a second
	if !resetAt.IsZero() && resetAt.After(now) {
		until = resetAt
	}
	if until.Sub(now) > p.maxWait {
		until = now.Add(p.maxWait)
	}
	if until.After(st.blockedUntil) {
		st.blockedUntil = until
	}
	notify := p.notify
	p.mu.Unlock()
	if notify != nil && resp.StatusCode == http.StatusTooManyRequests {
		notify(b, until.Sub(now))
	}
}
