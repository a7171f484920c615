package checks

import (
	"strconv"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// bigSource builds an Okta-shaped source with n accounts of three methods
// each, spread over a few groups, with a few policies and workloads: the
// shape of a large tenant, not a real one.
func bigSource(n int) *evidence.Source {
	src := oktaGood()
	src.Policies.Methods = append(src.Policies.Methods, evidence.MethodSetting{ID: "autphone", Name: "Phone", Kinds: []evidence.MethodKind{evidence.KindSMS, evidence.KindVoice},
		Enabled: true, SignIn: true, Recovery: true, Targets: evidence.Targets{Groups: []string{"00gfield"}}})
	src.Policies.Recovery = append(src.Policies.Recovery, evidence.RecoveryPolicy{ID: "00pfield", Name: "Field staff", Enabled: true, Priority: 0,
		Targets: evidence.Targets{Groups: []string{"00gfield"}}, SelfService: true, Methods: []evidence.MethodKind{evidence.KindSMS}, Known: true, EndsInSession: true})
	src.Policies.SignIn = append(src.Policies.SignIn, evidence.SignInPolicy{ID: "00padmin", Name: "Admins", Enabled: true, Priority: 0, RequiresMFA: true, AllApps: true,
		PhishingResistant: true, Targets: evidence.Targets{Groups: []string{oktaAdmins}, ExcludeUsers: []string{"00u00000007"}}})
	kinds := [][3]evidence.MethodKind{
		{evidence.KindFIDO2, evidence.KindFIDO2, evidence.KindPassword},
		{evidence.KindPush, evidence.KindTOTPSoftware, evidence.KindFastPass},
		{evidence.KindFIDO2, evidence.KindSMS, evidence.KindEmailOTP},
		{evidence.KindPassword, evidence.KindEmailOTP, evidence.KindSecurityQuestion},
	}
	groups := [][]string{{"00gstaff"}, {"00gstaff", "00gfield"}, {"00gfield"}, {"00gstaff", oktaAdmins}}
	src.Accounts = make([]evidence.Account, n)
	for i := range src.Accounts {
		id := "00u" + strconv.FormatInt(int64(i), 10)
		for len(id) < 11 {
			id = id[:3] + "0" + id[3:]
		}
		k := kinds[i%len(kinds)]
		a := &src.Accounts[i]
		*a = evidence.Account{ID: id, Name: id, Login: id + "@acme.com", Status: "ACTIVE", UserType: "member", Groups: groups[i%len(groups)],
			Methods: []evidence.Method{
				{Kind: k[0], VendorType: string(k[0]), Status: "ACTIVE"},
				{Kind: k[1], VendorType: string(k[1]), Status: "ACTIVE"},
				{Kind: k[2], VendorType: string(k[2]), Status: "ACTIVE"},
			}}
		if i%1000 == 3 {
			a.Privileged = true
			a.Roles = []evidence.Role{{ID: "SUPER_ADMIN"}}
		}
	}
	return src
}

// BenchmarkEvaluate1M evaluates the whole catalog over one million accounts.
// Measure peak memory with
//
//	/usr/bin/time -v go test -run '^$' -bench Evaluate1M -benchtime 1x ./checks/
func BenchmarkEvaluate1M(b *testing.B) {
	benchEvaluate(b, bigSource(1_000_000), func(r *Results) bool { return len(r.Identities) == 1_000_000 })
}

// benchEvaluate times Evaluate over src; ok checks each result.
func benchEvaluate(b *testing.B, src *evidence.Source, ok func(*Results) bool) {
	snap := snapshotOf(src)
	p := testParams()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := Evaluate(snap, p)
		if err != nil {
			b.Fatal(err)
		}
		if !ok(r) {
			b.Fatalf("%d identities", len(r.Identities))
		}
	}
}

// BenchmarkAssess1M is the evaluation minus the evidence hash and the
// results assembly, to show where the time goes.
func BenchmarkAssess1M(b *testing.B) {
	src := bigSource(1_000_000)
	p := testParams()
	b.ResetTimer()
	for b.Loop() {
		e := newEnv(src, &p)
		for _, c := range Catalog() {
			c.run(e)
		}
		_ = e.appendIdentities(nil)
	}
}

// BenchmarkHash1M is the evidence hash alone (evidence.Source.StreamHash), which
// Evaluate computes once per source for evidence_sha256.
func BenchmarkHash1M(b *testing.B) {
	src := bigSource(1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := src.StreamHash(); err != nil {
			b.Fatal(err)
		}
	}
}

