package checks

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func planFor(t *testing.T, srcs ...*evidence.Source) *Plan {
	t.Helper()
	pl, err := ComputePlan(snapshotOf(srcs...), testParams(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func candidate(pl *Plan, kind string) *Action {
	for i := range pl.Candidates {
		if pl.Candidates[i].Kind == kind {
			return &pl.Candidates[i]
		}
	}
	return nil
}

// TestPlanActionKinds: each action kind changes exactly what it claims,
// measured by evaluating the changed evidence.
func TestPlanActionKinds(t *testing.T) {
	t.Run("turn off email self-service reset", func(t *testing.T) {
		src := oktaDefaultOrg() // email reset, then any two factors: AAL1 for Bob (FIDO2)
		setting(src, oktaEmail).SignIn = false
		pl := planFor(t, src)
		a := candidate(pl, ActDisableSelfService)
		if a == nil {
			t.Fatalf("no self-service candidate: %+v", pl.Candidates)
		}
		if a.Effect.AccountsRaised == 0 || !slices.Contains(a.Effect.Sample, "bob@acme.com") || a.Effect.To["AAL3"] == 0 {
			t.Errorf("effect %+v", a.Effect)
		}
		if len(pl.Steps) == 0 || pl.Steps[0].Cumulative == nil {
			t.Fatalf("no plan: %+v", pl)
		}
	})
	t.Run("require two factors in a one-factor rule", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA"}
		pl := planFor(t, src)
		a := candidate(pl, ActRequireTwoFactors)
		if a == nil || a.Target.ID != oktaDefPol || a.Effect.AccountsRaised != 3 {
			t.Fatalf("candidate %+v", a)
		}
		if !slices.Contains(a.Effect.ChecksPassing, "EXC-02/okta") {
			t.Errorf("EXC-02 should pass after the change: %+v", a.Effect)
		}
	})
	t.Run("disabling SMS locks out an SMS-only account", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		src.Policies.Methods = append(src.Policies.Methods, evidence.MethodSetting{ID: "autphone", Name: "Phone", VendorKey: "phone_number",
			Kinds: []evidence.MethodKind{evidence.KindSMS, evidence.KindVoice}, Enabled: true, SignIn: true, Targets: evidence.Targets{All: true}})
		account(src, oktaCarol).Methods = []evidence.Method{method(evidence.KindSMS, "sms1")}
		account(src, oktaBob).Methods = append(account(src, oktaBob).Methods, method(evidence.KindSMS, "sms2"))
		pl := planFor(t, src)
		a := candidate(pl, ActDisableMethod)
		if a == nil {
			t.Fatalf("no method candidate: %+v", pl.Candidates)
		}
		if a.Effect.LockedOut != 1 || !slices.Contains(a.Effect.LockedOutSample, "carol@acme.com") {
			t.Errorf("side effect not detected: %+v", a.Effect)
		}
		if !slices.Contains(a.Effect.Sample, "bob@acme.com") {
			t.Errorf("bob (FIDO2 + SMS) should rise: %+v", a.Effect)
		}
	})
	t.Run("enrol phishing-resistant for privileged accounts", func(t *testing.T) {
		src := oktaNoEmailNoReset()
		account(src, oktaAdmin).Methods = []evidence.Method{method(evidence.KindPush, "p1")}
		pl := planFor(t, src)
		a := candidate(pl, ActEnrolPhishingRes)
		if a == nil || a.Target.ID != oktaAdmin || !strings.Contains(a.Title, "1 privileged account") {
			t.Fatalf("candidate %+v", a)
		}
		if a.Effect.FindingsClosed == 0 {
			t.Errorf("enrolling a key should close the MFA-04 finding: %+v", a.Effect)
		}
	})
	t.Run("bound the temporary access pass", func(t *testing.T) {
		src := oktaDefaultOrg()
		src.Policies.TemporaryAccess = []evidence.TemporaryAccessSetting{{ID: "auttac", Name: "Temporary Access Code", Enabled: true, Reusable: true, MaxLifetimeMinutes: 7 * 24 * 60}}
		pl := planFor(t, src)
		a := candidate(pl, ActBoundTemporary)
		if a == nil || !slices.Contains(a.Effect.ChecksPassing, "REC-04/okta") {
			t.Fatalf("candidate %+v", a)
		}
	})
}

func TestPlanDeterministicAndCumulative(t *testing.T) {
	src := oktaDefaultOrg()
	policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA"}
	a, b := planFor(t, src), planFor(t, oktaDefaultOrgWith1FA())
	if len(a.Steps) == 0 || len(a.Steps) != len(b.Steps) {
		t.Fatalf("steps %d vs %d", len(a.Steps), len(b.Steps))
	}
	for i := range a.Steps {
		if a.Steps[i].ID != b.Steps[i].ID {
			t.Errorf("step %d: %s vs %s", i, a.Steps[i].ID, b.Steps[i].ID)
		}
	}
	prev := 0
	for _, s := range a.Steps {
		if s.Cumulative.Restored < prev {
			t.Errorf("cumulative restored went down: %+v", s.Cumulative)
		}
		prev = s.Cumulative.Restored
	}
	// The source itself is never changed.
	if policy(src, oktaDefPol).Rules[0].Requirement.FactorMode != "1FA" {
		t.Errorf("ComputePlan changed the evidence")
	}
}

func oktaDefaultOrgWith1FA() *evidence.Source {
	src := oktaDefaultOrg()
	policy(src, oktaDefPol).Rules[0].Requirement = evidence.Requirement{FactorMode: "1FA"}
	return src
}

func TestPlanWithoutPolicies(t *testing.T) {
	src := oktaDefaultOrg()
	src.Policies = evidence.Policies{}
	pl := planFor(t, src)
	if len(pl.Steps) != 0 || !strings.Contains(pl.Note, "No action can be computed") {
		t.Errorf("plan %+v", pl)
	}
}

// TestPlanPerSignatureIsExact: measuring one account per signature gives
// the same plan, effects and samples as measuring every account alone.
func TestPlanPerSignatureIsExact(t *testing.T) {
	src := bigIdentityEngineSource(3000, 40)
	for i := range src.Policies.Access[3].Rules {
		if i%7 == 0 {
			src.Policies.Access[3].Rules[i].Requirement = evidence.Requirement{FactorMode: "1FA"}
		}
	}
	fast, err := ComputePlan(snapshotOf(src), testParams(), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := ComputePlan(snapshotOf(src), testParams(), PlanOptions{everyAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(fast.Steps) == 0 {
		t.Fatal("no plan to compare")
	}
	if d := cmp.Diff(slow, fast, cmpopts.IgnoreUnexported(Action{})); d != "" {
		t.Errorf("per-signature plan differs from per-account (-every +signature):\n%s", d)
	}
}

// TestPlanEntraConditionalAccess: the plan's Conditional Access actions,
// each measured by the Entra engine on the changed evidence.
func TestPlanEntraConditionalAccess(t *testing.T) {
	plan := func(t *testing.T, p Params, src *evidence.Source, every bool) *Plan {
		t.Helper()
		pl, err := ComputePlan(snapshotOf(src), p, PlanOptions{everyAccount: every})
		if err != nil {
			t.Fatal(err)
		}
		return pl
	}
	t.Run("remove a trusted-location exclusion from the MFA policy", func(t *testing.T) {
		// learn.microsoft.com "Network assignment in Conditional Access
		// policy": the policy does not apply from an excluded location, so
		// FIDO2 users reach a session there with the password alone.
		src := entraEngineSrc()
		src.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"AllTrusted"}}
		pl := plan(t, testParams(), src, false)
		a := candidate(pl, ActRemoveLocationExclude)
		if a == nil || a.Target.ID != entraCAMFA || !strings.Contains(a.Title, "(trusted locations)") || a.Check != "EXC-02" {
			t.Fatalf("candidate %+v (all: %+v)", a, pl.Candidates)
		}
		if !slices.Contains(a.Effect.Sample, "alice@contoso.com") || a.Effect.PrivilegedRaised != 1 || !slices.Contains(a.Effect.ChecksPassing, "EXC-02/entra") {
			t.Errorf("effect %+v", a.Effect)
		}
		if !strings.Contains(a.APIField, "excludeLocations") || !strings.Contains(a.ConsolePath, "Conditional Access") {
			t.Errorf("where to change it: %q, %q", a.ConsolePath, a.APIField)
		}
		if got := plan(t, testParams(), src, true); candidate(got, ActRemoveLocationExclude).Effect.AccountsRaised != a.Effect.AccountsRaised {
			t.Errorf("per signature and per account disagree: %+v vs %+v", a.Effect, candidate(got, ActRemoveLocationExclude).Effect)
		}
		for _, c := range pl.Candidates {
			if c.Kind == ActRequireTwoFactors {
				t.Errorf("an Okta factor-mode action for an Entra policy: %+v", c)
			}
		}
	})
	t.Run("no location action where the grant needs no MFA", func(t *testing.T) {
		// "Require one of the selected controls" with a compliant device:
		// the device alone passes, wherever the sign-in comes from.
		src := entraEngineSrc()
		src.Policies.Access[0].Conditions.Network = &evidence.Network{Include: []string{"All"}, Exclude: []string{"loc-hq"}}
		src.Policies.Access[0].Rules[0].Requirement.Controls = []string{"mfa", "compliantDevice"}
		if a := candidate(plan(t, testParams(), src, false), ActRemoveLocationExclude); a != nil {
			t.Errorf("candidate %+v", a)
		}
	})
	t.Run("block legacy authentication, break-glass accounts excluded", func(t *testing.T) {
		// learn.microsoft.com "Block legacy authentication with Conditional
		// Access": all users but emergency access accounts, client apps
		// Exchange ActiveSync and other clients, Block access.
		src := entraEngineSrc()
		src.Policies.Access = src.Policies.Access[:1] // no block
		src.Policies.Access[0].Conditions.ClientAppTypes = []string{"browser", "mobileAppsAndDesktopClients"}
		p := testParams()
		p.BreakGlass = []string{entraAdmin}
		pl := plan(t, p, src, false)
		a := candidate(pl, ActBlockLegacyAuth)
		if a == nil || a.Check != "EXC-02" || !strings.Contains(a.APIField, "exchangeActiveSync") {
			t.Fatalf("candidate %+v (all: %+v)", a, pl.Candidates)
		}
		if !slices.Contains(a.Effect.Sample, "alice@contoso.com") || slices.Contains(a.Effect.Sample, "ada@contoso.com") || !slices.Contains(a.Effect.ChecksPassing, "EXC-02/entra") {
			t.Errorf("effect %+v", a.Effect)
		}
		if got := candidate(plan(t, p, src, true), ActBlockLegacyAuth); got.Effect.AccountsRaised != a.Effect.AccountsRaised {
			t.Errorf("per signature and per account disagree: %+v vs %+v", a.Effect, got.Effect)
		}
		if a := candidate(planFor(t, entraEngineSrc()), ActBlockLegacyAuth); a != nil {
			t.Errorf("legacy authentication is already blocked, yet %+v", a)
		}
		// Blocked for everyone but the declared break-glass account: the
		// template's block would exclude it too, so there is nothing to do.
		src = entraEngineSrc()
		src.Policies.Access[0].Conditions.ClientAppTypes = []string{"browser", "mobileAppsAndDesktopClients"}
		src.Policies.Access[1].Conditions.People.ExcludeUsers = []string{entraAdmin}
		if a := candidate(plan(t, p, src, false), ActBlockLegacyAuth); a != nil {
			t.Errorf("only the break-glass account has a legacy path, yet %+v", a)
		}
	})
	t.Run("turn on a report-only MFA policy", func(t *testing.T) {
		// learn.microsoft.com "Conditional Access report-only mode": a
		// report-only policy is evaluated at sign-in and never enforced.
		src := entraEngineSrc()
		src.Policies.Access[0].Enabled, src.Policies.Access[0].ReportOnly, src.Policies.Access[0].Status = false, true, "enabledForReportingButNotEnforced"
		a := candidate(plan(t, testParams(), src, false), ActEnablePolicy)
		if a == nil || a.Target.ID != entraCAMFA || a.Check != "EXC-02" || !strings.Contains(a.APIField, "state") {
			t.Fatalf("candidate %+v", a)
		}
		if !slices.Contains(a.Effect.Sample, "alice@contoso.com") || !slices.Contains(a.Effect.ChecksPassing, "EXC-02/entra") {
			t.Errorf("effect %+v", a.Effect)
		}
		// One met by a compliant device alone raises no one: not proposed.
		src.Policies.Access[0].Rules[0].Requirement = evidence.Requirement{Operator: "OR", Controls: []string{"compliantDevice"}}
		if a := candidate(plan(t, testParams(), src, false), ActEnablePolicy); a != nil {
			t.Errorf("device-only report-only policy proposed: %+v", a)
		}
	})
}
