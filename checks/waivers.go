package checks

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxWaiverBytes bounds a waivers file (ParseWaivers refuses more, the CLI
// reads no more); a real one is a few kilobytes.
const MaxWaiverBytes = 4 << 20

// ParseWaivers parses waivers YAML; name is used in messages
// ("waivers.yaml:12: field \"expires\": …"). An empty document has no waivers.
func ParseWaivers(name string, data []byte) ([]Waiver, error) {
	if len(data) > MaxWaiverBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxWaiverBytes)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, clip(strings.TrimPrefix(err.Error(), "yaml: "), 200))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	at := func(n *yaml.Node, field, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if field == "" {
			return fmt.Errorf("%s:%d: %s", name, n.Line, msg)
		}
		return fmt.Errorf("%s:%d: field %q: %s", name, n.Line, field, msg)
	}
	if root.Kind != yaml.MappingNode {
		return nil, at(root, "", "expected a mapping with a \"waivers\" list")
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "waivers" {
			return nil, at(k, k.Value, "unknown field (the file holds one \"waivers\" list)")
		}
		if list != nil {
			return nil, at(k, "waivers", "appears twice")
		}
		list = v
	}
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, at(list, "waivers", "expected a list of waivers")
	}
	known := map[string]bool{}
	for _, c := range Catalog() {
		known[c.ID] = true
	}
	out := make([]Waiver, 0, len(list.Content))
	for _, item := range list.Content {
		w, err := parseWaiver(item, known, at)
		if err != nil {
			return nil, err
		}
		w.Source = fmt.Sprintf("%s:%d", name, item.Line)
		out = append(out, w)
	}
	return out, nil
}

func parseWaiver(n *yaml.Node, known map[string]bool, at func(*yaml.Node, string, string, ...any) error) (Waiver, error) {
	var w Waiver
	if n.Kind != yaml.MappingNode {
		return w, at(n, "", "expected a waiver (a mapping with check, subject, reason, owner, approved_by, expires)")
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] != nil {
			return w, at(k, k.Value, "appears twice in one waiver")
		}
		seen[k.Value] = k
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!int" && v.Tag != "!!timestamp" && v.Tag != "!!float" && v.Tag != "!!bool") {
			if v.Tag == "!!null" {
				return w, at(v, k.Value, "is empty")
			}
			return w, at(v, k.Value, "expected a single value")
		}
		val := strings.TrimSpace(v.Value)
		switch k.Value {
		case "check":
			if !known[val] {
				return w, at(v, k.Value, "unknown check id %s (see `shadowpath checks`)", short(val))
			}
			w.Check = val
		case "provider":
			if val != "okta" && val != "entra" {
				return w, at(v, k.Value, "unknown provider %s (want okta or entra, or omit it for both)", short(val))
			}
			w.Provider = val
		case "subject":
			w.Subject = val
		case "reason":
			w.Reason = val
		case "owner":
			w.Owner = val
		case "approved_by":
			w.ApprovedBy = val
		case "ticket":
			w.Ticket = val
		case "expires":
			t, err := time.Parse(time.DateOnly, val)
			if err != nil {
				return w, at(v, k.Value, "%s is not an ISO date (YYYY-MM-DD)", short(val))
			}
			w.Expires = t.UTC()
		default:
			return w, at(k, k.Value, "unknown field (known: check, provider, subject, reason, owner, approved_by, ticket, expires)")
		}
	}
	for _, req := range []struct {
		field string
		val   string
	}{{"check", w.Check}, {"subject", w.Subject}, {"reason", w.Reason}, {"owner", w.Owner}, {"approved_by", w.ApprovedBy}} {
		if req.val == "" {
			if k := seen[req.field]; k != nil {
				return w, at(k, req.field, "is empty")
			}
			return w, at(n, req.field, "is required")
		}
	}
	if w.Expires.IsZero() {
		return w, at(n, "expires", "is required (a waiver without an end date is a permanent exception)")
	}
	return w, nil
}

// short quotes a value for an error message, cut so that a hostile file
// cannot turn one error into megabytes.
func short(v string) string {
	if c := clip(v, 64); c != v {
		return fmt.Sprintf("%q…", strings.TrimSuffix(c, "…"))
	}
	return fmt.Sprintf("%q", v)
}

// clip cuts s to max runes, marking the cut with an ellipsis. The YAML
// library echoes anchors and tokens of any length in its messages.
func clip(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
