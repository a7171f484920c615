package history

import "flag"

// -update is accepted so that `go test ./... -update` (which regenerates the
// golden files of other packages) runs here too; history has no golden file.
var _ = flag.Bool("update", false, "rewrite golden files (none here)")
