// Package oscal renders checks.Results as a NIST OSCAL assessment-results
// document (assessment-results.oscal.json), OSCAL 1.2.2, built on the typed
// models of github.com/defenseunicorns/go-oscal and checked with its embedded
// JSON schema (Validate) before Write writes anything. The output also
// validates against the OSCAL 1.1.2 and 1.1.3 schemas (tested), which many
// consumers still read.
//
// Mapping:
//
//   - import-ap: there is no separate OSCAL assessment plan; the plan is the
//     shadowpath check catalog (CATALOG.md) with the parameters used. import-ap
//     points at a back-matter resource describing it ("#<uuid>", the OSCAL
//     convention for an internal reference), which lists the tool version and
//     the thresholds as props.
//   - one result per scan: start = earliest evidence collection, end =
//     generated_at; reviewed-controls holds one control selection per framework
//     with the mapped control ids, and the checks as control objectives.
//   - per check × provider: an observation (method TEST, or EXAMINE for manual
//     checks) with the affected subjects as props and relevant-evidence
//     pointing at the check's entry in results.json and at the evidence
//     snapshot of each source (a back-matter resource carrying its SHA-256);
//     a finding whose target is the check as objective: pass ⇒ satisfied;
//     fail ⇒ not-satisfied; waived ⇒ not-satisfied with a remark naming the
//     waiver; not_assessed and manual ⇒ not-satisfied, reason "other", with
//     what is missing (fail closed: never satisfied without evidence);
//     not_applicable ⇒ satisfied, reason "other", implementation-status
//     not-applicable.
//   - a risk per failing or waived check: status "open" for fail,
//     "deviation-approved" for waived, with each waiver's owner, approver,
//     ticket and expiry as props (and in the description: an OSCAL risk has no
//     remarks), and the moment the first waiver lapses (the end of its expiry
//     day, UTC) as the deadline.
//
// Control ids are OSCAL tokens, which cannot start with a digit, so each is
// prefixed by its framework (ControlID): "sp800-63b-4_4.2.2",
// "csf-2.0_PR.AA-03", "owasp-nhi-2025_NHI3". The original framework and id are
// kept in props.
//
// UUIDs are version 5 (RFC 9562) names built from the scan (generated_at and
// the provider/tenant list) and the object (check id, provider…), so the same
// Results always give the same bytes.
package oscal

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	ot "github.com/defenseunicorns/go-oscal/src/types/oscal-1-2-2"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
)

// OSCALVersion is the OSCAL version written (metadata.oscal-version) and
// validated against.
const OSCALVersion = ot.Version

// Namespace qualifies shadowpath's own props and risk facets (OSCAL requires
// a namespace for names it does not define).
const Namespace = "https://github.com/shadowpath/shadowpath/ns/oscal"

// DefaultResultsHref is where relevant-evidence points for results.json: the
// file written beside this one in the output directory.
const DefaultResultsHref = "results.json"

// maxStatementSubjects bounds the subjects listed in a risk statement; the
// observation lists them all.
const maxStatementSubjects = 20

// OSCAL writes assessment-results.oscal.json. The zero value is ready to use.
// It implements reports.Writer (asserted in writer_test.go: the package
// needs nothing else from reports, so it does not import it); the CLI picks
// it by format name like the other writers.
type OSCAL struct {
	// ResultsHref is the results.json reference used in relevant-evidence;
	// empty means DefaultResultsHref.
	ResultsHref string
	// NoValidate skips the schema validation Write does before writing
	// (it costs a schema compile and a pass over the document: ~50 ms for
	// a typical tenant, seconds for a document of tens of MB).
	NoValidate bool
}

// Format implements reports.Writer.
func (OSCAL) Format() string { return "oscal" }

// Filename implements reports.Writer.
func (OSCAL) Filename() string { return "assessment-results.oscal.json" }

