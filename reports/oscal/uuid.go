package oscal

import (
	"crypto/sha1" //nolint:gosec // UUIDv5 is defined on SHA-1; it names, it does not protect.
	"encoding/hex"
	"strings"
)

// nameSpaceURL is the RFC 9562 namespace for URL names
// (6ba7b811-9dad-11d1-80b4-00c04fd430c8).
var nameSpaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// namespace is shadowpath's own UUIDv5 namespace for OSCAL objects, itself the
// name-based UUID of the project's OSCAL namespace URL.
var namespace = uuid5(nameSpaceURL, Namespace)

// uuid5 returns the RFC 9562 version 5 (SHA-1, name-based) UUID of name in ns.
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New() //nolint:gosec // see import
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// formatUUID renders u in the canonical 8-4-4-4-12 lowercase form.
func formatUUID(u [16]byte) string {
	var b strings.Builder
	for i, part := range [][]byte{u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]} {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(hex.EncodeToString(part))
	}
	return b.String()
}

// NameUUID returns the deterministic UUID (version 5) shadowpath uses for an
// OSCAL object named by parts, e.g. ("finding", scan, "REC-03", "okta").
// Parts are joined with NUL so that no two part lists share a name.
func NameUUID(parts ...string) string {
	return formatUUID(uuid5(namespace, strings.Join(parts, "\x00")))
}
