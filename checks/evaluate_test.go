package checks

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shadowpath/shadowpath/connectors/evidence"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestEvaluateShape(t *testing.T) {
	p := testParams()
	p.ToolVersion, p.Organization = "1.2.3", "Acme Corp"
	okta := oktaGood()
	okta.Accounts = append(okta.Accounts, evidence.Account{ID: "00u0zed", Name: "Zed", Login: "zed@acme.com", UserType: "member",
		Methods: []evidence.Method{{Kind: evidence.KindUnknown, VendorType: "custom_otp_v9"}, method(evidence.KindSMS, "s")}})
	r := evaluate(t, p, entraGood(), okta)

	if r.SchemaVersion != "1" || r.Tool.Name != "shadowpath" || r.Tool.Version != "1.2.3" || r.Organization != "Acme Corp" || !r.GeneratedAt.Equal(testNow) {
		t.Errorf("header %+v %+v %s %s", r.SchemaVersion, r.Tool, r.Organization, r.GeneratedAt)
	}
	for i := 1; i < len(r.Checks); i++ {
		a, b := r.Checks[i-1], r.Checks[i]
		if a.ID > b.ID || (a.ID == b.ID && a.Provider >= b.Provider) {
			t.Fatalf("checks not sorted at %d: %s/%s then %s/%s", i, a.ID, a.Provider, b.ID, b.Provider)
		}
	}
	var sum Summary
	for _, c := range r.Checks {
		sum.Add(c.Status)
		if c.Findings == nil || c.Controls == nil {
			t.Errorf("%s/%s: nil findings or controls", c.ID, c.Provider)
		}
		for i := 1; i < len(c.Findings); i++ {
			if c.Findings[i-1].Subject.ID > c.Findings[i].Subject.ID {
				t.Errorf("%s/%s findings not sorted", c.ID, c.Provider)
			}
		}
	}
	if sum != r.Summary {
		t.Errorf("summary %+v, counted %+v", r.Summary, sum)
	}
	if len(r.Sources) != 2 || r.Sources[0].Provider != "entra" || r.Sources[1].Provider != "okta" {
		t.Fatalf("sources %+v", r.Sources)
	}
	if h, _ := okta.Hash(); r.Sources[1].EvidenceSHA256 != h || len(h) != 64 {
		t.Errorf("evidence hash %q, want %q", r.Sources[1].EvidenceSHA256, h)
	}
	if r.Sources[1].Accounts != 3 || len(r.Sources[1].Coverage) != len(evidence.Datasets[evidence.Okta]) {
		t.Errorf("okta source info %+v", r.Sources[1])
	}
	// Identities: every in-scope account, guests included, sorted by provider then id.
	var ids []string
	for _, id := range r.Identities {
		ids = append(ids, id.Provider+"/"+id.ID)
	}
	want := []string{"entra/" + entraAlice, "entra/" + entraAdmin, "entra/" + entraGuest, "okta/00u0zed", "okta/" + oktaAlice, "okta/" + oktaAdmin}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("identities %v, want %v", ids, want)
	}
	for _, id := range r.Identities {
		switch id.ID {
		case entraGuest:
			if id.UserType != "guest" || len(id.Methods) != 0 || id.Methods == nil {
				t.Errorf("guest identity %+v", id)
			}
		case "00u0zed":
			if !slices.Equal(id.Methods, []string{"sms", "unknown"}) || id.EffectiveAAL != "none" || id.NominalAAL != "AAL2" || id.WeakestPath != "unknown (sign-in)" {
				t.Errorf("zed identity %+v", id)
			}
		case entraAdmin:
			if !id.Privileged || id.NominalAAL != "AAL3" || id.EffectiveAAL != "AAL3" {
				t.Errorf("admin identity %+v", id)
			}
		}
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "okta: 1 enrolled method of unknown kind (vendor values: custom_otp_v9)") {
		t.Errorf("warnings %q", r.Warnings)
	}
	if r.Parameters["tap_max_lifetime"] != "8h" || r.Parameters["service_accounts.patterns"] == "" {
		t.Errorf("parameters %v", r.Parameters)
	}
}

