// Command gen writes the demo evidence snapshot (run by go generate in templates/demo).
package main

import (
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
	"github.com/shadowpath/shadowpath/templates/demo"
)

func main() {
	b, err := evidence.EncodeSnapshot(demo.Build())
	if err == nil {
		err = safeio.WriteSet(".", []safeio.File{{Name: "snapshot.json", Data: b}})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("snapshot.json sha256 %x\n", sha256.Sum256(b))
}