// Write implements reports.Writer: the document as two-space indented JSON,
// validated against the OSCAL schema first (unless NoValidate) so that an
// invalid document is an error and nothing is written.
func (o OSCAL) Write(ctx context.Context, w io.Writer, r *checks.Results) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	doc, err := o.Document(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("oscal: encode: %w", err)
	}
	if !o.NoValidate {
		if err := Validate(buf.Bytes()); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Document builds the OSCAL model of r. It fails on results that cannot be
// expressed (no generated_at), never on odd strings, which it cleans.
func (o OSCAL) Document(r *checks.Results) (*ot.OscalCompleteSchema, error) {
	if r == nil {
		return nil, errors.New("oscal: no results")
	}
	if err := checkTime("results.generated_at", r.GeneratedAt); err != nil {
		return nil, err
	}
	b := newBuilder(o, r)
	ar := b.build()
	return &ot.OscalCompleteSchema{AssessmentResults: ar}, nil
}

// checkTime rejects times the OSCAL date-time pattern cannot hold (years
// 1900–2999) — above all the zero time of a field never set.
func checkTime(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1900 || y > 2999 {
		return fmt.Errorf("oscal: %s: %s is not a valid scan time", field, t.UTC().Format(time.RFC3339))
	}
	return nil
}

type builder struct {
	r           *checks.Results
	resultsHref string
	scan        string // the scan's name, the root of every UUID
	gen         time.Time
	toolUUID    string
	sources     []checks.SourceInfo
}

func newBuilder(o OSCAL, r *checks.Results) *builder {
	b := &builder{r: r, resultsHref: cmp.Or(o.ResultsHref, DefaultResultsHref), gen: r.GeneratedAt.UTC()}
	b.sources = slices.Clone(r.Sources)
	slices.SortStableFunc(b.sources, func(x, y checks.SourceInfo) int {
		return cmp.Or(cmp.Compare(x.Provider, y.Provider), cmp.Compare(x.Tenant, y.Tenant))
	})
	tenants := make([]string, 0, len(b.sources))
	for _, s := range b.sources {
		tenants = append(tenants, s.Provider+":"+s.Tenant)
	}
	b.scan = b.gen.Format(time.RFC3339Nano) + "|" + strings.Join(tenants, ",")
	b.toolUUID = b.uuid("component", "tool")
	return b
}

func (b *builder) uuid(parts ...string) string {
	return NameUUID(append([]string{b.scan}, parts...)...)
}

func (b *builder) build() *ot.AssessmentResults {
	catalogUUID := b.uuid("resource", "catalog")
	resources := []ot.Resource{b.catalogResource(catalogUUID)}
	for _, s := range b.sources {
		resources = append(resources, b.sourceResource(s))
	}

	var observations []ot.Observation
	var findings []ot.Finding
	var risks []ot.Risk
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		obs := b.observation(i, c)
		observations = append(observations, obs)
		risk, hasRisk := b.risk(c, obs.UUID)
		if hasRisk {
			risks = append(risks, risk)
		}
		f := b.finding(c, obs.UUID)
		if hasRisk {
			f.RelatedRisks = &[]ot.AssociatedRisk{{RiskUuid: risk.UUID}}
		}
		findings = append(findings, f)
	}

	start := b.gen
	for _, s := range b.sources {
		if checkTime("", s.CollectedAt) == nil && s.CollectedAt.Before(start) {
			start = s.CollectedAt.UTC()
		}
	}
	end := b.gen

	result := ot.Result{
		UUID:        b.uuid("result"),
		Title:       line(b.resultTitle(), "shadowpath scan"),
		Description: b.resultDescription(),
		Start:       start,
		End:         &end,
		Props:       nonEmpty(b.resultProps()),
		LocalDefinitions: &ot.LocalDefinitions{
			Components: &[]ot.SystemComponent{b.toolComponent()},
		},
		ReviewedControls: b.reviewedControls(),
		Observations:     nonEmpty(observations),
		Findings:         nonEmpty(findings),
		Risks:            nonEmpty(risks),
		Remarks:          bullets(b.r.Warnings),
	}

	return &ot.AssessmentResults{
		UUID:     b.uuid("assessment-results"),
		Metadata: b.metadata(),
		ImportAp: ot.ImportAp{
			Href:    "#" + catalogUUID,
			Remarks: "No separate OSCAL assessment plan: the plan is the shadowpath check catalog with the parameters listed in the referenced back-matter resource.",
		},
		Results:    []ot.Result{result},
		BackMatter: &ot.BackMatter{Resources: &resources},
	}
}

