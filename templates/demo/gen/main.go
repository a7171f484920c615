// Command gen writes the demo evidence snapshot (run by go generate in templates/demo).
package main

import (
	"fmt"
	"os"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/templates/demo"
)

func main() {
	sum, err := evidence.WriteSnapshot("snapshot.json", demo.Build())
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Println("snapshot.json sha256", sum)
}
