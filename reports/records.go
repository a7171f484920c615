package reports

import "strings"

// EvidenceRecords returns the records a finding's evidence lists under key
// (checks write "event_details" on REC-06/REC-07 findings and "credentials"
// on NHI-04/NHI-07 findings): the maps of a list, whether built in memory
// ([]map[string]any) or decoded from results.json ([]any).
func EvidenceRecords(ev map[string]any, key string) []map[string]any {
	switch x := ev[key].(type) {
	case []map[string]any:
		return x
	case []any:
		var out []map[string]any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// RecordString is a record's field as text ("" when absent); numbers print
// as integers when they are whole.
func RecordString(rec map[string]any, key string) string {
	switch v := rec[key].(type) {
	case string, int, float64, bool:
		return valueText(v)
	}
	return ""
}

// RecordInt is a record's whole-number field; ok is false when it is absent
// or not a number.
func RecordInt(rec map[string]any, key string) (int, bool) {
	switch v := rec[key].(type) {
	case int:
		return v, true
	case float64:
		if v == float64(int(v)) {
			return int(v), true
		}
	}
	return 0, false
}

// EvidenceValue reads an evidence key as text (lists joined with ", "); ""
// when the key is absent.
func EvidenceValue(ev map[string]any, key string) string {
	v, ok := ev[key]
	if !ok {
		return ""
	}
	s := valueText(v)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	return s
}