func (b *builder) metadata() ot.Metadata {
	title := "shadowpath assessment results: backup MFA and account recovery"
	if org := line(b.r.Organization, ""); org != "" {
		title += " — " + org
	}
	m := ot.Metadata{
		Title:        title,
		LastModified: b.gen,
		Version:      line(b.r.Tool.Version, "unknown"),
		OscalVersion: OSCALVersion,
		Props: &[]ot.Property{
			prop("generator", line(b.r.Tool.Name, "shadowpath"), "", ""),
			prop("results-schema-version", line(b.r.SchemaVersion, "unknown"), "", ""),
		},
	}
	if org := line(b.r.Organization, ""); org != "" {
		m.Parties = &[]ot.Party{{UUID: b.uuid("party", "organization"), Type: "organization", Name: org}}
	}
	return m
}

func (b *builder) catalogResource(id string) ot.Resource {
	props := []ot.Property{prop("tool-version", line(b.r.Tool.Version, "unknown"), "", "")}
	keys := make([]string, 0, len(b.r.Parameters))
	for k := range b.r.Parameters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := line(b.r.Parameters[k], ""); v != "" {
			props = append(props, prop("parameter", v, token(k), ""))
		}
	}
	return ot.Resource{
		UUID:        id,
		Title:       "shadowpath check catalog (the assessment plan)",
		Description: "The checks, their framework mappings and status rules are shadowpath's catalog (CATALOG.md) for the tool version below; the thresholds used are listed as parameters.",
		Citation:    &ot.Citation{Text: "shadowpath CATALOG.md, check catalog v1"},
		Props:       &props,
	}
}

func (b *builder) sourceUUID(s checks.SourceInfo) string {
	return b.uuid("resource", "evidence", s.Provider, s.Tenant)
}

func (b *builder) sourceResource(s checks.SourceInfo) ot.Resource {
	props := []ot.Property{
		prop("provider", line(s.Provider, "unknown"), "", ""),
		prop("tenant", line(s.Tenant, "unknown"), "", ""),
	}
	if checkTime("", s.CollectedAt) == nil {
		props = append(props, prop("collected-at", s.CollectedAt.UTC().Format(time.RFC3339Nano), "", ""))
	}
	if h := line(s.EvidenceSHA256, ""); h != "" {
		props = append(props, prop("evidence-sha256", h, "", ""))
	}
	for _, c := range s.Coverage {
		props = append(props, prop("coverage", line(string(c.Status), "unknown"), token(c.Dataset), line(c.Detail, "")))
	}
	res := ot.Resource{
		UUID:        b.sourceUUID(s),
		Title:       line(fmt.Sprintf("%s evidence snapshot: %s", s.Provider, s.Tenant), "evidence snapshot"),
		Description: "The normalized evidence collected from this tenant, identified by its SHA-256 (RFC 6920 named-information URI).",
		Props:       &props,
	}
	if digest, err := hex.DecodeString(strings.TrimSpace(s.EvidenceSHA256)); err == nil && len(digest) == 32 {
		res.Rlinks = &[]ot.ResourceLink{{
			Href:      "ni:///sha-256;" + base64.RawURLEncoding.EncodeToString(digest),
			MediaType: "application/json",
			Hashes:    &[]ot.Hash{{Algorithm: "SHA-256", Value: hex.EncodeToString(digest)}},
		}}
	} else {
		res.Remarks = "No valid SHA-256 recorded for this evidence: it cannot be verified."
	}
	return res
}

func (b *builder) toolComponent() ot.SystemComponent {
	return ot.SystemComponent{
		UUID:        b.toolUUID,
		Type:        "software",
		Title:       line(line(b.r.Tool.Name, "shadowpath")+" "+line(b.r.Tool.Version, ""), "shadowpath"),
		Description: "Read-only scanner of backup MFA methods and account recovery paths in Okta and Microsoft Entra ID; the assessment tool that produced these results.",
		Status:      ot.SystemComponentStatus{State: "operational"},
		Props:       &[]ot.Property{prop("version", line(b.r.Tool.Version, "unknown"), "", "")},
	}
}

