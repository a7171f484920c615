package okta

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCheckLinks(t *testing.T) {
	tests := []struct {
		name string
		link []string
		bad  bool
	}{
		{"none", nil, false},
		{"valid next", []string{`<https://acme.okta.com/api/v1/users?after=00u2>; rel="next"`}, false},
		{"no parameters (the SDK skips it)", []string{`<%zz>`}, false},
		{"bad escape", []string{`<https://acme.okta.com/api/v1/users?after=1>; rel="self"`, `<%zz>; rel="next"`}, true},
		{"bad host", []string{`<https://[::1%zz/x>; rel="next"`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{Header: http.Header{"Link": tt.link}, Body: io.NopCloser(strings.NewReader("[]"))}
			err := checkLinks("/api/v1/users", resp)
			var le *linkError
			if got := errors.As(err, &le); got != tt.bad {
				t.Fatalf("checkLinks = %v, want bad=%v", err, tt.bad)
			}
			if tt.bad && strings.Contains(err.Error(), "%zz") {
				t.Errorf("error quotes the header value: %v", err)
			}
		})
	}
}

// TestForEachReraisesWorkerPanic: a panic in a worker does not kill the
// process from that goroutine; it comes back in the caller's, where the
// collection recovers it.
func TestForEachReraisesWorkerPanic(t *testing.T) {
	c := &Connector{cfg: Config{Concurrency: 4}}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "boom") {
			t.Errorf("recovered %v, want the worker's panic", r)
		}
	}()
	c.forEach(context.Background(), 100, func(_ context.Context, i int) {
		if i == 7 {
			panic("boom")
		}
	})
	t.Error("forEach returned normally after a worker panicked")
}
