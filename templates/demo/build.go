// Package demo holds the synthetic evidence behind `shadowpath scan --demo`:
// an Okta org and an Entra tenant of a fictional company (Acme Corp) with a
// believable mix of good and bad configuration, recovery events and workload
// credentials. Build generates it deterministically; snapshot.json is the
// committed, embedded copy (go generate ./templates/demo keeps them in step).
package demo

//go:generate go run ./gen

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// CollectedAt is when the demo tenants were "read".
var CollectedAt = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

const (
	oktaHost    = "acme.okta.com"
	entraTenant = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	day         = 24 * time.Hour
)

// id makes a stable vendor-looking id: prefix + 17 base62 chars from a hash.
func id(prefix, seed string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(seed))
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; b.Len() < 20; i++ {
		b.WriteByte(alphabet[int(sum[i])%len(alphabet)])
	}
	return b.String()
}

// guid makes a stable RFC 4122-looking GUID from a seed.
func guid(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	h := []byte(hex.EncodeToString(sum[:16]))
	h[12], h[16] = '4', 'a'
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

func ago(d time.Duration) *time.Time {
	t := CollectedAt.Add(-d).Truncate(time.Second)
	return &t
}

func at(d time.Duration) time.Time { return CollectedAt.Add(-d).Truncate(time.Second) }

func boolp(b bool) *bool { return &b }

// Build returns the demo snapshot.
func Build() *evidence.Snapshot {
	s := &evidence.Snapshot{
		SchemaVersion: evidence.SchemaVersion,
		Tool:          "shadowpath demo generator",
		Sources:       []*evidence.Source{buildOkta(), buildEntra()},
	}
	s.Normalize()
	return s
}

func window() evidence.Window {
	return evidence.Window{Since: CollectedAt.Add(-30 * day), Until: CollectedAt}
}

func complete(p evidence.Provider, items map[string]int) []evidence.Coverage {
	var out []evidence.Coverage
	for _, ds := range evidence.Datasets[p] {
		out = append(out, evidence.Coverage{Dataset: ds, Status: evidence.Complete, Items: items[ds]})
	}
	return out
}