// bigIdentityEngineSource is bigSource judged by the Okta Identity Engine:
// the default org's global session and authentication policies, plus
// `rules` extra rules spread over the Default Policy's app policy and the
// global session policy — group-targeted, some limited to a network zone,
// some excluding users — so that first-match evaluation has work to do.
func bigIdentityEngineSource(n, rules int) *evidence.Source {
	src := bigSource(n)
	def := oktaDefaultOrg()
	src.Policies.Engine = evidence.EngineOktaIdentity
	src.Policies.SignIn = nil
	src.Policies.Access = def.Policies.Access
	groups := []string{"00gstaff", "00gfield", oktaAdmins}
	for i := range rules {
		// Most rules target groups nobody is in (as in a real org, most rules
		// match few people); every fifth targets a real population and asks
		// for two factors, so the verdicts stay those of the 10-rule org and
		// the comparison isolates the cost of evaluating more rules.
		g := groups[i%len(groups)] + "-" + strconv.Itoa(i%7)
		mode := []string{"1FA", "2FA"}[i%2]
		if i%5 == 0 {
			g, mode = groups[i%len(groups)], "2FA"
		}
		r := rule("0prx"+strconv.Itoa(i), "Rule "+strconv.Itoa(i), i+1, "ALLOW", evidence.Requirement{FactorMode: mode})
		r.Conditions.People = evidence.Targets{Groups: []string{g}, ExcludeUsers: []string{"00u" + strconv.Itoa(i)}}
		if i%3 == 0 {
			r.Conditions.Network = &evidence.Network{Connection: "ZONE", Include: []string{"nzo" + strconv.Itoa(i%4)}}
		}
		pi := 3 // Default Policy (apps)
		if i%4 == 0 {
			pi = 0 // global session policy
			r.Requirement = evidence.Requirement{RequireFactor: i%5 == 0, PrimaryFactor: "PASSWORD_IDP"}
		}
		p := &src.Policies.Access[pi]
		p.Rules = append([]evidence.AccessRule{r}, p.Rules...)
	}
	return src
}

// BenchmarkEvaluate1MIdentityEngine is Evaluate1M with the Okta Identity
// Engine computing every account's paths: with 10 and with 200 policy
// rules, to show the cost stays linear in accounts whatever the rule count
// (an engine runs once per distinct account signature).
func BenchmarkEvaluate1MIdentityEngine(b *testing.B) {
	for _, rules := range []int{10, 200} {
		b.Run("rules="+strconv.Itoa(rules), func(b *testing.B) {
			benchEvaluate(b, bigIdentityEngineSource(1_000_000, rules), func(r *Results) bool {
				return len(r.Identities) == 1_000_000 && len(r.Identities[0].Paths) > 0
			})
		})
	}
}

// BenchmarkPlan100k computes the remediation plan for 100,000 accounts
// judged by the Okta Identity Engine (candidates from the weak paths'
// policies, each measured alone, then a 10-step greedy plan). "naive"
// measures the same number of evaluations with Evaluate (evidence hash,
// identities, every account's paths rebuilt) for comparison.
func BenchmarkPlan100k(b *testing.B) {
	src := bigIdentityEngineSource(100_000, 200)
	for i := range src.Policies.Access {
		for j := range src.Policies.Access[i].Rules {
			r := &src.Policies.Access[i].Rules[j]
			if i == 3 && j%9 == 0 && len(r.Conditions.People.Groups) > 0 && r.Conditions.People.Groups[0] == "00gfield" {
				r.Requirement = evidence.Requirement{FactorMode: "1FA"} // weak rules for the plan to fix
			}
		}
	}
	snap := snapshotOf(src)
	p := testParams()
	var evaluations int
	b.Run("plan", func(b *testing.B) {
		for b.Loop() {
			pl, err := ComputePlan(snap, p, PlanOptions{})
			if err != nil {
				b.Fatal(err)
			}
			evaluations = len(pl.Candidates) * (1 + len(pl.Steps))
			b.ReportMetric(float64(len(pl.Candidates)), "candidates")
			b.ReportMetric(float64(len(pl.Steps)), "steps")
		}
	})
	b.Run("naive-evaluate-per-measure", func(b *testing.B) {
		n := min(evaluations, 20) // a sample: the whole naive plan would take minutes
		for b.Loop() {
			for range n {
				if _, err := Evaluate(snap, p); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(n), "evaluations")
	})
}

// BenchmarkPlanEntra100k: the plan over 100,000 Entra accounts whose
// legacy clients are not blocked and whose MFA policy leaves out trusted
// locations, so every account's weak paths propose the same Conditional
// Access actions (generated once per interned path, not per account).
func BenchmarkPlanEntra100k(b *testing.B) {
	src := entraEngineSrc()
	src.Policies.Access = src.Policies.Access[:1] // no legacy block
	src.Policies.Access[0].Conditions.ClientAppTypes = []string{"browser", "mobileAppsAndDesktopClients"}
	src.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
	alice := src.Accounts[0]
	for i := range 100_000 {
		a := alice
		a.ID, a.Login = "u"+strconv.Itoa(i), "u"+strconv.Itoa(i)+"@contoso.com"
		src.Accounts = append(src.Accounts, a)
	}
	snap, p := snapshotOf(src), testParams()
	for b.Loop() {
		pl, err := ComputePlan(snap, p, PlanOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if candidate(pl, ActBlockLegacyAuth) == nil || candidate(pl, ActRemoveLocationExclude) == nil {
			b.Fatalf("candidates %+v", pl.Candidates)
		}
		b.ReportMetric(float64(len(pl.Candidates)), "candidates")
	}
}
