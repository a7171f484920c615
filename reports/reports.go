// Package reports renders checks.Results. Each format is one Writer; the
// caller owns the file (cmd writes atomically). Writers render, they never
// compute: everything they show is in the Results or derived by the shared
// view model.
package reports

import (
	"context"
	"io"

	"github.com/shadowpath/shadowpath/checks"
)

// Writer renders results in one format.
type Writer interface {
	// Format is the --format name (json, pdf, xlsx, oscal).
	Format() string
	// Filename is the file written in the output directory.
	Filename() string
	// Write renders r to w.
	Write(ctx context.Context, w io.Writer, r *checks.Results) error
}
