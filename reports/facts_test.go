package reports

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvidenceFacts(t *testing.T) {
	tests := []struct {
		name    string
		ev      map[string]any
		opts    FactOptions
		want    []Fact
		omitted int
	}{
		{
			name: "privileged user from MFA-04",
			ev: map[string]any{
				"login": "aisha.bello@acme.com", "methods": []any{"fido2"}, "phishing_resistant": []any{"fido2"},
				"privileged": true, "roles": []any{"APP_ADMIN"}, "usable_non_phishing_resistant": []any{"email_otp", "security_question"},
				"weakest_path": "email_otp + security_question (self-service recovery)", "effective_aal": "AAL1",
			},
			want: []Fact{
				{"Account", "privileged"},
				{"Methods", "FIDO2"},
				{"Weakest path", "email OTP + security question (self-service recovery)"},
				{"Roles", "APP_ADMIN"},
				{"Effective AAL", "AAL1"},
			},
			omitted: 2, // usable non-phishing-resistant, phishing-resistant
		},
		{
			name: "false flags say nothing; AAL pair is one fact",
			ev:   map[string]any{"privileged": false, "service_account": false, "nominal_aal": "AAL3", "effective_aal": "AAL2"},
			want: []Fact{{"Assurance", "nominal AAL3, effective AAL2"}},
		},
		{
			name: "long lists and values are cut",
			ev:   map[string]any{"reasons": []any{"a", "b", "c", "d", "e", "f"}, "note": strings.Repeat("x", 200)},
			opts: FactOptions{ValueRunes: 20, ListItems: 3},
			want: []Fact{{"Reasons", "a, b +4 more"}, {"Note", strings.Repeat("x", 19) + "…"}},
		},
		{
			name: "events are counted once, event_count wins",
			ev:   map[string]any{"events": []any{"e1", "e2"}, "event_count": 2.0, "actors": []any{"helpdesk"}},
			want: []Fact{{"Events", "2"}, {"Actors", "helpdesk"}},
		},
		{
			name: "policy ids give way to names; ids last",
			ev:   map[string]any{"policies": []any{"0446-..."}, "policy_names": []any{"CA001"}, "rule_id": "0pr1", "client": "Chrome"},
			want: []Fact{{"Policies", "CA001"}, {"Client", "Chrome"}, {"Rule ID", "0pr1"}},
		},
		{
			name: "unknown keys humanised, odd values never panic",
			ev:   map[string]any{"isUsableForSignIn": true, "appOwnerOrganizationId": "72f9", "n": nil, "ch": make(chan int), "lifetime_days": 102000.0, "ratio": 0.5},
			opts: FactOptions{Max: 10},
			want: []Fact{{"App owner organization ID", "72f9"}, {"Ch", ""}, {"Is usable for sign in", "yes"}, {"Lifetime days", "102,000"}, {"N", "not recorded"}, {"Ratio", "0.5"}},
		},
		{
			name: "Entra role template ids are named, others kept",
			ev:   map[string]any{"roles": []any{"62E90394-69F5-4237-9190-012177145E10", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "SUPER_ADMIN", "0000-custom"}},
			want: []Fact{{"Roles", "Global Administrator, Helpdesk Administrator, SUPER_ADMIN, 0000-custom"}},
		},
		{
			name: "non-string login stays a fact",
			ev:   map[string]any{"login": 42},
			want: []Fact{{"Login", "42"}},
		},
		{name: "empty", ev: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, omitted := EvidenceFacts(tt.ev, tt.opts)
			if tt.name == "unknown keys humanised, odd values never panic" {
				got[1].Value = "" // fmt's rendering of a channel is an address
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
			if omitted != tt.omitted {
				t.Errorf("omitted = %d, want %d", omitted, tt.omitted)
			}
		})
	}
}

