package demo

import (
	"bytes"
	_ "embed"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// SnapshotJSON is the committed demo evidence (snapshot.json).
//
//go:embed snapshot.json
var SnapshotJSON []byte

// ConfigYAML is the demo configuration: organisation name, declared
// break-glass accounts, service-account patterns.
//
//go:embed config.yaml
var ConfigYAML []byte

// WaiversYAML holds the demo's accepted risks.
//
//go:embed waivers.yaml
var WaiversYAML []byte

// Snapshot decodes the embedded demo evidence.
func Snapshot() (*evidence.Snapshot, error) {
	return evidence.DecodeSnapshot(bytes.NewReader(SnapshotJSON))
}
