package reports

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// Fact is one labelled piece of a finding's evidence, worded for people
// ("Methods: FIDO2, SMS"). The raw evidence stays in the XLSX Findings sheet.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// FactOptions bound EvidenceFacts.
type FactOptions struct {
	// Max is how many facts to return (default 5); ValueRunes how long a
	// value may be before it is cut with "…" (default 90); ListItems how many
	// items of a list are named before "+N more" (default 4).
	Max        int
	ValueRunes int
	ListItems  int
	// Names, when set, rewrites ids as "Name (id)" wherever a name was read,
	// flagging privileged or weak accounts among actors and owners.
	Names *Directory
	// Self is the subject's own id: left as it is (the row names it).
	Self string
}

// resolve names the ids in one fact's text (see FactOptions.Names).
func (o FactOptions) resolve(key, text string) string {
	if o.Names == nil {
		return text
	}
	return o.Names.ResolveEvidence(key, text, o.Self)
}

// actorKeys are evidence keys naming who acted or who owns: an account
// there that is privileged or weak is flagged.
var actorKeys = map[string]bool{"actor": true, "actors": true, "owner": true, "owners": true, "inactive_owners": true, "privileged_owner": true, "approver": true}

// valueKind says how a known evidence key is worded.
type valueKind int

const (
	vText    valueKind = iota // scalar or list as is
	vMethods                  // method kinds: "fido2" → "FIDO2"
	vPath                     // free text naming method kinds
	vCount                    // a list counted: "3"
	vRoles                    // role ids: Entra built-in template ids named
)

type factSpec struct {
	key, label string
	kind       valueKind
}

// accountFlags are boolean evidence keys shown together as one "Account"
// fact when true (false says nothing a reader needs).
var accountFlags = []struct{ key, label string }{
	{"privileged", "privileged"},
	{"service_account", "service account"},
	{"break_glass", "break-glass"},
}

// factSpecs are the evidence keys checks.Evaluate records, most telling
// first. Keys not listed come after them (alphabetically), then lowSpecs.
var factSpecs = []factSpec{
	{"methods", "Methods", vMethods},
	{"weakest_path", "Weakest path", vPath},
	{"weakest_recovery_path", "Weakest recovery path", vPath},
	{"paths", "Paths", vPath},
	{"path_policies", "Decided by", vText},
	{"accounts_landing_weaker", "Accounts falling through", vText},
	{"roles", "Roles", vRoles},
	{"nominal_aal", "", vText}, // with effective_aal: one "Assurance" fact
	{"effective_aal", "", vText},
	{"usable_non_phishing_resistant", "Usable, not phishing-resistant", vMethods},
	{"phishing_resistant", "Phishing-resistant", vMethods},
	{"recovery_assurance", "Recovery assurance", vText},
	{"required_sign_in", "Sign-in requires", vText},
	{"required_by", "Required by", vText},
	{"reasons", "Reasons", vText},
	{"grants", "Grants", vText},
	{"policy_names", "Policies", vText},
	{"single_proof_channels", "Single-proof channels", vMethods},
	{"step_up_required", "Step-up required", vText},
	{"step_up_methods", "Step-up methods", vMethods},
	{"self_service", "Self-service", vText},
	{"kinds", "Kinds", vPath},
	{"event_count", "Events", vText},
	{"events", "Events", vCount},
	{"sign_ins", "Sign-ins", vText},
	{"sign_in_events", "Sign-ins", vCount},
	{"resets", "Resets", vText},
	{"max_per_day", "Most in one day", vText},
	{"threshold", "Threshold", vText},
	{"actors", "Actors", vText},
	{"last_reset", "Last reset", vText},
	{"days", "Days", vText},
	{"targets", "Applies to", vText},
	{"members", "Members", vText},
	{"privileged_members", "Privileged members", vText},
	{"service_accounts", "Service accounts", vText},
	{"accounts", "Accounts", vText},
	{"accounts_relying", "Accounts relying on it", vText},
	{"privileged_accounts_relying", "Privileged accounts relying on it", vText},
	{"owner_org", "Owner organisation", vText},
	{"auth_method", "Authenticates with", vText},
	{"max_lifetime_minutes", "Maximum lifetime (min)", vText},
	{"default_lifetime_minutes", "Default lifetime (min)", vText},
	{"reusable", "Reusable", vText},
}

// lowSpecs are identifiers and provenance: kept last, usually cut.
var lowSpecs = []factSpec{
	{"source", "Source", vText},
	{"rule_id", "Rule ID", vText},
	{"app_id", "App ID", vText},
	{"vendor_key", "Vendor key", vText},
	{"sample", "Sample", vText},
	{"policies", "Policy IDs", vText},
	{"secrets", "Secrets", vText},
	{"live_credentials", "Live credentials", vText},
	{"long_lived", "Long-lived credentials", vText},
	{"non_expiring", "Non-expiring credentials", vText},
	{"unused_credentials", "Unused credentials", vText},
	{"inactive_owners", "Inactive owners", vText},
}