func TestHumanWording(t *testing.T) {
	keys := map[string]string{
		"accounts_relying": "Accounts relying", "appOwnerOrganizationId": "App owner organization ID",
		"isUsableForSignIn": "Is usable for sign in", "maximumLifetimeInMinutes": "Maximum lifetime in minutes",
		"retention_days": "Retention days", "MFA": "MFA", "": "Value", "x509Cert": "X509 cert",
	}
	for in, want := range keys {
		t.Run("key "+in, func(t *testing.T) {
			if got := humanKey(in); got != want {
				t.Errorf("humanKey(%q) = %q, want %q", in, got, want)
			}
		})
	}
	paths := map[string]string{
		"email_otp + security_question (self-service recovery: Default Policy)": "email OTP + security question (self-service recovery: Default Policy)",
		"password only (registering a method the sign-in policy accepts)":       "password only (registering a method the sign-in policy accepts)",
		"sms (sign-in)": "SMS (sign-in)",
	}
	for in, want := range paths {
		t.Run("path "+in, func(t *testing.T) {
			if got := humanPath(in); got != want {
				t.Errorf("humanPath(%q) = %q, want %q", in, got, want)
			}
		})
	}
	if got := FactsText([]Fact{{"Methods", "FIDO2"}, {"Roles", "APP_ADMIN"}}); got != "Methods: FIDO2 · Roles: APP_ADMIN" {
		t.Errorf("FactsText = %q", got)
	}
}

// TestCutAtWordNeverSplitsAToken: a cut value ends at a word, so an id, an
// e-mail address or a permission scope is printed whole or not at all
// (issue 15: "okta.users.man…", "00pZfa4Qkw3YkI…").
func TestCutAtWordNeverSplitsAToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 90, "short"},
		{"okta.groups.read, okta.users.manage, okta.apps.read", 40, "okta.groups.read, okta.users.manage …"},
		{"Default Policy / Default Rule (Default Policy), 00pZfa4Qkw3YkIabcdef", 60, "Default Policy / Default Rule (Default Policy) …"},
		{"00ppyjAI5zPPZa1NBycN/0prpFVpDabcdefghij rest", 10, "00ppyjAI5zPPZa1NBycN/0prpFVpDabcdefghij …"},
		{"0123456789abcdef0123456789abcdef", 8, "0123456789abcdef0123456789abcdef"},
		{"alice@example.com, bob@example.com, carol@example.com +3 more", 45, "alice@example.com, bob@example.com … +3 more"},
	} {
		got := CutAtWord(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("CutAtWord(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if strings.Contains(tc.in, " ") && got != tc.in && len([]rune(got)) > tc.n && !strings.HasPrefix(tc.in, strings.Fields(got)[0]+" ") {
			t.Errorf("CutAtWord(%q, %d) = %q: longer than %d", tc.in, tc.n, got, tc.n)
		}
	}
}

// FuzzCutAtWord: whatever the text, a cut keeps whole words of it, in order,
// then "…" (and a list's "+N more"): never part of a word.
func FuzzCutAtWord(f *testing.F) {
	for _, s := range []string{"okta.groups.read, okta.users.manage", "a b c +3 more", strings.Repeat("x", 300), "Zoë Ångström-Łukasiewicz (00u6ZrCwFD7PDxQK0br2)", " lead  spaces ", ""} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n%200 + 1
		s = strings.ToValidUTF8(s, "?") // a cut re-encodes invalid bytes as U+FFFD
		got := CutAtWord(s, n)
		if got == s {
			return
		}
		in := strings.Fields(s)
		out := strings.Fields(got)
		for i, w := range out {
			if w == "…" || strings.HasSuffix(w, "…") && i == 0 && len([]rune(strings.Fields(s)[0])) > 128 {
				break // the cut; or a blob longer than any identifier, cut where it ran out
			}
			if i >= len(in) || (w != in[i] && strings.TrimRight(in[i], " ,;:/(·") != w) {
				t.Fatalf("CutAtWord(%q, %d) = %q: word %d %q is not the input's %q", s, n, got, i, w, in[min(i, len(in)-1)])
			}
		}
	})
}
