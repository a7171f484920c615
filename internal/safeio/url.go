package safeio

import (
	"net/url"
	"strings"
)

// HasUserinfo reports whether a configured URL carries a user name or
// password (https://user:pass@host). Such a URL is refused everywhere: the
// password would travel into error messages, logs, reports and snapshots,
// which print the URL or its host. It also catches URLs url.Parse rejects,
// by looking for '@' in what would be the authority.
func HasUserinfo(raw string) bool {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil {
		return u.User != nil
	}
	rest := raw
	if _, after, ok := strings.Cut(raw, "//"); ok {
		rest = after
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}