// skipKeys never become facts: the mapped controls show the OWASP entry. A
// string login is shown with the subject (SubjectRow.Login).
//
// event_details and credentials are records (one per event or credential)
// that the XLSX lists a row each (Recovery events, Workload identities);
// the facts already count the events and name the credentials.
var skipKeys = map[string]bool{"owasp_nhi": true, "event_details": true, "credentials": true}

// methodLabels words the normalized method kinds.
var methodLabels = map[string]string{
	string(evidence.KindPassword):           "password",
	string(evidence.KindSecurityQuestion):   "security question",
	string(evidence.KindEmailOTP):           "email OTP",
	string(evidence.KindSMS):                "SMS",
	string(evidence.KindVoice):              "voice call",
	string(evidence.KindTOTPSoftware):       "software OTP",
	string(evidence.KindTOTPHardware):       "hardware OTP",
	string(evidence.KindPush):               "push",
	string(evidence.KindPasswordlessApp):    "passwordless app",
	string(evidence.KindFastPass):           "Okta FastPass",
	string(evidence.KindPasskeySynced):      "synced passkey",
	string(evidence.KindFIDO2):              "FIDO2",
	string(evidence.KindWindowsHello):       "Windows Hello",
	string(evidence.KindPasskeyDeviceBound): "device-bound passkey",
	string(evidence.KindCertificate):        "certificate",
	string(evidence.KindTAP):                "temporary access pass",
	string(evidence.KindUnknown):            "unknown method",
}

// entraRoles names the Entra built-in roles by template id (Microsoft Entra
// built-in roles reference), for the privileged and identity-related roles
// the checks report; other ids are printed as recorded.
var entraRoles = map[string]string{
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
	"966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
	"0526716b-113d-4c15-b2c8-68e3c22b9f80": "Authentication Policy Administrator",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
	"cf1c38e5-3621-4004-a7cb-879624dced7c": "Application Developer",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"be2f45a1-457d-42af-a067-6ec1fa63bc45": "External Identity Provider Administrator",
	"8329153b-31d0-4727-b945-745eb3bc5f31": "Domain Name Administrator",
	"9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
	"fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
	"3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
	"7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
	"29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
	"f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
	"69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
	"5f2222b1-57c3-48ba-8ad5-d4759f1fde6f": "Security Operator",
	"5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}

var methodToken = regexp.MustCompile(`[A-Za-z0-9_]+`)

// MethodLabel words a normalized method kind ("email_otp" → "email OTP");
// other values come back unchanged.
func MethodLabel(kind string) string {
	if l, ok := methodLabels[kind]; ok {
		return l
	}
	return kind
}

// humanPath replaces the method kinds named in free text.
func humanPath(s string) string {
	return methodToken.ReplaceAllStringFunc(s, func(tok string) string {
		if l, ok := methodLabels[tok]; ok {
			return l
		}
		return tok
	})
}

// EvidenceFacts turns a finding's evidence into at most o.Max labelled
// facts, most telling first, and says how many evidence fields it left out.
// It never fails: a value of an unexpected type is printed as JSON.
func EvidenceFacts(ev map[string]any, o FactOptions) (facts []Fact, omitted int) {
	if o.Max <= 0 {
		o.Max = 5
	}
	if o.ValueRunes <= 0 {
		o.ValueRunes = 90
	}
	if o.ListItems <= 0 {
		o.ListItems = 4
	}
	used := map[string]bool{}
	if _, ok := ev["login"].(string); ok {
		used["login"] = true
	}
	var all []Fact
	add := func(label, value string) {
		all = append(all, Fact{Label: label, Value: CutAtWord(value, o.ValueRunes)})
	}

	var flags []string
	for _, f := range accountFlags {
		if v, ok := ev[f.key]; ok {
			used[f.key] = true
			if b, ok := v.(bool); ok {
				if b {
					flags = append(flags, f.label)
				}
				continue
			}
			add(humanKey(f.key), factValue(v, vText, o))
		}
	}
	if len(flags) > 0 {
		all = append([]Fact{{Label: "Account", Value: strings.Join(flags, ", ")}}, all...)
	}
	counted := false
	spec := func(s factSpec) {
		v, ok := ev[s.key]
		if !ok || used[s.key] {
			return
		}
		used[s.key] = true
		if s.key == "nominal_aal" || s.key == "effective_aal" {
			nom, hasNom := ev["nominal_aal"]
			eff, hasEff := ev["effective_aal"]
			used["nominal_aal"], used["effective_aal"] = true, true
			switch {
			case hasNom && hasEff:
				add("Assurance", fmt.Sprintf("nominal %s, effective %s", factValue(nom, vText, o), factValue(eff, vText, o)))
			case hasNom:
				add("Nominal AAL", factValue(nom, vText, o))
			default:
				add("Effective AAL", factValue(eff, vText, o))
			}
			return
		}
		if s.kind == vCount {
			// Event id lists: one count is enough, and a recorded count
			// (event_count, sign_ins) wins.
			if _, ok := ev["event_count"]; ok || counted {
				return
			}
			if _, ok := ev["sign_ins"]; ok && s.key == "sign_in_events" {
				return
			}
			counted = true
		}
		if s.key == "policies" {
			if _, ok := ev["policy_names"]; ok {
				return
			}
		}
		add(s.label, o.resolve(s.key, factValue(v, s.kind, o)))
	}
	for _, s := range factSpecs {
		spec(s)
	}
	low := map[string]bool{}
	for _, s := range lowSpecs {
		low[s.key] = true
	}
	keys := make([]string, 0, len(ev))
	for k := range ev {
		if !used[k] && !skipKeys[k] && !low[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		add(humanKey(k), o.resolve(k, factValue(ev[k], vText, o)))
	}
	for _, s := range lowSpecs {
		spec(s)
	}
	if len(all) > o.Max {
		return all[:o.Max], len(all) - o.Max
	}
	return all, 0
}

// FactsText joins facts as "Label: value · Label: value".
func FactsText(fs []Fact) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Label + ": " + f.Value
	}
	return strings.Join(parts, " · ")
}

