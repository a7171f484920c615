package main

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/shadowpath/shadowpath/checks"
)

// Where the demo's built-in data lives in the shadowpath source tree: the
// embedded bytes are these files' (templates/demo/embed.go), so the cover's
// verify command works in a checkout.
const (
	demoSnapshotPath = "templates/demo/snapshot.json"
	demoConfigPath   = "templates/demo/config.yaml"
	demoWaiversPath  = "templates/demo/waivers.yaml"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// scanInputs lists the files a scan read, with their SHA-256, for
// Results.Inputs: the snapshot(s), the configuration and the waivers.
func scanInputs(opts *scanOptions, cfg *config, snaps []checks.Input, waivers *checks.Input) []checks.Input {
	in := append([]checks.Input(nil), snaps...)
	switch {
	case opts.configPath != "":
		in = append(in, checks.Input{Role: checks.InputConfig, Path: opts.configPath, SHA256: cfg.sha256})
	case opts.demo:
		in = append(in, checks.Input{Role: checks.InputConfig, Path: demoConfigPath, SHA256: cfg.sha256, BuiltIn: true})
	}
	if waivers != nil {
		in = append(in, *waivers)
	}
	return in
}