// TestEvaluateGolden pins results.json for the fixtures byte for byte
// (regenerate with go test ./checks -run Golden -update).
func TestEvaluateGolden(t *testing.T) {
	p := testParams()
	p.ToolVersion = "test"
	okta, entra := oktaGood(), entraGood()
	// Some failing content, so the golden file shows findings and escalation.
	okta.Accounts = append(okta.Accounts, evidence.Account{ID: "00u9bob", Name: "Bob", Login: "svc-bob@acme.com", UserType: "member",
		Methods: []evidence.Method{method(evidence.KindPassword, "")}})
	entra.Policies.SignIn[0].Targets.ExcludeUsers = []string{entraAdmin}
	entra.LogRetentionDays = 7
	r := evaluate(t, p, okta, entra)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "testdata", "checks", "results.golden.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("results differ from %s; run go test ./checks -run Golden -update and review the diff", golden)
	}
	// Same input, same bytes.
	r2 := evaluate(t, p, oktaGood(), entraGood())
	r3 := evaluate(t, p, oktaGood(), entraGood())
	b2, _ := json.Marshal(r2)
	b3, _ := json.Marshal(r3)
	if !bytes.Equal(b2, b3) {
		t.Error("two evaluations of the same snapshot differ")
	}
}

func TestEvaluateErrors(t *testing.T) {
	second := oktaGood()
	second.Tenant = "other.okta.com"
	cases := []struct {
		name string
		snap *evidence.Snapshot
		p    Params
		want string
	}{
		{"nil snapshot", nil, testParams(), "no source"},
		{"no sources", snapshotOf(), testParams(), "no source"},
		{"two okta orgs", snapshotOf(oktaGood(), second), testParams(), "one source per provider"},
		{"no clock", snapshotOf(oktaGood()), Params{}, "Now"},
		{"null source", snapshotOf(nil), testParams(), "sources[0] is null"},
		{"bad provider", snapshotOf(&evidence.Source{Provider: "google", Tenant: "x"}), testParams(), `unknown provider "google"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(tc.snap, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestOddData: empty or strange evidence never panics, and every check
// still appears once per provider.
func TestOddData(t *testing.T) {
	empty := func(p evidence.Provider) *evidence.Source {
		return &evidence.Source{Provider: p, Tenant: "t-" + string(p)}
	}
	odd := oktaGood()
	odd.Accounts = append(odd.Accounts,
		evidence.Account{ID: "00unomethods"},
		evidence.Account{ID: "00uerr", MethodsError: "HTTP 500", Methods: nil},
		evidence.Account{ID: "00uweird", Methods: []evidence.Method{{Kind: "", Status: "weird"}}, Roles: []evidence.Role{{}}, Groups: []string{""}},
	)
	odd.Events = append(odd.Events,
		evidence.Event{ID: "e1", Kind: evidence.EvFactorReset},
		evidence.Event{ID: "e2", Kind: evidence.EvPasswordResetAdmin, Actor: evidence.Principal{ID: "x"}},
		evidence.Event{ID: "e3", Kind: evidence.EvSignIn, Interactive: true},
		evidence.Event{ID: "e4", Kind: "something_new"},
	)
	odd.Workloads = append(odd.Workloads, evidence.Workload{ID: "w0"}, evidence.Workload{ID: "w1", Credentials: []evidence.Credential{{Active: true}}, Owners: []evidence.Owner{{}}})
	odd.Policies.SignIn = append(odd.Policies.SignIn, evidence.SignInPolicy{Enabled: true, RequiresMFA: true, Targets: evidence.Targets{ExcludeUsers: []string{""}, ExcludeGroups: []string{"nope"}, ExcludeRoles: []string{"X"}}})
	odd.Policies.Recovery = append(odd.Policies.Recovery, evidence.RecoveryPolicy{Enabled: true, SelfService: true, StepUpRequired: true, EndsInSession: true, Targets: evidence.Targets{All: true}})
	odd.Policies.TemporaryAccess = []evidence.TemporaryAccessSetting{{Enabled: true}}
	odd.AuditWindow = evidence.Window{}
	cases := map[string][]*evidence.Source{
		"empty okta": {empty(evidence.Okta)},
		"empty both": {empty(evidence.Okta), empty(evidence.Entra)},
		"odd okta":   {odd},
		"entra no methods": {func() *evidence.Source {
			s := entraGood()
			s.Policies = evidence.Policies{}
			s.Accounts[0].Methods = nil
			return s
		}()},
	}
	for name, srcs := range cases {
		t.Run(name, func(t *testing.T) {
			r := evaluate(t, testParams(), srcs...)
			if len(r.Checks) != len(srcs)*len(Catalog()) {
				t.Errorf("%d checks for %d sources", len(r.Checks), len(srcs))
			}
			for _, c := range r.Checks {
				if c.Status == "" || c.Rationale == "" {
					t.Errorf("%s/%s: status %q rationale %q", c.ID, c.Provider, c.Status, c.Rationale)
				}
				for _, f := range c.Findings {
					if f.Subject.ID == "" {
						t.Errorf("%s/%s: finding without subject id: %+v", c.ID, c.Provider, f)
					}
				}
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("nothing collected is not_assessed, never pass", func(t *testing.T) {
		r := evaluate(t, testParams(), empty(evidence.Entra))
		for _, c := range r.Checks {
			if c.Status == Pass || c.Status == Fail {
				t.Errorf("%s: %s without data", c.ID, c.Status)
			}
		}
	})
	t.Run("unreadable methods", func(t *testing.T) {
		r := evaluate(t, testParams(), odd)
		for _, id := range r.Identities {
			if id.ID == "00uerr" && (!strings.Contains(id.WeakestPath, "could not be read: HTTP 500") || id.EffectiveAAL != "unknown") {
				t.Errorf("identity with unreadable methods: %+v", id)
			}
		}
		if c := result(t, r, "MFA-01", evidence.Okta); slices.Contains(subjects(c), "00uerr") {
			t.Error("MFA-01 judged an account whose methods could not be read")
		}
		if c := result(t, r, "LOG-01", evidence.Okta); c.Status != NotAssessed {
			t.Errorf("LOG-01 without a window: %s", c.Status)
		}
	})
}

// TestLargeSource runs the parallel assessment path (more than 4096
// accounts): counts match the generator, and two runs give the same bytes.
func TestLargeSource(t *testing.T) {
	src := bigSource(10_000)
	src.Accounts[17].Methods = append(src.Accounts[17].Methods, evidence.Method{Kind: evidence.KindUnknown, VendorType: "new_thing"})
	src.Accounts[9_999].Methods = append(src.Accounts[9_999].Methods, evidence.Method{Kind: evidence.KindUnknown, VendorType: "new_thing"})
	r1 := evaluate(t, testParams(), src)
	r2 := evaluate(t, testParams(), src)
	b1, _ := json.Marshal(r1)
	b2, _ := json.Marshal(r2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two evaluations differ")
	}
	if len(r1.Identities) != 10_000 {
		t.Errorf("%d identities", len(r1.Identities))
	}
	// Every fourth account has password, email and a security question only.
	if c := result(t, r1, "MFA-01", evidence.Okta); len(c.Findings) != 2_500 || c.Severity != Critical {
		t.Errorf("MFA-01: %d findings, severity %s", len(c.Findings), c.Severity)
	}
	if !strings.Contains(strings.Join(r1.Warnings, "\n"), "okta: 2 enrolled methods of unknown kind (vendor values: new_thing)") {
		t.Errorf("warnings %q", r1.Warnings)
	}
	// A genuinely different environment: a few of the accounts, alone in a
	// copy of the source, evaluated by the sequential path (fewer than 4096
	// accounts), must be judged exactly as the parallel bulk pass judged them.
	picks := []int{0, 1, 2, 3, 7, 17, 3_003, 4_242, 9_999}
	sub := *src
	sub.Accounts = nil
	for _, i := range picks {
		sub.Accounts = append(sub.Accounts, src.Accounts[i])
	}
	alone := evaluate(t, testParams(), &sub)
	if len(alone.Identities) != len(picks) {
		t.Fatalf("subset: %d identities for %d accounts", len(alone.Identities), len(picks))
	}
	bulk := map[string]Identity{}
	for _, id := range r1.Identities {
		bulk[id.ID] = id
	}
	for _, got := range alone.Identities {
		if diff := cmp.Diff(bulk[got.ID], got); diff != "" {
			t.Errorf("account %s judged alone differs from the bulk pass (-bulk +alone):\n%s", got.ID, diff)
		}
	}
	// And per account, the same findings of the account-level checks.
	for _, id := range []string{"MFA-01", "MFA-02", "MFA-03", "MFA-04"} {
		want := map[string]bool{}
		for _, s := range subjects(result(t, r1, id, evidence.Okta)) {
			want[s] = true
		}
		for _, acct := range sub.Accounts {
			has := slices.Contains(subjects(result(t, alone, id, evidence.Okta)), acct.ID)
			if has != want[acct.ID] {
				t.Errorf("%s: account %s has a finding alone = %v, in bulk = %v", id, acct.ID, has, want[acct.ID])
			}
		}
	}
}

// TestResultsComplete: a scan is complete only when every dataset was read
// and no check is not_assessed or incomplete.
func TestResultsComplete(t *testing.T) {
	r := evaluate(t, testParams(), oktaGood())
	if !r.Complete() {
		t.Fatalf("a fully read source is not complete")
	}
	r.Checks[0].Incomplete = true
	if r.Complete() {
		t.Errorf("an incomplete check leaves the scan complete")
	}
	r.Checks[0].Incomplete = false
	r.Checks[1].Status = NotAssessed
	if r.Complete() {
		t.Errorf("a not_assessed check leaves the scan complete")
	}
	r.Checks[1].Status = Pass
	r.Sources[0].Coverage[0].Status = CoveragePartial
	if r.Complete() {
		t.Errorf("a partial dataset leaves the scan complete")
	}
}

// TestCollectionSentence: how a source was read reaches results.json (and
// from there the reports' methodology) in one sentence.
func TestCollectionSentence(t *testing.T) {
	src := oktaGood()
	src.Collection = &evidence.Collection{Mode: evidence.CollectIncremental, Users: 100, Reread: 9, CarriedOver: 91,
		Base:      &evidence.CollectionBase{CollectedAt: testNow.Add(-7 * day)},
		LogWindow: &evidence.Window{Since: testNow.Add(-7*day - time.Hour), Until: testNow}, ChangeEvents: 12,
		RateShare: 0.5, RateShareNote: "configured okta.rate_share"}
	r := evaluate(t, testParams(), src)
	got := r.Sources[0].Collection
	for _, want := range []string{"incremental: 9 of 100 users' factors re-read, 91 carried over from the snapshot of 2026-11-19 12:00 UTC", "12 change events", "at most 50% of each rate-limit bucket (configured okta.rate_share)"} {
		if !strings.Contains(got, want) {
			t.Errorf("collection %q lacks %q", got, want)
		}
	}
	src.Collection = &evidence.Collection{Mode: evidence.CollectFull, FullReason: "the previous snapshot is older than the log retention"}
	if got := evaluate(t, testParams(), src).Sources[0].Collection; !strings.Contains(got, "full read (incremental was asked: the previous snapshot is older") {
		t.Errorf("collection %q", got)
	}
}
