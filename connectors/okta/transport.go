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
		release, err := t.pacer.wait(req.Context(), b)
		if err != nil {
			return nil, err
		}
		defer release()
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

// DefaultRateShare is the share of each rate-limit bucket the pacer spends
// unless Config.RateShare says otherwise: the buckets are org-wide, shared
// with the org's provisioning and SSO integrations.
const DefaultRateShare = 0.5

// assumedWarningThreshold is the warning threshold assumed when the org's
// own cannot be read: the lower of Okta's two documented defaults (90% for
// Workforce orgs, 60% for CIAM orgs).
const assumedWarningThreshold = 60

// resetMargin is waited past a bucket's announced reset before the next
// window is used, for clock skew between us and Okta.
const resetMargin = 50 * time.Millisecond

// pacer keeps one token-bucket limiter and one window account per
// rate-limit bucket. Per window (X-Rate-Limit-Reset) it lets the collector
// spend at most share × X-Rate-Limit-Limit requests, and never lets the
// bucket's total use (ours and the org's other clients', from
// X-Rate-Limit-Remaining) plus the requests in flight reach ceiling ×
// Limit, the org's warning threshold. Within a window it spreads what is
// left of the budget over the time left until the reset, so it needs no
// assumption about the window length; the time left is not rounded up to a
// second (a one-second window would be paced at half its rate), only
// bounded by the shortest window seen. It blocks the bucket until the reset
// when a 429 arrives or the budget is spent.
type pacer struct {
	maxWait time.Duration

	mu      sync.Mutex
	share   float64 // of Limit per window, (0, 1]
	ceiling float64 // of Limit, total use (all clients), (0, 1]
	buckets map[string]*bucketState
	notify  func(bucket string, d time.Duration)

	waits    atomic.Int64 // reset waits taken
	limited  atomic.Int64 // 429 responses seen
	requests atomic.Int64
}

type bucketState struct {
	lim          *rate.Limiter
	blockedUntil time.Time

	limit     int       // X-Rate-Limit-Limit of the current window; 0 = unknown
	resetAt   time.Time // end of the current window
	remaining int       // lowest X-Rate-Limit-Remaining seen in it
	ours      int       // our responses counted in it
	inflight  int       // requests sent (or about to be) and not answered
	winLen    time.Duration
}

// newPacer makes a pacer that spends DefaultRateShare of each bucket until
// setShare says otherwise.
func newPacer(maxWait time.Duration) *pacer {
	return &pacer{maxWait: maxWait, share: DefaultRateShare, ceiling: 1, buckets: map[string]*bucketState{}}
}

// setShare sets the share of each bucket's limit the collector may spend
// per window and the ceiling of the bucket's total use; the share never
// exceeds the ceiling.
func (p *pacer) setShare(share, ceiling float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ceiling = min(max(ceiling, 0.01), 1)
	p.share = min(max(share, 0.01), p.ceiling)
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

// budgets returns, for a bucket whose limit is known, how many requests we
// may have in its current window and how high its total use may go.
func (p *pacer) budgets(limit int) (ours, total int) {
	ours = max(1, int(p.share*float64(limit)))
	total = max(1, int(p.ceiling*float64(limit)))
	return ours, total
}

// wait blocks until a request to bucket b may be sent and reserves it;
// release must be called once the request is answered (or not sent).
func (p *pacer) wait(ctx context.Context, b string) (release func(), err error) {
	for {
		p.mu.Lock()
		st := p.state(b)
		now := time.Now()
		if !now.Before(st.blockedUntil) && st.limit > 0 {
			ours, remaining := st.ours, st.remaining
			if !now.Before(st.resetAt) {
				// The window has ended; the next response tells the new
				// one's numbers. Until then only what is in flight counts.
				ours, remaining = 0, st.limit
			}
			mine, totalCap := p.budgets(st.limit)
			switch {
			case ours+st.inflight >= mine, st.limit-remaining+st.inflight >= totalCap:
				if now.Before(st.resetAt) {
					st.blockedUntil = st.resetAt.Add(resetMargin)
				} else {
					// Spent by requests in flight: wait for their answers.
					st.blockedUntil = now.Add(10 * time.Millisecond)
				}
			}
		}
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
				return nil, ctx.Err()
			case <-t.C:
			}
			continue
		}
		lim := st.lim
		st.inflight++
		p.mu.Unlock()
		p.requests.Add(1)
		var once sync.Once
		release = func() {
			once.Do(func() {
				p.mu.Lock()
				st.inflight--
				p.mu.Unlock()
			})
		}
		if lim != nil {
			if err := lim.Wait(ctx); err != nil {
				release()
				return nil, err
			}
		}
		return release, nil
	}
}

// observe learns a bucket's window from a response's headers.
func (p *pacer) observe(b string, resp *http.Response) {
	h := resp.Header
	limit, errL := strconv.Atoi(h.Get("X-Rate-Limit-Limit"))
	remaining, errR := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, errS := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64)
	limited := resp.StatusCode == http.StatusTooManyRequests
	if limited {
		p.limited.Add(1)
	}
	now := time.Now()
	resetAt := time.Time{}
	if errS == nil && reset > 0 {
		resetAt = time.Unix(reset, 0)
	}
	p.mu.Lock()
	st := p.state(b)
	if errL != nil && errR == nil {
		// No X-Rate-Limit-Limit: the window's limit is at least what is
		// left plus what we used; assuming no more spends less, never more.
		limit, errL = remaining+1, nil
		if resetAt.Equal(st.resetAt) {
			limit = st.limit
		}
	}
	// A 429 says nothing about the next window (for concurrent-limit
	// violations Limit and Remaining are 0): the block below covers it.
	if errL == nil && limit > 0 && errR == nil && !resetAt.IsZero() && !limited {
		switch {
		case resetAt.After(st.resetAt):
			if !st.resetAt.IsZero() {
				if d := resetAt.Sub(st.resetAt); st.winLen == 0 || d < st.winLen {
					st.winLen = d
				}
			}
			st.resetAt, st.limit, st.remaining, st.ours = resetAt, limit, remaining, 1
		case resetAt.Equal(st.resetAt):
			st.ours++
			st.limit = limit
			st.remaining = min(st.remaining, remaining)
		}
		// A response from an earlier window (answered late) changes nothing.
		if resetAt.Equal(st.resetAt) {
			mine, _ := p.budgets(st.limit)
			left := st.resetAt.Sub(now)
			if st.winLen > 0 {
				left = min(left, st.winLen)
			}
			left = max(left, 10*time.Millisecond)
			r := rate.Limit(float64(max(mine-st.ours-st.inflight+1, 1)) / left.Seconds())
			if st.lim == nil {
				st.lim = rate.NewLimiter(r, 1)
			} else {
				st.lim.SetLimit(r)
			}
		}
	}
	if !limited {
		p.mu.Unlock()
		return
	}
	until := now.Add(time.Second) // a 429 without a usable reset: back off a second
	if !resetAt.IsZero() && resetAt.After(now) {
		until = resetAt.Add(resetMargin)
	}
	if until.Sub(now) > p.maxWait {
		until = now.Add(p.maxWait)
	}
	if until.After(st.blockedUntil) {
		st.blockedUntil = until
	}
	notify := p.notify
	p.mu.Unlock()
	if notify != nil {
		notify(b, until.Sub(now))
	}
}
