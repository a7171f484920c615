package okta

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// checkLinks refuses a response whose Link header okta-sdk-golang v2 cannot
// parse. The SDK's newResponse ignores url.Parse's error and dereferences
// the nil URL, which panics in whatever goroutine made the call; a vendor
// header must cost one dataset, not the process. The check mirrors the
// SDK's parse: split at ';', trim '<' and '>', url.Parse. The header's
// value is not quoted in the error (it is tenant data).
func checkLinks(path string, resp *http.Response) error {
	for _, link := range resp.Header.Values("Link") {
		parts := strings.Split(link, ";")
		if len(parts) < 2 {
			continue // the SDK skips these too
		}
		raw := strings.TrimRight(strings.TrimLeft(parts[0], "<"), ">")
		if _, err := url.Parse(raw); err != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			return &linkError{path: path}
		}
	}
	return nil
}

// linkError is a response whose Link header is not a URL.
type linkError struct{ path string }

func (e *linkError) Error() string {
	return fmt.Sprintf("malformed Link header in the response to %s (not a URL): the list cannot be paged", e.path)
}

// recoverCall turns a panic inside an SDK call into an error for that call,
// so that one bad response costs one request (and so one item or dataset),
// never the run.
func recoverCall(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("okta: %s: the SDK failed on the response (%v)", path, r)
	}
}

// workerPanic carries a panic out of a worker goroutine, so that the
// caller's goroutine re-raises it where the collection can recover it.
type workerPanic struct {
	value any
	stack []byte
}