func (b *builder) resultTitle() string {
	var ts []string
	for _, s := range b.sources {
		ts = append(ts, s.Provider+" "+s.Tenant)
	}
	if len(ts) == 0 {
		return "shadowpath scan"
	}
	return "shadowpath scan of " + strings.Join(ts, ", ")
}

func (b *builder) resultDescription() string {
	s := b.r.Summary
	return fmt.Sprintf("Automated assessment of backup MFA methods and account recovery paths against NIST SP 800-63B-4, NIST CSF 2.0 PR.AA and the OWASP Non-Human Identities Top 10 (2025). "+
		"%d check results: %d pass, %d fail, %d waived, %d not assessed, %d manual, %d not applicable.",
		len(b.r.Checks), s.Pass, s.Fail, s.Waived, s.NotAssessed, s.Manual, s.NotApplicable)
}

func (b *builder) resultProps() []ot.Property {
	s := b.r.Summary
	props := []ot.Property{
		prop("status-count", strconv.Itoa(s.Pass), string(checks.Pass), ""),
		prop("status-count", strconv.Itoa(s.Fail), string(checks.Fail), ""),
		prop("status-count", strconv.Itoa(s.Waived), string(checks.Waived), ""),
		prop("status-count", strconv.Itoa(s.NotAssessed), string(checks.NotAssessed), ""),
		prop("status-count", strconv.Itoa(s.Manual), string(checks.Manual), ""),
		prop("status-count", strconv.Itoa(s.NotApplicable), string(checks.NotApplicable), ""),
	}
	props = append(props, prop("scan-complete", strconv.FormatBool(b.r.Complete()), "", ""))
	if d := b.r.Drift; d != nil {
		if checkTime("", d.BaselineGeneratedAt) == nil {
			props = append(props, prop("baseline-generated-at", d.BaselineGeneratedAt.UTC().Format(time.RFC3339Nano), "", ""))
		}
		props = append(props,
			prop("new-failing-findings", strconv.Itoa(len(d.New)), "", ""),
			prop("resolved-findings", strconv.Itoa(len(d.Resolved)), "", ""),
			prop("still-failing-findings", strconv.Itoa(len(d.StillFailing)), "", ""),
			prop("aal-downgrades", strconv.Itoa(len(d.AALDowngrades)), "", ""),
		)
	}
	return props
}

