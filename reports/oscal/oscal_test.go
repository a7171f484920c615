package oscal

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/defenseunicorns/go-oscal/src/pkg/validation"
	ot "github.com/defenseunicorns/go-oscal/src/types/oscal-1-2-2"
	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/checks"
)

var update = flag.Bool("update", false, "rewrite golden files")

var goldenPath = filepath.Join("..", "..", "testdata", "oscal", "assessment-results.golden.json")

func render(t *testing.T, r *checks.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (OSCAL{}).Write(t.Context(), &buf, r); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func decode(t *testing.T, b []byte) *ot.AssessmentResults {
	t.Helper()
	var doc ot.OscalCompleteSchema
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if doc.AssessmentResults == nil {
		t.Fatal("no assessment-results in document")
	}
	return doc.AssessmentResults
}

func TestGolden(t *testing.T) {
	got := render(t, fixtureResults())
	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", goldenPath, diff)
	}
}

func TestValidAgainstSchema(t *testing.T) {
	odd := fixtureResults()
	odd.Organization = "  \n"
	odd.Tool.Version = ""
	odd.Sources[0].EvidenceSHA256 = "not-hex"
	odd.Sources[1].CollectedAt = time.Time{}
	odd.Checks[4].Findings[0].Subject = checks.Subject{Type: "", ID: " ", Name: "line one\nline two"}
	odd.Checks[4].Findings[0].Message = "\t"
	odd.Checks[3].Title = "multi\nline title"
	odd.Checks[3].Controls = append(odd.Checks[3].Controls, checks.Control{Framework: "ISO/IEC 27001:2022", ID: "A.5.17"}, checks.Control{Framework: "", ID: "9 bad id"})
	odd.Checks[3].Rationale = ""
	odd.Parameters = map[string]string{"weird key!": "v", "empty": " "}
	odd.Warnings = []string{"", "multi\nline"}

	none := fixtureResults()
	none.Checks, none.Sources, none.Identities, none.Parameters, none.Warnings = nil, nil, nil, nil, nil
	none.Summary = checks.Summary{}

	tests := []struct {
		name string
		r    *checks.Results
	}{
		{"fixture", fixtureResults()},
		{"odd strings and missing values", odd},
		{"no checks and no sources", none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(render(t, tt.r)); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

// TestValidateRejects shows the schema validation can fail: each mutation of
// a valid document must be reported.
func TestValidateRejects(t *testing.T) {
	valid := render(t, fixtureResults())
	if err := Validate(valid); err != nil {
		t.Fatalf("fixture must be valid: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(ar map[string]any)
		want   string // substring of the error
	}{
		{"missing uuid", func(ar map[string]any) { delete(ar, "uuid") }, "uuid"},
		{"uuid not a v4/v5 uuid", func(ar map[string]any) { ar["uuid"] = "00000000-0000-1000-8000-000000000000" }, "/assessment-results/uuid"},
		{"unknown objective state", func(ar map[string]any) {
			f := results(ar)["findings"].([]any)[0].(map[string]any)
			f["target"].(map[string]any)["status"].(map[string]any)["state"] = "maybe"
		}, "/findings/0/target/status/state"},
		{"empty results", func(ar map[string]any) { ar["results"] = []any{} }, "/assessment-results/results"},
		{"date without timezone", func(ar map[string]any) {
			ar["metadata"].(map[string]any)["last-modified"] = "2026-11-26T12:00:00"
		}, "last-modified"},
		{"control id not a token", func(ar map[string]any) {
			sel := results(ar)["reviewed-controls"].(map[string]any)["control-selections"].([]any)[0].(map[string]any)
			sel["include-controls"].([]any)[0].(map[string]any)["control-id"] = "4.2.2"
		}, "control-id"},
		{"unknown field", func(ar map[string]any) { ar["shadowpath"] = true }, "shadowpath"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(valid, &doc); err != nil {
				t.Fatal(err)
			}
			tt.mutate(doc["assessment-results"].(map[string]any))
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = Validate(b)
			if err == nil {
				t.Fatal("Validate accepted an invalid document")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate error %q does not mention %q", err, tt.want)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		if err := Validate([]byte("{")); err == nil {
			t.Error("Validate accepted broken JSON")
		}
	})
}

func results(ar map[string]any) map[string]any {
	return ar["results"].([]any)[0].(map[string]any)
}

func TestDeterministic(t *testing.T) {
	a, b := render(t, fixtureResults()), render(t, fixtureResults())
	if !bytes.Equal(a, b) {
		t.Fatal("same results gave different bytes")
	}
	later := fixtureResults()
	later.GeneratedAt = later.GeneratedAt.Add(24 * time.Hour)
	c := render(t, later)
	uuids := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	first := map[string]bool{}
	for _, u := range uuids.FindAllString(string(a), -1) {
		first[u] = true
	}
	if len(first) < 20 {
		t.Fatalf("expected many v5 uuids, found %d", len(first))
	}
	for _, u := range uuids.FindAllString(string(c), -1) {
		if first[u] {
			t.Errorf("uuid %s reused by a scan at another time", u)
		}
	}
}

func TestStatusMapping(t *testing.T) {
	ar := decode(t, render(t, fixtureResults()))
	res := ar.Results[0]
	type want struct {
		state, reason, risk string // risk "" = no risk
		implNA              bool
		remark              string
	}
	wants := map[string]want{
		"EXC-01 (entra)": {state: "not-satisfied", reason: "fail", risk: "deviation-approved", remark: "Waived"},
		"EXC-01 (okta)":  {state: "not-satisfied", reason: "fail", risk: "open"},
		"LOG-01 (okta)":  {state: "not-satisfied", reason: "other", remark: "Not assessed"},
		"MFA-01 (entra)": {state: "satisfied", reason: "pass"},
		"MFA-01 (okta)":  {state: "not-satisfied", reason: "fail", risk: "open"},
		"MFA-03 (entra)": {state: "not-satisfied", reason: "fail", risk: "open"},
		"MFA-05 (okta)":  {state: "satisfied", reason: "pass"},
		"NHI-07 (entra)": {state: "not-satisfied", reason: "fail", risk: "open"},
		"REC-02 (entra)": {state: "not-satisfied", reason: "other", remark: "Manual verification required"},
		"REC-04 (okta)":  {state: "satisfied", reason: "other", implNA: true, remark: "Not applicable"},
		"REC-08 (okta)":  {state: "not-satisfied", reason: "other", remark: "Manual verification required"},
	}
	if res.Findings == nil || len(*res.Findings) != len(wants) {
		t.Fatalf("want %d findings, got %v", len(wants), res.Findings)
	}
	if res.Observations == nil || len(*res.Observations) != len(wants) {
		t.Fatalf("want %d observations", len(wants))
	}
	risks := map[string]ot.Risk{}
	for _, r := range *res.Risks {
		risks[r.UUID] = r
	}
	if len(risks) != 5 {
		t.Errorf("want 5 risks (4 fail + 1 waived), got %d", len(risks))
	}
	for _, f := range *res.Findings {
		key := strings.SplitN(f.Title, ":", 2)[0]
		w, ok := wants[key]
		if !ok {
			t.Errorf("unexpected finding %q", f.Title)
			continue
		}
		t.Run(key, func(t *testing.T) {
			st := f.Target.Status
			if st.State != w.state || st.Reason != w.reason {
				t.Errorf("status = %s/%s, want %s/%s", st.State, st.Reason, w.state, w.reason)
			}
			if f.Target.Type != "objective-id" || f.Target.TargetId != strings.Fields(key)[0] {
				t.Errorf("target = %s %s", f.Target.Type, f.Target.TargetId)
			}
			if !strings.HasPrefix(st.Remarks, w.remark) {
				t.Errorf("remarks = %q, want prefix %q", st.Remarks, w.remark)
			}
			if got := f.Target.ImplementationStatus != nil && f.Target.ImplementationStatus.State == "not-applicable"; got != w.implNA {
				t.Errorf("implementation-status not-applicable = %v, want %v", got, w.implNA)
			}
			if f.RelatedObservations == nil || len(*f.RelatedObservations) != 1 {
				t.Fatal("finding without its observation")
			}
			if w.risk == "" {
				if f.RelatedRisks != nil {
					t.Errorf("unexpected risk for %s", key)
				}
				return
			}
			if f.RelatedRisks == nil {
				t.Fatalf("no risk, want %s", w.risk)
			}
			r := risks[(*f.RelatedRisks)[0].RiskUuid]
			if r.Status != w.risk {
				t.Errorf("risk status = %q, want %q", r.Status, w.risk)
			}
		})
	}
}

func propValues(props *[]ot.Property, name string) []string {
	var out []string
	if props == nil {
		return nil
	}
	for _, p := range *props {
		if p.Name == name {
			out = append(out, p.Value)
		}
	}
	return out
}

func TestWaiversInRisks(t *testing.T) {
	ar := decode(t, render(t, fixtureResults()))
	byTitle := map[string]ot.Risk{}
	for _, r := range *ar.Results[0].Risks {
		byTitle[strings.SplitN(r.Title, ":", 2)[0]] = r
	}

	accepted := byTitle["EXC-01 (entra)"]
	if accepted.Deadline == nil || !accepted.Deadline.Equal(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("waived risk deadline = %v, want the end of the waiver's expiry date 2027-03-31", accepted.Deadline)
	}
	for name, want := range map[string][]string{
		"waiver-owner":       {"identity-team@acme.example"},
		"waiver-approved-by": {"ciso@acme.example"},
		"waiver-expires":     {"2027-03-31"},
		"waiver-ticket":      {"RISK-1234"},
		"waiver-expired":     {"false"},
	} {
		if got := propValues(accepted.Props, name); !cmp.Equal(got, want) {
			t.Errorf("waived risk %s = %v, want %v", name, got, want)
		}
	}

	open := byTitle["EXC-01 (okta)"]
	if open.Status != "open" || open.Deadline != nil {
		t.Errorf("risk with an expired waiver: status %q deadline %v, want open, none", open.Status, open.Deadline)
	}
	if got := propValues(open.Props, "waiver-expired"); !cmp.Equal(got, []string{"true", "false"}) {
		t.Errorf("waiver-expired props = %v, want the expired waiver first (earlier expiry), then the valid one", got)
	}
	if got := propValues(open.Props, "failing-findings"); !cmp.Equal(got, []string{"1"}) {
		t.Errorf("failing-findings = %v, want 1 (the other is covered)", got)
	}
	if !strings.Contains(open.Description, "Expired waiver") || !strings.Contains(open.Statement, "00g1vpnlegacy000x0h7") ||
		strings.Contains(open.Statement, "00u2breakglass00x0h7 ") {
		t.Errorf("statement/description of the expired-waiver risk:\n%s\n%s", open.Statement, open.Description)
	}
	sev := (*byTitle["MFA-01 (okta)"].Characterizations)[0].Facets[0]
	if sev.Name != "severity" || sev.Value != "critical" {
		t.Errorf("MFA-01 okta severity facet = %+v, want critical (a finding raised it)", sev)
	}
}

func TestEvidenceLinks(t *testing.T) {
	ar := decode(t, render(t, fixtureResults()))
	resources := map[string]ot.Resource{}
	for _, r := range *ar.BackMatter.Resources {
		resources[r.UUID] = r
	}
	if !strings.HasPrefix(ar.ImportAp.Href, "#") {
		t.Fatalf("import-ap href %q is not an internal reference", ar.ImportAp.Href)
	}
	if _, ok := resources[strings.TrimPrefix(ar.ImportAp.Href, "#")]; !ok {
		t.Errorf("import-ap href %s names no back-matter resource", ar.ImportAp.Href)
	}
	obs := (*ar.Results[0].Observations)[4] // MFA-01 okta
	if !strings.HasPrefix(obs.Title, "MFA-01 (okta)") {
		t.Fatalf("observation 4 is %q", obs.Title)
	}
	ev := *obs.RelevantEvidence
	if len(ev) != 2 || ev[0].Href != "results.json#/checks/4" {
		t.Fatalf("relevant evidence = %+v", ev)
	}
	src, ok := resources[strings.TrimPrefix(ev[1].Href, "#")]
	if !ok {
		t.Fatalf("evidence href %s names no resource", ev[1].Href)
	}
	h := (*(*src.Rlinks)[0].Hashes)[0]
	if h.Algorithm != "SHA-256" || h.Value != "5d41402abc4b2a76b9719d911017c592ae2b8e4d9c0e1f2a3b4c5d6e7f809112" {
		t.Errorf("okta evidence hash = %+v", h)
	}
	if got := propValues(obs.Props, "subject"); !cmp.Equal(got, []string{"00u1a2b3c4d5e6f7g8h9", "00u9z8y7x6w5v4u3t2s1"}) {
		t.Errorf("subjects = %v", got)
	}
	if !obs.Collected.Equal(fixtureGenerated.Add(-4 * time.Minute)) {
		t.Errorf("collected = %v, want okta's collection time", obs.Collected)
	}
	res := ar.Results[0]
	if !res.Start.Equal(fixtureGenerated.Add(-4*time.Minute)) || !res.End.Equal(fixtureGenerated) {
		t.Errorf("result start/end = %v/%v", res.Start, res.End)
	}
	if ar.Metadata.Version != "0.3.0" || !ar.Metadata.LastModified.Equal(fixtureGenerated) || ar.Metadata.OscalVersion != OSCALVersion {
		t.Errorf("metadata = %+v", ar.Metadata)
	}
}

func TestReviewedControls(t *testing.T) {
	ar := decode(t, render(t, fixtureResults()))
	rc := ar.Results[0].ReviewedControls
	got := map[string][]string{}
	for _, sel := range rc.ControlSelections {
		fw := propValues(sel.Props, "framework")[0]
		for _, c := range *sel.IncludeControls {
			got[fw] = append(got[fw], c.ControlId)
		}
	}
	want := map[string][]string{
		checks.FwCSF:     {"csf-2.0_DE.CM-03", "csf-2.0_PR.AA-01", "csf-2.0_PR.AA-02", "csf-2.0_PR.AA-03", "csf-2.0_PR.AA-05", "csf-2.0_PR.PS-04"},
		checks.FwNIST63B: {"sp800-63b-4_2.2.1", "sp800-63b-4_2.2.2", "sp800-63b-4_2.3.1", "sp800-63b-4_4.1", "sp800-63b-4_4.1.2.2", "sp800-63b-4_4.1.3", "sp800-63b-4_4.2.2.2", "sp800-63b-4_4.2.3"},
		checks.FwNHI:     {"owasp-nhi-2025_NHI10", "owasp-nhi-2025_NHI7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reviewed controls (-want +got):\n%s", diff)
	}
	var objectives []string
	for _, o := range *(*rc.ControlObjectiveSelections)[0].IncludeObjectives {
		objectives = append(objectives, o.ObjectiveId)
	}
	wantObj := []string{"EXC-01", "LOG-01", "MFA-01", "MFA-03", "MFA-05", "NHI-07", "REC-02", "REC-04", "REC-08"}
	if !cmp.Equal(objectives, wantObj) {
		t.Errorf("objectives = %v, want %v", objectives, wantObj)
	}
}

func TestControlID(t *testing.T) {
	tests := []struct{ fw, id, want string }{
		{checks.FwNIST63B, "4.2.2", "sp800-63b-4_4.2.2"},
		{checks.FwCSF, "PR.AA-03", "csf-2.0_PR.AA-03"},
		{checks.FwNHI, "NHI3", "owasp-nhi-2025_NHI3"},
		{"ISO/IEC 27001:2022", "A.5.17", "iso-iec-27001-2022_A.5.17"},
		{"", "9 x", "__9-x"},
	}
	for _, tt := range tests {
		t.Run(tt.fw+" "+tt.id, func(t *testing.T) {
			if got := ControlID(tt.fw, tt.id); got != tt.want {
				t.Errorf("ControlID(%q, %q) = %q, want %q", tt.fw, tt.id, got, tt.want)
			}
		})
	}
}

func TestUUID5(t *testing.T) {
	// RFC 9562 appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got, want := formatUUID(uuid5(dns, "www.example.com")), "2ed6657d-e927-568b-95e1-2665a8aea6a2"; got != want {
		t.Errorf("uuid5 = %s, want %s", got, want)
	}
	if NameUUID("a", "bc") == NameUUID("ab", "c") {
		t.Error("NameUUID: part boundaries must matter")
	}
}

func TestWriteErrors(t *testing.T) {
	zero := fixtureResults()
	zero.GeneratedAt = time.Time{}
	tests := []struct {
		name string
		r    *checks.Results
		want string
	}{
		{"nil results", nil, "no results"},
		{"no generated_at", zero, "results.generated_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := (OSCAL{}).Write(t.Context(), &buf, tt.r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Write error = %v, want mention of %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Error("Write wrote a partial document")
			}
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := (OSCAL{}).Write(ctx, &bytes.Buffer{}, fixtureResults()); err == nil {
			t.Error("Write ignored a cancelled context")
		}
	})
}

// TestValidAgainstOSCAL11 checks the document also validates against the
// OSCAL 1.1.x schemas many consumers (FedRAMP tooling) still read.
func TestValidAgainstOSCAL11(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(render(t, fixtureResults()), &m); err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"1.1.2", "1.1.3"} {
		t.Run(version, func(t *testing.T) {
			v, err := validation.NewValidatorDesiredVersion(m, version)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Validate(); err != nil {
				res, _ := v.GetValidationResult()
				t.Errorf("not valid OSCAL %s: %v %+v", version, err, res.Errors)
			}
		})
	}
}

func TestDriftAndTenantLevelFailure(t *testing.T) {
	r := fixtureResults()
	r.Drift = &checks.Drift{
		BaselineGeneratedAt: fixtureGenerated.Add(-30 * 24 * time.Hour),
		New:                 []checks.DriftFinding{{CheckID: "MFA-01"}, {CheckID: "MFA-03"}},
		Resolved:            []checks.DriftFinding{{CheckID: "EXC-01"}},
	}
	r.Checks[2].Status = checks.Fail // LOG-01 okta fails on the tenant, no subject findings
	r.Checks[2].Rationale = "The system log retains 7 days; the window is 30."
	out := render(t, r)
	if err := Validate(out); err != nil {
		t.Fatal(err)
	}
	ar := decode(t, out)
	res := ar.Results[0]
	for name, want := range map[string]string{
		"new-failing-findings":  "2",
		"resolved-findings":     "1",
		"baseline-generated-at": "2026-10-27T12:00:00Z",
	} {
		if got := propValues(res.Props, name); !cmp.Equal(got, []string{want}) {
			t.Errorf("result prop %s = %v, want %s", name, got, want)
		}
	}
	for _, rk := range *res.Risks {
		if strings.HasPrefix(rk.Title, "LOG-01 (okta)") {
			if rk.Statement != "LOG-01 fail for okta: The system log retains 7 days; the window is 30." {
				t.Errorf("tenant-level risk statement = %q", rk.Statement)
			}
			return
		}
	}
	t.Error("no risk for the failing LOG-01")
}

// TestIncompleteMarked: an incomplete check says so in its observation's
// props and its finding's remarks (scan-complete reads Results.Complete,
// tested in checks).
func TestIncompleteMarked(t *testing.T) {
	r := fixtureResults()
	for i := range r.Checks {
		if r.Checks[i].Status == checks.Fail {
			r.Checks[i].Incomplete = true
			break
		}
	}
	out := string(render(t, r))
	for _, want := range []string{`"name": "incomplete"`, "Incomplete: the findings are those the data read proves"} {
		if !strings.Contains(out, want) {
			t.Errorf("OSCAL lacks %q", want)
		}
	}
}
