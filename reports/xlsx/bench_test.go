package xlsx

import (
	"context"
	"io"
	"testing"

	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*counter)(nil)

// BenchmarkWrite100k writes the workbook for 100,000 identities with
// realistic findings. Target: < 10 s and < 400 MB peak RSS (measure RSS with
// /usr/bin/time -v on the test binary).
func BenchmarkWrite100k(b *testing.B) {
	r := fixture.Large(100_000)
	w := New(Options{})
	b.ResetTimer()
	for b.Loop() {
		var c counter
		if err := w.Write(context.Background(), &c, r); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c.n), "file-bytes")
	}
}