func (b *builder) reviewedControls() ot.ReviewedControls {
	byFw := map[string]map[string]bool{}
	var objectives []string
	seenObj := map[string]bool{}
	for _, c := range b.r.Checks {
		if id := token(c.ID); !seenObj[id] {
			seenObj[id] = true
			objectives = append(objectives, id)
		}
		for _, ctl := range c.Controls {
			if byFw[ctl.Framework] == nil {
				byFw[ctl.Framework] = map[string]bool{}
			}
			byFw[ctl.Framework][ControlID(ctl.Framework, ctl.ID)] = true
		}
	}
	fws := make([]string, 0, len(byFw))
	for fw := range byFw {
		fws = append(fws, fw)
	}
	slices.Sort(fws)
	var sel []ot.AssessedControls
	for _, fw := range fws {
		ids := make([]string, 0, len(byFw[fw]))
		for id := range byFw[fw] {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		inc := make([]ot.AssessedControlsSelectControlById, 0, len(ids))
		for _, id := range ids {
			inc = append(inc, ot.AssessedControlsSelectControlById{ControlId: id})
		}
		sel = append(sel, ot.AssessedControls{
			Description:     line(fw, "unnamed framework") + " controls mapped by the checks in this scan.",
			Props:           &[]ot.Property{prop("framework", line(fw, "unknown"), "", "")},
			IncludeControls: &inc,
		})
	}
	if len(sel) == 0 {
		sel = []ot.AssessedControls{{
			Description: "No framework control is mapped by the checks in this scan; the assessed objectives are the checks of the catalog.",
			IncludeAll:  &ot.IncludeAll{},
		}}
	}
	rc := ot.ReviewedControls{
		Description:       "The framework controls the shadowpath checks map to; each check is a control objective.",
		ControlSelections: sel,
	}
	slices.Sort(objectives)
	if len(objectives) > 0 {
		inc := make([]ot.SelectObjectiveById, 0, len(objectives))
		for _, id := range objectives {
			inc = append(inc, ot.SelectObjectiveById{ObjectiveId: id})
		}
		rc.ControlObjectiveSelections = &[]ot.ReferencedControlObjectives{{
			Description:       "shadowpath checks assessed in this scan.",
			IncludeObjectives: &inc,
		}}
	}
	return rc
}

func (b *builder) origins() *[]ot.Origin {
	return &[]ot.Origin{{Actors: []ot.OriginActor{{Type: "tool", ActorUuid: b.toolUUID}}}}
}

func checkTitle(c *checks.CheckResult) string {
	return line(fmt.Sprintf("%s (%s): %s", c.ID, c.Provider, c.Title), c.ID)
}

func (b *builder) collected(provider string) time.Time {
	var t time.Time
	for _, s := range b.sources {
		if s.Provider == provider && checkTime("", s.CollectedAt) == nil && s.CollectedAt.After(t) {
			t = s.CollectedAt.UTC()
		}
	}
	if t.IsZero() {
		return b.gen
	}
	return t
}

func (b *builder) observation(i int, c *checks.CheckResult) ot.Observation {
	method := "TEST"
	if c.Status == checks.Manual {
		method = "EXAMINE"
	}
	types := []string{"control-objective"}
	if len(c.Findings) > 0 {
		types = append(types, "finding")
	}
	props := checkProps(c)
	props = append(props, prop("finding-count", strconv.Itoa(len(c.Findings)), "", ""))
	for _, f := range c.Findings {
		remark := line(f.Subject.Name, "")
		if m := line(f.Message, ""); m != "" {
			remark = strings.TrimPrefix(remark+": "+m, ": ")
		}
		if f.Waiver != nil {
			remark += " — " + waiverSentence(f.Waiver)
		}
		props = append(props, prop("subject", line(f.Subject.ID, "unknown"), token(line(f.Subject.Type, "unknown")), strings.TrimSpace(remark)))
	}

	evidence := []ot.RelevantEvidence{{
		Href:        fmt.Sprintf("%s#/checks/%d", b.resultsHref, i),
		Description: fmt.Sprintf("The results.json entry of %s for %s: status, rationale and every finding with its evidence.", c.ID, c.Provider),
	}}
	for _, s := range b.sources {
		if s.Provider != c.Provider {
			continue
		}
		ev := ot.RelevantEvidence{
			Href:        "#" + b.sourceUUID(s),
			Description: line(fmt.Sprintf("Evidence snapshot of %s tenant %s.", s.Provider, s.Tenant), "Evidence snapshot."),
		}
		if h := line(s.EvidenceSHA256, ""); h != "" {
			ev.Props = &[]ot.Property{prop("evidence-sha256", h, "", "")}
		}
		evidence = append(evidence, ev)
	}

	return ot.Observation{
		UUID:             b.uuid("observation", c.ID, c.Provider),
		Title:            checkTitle(c),
		Description:      cmp.Or(strings.TrimSpace(c.Rationale), "No rationale recorded."),
		Methods:          []string{method},
		Types:            &types,
		Origins:          b.origins(),
		Collected:        b.collected(c.Provider),
		Props:            &props,
		RelevantEvidence: &evidence,
		Remarks:          statusRemark(c),
	}
}

func checkProps(c *checks.CheckResult) []ot.Property {
	ps := []ot.Property{
		prop("check-id", line(c.ID, "unknown"), "", ""),
		prop("provider", line(c.Provider, "unknown"), "", ""),
		prop("status", line(string(c.Status), "unknown"), "", ""),
		prop("severity", line(string(c.Severity), "unknown"), "", ""),
	}
	if c.Incomplete {
		// The findings are a lower bound: a dataset the subjects need was
		// not read completely (DESIGN.md "Partial data").
		ps = append(ps, prop("incomplete", "true", "", ""))
	}
	return ps
}

// statusRemark explains a status that is not a plain verdict.
func statusRemark(c *checks.CheckResult) string {
	why := strings.TrimSpace(c.Rationale)
	switch c.Status {
	case checks.Pass:
		return ""
	case checks.Fail:
		if c.Incomplete {
			return "Incomplete: the findings are those the data read proves, a lower bound. " + why
		}
		return ""
	case checks.Waived:
		return strings.TrimSpace("Waived: every finding is covered by an unexpired waiver; the risk is accepted, the objective is not satisfied. " + waiverSummary(c.Findings))
	case checks.NotAssessed:
		return strings.TrimSpace("Not assessed: the data this check needs could not be read, so no verdict was reached. " + why)
	case checks.Manual:
		return strings.TrimSpace("Manual verification required: no API exposes this; a person must verify it. " + why)
	case checks.NotApplicable:
		return strings.TrimSpace("Not applicable: the provider has no such feature. " + why)
	}
	return fmt.Sprintf("Unknown status %q: treated as not satisfied.", c.Status)
}

func (b *builder) finding(c *checks.CheckResult, obsUUID string) ot.Finding {
	status := ot.ObjectiveStatus{Remarks: statusRemark(c)}
	var impl *ot.ImplementationStatus
	switch c.Status {
	case checks.Pass:
		status.State, status.Reason = "satisfied", "pass"
	case checks.Fail, checks.Waived:
		status.State, status.Reason = "not-satisfied", "fail"
	case checks.NotApplicable:
		status.State, status.Reason = "satisfied", "other"
		impl = &ot.ImplementationStatus{State: "not-applicable"}
	default: // not_assessed, manual, anything unknown: fail closed
		status.State, status.Reason = "not-satisfied", "other"
	}
	var ctlProps []ot.Property
	for _, ctl := range c.Controls {
		ctlProps = append(ctlProps, prop("control-id", ControlID(ctl.Framework, ctl.ID), "", line(reports.ControlLabel(ctl), "")))
	}
	props := checkProps(c)
	return ot.Finding{
		UUID:        b.uuid("finding", c.ID, c.Provider),
		Title:       checkTitle(c),
		Description: cmp.Or(strings.TrimSpace(c.Rationale), "No rationale recorded."),
		Props:       &props,
		Origins:     b.origins(),
		Target: ot.FindingTarget{
			Type:                 "objective-id",
			TargetId:             token(c.ID),
			Title:                line(c.Title, ""),
			Status:               status,
			ImplementationStatus: impl,
			Props:                nonEmpty(ctlProps),
		},
		RelatedObservations: &[]ot.RelatedObservation{{ObservationUuid: obsUUID}},
	}
}

// risk returns the risk of a failing or waived check.
func (b *builder) risk(c *checks.CheckResult, obsUUID string) (ot.Risk, bool) {
	if c.Status != checks.Fail && c.Status != checks.Waived {
		return ot.Risk{}, false
	}
	var failing, waived []checks.Finding
	for _, f := range c.Findings {
		if c.Status == checks.Waived || !f.Open() {
			waived = append(waived, f)
		} else {
			failing = append(failing, f)
		}
	}
	// The risk's severity is the highest among the findings it is about (a
	// finding may raise it, e.g. to critical for a privileged account).
	sev := c.Severity
	about := failing
	if c.Status == checks.Waived {
		about = waived
	}
	for _, f := range about {
		if f.Severity.Rank() > sev.Rank() {
			sev = f.Severity
		}
	}

	props := checkProps(c)
	props = append(props,
		prop("failing-findings", strconv.Itoa(len(failing)), "", ""),
		prop("waived-findings", strconv.Itoa(len(waived)), "", ""),
	)
	ws := distinctWaivers(c.Findings)
	var deadline *time.Time
	for i, w := range ws {
		g := "waiver-" + strconv.Itoa(i+1)
		props = append(props,
			prop("waiver-owner", line(w.Owner, "unknown"), "", "", g),
			prop("waiver-approved-by", line(w.ApprovedBy, "unknown"), "", "", g),
			prop("waiver-expires", line(w.Expires, "unknown"), "", "", g),
			prop("waiver-expired", strconv.FormatBool(w.Expired), "", "", g),
		)
		if t := line(w.Ticket, ""); t != "" {
			props = append(props, prop("waiver-ticket", t, "", "", g))
		}
		if s := line(w.Source, ""); s != "" {
			props = append(props, prop("waiver-source", s, "", "", g))
		}
		if w.Expired {
			continue
		}
		// A waiver is valid through its expiry date (UTC): it lapses at the
		// start of the next day, as checks applies it.
		if exp, err := time.Parse(time.DateOnly, strings.TrimSpace(w.Expires)); err == nil && checkTime("", exp) == nil {
			if lapse := exp.AddDate(0, 0, 1); deadline == nil || lapse.Before(*deadline) {
				deadline = &lapse
			}
		}
	}

	r := ot.Risk{
		UUID:                b.uuid("risk", c.ID, c.Provider),
		Title:               checkTitle(c),
		Description:         cmp.Or(strings.TrimSpace(c.Rationale), "No rationale recorded."),
		Statement:           b.statement(c, failing, waived, obsUUID),
		Status:              "open",
		Props:               &props,
		Origins:             b.origins(),
		RelatedObservations: &[]ot.RelatedObservation{{ObservationUuid: obsUUID}},
		Characterizations: &[]ot.Characterization{{
			Origin: ot.Origin{Actors: []ot.OriginActor{{Type: "tool", ActorUuid: b.toolUUID}}},
			Facets: []ot.Facet{{Name: "severity", System: Namespace, Value: line(string(sev), "unknown")}},
		}},
	}
	var remarks []string
	if c.Status == checks.Waived {
		r.Status = "deviation-approved"
		r.Deadline = deadline
		remarks = append(remarks, "Risk accepted: every finding is covered by an unexpired waiver; the deadline is when the first of them lapses (end of its expiry date, UTC).")
	}
	for _, w := range ws {
		remarks = append(remarks, waiverSentence(&w))
	}
	// A risk has no remarks field: the acceptance and the waivers go into its
	// description, after the rationale.
	r.Description = strings.Join(append([]string{r.Description}, remarks...), "\n\n")
	if rem := b.remediations(c); len(rem) > 0 {
		r.Remediations = &rem
	}
	return r, true
}

// remediations are the plan's steps that answer this check for this
// provider (results.json actions), as planned responses with their
// measured effect: the OSCAL place for a remediation plan.
func (b *builder) remediations(c *checks.CheckResult) []ot.Response {
	var out []ot.Response
	for i, a := range b.r.Actions {
		if a.Check != c.ID || a.Provider != c.Provider {
			continue
		}
		props := []ot.Property{
			prop("action-id", line(a.ID, "unknown"), "", ""),
			prop("plan-step", strconv.Itoa(i+1), "", ""),
			prop("accounts-raised", strconv.Itoa(a.Effect.AccountsRaised), "", ""),
			prop("findings-closed", strconv.Itoa(a.Effect.FindingsClosed), "", ""),
			prop("accounts-locked-out", strconv.Itoa(a.Effect.LockedOut), "", ""),
		}
		if o := line(a.Owner, ""); o != "" {
			props = append(props, prop("owner", o, "", ""))
		}
		desc := strings.TrimSpace(a.Change + ". Where: " + a.ConsolePath + ". API: " + a.APIField + ".")
		out = append(out, ot.Response{
			UUID:        b.uuid("remediation", a.ID, c.ID, c.Provider),
			Lifecycle:   "planned",
			Title:       line(a.Title, a.ID),
			Description: line(desc, a.Title),
			Props:       &props,
			Origins:     b.origins(),
		})
	}
	return out
}

func (b *builder) statement(c *checks.CheckResult, failing, waived []checks.Finding, obsUUID string) string {
	list, what := failing, "failing"
	if c.Status == checks.Waived {
		list, what = waived, "waived"
	}
	if len(c.Findings) == 0 {
		// A check can fail on the tenant as a whole without subject findings.
		return line(fmt.Sprintf("%s %s for %s: %s", c.ID, c.Status, c.Provider, cmp.Or(strings.TrimSpace(c.Rationale), "no rationale recorded")), c.ID)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d %s finding(s) of %s for %s.", len(list), what, c.ID, c.Provider)
	if c.Status == checks.Fail && len(waived) > 0 {
		fmt.Fprintf(&sb, " %d more covered by unexpired waivers.", len(waived))
	}
	for i, f := range list {
		if i == maxStatementSubjects {
			fmt.Fprintf(&sb, "\n- … and %d more (observation %s lists them all)", len(list)-i, obsUUID)
			break
		}
		fmt.Fprintf(&sb, "\n- %s %s", line(f.Subject.Type, "subject"), line(f.Subject.ID, "unknown"))
		if n := line(f.Subject.Name, ""); n != "" {
			fmt.Fprintf(&sb, " (%s)", n)
		}
		if m := line(f.Message, ""); m != "" {
			sb.WriteString(": " + m)
		}
	}
	return sb.String()
}

// distinctWaivers lists the waivers applied to findings once each, sorted.
func distinctWaivers(fs []checks.Finding) []checks.AppliedWaiver {
	var ws []checks.AppliedWaiver
	for _, f := range fs {
		if f.Waiver != nil && !slices.Contains(ws, *f.Waiver) {
			ws = append(ws, *f.Waiver)
		}
	}
	slices.SortFunc(ws, func(a, b checks.AppliedWaiver) int {
		return cmp.Or(cmp.Compare(a.Expires, b.Expires), cmp.Compare(a.Owner, b.Owner),
			cmp.Compare(a.ApprovedBy, b.ApprovedBy), cmp.Compare(a.Ticket, b.Ticket),
			cmp.Compare(a.Source, b.Source), cmp.Compare(a.Reason, b.Reason))
	})
	return ws
}

func waiverSentence(w *checks.AppliedWaiver) string {
	state := "Waiver"
	if w.Expired {
		state = "Expired waiver (no longer covers the finding)"
	}
	s := fmt.Sprintf("%s: owner %s, approved by %s, expires %s", state,
		line(w.Owner, "unknown"), line(w.ApprovedBy, "unknown"), line(w.Expires, "unknown"))
	if t := line(w.Ticket, ""); t != "" {
		s += ", ticket " + t
	}
	if r := line(w.Reason, ""); r != "" {
		s += "; reason: " + r
	}
	return s + "."
}

func waiverSummary(fs []checks.Finding) string {
	var parts []string
	for _, w := range distinctWaivers(fs) {
		parts = append(parts, waiverSentence(&w))
	}
	return strings.Join(parts, " ")
}

// ControlID turns a framework reference into an OSCAL control-id token:
// a framework prefix, an underscore, the framework's own id.
func ControlID(framework, id string) string {
	prefix := ""
	switch framework {
	case checks.FwNIST63B:
		prefix = "sp800-63b-4"
	case checks.FwCSF:
		prefix = "csf-2.0"
	case checks.FwNHI:
		prefix = "owasp-nhi-2025"
	default:
		prefix = strings.ToLower(token(framework))
	}
	return token(prefix + "_" + id)
}

// prop builds a shadowpath-namespaced property; group is optional.
func prop(name, value, class, remarks string, group ...string) ot.Property {
	p := ot.Property{Name: name, Value: value, Ns: Namespace, Class: class, Remarks: remarks}
	if len(group) > 0 {
		p.Group = group[0]
	}
	return p
}

// line makes s a valid single-line OSCAL string (markup-line / string):
// whitespace runs, newlines included, become one space; empty gives def.
func line(s, def string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return def
	}
	return s
}

// token makes s a valid OSCAL token (XML NCName): letters, digits, '.', '-',
// '_', starting with a letter or '_'. Other runes become '-'.
func token(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '_' || r == '-' || r == '.' || isLetter(r) || isDigit(r):
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	t := b.String()
	if t == "" {
		return "_"
	}
	if r := []rune(t)[0]; !isLetter(r) && r != '_' {
		t = "_" + t
	}
	return t
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }
func isDigit(r rune) bool  { return unicode.IsNumber(r) }

func bullets(ws []string) string {
	var out []string
	for _, w := range ws {
		if w = line(w, ""); w != "" {
			out = append(out, "- "+w)
		}
	}
	return strings.Join(out, "\n")
}

// nonEmpty returns nil for an empty list: OSCAL arrays have minItems 1.
func nonEmpty[T any](s []T) *[]T {
	if len(s) == 0 {
		return nil
	}
	return &s
}
