package checks

import (
	"path"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		kind       evidence.MethodKind
		aal        AAL
		pr, rs, mf bool
	}{
		{evidence.KindPassword, AAL1, false, false, false},
		{evidence.KindSecurityQuestion, AALNone, false, false, false},
		{evidence.KindEmailOTP, AAL1, false, false, false},
		{evidence.KindSMS, AAL2, false, true, true},
		{evidence.KindVoice, AAL2, false, true, true},
		{evidence.KindTOTPSoftware, AAL2, false, false, true},
		{evidence.KindTOTPHardware, AAL2, false, false, true},
		{evidence.KindPush, AAL2, false, false, true},
		{evidence.KindPasswordlessApp, AAL2, false, false, true},
		{evidence.KindFastPass, AAL2, true, false, true},
		{evidence.KindPasskeySynced, AAL2, true, false, true},
		{evidence.KindFIDO2, AAL3, true, false, true},
		{evidence.KindWindowsHello, AAL3, true, false, true},
		{evidence.KindPasskeyDeviceBound, AAL3, true, false, true},
		{evidence.KindCertificate, AAL3, true, false, true},
		{evidence.KindTAP, AALNone, false, false, false},
		{evidence.KindUnknown, AALNone, false, false, false},
		{"brand_new_vendor_value", AALNone, false, false, false},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			c := Classify(tc.kind)
			if c.MaxAAL != tc.aal || c.PhishingResistant != tc.pr || c.Restricted != tc.rs || c.MFACapable != tc.mf {
				t.Errorf("Classify = %+v", c)
			}
		})
	}
	if !Classify(evidence.KindTAP).Bootstrap || !Classify("x").Unknown {
		t.Error("TAP must be bootstrap and unknown values unknown")
	}
	if !(AALNone < AAL1 && AAL1 < AAL2 && AAL2 < AAL3) || AAL2.String() != "AAL2" || AALNone.String() != "none" {
		t.Error("AAL ordering or names")
	}
}

