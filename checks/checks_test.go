package checks

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// TestBaselinePasses is every check's passing fixture: on the good tenants
// each check passes, except what is inherently manual or not applicable.
func TestBaselinePasses(t *testing.T) {
	exceptions := map[string]Status{
		"REC-08/okta":  Manual,
		"REC-08/entra": Manual,
		"REC-02/entra": Manual,
		"REC-04/okta":  NotApplicable,
	}
	r := evaluate(t, testParams(), oktaGood(), entraGood())
	if got, want := len(r.Checks), 2*len(Catalog()); got != want {
		t.Fatalf("got %d check results, want %d", got, want)
	}
	for _, c := range r.Checks {
		t.Run(c.ID+"/"+c.Provider, func(t *testing.T) {
			want := Pass
			if s, ok := exceptions[c.ID+"/"+c.Provider]; ok {
				want = s
			}
			if c.Status != want {
				t.Fatalf("status %s, want %s; rationale %q; findings %v", c.Status, want, c.Rationale, subjects(c))
			}
			if c.Rationale == "" {
				t.Error("empty rationale")
			}
			if len(c.Findings) != 0 {
				t.Errorf("findings on a passing fixture: %v", subjects(c))
			}
		})
	}
}

type checkCase struct {
	name     string
	check    string
	provider evidence.Provider
	mutate   func(s *evidence.Source)
	params   func(p *Params)
	want     Status
	subjects []string // finding subject ids, sorted
	severity Severity // CheckResult severity, when set
	// rationale, when set, must appear in the rationale.
	rationale string
}

func runCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.check+"/"+string(tc.provider)+"/"+tc.name, func(t *testing.T) {
			src := oktaGood()
			if tc.provider == evidence.Entra {
				src = entraGood()
			}
			if tc.mutate != nil {
				tc.mutate(src)
			}
			p := testParams()
			if tc.params != nil {
				tc.params(&p)
			}
			r := evaluate(t, p, src)
			c := result(t, r, tc.check, tc.provider)
			if c.Status != tc.want {
				t.Fatalf("status %s, want %s; rationale %q; findings %v", c.Status, tc.want, c.Rationale, subjects(c))
			}
			if tc.subjects != nil && !slices.Equal(subjects(c), tc.subjects) {
				t.Errorf("subjects %v, want %v", subjects(c), tc.subjects)
			}
			if tc.severity != "" && c.Severity != tc.severity {
				t.Errorf("severity %s, want %s", c.Severity, tc.severity)
			}
			if tc.rationale != "" && !strings.Contains(c.Rationale, tc.rationale) {
				t.Errorf("rationale %q does not contain %q", c.Rationale, tc.rationale)
			}
			for _, f := range c.Findings {
				if f.Message == "" || f.Evidence == nil || f.Subject.Type == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

func addAccount(s *evidence.Source, a evidence.Account) { s.Accounts = append(s.Accounts, a) }

func mfaCases() []checkCase {
	bob := func(priv bool, kinds ...evidence.MethodKind) func(s *evidence.Source) {
		return func(s *evidence.Source) {
			a := evidence.Account{ID: "00u9bob", Name: "Bob", Login: "bob@acme.com", UserType: "member", Privileged: priv}
			if s.Provider == evidence.Entra {
				a.ID = "22222222-0000-0000-0000-000000000b0b"
			}
			for _, k := range kinds {
				a.Methods = append(a.Methods, method(k, ""))
			}
			addAccount(s, a)
		}
	}
	enableSMS := func(s *evidence.Source) {
		if s.Provider == evidence.Okta {
			s.Policies.Methods = append(s.Policies.Methods, evidence.MethodSetting{ID: "autphone", Name: "Phone", VendorKey: "phone_number",
				Kinds: []evidence.MethodKind{evidence.KindSMS, evidence.KindVoice}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}})
			return
		}
		sms := setting(s, "Sms")
		sms.Enabled, sms.SignIn = true, true
	}
	both := func(fs ...func(*evidence.Source)) func(*evidence.Source) {
		return func(s *evidence.Source) {
			for _, f := range fs {
				f(s)
			}
		}
	}
	cases := []checkCase{
		{name: "no MFA", check: "MFA-01", provider: evidence.Okta, mutate: bob(false, evidence.KindPassword, evidence.KindEmailOTP), want: Fail, subjects: []string{"00u9bob"}, severity: High},
		{name: "privileged without MFA is critical", check: "MFA-01", provider: evidence.Okta, mutate: bob(true, evidence.KindPassword), want: Fail, subjects: []string{"00u9bob"}, severity: Critical},
		{name: "no MFA", check: "MFA-01", provider: evidence.Entra, mutate: bob(false, evidence.KindSecurityQuestion), want: Fail, subjects: []string{"22222222-0000-0000-0000-000000000b0b"}},
		{name: "guest without methods is not counted", check: "MFA-01", provider: evidence.Entra, want: Pass},
		{name: "pending factor does not count", check: "MFA-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			bob(false)(s)
			s.Accounts[2].Methods = []evidence.Method{{Kind: evidence.KindTOTPSoftware, Status: "PENDING_ACTIVATION"}}
		}, want: Fail, subjects: []string{"00u9bob"}},

		{name: "single method", check: "MFA-02", provider: evidence.Okta, mutate: bob(false, evidence.KindFIDO2, evidence.KindPassword), want: Fail, subjects: []string{"00u9bob"}, severity: Medium},
		{name: "single method privileged", check: "MFA-02", provider: evidence.Entra, mutate: bob(true, evidence.KindFIDO2), want: Fail, severity: High},

		{name: "fido2 plus sms", check: "MFA-03", provider: evidence.Okta, mutate: both(enableSMS, func(s *evidence.Source) {
			account(s, oktaAlice).Methods = append(account(s, oktaAlice).Methods, method(evidence.KindSMS, "sms1"))
		}), want: Fail, subjects: []string{oktaAlice}},
		{name: "sms registered but disabled in tenant", check: "MFA-03", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			account(s, entraAlice).Methods = append(account(s, entraAlice).Methods, method(evidence.KindSMS, ""))
		}, want: Pass},
		{name: "WHfB plus passwordless phone sign-in", check: "MFA-03", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.Methods = append(s.Policies.Methods, evidence.MethodSetting{ID: "MicrosoftAuthenticator", Name: "Microsoft Authenticator",
				Kinds: []evidence.MethodKind{evidence.KindPush, evidence.KindPasswordlessApp}, Enabled: true, SignIn: true, Targets: evidence.Targets{All: true}})
			account(s, entraAlice).Methods = append(account(s, entraAlice).Methods, method(evidence.KindPasswordlessApp, ""))
		}, want: Fail, subjects: []string{entraAlice}},
		{name: "authentication strength keeps sms out", check: "MFA-03", provider: evidence.Entra, mutate: both(enableSMS, func(s *evidence.Source) {
			account(s, entraAlice).Methods = append(account(s, entraAlice).Methods, method(evidence.KindSMS, ""))
			s.Policies.SignIn[0].AllowedKinds = []evidence.MethodKind{evidence.KindFIDO2, evidence.KindWindowsHello, evidence.KindPasskeyDeviceBound}
		}), want: Pass},
		{name: "recovery ending in a session", check: "MFA-03", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].EndsInSession = true
			s.Policies.Recovery[0].StepUpRequired = false
		}, want: Fail, subjects: []string{oktaAlice}},
		{name: "recovery step-up the account cannot complete", check: "MFA-03", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].EndsInSession = true // email + push, and Alice has no push
		}, want: Pass},

		{name: "admin with sms", check: "MFA-04", provider: evidence.Okta, mutate: both(enableSMS, func(s *evidence.Source) {
			account(s, oktaAdmin).Methods = append(account(s, oktaAdmin).Methods, method(evidence.KindSMS, "sms2"))
		}), want: Fail, subjects: []string{oktaAdmin}, severity: Critical},
		{name: "admin without phishing-resistant method", check: "MFA-04", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			account(s, entraAdmin).Methods = []evidence.Method{method(evidence.KindTOTPSoftware, "")}
		}, want: Fail, subjects: []string{entraAdmin}},
		{name: "admin in recovery policy with email", check: "MFA-04", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].Targets.ExcludeGroups = nil
		}, want: Fail, subjects: []string{oktaAdmin}},

		{name: "webauthn for one group only", check: "MFA-05", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			setting(s, oktaWebAu).Targets = evidence.Targets{Groups: []string{oktaAdmins}}
			setting(s, oktaVerify).Kinds = []evidence.MethodKind{evidence.KindPush}
		}, want: Fail, subjects: []string{"acme.okta.com"}},
		{name: "fido2 disabled", check: "MFA-05", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			setting(s, "Fido2").Enabled = false
			setting(s, "WindowsHelloForBusiness").Targets.ExcludeGroups = []string{"g1"}
		}, want: Fail},

		{name: "phone authenticator", check: "MFA-06", provider: evidence.Okta, mutate: enableSMS, want: Fail, subjects: []string{"autphone"}, severity: High},
		{name: "sms for a group without admins", check: "MFA-06", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			enableSMS(s)
			setting(s, "Sms").Targets = evidence.Targets{Users: []string{entraAlice}}
		}, want: Fail, subjects: []string{"Sms"}, severity: Medium},

		{name: "email for sign-in", check: "MFA-07", provider: evidence.Okta, mutate: func(s *evidence.Source) { setting(s, oktaEmail).SignIn = true }, want: Fail, subjects: []string{oktaEmail}},
		{name: "email for sign-in", check: "MFA-07", provider: evidence.Entra, mutate: func(s *evidence.Source) { setting(s, "Email").SignIn = true }, want: Fail, subjects: []string{"Email"}},
	}
	return cases
}