// CutAtWord shortens s to at most n runes of whole words (separated by
// spaces) and " …", so that "…" never stands inside an id, an e-mail
// address or a hash ("okta.users.man…" told an auditor nothing and could not
// be searched for). A list's "+N more" tail is kept so the count is not
// lost; the only text longer than n it returns is a first word too long to
// fit (up to maxToken runes), which it never splits. s is returned
// unchanged when it fits.
func CutAtWord(s string, n int) string {
	const maxToken = 128 // a SHA-512 in hex
	r := []rune(s)
	if n <= 0 || len(r) <= n {
		return s
	}
	body, tail := s, ""
	if i := strings.LastIndex(s, " +"); i > 0 && strings.HasSuffix(s, " more") {
		body, tail = s[:i], s[i:]
		r = []rune(body)
		n -= len([]rune(tail))
	}
	limit := n - 2 // room for " …"
	end := -1
	for i := 0; i < len(r) && i <= limit; i++ {
		if unicode.IsSpace(r[i]) {
			end = i
		}
	}
	if end <= 0 {
		// The first word alone is too long: keep it whole.
		first := len(r)
		for i, c := range r {
			if unicode.IsSpace(c) {
				first = i
				break
			}
		}
		if first > maxToken {
			// Not an identifier: a blob no reader can use whole.
			return string(r[:n-1]) + "…" + tail
		}
		if first >= len(r) {
			return body + tail // one word: kept whole, byte for byte
		}
		end = first
	}
	return strings.TrimRight(string(r[:end]), " ,;:/(·") + " …" + tail
}

// factValue words one evidence value.
func factValue(v any, kind valueKind, o FactOptions) string {
	word := func(s string) string {
		switch kind {
		case vMethods:
			return MethodLabel(s)
		case vPath:
			return humanPath(s)
		case vRoles:
			if n, ok := entraRoles[strings.ToLower(s)]; ok {
				return n
			}
		}
		return s
	}
	switch v := v.(type) {
	case nil:
		return "not recorded"
	case string:
		if v == "" {
			return "none"
		}
		return word(v)
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return Thousands(int(v))
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return Thousands(v)
	case []string:
		items := make([]any, len(v))
		for i, s := range v {
			items[i] = s
		}
		return factValue(items, kind, o)
	case []any:
		if kind == vCount {
			return Thousands(len(v))
		}
		if len(v) == 0 {
			return "none"
		}
		n := len(v)
		shown := v
		if n > o.ListItems {
			shown = v[:o.ListItems-1]
		}
		parts := make([]string, len(shown))
		for i, x := range shown {
			parts[i] = factValue(x, kind, o)
		}
		s := strings.Join(parts, ", ")
		if n > len(shown) {
			s += fmt.Sprintf(" +%d more", n-len(shown))
		}
		return s
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = humanKey(k) + " " + factValue(v[k], kind, o)
		}
		return strings.Join(parts, "; ")
	}
	return valueText(v)
}

// acronyms are key words printed in capitals.
var acronyms = map[string]string{"id": "ID", "ids": "IDs", "aal": "AAL", "mfa": "MFA", "otp": "OTP", "sms": "SMS", "ca": "CA", "ip": "IP", "app": "app", "nhi": "NHI", "url": "URL"}

// humanKey turns snake_case and camelCase keys into a label:
// "accounts_relying" → "Accounts relying", "appOwnerOrganizationId" → "App
// owner organization ID".
func humanKey(k string) string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	rs := []rune(k)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	for i, w := range words {
		lw := strings.ToLower(w)
		if a, ok := acronyms[lw]; ok {
			words[i] = a
		} else {
			words[i] = lw
		}
	}
	s := strings.Join(words, " ")
	if r := []rune(s); len(r) > 0 {
		s = string(unicode.ToUpper(r[0])) + string(r[1:])
	}
	if s == "" {
		return "Value"
	}
	return s
}