func TestAccountAssurance(t *testing.T) {
	withKinds := func(s *evidence.Source, id string, kinds ...evidence.MethodKind) {
		a := account(s, id)
		a.Methods = nil
		for _, k := range kinds {
			a.Methods = append(a.Methods, method(k, string(k)))
		}
	}
	phone := evidence.MethodSetting{ID: "autphone", Name: "Phone", Kinds: []evidence.MethodKind{evidence.KindSMS, evidence.KindVoice}, Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{All: true}}
	cases := []struct {
		name         string
		mutate       func(s *evidence.Source)
		nominal, eff AAL
		path         string
		account      string
	}{
		{name: "two security keys", nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
		{name: "FIDO2 + SMS", mutate: func(s *evidence.Source) {
			s.Policies.Methods = append(s.Policies.Methods, phone)
			withKinds(s, oktaAlice, evidence.KindFIDO2, evidence.KindSMS, evidence.KindTOTPSoftware)
		}, nominal: AAL3, eff: AAL2, path: "sms (sign-in)"},
		{name: "FIDO2 + SMS with phone disabled", mutate: func(s *evidence.Source) {
			withKinds(s, oktaAlice, evidence.KindFIDO2, evidence.KindSMS)
			p := phone
			p.Enabled = false
			s.Policies.Methods = append(s.Policies.Methods, p)
		}, nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
		{name: "FIDO2 + email SSPR ending in a session", mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].StepUpRequired = false
			s.Policies.Recovery[0].EndsInSession = true
		}, nominal: AAL3, eff: AAL1, path: "email_otp (self-service recovery: Default Policy)"},
		{name: "email + security question step-up", mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].StepUpMethods = []evidence.MethodKind{evidence.KindSecurityQuestion}
			s.Policies.Recovery[0].EndsInSession = true
		}, nominal: AAL3, eff: AAL1, path: "email_otp + security_question (self-service recovery: Default Policy)"},
		{name: "security question alone is below AAL1", mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].Methods = []evidence.MethodKind{evidence.KindSecurityQuestion}
			s.Policies.Recovery[0].StepUpRequired = false
			s.Policies.Recovery[0].EndsInSession = true
		}, nominal: AAL3, eff: AALNone, path: "security_question (self-service recovery: Default Policy)"},
		{name: "sms + push step-up caps at AAL2", mutate: func(s *evidence.Source) {
			s.Policies.Methods = append(s.Policies.Methods, phone)
			withKinds(s, oktaAlice, evidence.KindFIDO2, evidence.KindSMS, evidence.KindPush)
			s.Policies.Recovery[0].Methods = []evidence.MethodKind{evidence.KindSMS}
			s.Policies.Recovery[0].EndsInSession = true
		}, nominal: AAL3, eff: AAL2, path: "sms (sign-in)"},
		{name: "password only", mutate: func(s *evidence.Source) {
			withKinds(s, oktaAlice, evidence.KindPassword, evidence.KindEmailOTP)
		}, nominal: AAL1, eff: AAL1, path: "password only (no usable MFA-capable method)"},
		{name: "methods registered but not allowed", mutate: func(s *evidence.Source) { setting(s, oktaWebAu).Enabled = false },
			nominal: AAL3, eff: AAL1, path: "password only (the registered MFA-capable methods are not allowed for sign-in)"},
		{name: "phishing-resistant policy, TOTP only, registration needs MFA", account: oktaAdmin, mutate: func(s *evidence.Source) {
			withKinds(s, oktaAdmin, evidence.KindTOTPSoftware, evidence.KindSMS)
			s.Policies.Methods = append(s.Policies.Methods, phone)
			s.Policies.SignIn[0].PhishingResistant = true
		}, nominal: AAL2, eff: AAL2, path: "sms (registering a method the sign-in policy accepts)"},
		{name: "phishing-resistant policy, TOTP only, registration unprotected", account: oktaAdmin, mutate: func(s *evidence.Source) {
			withKinds(s, oktaAdmin, evidence.KindTOTPSoftware)
			s.Policies.SignIn[0].PhishingResistant = true
			s.Policies.Registration[0].RequiresMFA = false
		}, nominal: AAL2, eff: AAL1, path: "password only (registering a method the sign-in policy accepts)"},
		{name: "no methods at all", mutate: func(s *evidence.Source) { withKinds(s, oktaAlice) },
			nominal: AAL1, eff: AAL1, path: "password only (no usable MFA-capable method)"},
		{name: "unknown method is the weakest", mutate: func(s *evidence.Source) {
			withKinds(s, oktaAlice, evidence.KindFIDO2, evidence.KindUnknown)
		}, nominal: AAL3, eff: AALNone, path: "unknown (sign-in)"},
		{name: "one-factor rule", mutate: func(s *evidence.Source) {
			s.Policies.SignIn = append(s.Policies.SignIn, evidence.SignInPolicy{ID: "00p1", Name: "Legacy", RuleName: "1FA", Enabled: true, OneFactor: true, Targets: evidence.Targets{Users: []string{oktaAlice}}})
		}, nominal: AAL3, eff: AAL1, path: "password only (one-factor rule: Legacy / 1FA)"},
		{name: "TAP is not folded in", mutate: func(s *evidence.Source) {
			withKinds(s, oktaAlice, evidence.KindFIDO2, evidence.KindTAP)
		}, nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
		{name: "synced passkey is AAL2", mutate: func(s *evidence.Source) {
			withKinds(s, oktaAlice, evidence.KindPasskeySynced)
		}, nominal: AAL2, eff: AAL2, path: "passkey_synced (sign-in)"},
		{name: "excluded from recovery policy by group", account: oktaAdmin, mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].StepUpRequired = false
			s.Policies.Recovery[0].EndsInSession = true
		}, nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
		{name: "first password policy by priority wins", mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].EndsInSession = true
			s.Policies.Recovery[0].StepUpRequired = false
			s.Policies.Recovery[0].Priority = 2
			s.Policies.Recovery = append(s.Policies.Recovery, evidence.RecoveryPolicy{ID: "00pfirst", Name: "Staff", Enabled: true, Priority: 1,
				SelfService: true, Known: true, Targets: evidence.Targets{Users: []string{"alice@acme.com"}}})
		}, nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
		{name: "a first policy that denies self-service shields its members", mutate: func(s *evidence.Source) {
			s.Policies.Recovery[0].EndsInSession = true
			s.Policies.Recovery[0].StepUpRequired = false
			s.Policies.Recovery[0].Priority = 2
			s.Policies.Recovery = append(s.Policies.Recovery, evidence.RecoveryPolicy{ID: "00padmins", Name: "Admins", Enabled: true, Priority: 1,
				SelfService: false, Known: true, Targets: evidence.Targets{Users: []string{"alice@acme.com"}}})
		}, nominal: AAL3, eff: AAL3, path: "fido2 (sign-in)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := oktaGood()
			if tc.mutate != nil {
				tc.mutate(src)
			}
			id := oktaAlice
			if tc.account != "" {
				id = tc.account
			}
			a, ok := AccountAssurance(src, id, testParams())
			if !ok {
				t.Fatal("account not found")
			}
			if a.Nominal != tc.nominal || a.Effective != tc.eff || a.WeakestPath != tc.path {
				t.Errorf("got nominal %s effective %s via %q; want %s, %s via %q", a.Nominal, a.Effective, a.WeakestPath, tc.nominal, tc.eff, tc.path)
			}
		})
	}
	if _, ok := AccountAssurance(oktaGood(), "nobody", testParams()); ok {
		t.Error("found an account that does not exist")
	}
}