func recoveryCases() []checkCase {
	ssprOn := func(s *evidence.Source) { s.Policies.SelfServiceRecoveryEnabled = boolp(true) }
	reset := func(id, actor, target string, ago_ int, kind evidence.EventKind) evidence.Event {
		return evidence.Event{ID: id, Kind: kind, Time: testNow.Add(-time.Duration(ago_) * day), Actor: evidence.Principal{ID: actor}, Target: evidence.Principal{ID: target}, Outcome: "SUCCESS"}
	}
	cases := []checkCase{
		{name: "security question in recovery", check: "REC-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].StepUpMethods = []evidence.MethodKind{evidence.KindSecurityQuestion}
		}, want: Fail, subjects: []string{oktaRecPol}},
		{name: "security question authenticator", check: "REC-01", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Methods = append(s.Policies.Methods, evidence.MethodSetting{ID: "autsq", Name: "Security Question", Kinds: []evidence.MethodKind{evidence.KindSecurityQuestion}, Enabled: true, Recovery: true, Targets: evidence.Targets{All: true}})
		}, want: Fail, subjects: []string{"autsq"}},
		{name: "registered security question proves it", check: "REC-01", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			ssprOn(s)
			account(s, entraAlice).Methods = append(account(s, entraAlice).Methods, method(evidence.KindSecurityQuestion, ""))
		}, want: Fail, subjects: []string{"c0ffee00-0000-0000-0000-000000000000"}},
		{name: "nothing registered is manual", check: "REC-01", provider: evidence.Entra, mutate: ssprOn, want: Manual, rationale: "Security questions"},

		{name: "email without step-up", check: "REC-02", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].StepUpRequired = false
		}, want: Fail, subjects: []string{oktaRecPol}},
		{name: "unknown rule is manual", check: "REC-02", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].Known = false
			s.Policies.Recovery[0].Manual = "verify the OIE rule in the Admin Console"
		}, want: Manual, rationale: "verify the OIE rule"},
		{name: "entra is manual", check: "REC-02", provider: evidence.Entra, want: Manual, rationale: "Number of methods required"},

		{name: "email recovery under phishing-resistant sign-in", check: "REC-03", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.SignIn[0].PhishingResistant = true
		}, want: Fail, subjects: []string{oktaRecPol}, severity: High},
		{name: "admins in single-proof recovery", check: "REC-03", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].Targets.ExcludeGroups = nil
			s.Policies.Recovery[0].StepUpRequired = false
		}, want: Fail, subjects: []string{oktaRecPol}, severity: Critical},
		{name: "email-only SSPR", check: "REC-03", provider: evidence.Entra, mutate: ssprOn, want: Fail, subjects: []string{"sspr"}, severity: Critical},
		{name: "method count decides", check: "REC-03", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			ssprOn(s)
			s.Policies.Methods = append(s.Policies.Methods, evidence.MethodSetting{ID: "MicrosoftAuthenticator", Name: "Microsoft Authenticator", Kinds: []evidence.MethodKind{evidence.KindPush}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}})
		}, want: Manual, rationale: "Number of methods required to reset"},

		{name: "okta without temporary codes", check: "REC-04", provider: evidence.Okta, want: NotApplicable, rationale: "No temporary access code authenticator"},
		{name: "okta temporary code reusable", check: "REC-04", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.TemporaryAccess = []evidence.TemporaryAccessSetting{{ID: "auttac", Name: "Temporary Access Code", Enabled: true, Reusable: true, MaxLifetimeMinutes: 60}}
		}, want: Fail, subjects: []string{"auttac"}},
		{name: "TAP too long", check: "REC-04", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.TemporaryAccess[0].MaxLifetimeMinutes = 43200
		}, want: Fail, subjects: []string{"TemporaryAccessPass"}},
		{name: "TAP threshold configurable", check: "REC-04", provider: evidence.Entra, params: func(p *Params) {
			p.Thresholds.TAPMaxLifetime = time.Hour
		}, want: Fail},
		{name: "TAP disabled", check: "REC-04", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.TemporaryAccess[0].Enabled = false
			s.Policies.TemporaryAccess[0].Reusable = true
		}, want: Pass},

		{name: "enrolment without MFA", check: "REC-05", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Policies.Registration[0].RequiresMFA = false
		}, want: Fail, subjects: []string{oktaEnroll, "acme.okta.com"}},
		{name: "no CA on registration", check: "REC-05", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Policies.Registration = nil
		}, want: Fail, subjects: []string{"c0ffee00-0000-0000-0000-000000000000"}},

		{name: "reset without enrolment", check: "REC-06", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Events = s.Events[:1]
		}, want: Fail, subjects: []string{oktaAlice}},
		{name: "reset still within window", check: "REC-06", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Events = []evidence.Event{reset("ev-new", oktaAdmin, oktaAlice, 2, evidence.EvFactorReset)}
		}, want: Pass, rationale: "still within the window: 1"},
		{name: "TAP without enrolment", check: "REC-06", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Events = []evidence.Event{reset("Directory_1", entraAdmin, entraAlice, 15, evidence.EvTAPIssued)}
		}, want: Fail, subjects: []string{entraAlice}},
		{name: "re-enrolment seen on the method", check: "REC-06", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			s.Events = []evidence.Event{reset("Directory_1", entraAdmin, entraAlice, 15, evidence.EvTAPIssued)}
			account(s, entraAlice).Methods[0].Created = ago(14 * day)
		}, want: Pass},

		{name: "admin reset of an admin", check: "REC-07", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Events = append(s.Events, reset("ev-adm", oktaAlice, oktaAdmin, 3, evidence.EvPasswordResetAdmin))
		}, want: Fail, subjects: []string{oktaAdmin}},
		{name: "self reset of an admin", check: "REC-07", provider: evidence.Okta, mutate: func(s *evidence.Source) {
			s.Events = append(s.Events, reset("ev-self", oktaAdmin, oktaAdmin, 3, evidence.EvFactorReset))
		}, want: Pass},
		{name: "help desk volume", check: "REC-07", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			for i := 0; i < 11; i++ {
				s.Events = append(s.Events, reset("Directory_v"+itoa(i+10), "helpdesk-1", entraAlice, 1, evidence.EvFactorReset))
			}
		}, want: Fail, subjects: []string{"helpdesk-1"}},
		{name: "volume at threshold", check: "REC-07", provider: evidence.Entra, mutate: func(s *evidence.Source) {
			for i := 0; i < 10; i++ {
				s.Events = append(s.Events, reset("Directory_v"+itoa(i+10), "helpdesk-1", entraAlice, 1, evidence.EvFactorReset))
			}
		}, want: Pass},

		{name: "always manual", check: "REC-08", provider: evidence.Okta, want: Manual, rationale: "End-user notifications"},
		{name: "always manual", check: "REC-08", provider: evidence.Entra, want: Manual, rationale: "Notify users on password resets"},
	}
	return cases
}
