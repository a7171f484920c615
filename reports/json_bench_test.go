package reports_test

import (
	"io"
	"testing"

	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

// countingWriter counts the bytes written.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkJSON100k writes results.json for 100,000 identities with their
// access paths; it reports the file size as bytes/file.
func BenchmarkJSON100k(b *testing.B) {
	r := fixture.Large(100_000)
	b.ReportAllocs()
	b.ResetTimer()
	var size int64
	for b.Loop() {
		var c countingWriter
		if err := (reports.JSON{}).Write(b.Context(), io.Writer(&c), r); err != nil {
			b.Fatal(err)
		}
		size = c.n
	}
	b.ReportMetric(float64(size), "bytes/file")
}
