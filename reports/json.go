package reports

import (
	"context"
	"encoding/json"
	"io"

	"github.com/shadowpath/shadowpath/checks"
)

// JSON writes results.json exactly as the contract in DESIGN.md: two-space
// indent, fields in contract order, lists already sorted by checks.Evaluate.
type JSON struct{}

var _ Writer = JSON{}

// Format implements Writer.
func (JSON) Format() string { return "json" }

// Filename implements Writer.
func (JSON) Filename() string { return "results.json" }

// Write implements Writer.
func (JSON) Write(ctx context.Context, w io.Writer, r *checks.Results) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadResults decodes a results.json (for diff, baselines and re-rendering).
func ReadResults(r io.Reader) (*checks.Results, error) {
	var res checks.Results
	dec := json.NewDecoder(io.LimitReader(r, 1<<31))
	if err := dec.Decode(&res); err != nil {
		return nil, err
	}
	return &res, nil
}
