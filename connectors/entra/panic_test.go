package entra

import (
	"context"
	"strings"
	"testing"
)

// TestForEachReraisesWorkerPanic: a worker's panic is re-raised in the
// caller's goroutine (where the collection recovers it) instead of killing
// the process.
func TestForEachReraisesWorkerPanic(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "boom") {
			t.Errorf("recovered %v, want the worker's panic", r)
		}
	}()
	items := make([]int, 50)
	for i := range items {
		items[i] = i
	}
	forEach(context.Background(), 4, items, func() bool { return false }, func(_ context.Context, i int) {
		if i == 3 {
			panic("boom")
		}
	})
	t.Error("forEach returned normally after a worker panicked")
}