func TestTargets(t *testing.T) {
	src := entraGood()
	e := newEnv(src, &Params{})
	alice, admin, guest := &e.accts[0], &e.accts[1], &e.accts[2]
	alice.a.Groups = []string{"g-staff"}
	cases := []struct {
		name string
		t    evidence.Targets
		want [3]bool // alice, admin, guest
	}{
		{"all", evidence.Targets{All: true}, [3]bool{true, true, true}},
		{"nobody", evidence.Targets{}, [3]bool{}},
		{"group", evidence.Targets{Groups: []string{"g-staff"}}, [3]bool{true, false, false}},
		{"role", evidence.Targets{Roles: []string{entraGA}}, [3]bool{false, true, false}},
		{"user by login, any case", evidence.Targets{Users: []string{"ALICE@contoso.com"}}, [3]bool{true, false, false}},
		{"all minus role", evidence.Targets{All: true, ExcludeRoles: []string{entraGA}}, [3]bool{true, false, true}},
		{"all minus group", evidence.Targets{All: true, ExcludeGroups: []string{"g-staff"}}, [3]bool{false, true, true}},
		{"Entra All value", evidence.Targets{Users: []string{"All"}, ExcludeUsers: []string{entraGuest}}, [3]bool{true, true, false}},
		{"guests", evidence.Targets{Users: []string{"GuestsOrExternalUsers"}}, [3]bool{false, false, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := compileTargets(tc.t)
			got := [3]bool{ct.match(alice), ct.match(admin), ct.match(guest)}
			if got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestServiceAccountPatterns(t *testing.T) {
	src := oktaGood()
	for _, l := range []string{"svc-backup@acme.com", "SVC_sync@acme.com", "backup-svc@acme.com", "service-ci@acme.com", "bob@acme.com"} {
		addAccount(src, evidence.Account{ID: "00u-" + l, Login: l, UserType: "member"})
	}
	p := testParams()
	p.ServiceAccounts = []string{"ALICE@acme.com"}
	e := newEnv(src, &p)
	var got []string
	for _, x := range e.accts {
		if x.service {
			got = append(got, x.a.Login)
		}
	}
	want := []string{"alice@acme.com", "svc-backup@acme.com", "SVC_sync@acme.com", "backup-svc@acme.com", "service-ci@acme.com"}
	if len(got) != len(want) {
		t.Fatalf("service accounts %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("service accounts %v, want %v", got, want)
		}
	}
}

// TestGlobMatchesPathMatch: the precompiled glob agrees with path.Match.
func TestGlobMatchesPathMatch(t *testing.T) {
	patterns := []string{"svc-*", "*-svc@*", "*_svc@*", "service-*", "exact@x.com", "*", "a*b*c", "a*b*c*", "*@*.*", "svc?-*", "[st]vc-*", "a\\*b", ""}
	logins := []string{"svc-backup@acme.com", "backup-svc@acme.com", "x_svc@y", "service-", "exact@x.com", "", "abc", "aXbYc", "abcabc", "ab", "ac",
		"svc1-x", "tvc-x", "a*b", "a/b", "svc-a/b", "a@b.c", "ab@c"}
	for _, p := range patterns {
		g := compileGlob(p)
		for _, l := range logins {
			want, _ := path.Match(p, l)
			if got := g.match(l); got != want {
				t.Errorf("glob %q on %q = %v, path.Match says %v", p, l, got, want)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, sorted := range []bool{true, false} {
		src := oktaGood()
		if !sorted {
			src.Accounts[0], src.Accounts[1] = src.Accounts[1], src.Accounts[0]
		}
		e := newEnv(src, &Params{})
		if e.sortedIDs != sorted {
			t.Fatalf("sortedIDs %v, want %v", e.sortedIDs, sorted)
		}
		for _, id := range []string{oktaAlice, oktaAdmin} {
			if i, ok := e.lookup(id); !ok || e.accts[i].a.ID != id {
				t.Errorf("sorted=%v lookup(%s) = %d, %v", sorted, id, i, ok)
			}
		}
		if _, ok := e.lookup("00u0nobody"); ok {
			t.Error("found a missing id")
		}
		if i, ok := e.lookupLogin("ADA@acme.com"); !ok || e.accts[i].a.ID != oktaAdmin {
			t.Errorf("lookupLogin = %d, %v", i, ok)
		}
	}
}
