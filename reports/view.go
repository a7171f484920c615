package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/templates"
)

// WorkbookFilename is the XLSX file the PDF points readers to for full lists.
const WorkbookFilename = "shadowpath-report.xlsx"

// ViewOptions tune BuildView.
type ViewOptions struct {
	// Organization overrides results.organization on the cover.
	Organization string
	// Templates supplies the narrative text; nil means templates.Default().
	Templates *templates.Set
	// TopSubjects is how many affected subjects a findings section lists
	// (default 25); TopRisks how many risks the summary names (default 5);
	// TopAccounts how many privileged accounts and drift lines it lists
	// (default 10).
	TopSubjects int
	TopRisks    int
	TopAccounts int
}

// View is everything the PDF and the XLSX show besides the full lists
// (identities, every finding) that the XLSX reads from the Results directly.
// It is plain data, deterministic for the same Results.
type View struct {
	// Names resolves the ids the scan read to names, for writers that
	// print evidence (the XLSX columns).
	Names     *Directory       `json:"-"`
	Cover     Cover            `json:"cover"`
	Providers []ProviderRef    `json:"providers"`
	Summary   ExecutiveSummary `json:"summary"`
	Charts    Charts           `json:"charts"`
	Matrix    []MatrixRow      `json:"control_matrix"`
	// PrivilegedPaths are the access paths of the privileged accounts with
	// a weak path (Summary.PrivilegedWeak.Accounts), weakest first.
	PrivilegedPaths []AccountPaths   `json:"privileged_paths"`
	Findings        []FindingSection `json:"findings"`
	Appendix        Appendix         `json:"appendix"`
	// Trend is the key figures of the last runs kept with scan --history,
	// oldest first; nil unless the results carry at least two runs.
	Trend *Trend `json:"trend,omitempty"`
}

// ProviderRef is a scanned provider: the columns of per-provider tables.
type ProviderRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Cover is the title page.
type Cover struct {
	Title          string    `json:"title"`
	Subtitle       string    `json:"subtitle"`
	Organization   string    `json:"organization"`
	Classification string    `json:"classification"`
	ScanTime       time.Time `json:"scan_time"`
	AuditWindow    string    `json:"audit_window"`
	Tool           string    `json:"tool"`
	Tenants        []Tenant  `json:"tenants"`
	// Complete is results.Complete(); Completeness says it in words for
	// the cover (an incomplete scan's verdict is not final).
	Complete     bool   `json:"complete"`
	Completeness string `json:"completeness"`
	// Scope reconciles, per tenant, the users read with those in scope and
	// those excluded by reason, on one line.
	Scope []string `json:"scope,omitempty"`
	// BreakGlass names the declared break-glass accounts and
	// ServiceAccounts the service-account patterns and list: the
	// configuration that decides who the human checks judge.
	BreakGlass      string `json:"break_glass"`
	ServiceAccounts string `json:"service_accounts"`
	// Reperform is how an auditor re-performs the test.
	Reperform Reperform `json:"reperform"`
}

// Reperform lists the run's input files with their SHA-256 and the exact
// `shadowpath verify` command(s) that re-derive the results from them; Note
// says what stands in the way when no command can be given.
type Reperform struct {
	Files    []InputFile `json:"files,omitempty"`
	Commands []string    `json:"commands,omitempty"`
	Note     string      `json:"note,omitempty"`
}

// InputFile is one input as printed: what it is, where, its SHA-256.
type InputFile struct {
	Label  string `json:"label"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
}

// Tenant is one scanned source on the cover.
type Tenant struct {
	Provider       string    `json:"provider"`
	ProviderName   string    `json:"provider_name"`
	Tenant         string    `json:"tenant"`
	TenantName     string    `json:"tenant_name,omitempty"`
	CollectedAt    time.Time `json:"collected_at"`
	AuditWindow    string    `json:"audit_window"`
	Accounts       int       `json:"accounts"`
	EvidenceSHA256 string    `json:"evidence_sha256"`
}

// ExecutiveSummary is the one-page summary.
type ExecutiveSummary struct {
	// Headline states the nominal-versus-effective AAL gap.
	Headline    string         `json:"headline"`
	Accounts    int            `json:"accounts"`
	Privileged  int            `json:"privileged"`
	GapAccounts int            `json:"gap_accounts"`
	Checks      checks.Summary `json:"checks"`
	// Incomplete lists every dataset not read completely: the scan's verdict
	// is not final while it is non-empty.
	Incomplete     []string         `json:"incomplete,omitempty"`
	Frameworks     []FrameworkCount `json:"frameworks"`
	AAL            []AALRow         `json:"aal"`
	PrivilegedWeak PrivilegedWeak   `json:"privileged_weak"`
	TopRisks       []Risk           `json:"top_risks"`
	// Decisions is what the committee is asked to decide: the top actions
	// of the remediation plan and the waivers to renew or close.
	Decisions Decisions     `json:"decisions"`
	Drift     *DriftSummary `json:"drift,omitempty"`
	// Trend is one sentence on the change across the kept runs ("Failing
	// findings went from X to Y since <date> …"); empty without a trend.
	Trend string `json:"trend,omitempty"`
}

// FrameworkCount counts a framework's controls by aggregated status (a
// control fails when any check mapped to it fails for any provider).
type FrameworkCount struct {
	Framework     string `json:"framework"`
	Controls      int    `json:"controls"`
	Pass          int    `json:"pass"`
	Fail          int    `json:"fail"`
	Waived        int    `json:"waived"`
	NotAssessed   int    `json:"not_assessed"`
	Manual        int    `json:"manual"`
	NotApplicable int    `json:"not_applicable"`
}

// AALRow counts accounts at one level.
type AALRow struct {
	Level     string `json:"level"`
	Nominal   int    `json:"nominal"`
	Effective int    `json:"effective"`
}

// PrivilegedWeak is the privileged accounts whose weakest path is below their
// strongest method, or at AAL1.
type PrivilegedWeak struct {
	Count    int          `json:"count"`
	Total    int          `json:"total"`
	Accounts []AccountRef `json:"accounts"`
}

// AccountRef names an account and its assurance.
type AccountRef struct {
	Provider     string `json:"provider"`
	ID           string `json:"id"`
	Name         string `json:"name"`
	NominalAAL   string `json:"nominal_aal"`
	EffectiveAAL string `json:"effective_aal"`
	WeakestPath  string `json:"weakest_path"`
}

// Decisions is the "Decisions and actions" block.
type Decisions struct {
	Actions []ActionRow `json:"actions"`
	// Cumulative: "After actions 1–3: 16 of 30 accounts below their
	// nominal AAL are restored; 24 findings closed."
	Cumulative string `json:"cumulative,omitempty"`
	// More counts the plan's further steps (Action plan sheet).
	More int `json:"more,omitempty"`
	// Note explains an empty plan.
	Note string `json:"note,omitempty"`
	// Asks are the other decisions: expired or expiring waivers.
	Asks []string `json:"asks,omitempty"`
}

// ActionRow is one plan step as the reports show it.
type ActionRow struct {
	Rank        int    `json:"rank"`
	ID          string `json:"id"`
	Provider    string `json:"provider"`
	Check       string `json:"check"`
	Title       string `json:"title"`
	Effect      string `json:"effect"`
	SideEffect  string `json:"side_effect,omitempty"`
	ConsolePath string `json:"console_path"`
	APIField    string `json:"api_field"`
	Owner       string `json:"owner"`
	Due         string `json:"due"`
}

// topActions is how many plan steps page 2 shows.
const topActions = 3

// EffectText says an action's measured effect in one sentence.
func EffectText(e checks.Effect) string {
	var parts []string
	if e.AccountsRaised > 0 {
		to := ""
		for _, l := range []string{"AAL3", "AAL2", "AAL1"} {
			if n := e.To[l]; n > 0 {
				to += fmt.Sprintf(", %d to %s", n, l)
			}
		}
		parts = append(parts, fmt.Sprintf("raises %d %s (%d privileged%s)", e.AccountsRaised, plural(e.AccountsRaised, "account", "accounts"), e.PrivilegedRaised, to))
	}
	if e.FindingsClosed > 0 {
		parts = append(parts, fmt.Sprintf("closes %d %s", e.FindingsClosed, plural(e.FindingsClosed, "finding", "findings")))
	}
	if len(e.ChecksPassing) > 0 {
		parts = append(parts, "passes "+strings.Join(e.ChecksPassing, ", "))
	}
	if len(parts) == 0 {
		return "no measurable effect"
	}
	return strings.Join(parts, "; ")
}

func (b *builder) decisions() Decisions {
	d := Decisions{Actions: []ActionRow{}, Note: b.r.ActionsNote}
	for i, a := range b.r.Actions {
		if i == topActions {
			d.More = len(b.r.Actions) - topActions
			break
		}
		row := ActionRow{Rank: i + 1, ID: a.ID, Provider: ProviderName(a.Provider), Check: a.Check, Title: a.Title, Effect: EffectText(a.Effect),
			ConsolePath: a.ConsolePath, APIField: a.APIField, Owner: a.Owner, Due: a.Due}
		if a.Effect.LockedOut > 0 {
			row.SideEffect = fmt.Sprintf("%d %s left without a usable MFA method must enrol another first", a.Effect.LockedOut, plural(a.Effect.LockedOut, "account", "accounts"))
		}
		d.Actions = append(d.Actions, row)
		if c := a.Cumulative; c != nil {
			d.Cumulative = fmt.Sprintf("After actions 1–%d: %d of %d accounts below their nominal AAL are restored; %d %s closed.", i+1, c.Restored, c.Downgraded, c.FindingsClosed, plural(c.FindingsClosed, "finding", "findings"))
		}
	}
	seen := map[string]bool{}
	soon := b.r.GeneratedAt.AddDate(0, 0, 30).Format("2006-01-02")
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			w := f.Waiver
			if w == nil || (!w.Expired && w.Expires > soon) {
				continue
			}
			key := c.ID + c.Provider + w.Ticket + w.Expires
			if seen[key] {
				continue
			}
			seen[key] = true
			verb := "expires on " + w.Expires
			if w.Expired {
				verb = "expired on " + w.Expires + " and its findings count as failing"
			}
			ticket := ""
			if w.Ticket != "" {
				ticket = " (" + w.Ticket + ")"
			}
			d.Asks = append(d.Asks, fmt.Sprintf("Renew or close the waiver%s for %s %s on %s: it %s; owner %s.", ticket, c.ID, ProviderName(c.Provider), subjectLabel(f.Subject), verb, w.Owner))
		}
	}
	sort.Strings(d.Asks)
	return d
}

// AccountPaths is one account with its access paths.
type AccountPaths struct {
	Account AccountRef `json:"account"`
	Paths   []PathRow  `json:"paths"`
	// More counts the paths not listed here (the Access paths sheet and
	// results.json have them).
	More int `json:"more,omitempty"`
}

// PathRow is one access path, as a report row.
type PathRow struct {
	AAL               string `json:"aal"`
	Kind              string `json:"kind"`
	Proofs            string `json:"proofs"`
	PhishingResistant bool   `json:"phishing_resistant"`
	Context           string `json:"context"`
	// DecidedBy names the deciding policies and rules (ids in the XLSX).
	DecidedBy string `json:"decided_by"`
}

// PolicyTypeLabel names a policy kind for readers ("" when unknown).
func PolicyTypeLabel(t string) string {
	switch t {
	case evidence.APOktaGlobalSession:
		return "Global session policy"
	case evidence.APOktaAuthentication:
		return "App policy"
	case evidence.APOktaAccountManagement:
		return "Account management policy"
	case evidence.APEntraConditionalAccess:
		return "Conditional Access"
	case checks.PolicyTypeRecovery:
		return "Recovery policy"
	}
	return ""
}

// PathKindLabel is a path kind in words.
func PathKindLabel(k checks.PathKind) string {
	switch k {
	case checks.PathSignIn:
		return "Sign-in"
	case checks.PathRecovery:
		return "Self-service recovery"
	case checks.PathRegistration:
		return "Registering a method"
	case checks.PathPasswordOnly:
		return "Password only"
	case checks.PathLegacy:
		return "Legacy client"
	}
	return string(k)
}

// maxPathRows bounds the paths the PDF shows per account; the Access paths
// sheet has them all.
const maxPathRows = 6

func (b *builder) privilegedPaths(weak []AccountRef) []AccountPaths {
	byKey := make(map[string]*checks.Identity, len(weak))
	for _, a := range weak {
		byKey[a.Provider+"\x00"+a.ID] = nil
	}
	for i := range b.r.Identities {
		id := &b.r.Identities[i]
		if _, ok := byKey[id.Provider+"\x00"+id.ID]; ok {
			byKey[id.Provider+"\x00"+id.ID] = id
		}
	}
	out := []AccountPaths{}
	for _, a := range weak {
		id := byKey[a.Provider+"\x00"+a.ID]
		if id == nil {
			continue
		}
		ap := AccountPaths{Account: a, Paths: []PathRow{}, More: id.MorePaths}
		for _, p := range id.Paths {
			ctx := p.Context
			if ctx == "" {
				ctx = "any context"
			}
			if len(ap.Paths) == maxPathRows {
				ap.More++
				continue
			}
			names := make([]string, 0, len(p.Policies))
			for _, pol := range p.Policies {
				n := pol.Label()
				if t := PolicyTypeLabel(pol.Type); t != "" {
					n = t + ": " + n
				}
				names = append(names, n)
			}
			ap.Paths = append(ap.Paths, PathRow{AAL: p.AAL, Kind: PathKindLabel(p.Kind), Proofs: strings.Join(p.Proofs, " + "),
				PhishingResistant: p.PhishingResistant, Context: ctx, DecidedBy: strings.Join(names, "; ")})
		}
		out = append(out, ap)
	}
	return out
}

// Risk is one of the top risks, in plain language.
type Risk struct {
	Rank         int             `json:"rank"`
	CheckID      string          `json:"check_id"`
	Provider     string          `json:"provider"`
	ProviderName string          `json:"provider_name"`
	Title        string          `json:"title"`
	Severity     checks.Severity `json:"severity"`
	Affected     int             `json:"affected"`
	Text         string          `json:"text"`
}

// DriftSummary compares with the baseline run.
type DriftSummary struct {
	Baseline      time.Time `json:"baseline"`
	New           int       `json:"new"`
	Resolved      int       `json:"resolved"`
	StillFailing  int       `json:"still_failing"`
	Changed       int       `json:"changed_status"`
	AALDowngrades int       `json:"aal_downgrades"`
	// NewWaiverExpired counts the new findings that are new because their
	// waiver expired; NewlyWaived and NoLongerAssessed are not resolved.
	NewWaiverExpired int         `json:"new_waiver_expired"`
	NewlyWaived      int         `json:"newly_waived"`
	NoLongerAssessed int         `json:"no_longer_assessed"`
	Lines            []DriftLine `json:"lines"`
	// Sentence says every count in one line, in one vocabulary.
	Sentence string `json:"sentence"`
}

// Kinds of change since the baseline: DriftLine.Kind, and the rows of the
// XLSX Drift sheet (which also lists what is still failing).
const (
	DriftNew          = "new"
	DriftResolved     = "resolved"
	DriftWaived       = "waived"
	DriftUnassessed   = "unassessed"
	DriftStillFailing = "still_failing"
	DriftStatus       = "status"
	DriftDowngrade    = "downgrade"
)

// DriftKindLabel words a kind of change for people, the same in the PDF's
// table and the XLSX's Drift sheet.
func DriftKindLabel(kind string) string {
	switch kind {
	case DriftNew:
		return "New finding"
	case DriftResolved:
		return "Resolved"
	case DriftWaived:
		return "Newly waived"
	case DriftUnassessed:
		return "No longer assessed"
	case DriftStillFailing:
		return "Still failing"
	case DriftStatus:
		return "Status changed"
	case DriftDowngrade:
		return "AAL downgrade"
	}
	return kind
}

// Compared opens the drift's account in either document: what the run is
// compared with (named by the baseline's evidence collection time) and
// every count.
func (ds *DriftSummary) Compared() string {
	return "Compared with the results of the evidence collected " + ds.Baseline.Format("2006-01-02 15:04 UTC") + ": " + ds.Sentence
}

// DriftLine is one notable change (new findings, status changes, downgrades).
type DriftLine struct {
	Kind     string `json:"kind"` // one of the Drift* kinds
	CheckID  string `json:"check_id,omitempty"`
	Provider string `json:"provider"`
	Subject  string `json:"subject,omitempty"`
	Detail   string `json:"detail"`
}

// Charts are the series both documents draw.
type Charts struct {
	FindingsBySeverity Chart `json:"findings_by_severity"`
	AAL                Chart `json:"aal"`
}

// Chart is a bar chart: one value per category per series.
type Chart struct {
	Title      string   `json:"title"`
	XLabel     string   `json:"x_label"`
	YLabel     string   `json:"y_label"`
	Categories []string `json:"categories"`
	Series     []Series `json:"series"`
	// Stacked: series stack within a category instead of standing side by side.
	Stacked bool `json:"stacked"`
}

// Series is one named row of chart values.
type Series struct {
	Name   string `json:"name"`
	Values []int  `json:"values"`
}

// Max returns the largest bar (stacked: the largest stack).
func (c Chart) Max() int {
	m := 0
	for i := range c.Categories {
		sum := 0
		for _, s := range c.Series {
			if i < len(s.Values) {
				if c.Stacked {
					sum += s.Values[i]
				} else if s.Values[i] > m {
					m = s.Values[i]
				}
			}
		}
		if sum > m {
			m = sum
		}
	}
	return m
}

// MatrixRow is one framework control and the checks that map to it.
type MatrixRow struct {
	Framework    string        `json:"framework"`
	Control      string        `json:"control"`
	ControlTitle string        `json:"control_title,omitempty"`
	Status       checks.Status `json:"status"`
	Checks       []MatrixCheck `json:"checks"`
}

// MatrixCheck is a check's status per provider (aligned with View.Providers;
// "" when the check was not run for that provider).
type MatrixCheck struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Requirement is the check stated as the requirement it verifies.
	Requirement string          `json:"requirement"`
	Relation    string          `json:"relation"` // "implements" | "supports the intent of"
	Statuses    []checks.Status `json:"statuses"`
}

// catalog is the checks' catalog by id, built once: the requirement, the
// datasets and the vendor documentation of each check.
var catalog = func() map[string]checks.Check {
	m := map[string]checks.Check{}
	for _, c := range checks.Catalog() {
		m[c.ID] = c
	}
	return m
}()

// CheckDoc is the vendor documentation page a check's rule follows for a
// provider, "" when the catalog has none.
func CheckDoc(id, provider string) string {
	return catalog[id].Docs[evidence.Provider(provider)]
}

// requirementOf is a check's requirement, its title when the catalog has none.
func requirementOf(id, title string) string {
	if r := catalog[id].Requirement; r != "" {
		return r
	}
	return title
}

// ControlRef is a control reference as printed in a findings section.
type ControlRef struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	Relation  string `json:"relation"`
}

// Relations of a check to a control.
const (
	RelImplements = "implements"
	RelIntent     = "supports the intent of"
)

// FindingSection is one check that failed, was waived or could not be
// assessed for at least one provider: the check's narrative once, then one
// part per provider that ran it.
type FindingSection struct {
	CheckID string `json:"check_id"`
	Title   string `json:"title"`
	// Status is the most pressing status among the providers (fail, then
	// waived, then not assessed): the one that puts the section in its group.
	Status checks.Status `json:"status"`
	// Severity is the highest effective severity among the providers that
	// failed, were waived or were not assessed.
	Severity  checks.Severity `json:"severity"`
	Controls  []ControlRef    `json:"controls"`
	FailsWhen string          `json:"fails_when"`
	Why       string          `json:"why"`
	// Remediation is set when every provider that needs action shares the
	// same text; otherwise each such ProviderFinding carries its own.
	Remediation string `json:"remediation,omitempty"`
	// RemediationTitle heads the remediation: "Remediation", or "How to get
	// it assessed" when no provider has anything to fix yet (each
	// not-assessed provider's text says how to get its data read).
	RemediationTitle string `json:"remediation_title"`
	// Docs links, per provider, the vendor documentation the check's rule
	// follows (one link when the providers share it).
	Docs []DocLink `json:"docs,omitempty"`
	// Fixes are where the plan's actions for this check are made: the
	// console path and the API field, per action (none when the plan has
	// no action for the check).
	Fixes     []Fix             `json:"fixes,omitempty"`
	Providers []ProviderFinding `json:"providers"`
}

// Fix is one remediation action's place of change.
type Fix struct {
	Provider     string `json:"provider"`
	ProviderName string `json:"provider_name"`
	ActionID     string `json:"action_id"`
	Title        string `json:"title"`
	ConsolePath  string `json:"console_path"`
	APIField     string `json:"api_field"`
}

// DocLink is one vendor documentation page.
type DocLink struct {
	ProviderName string `json:"provider_name"`
	URL          string `json:"url"`
}

// ProviderFinding is a check's result for one provider within its section.
type ProviderFinding struct {
	Provider     string          `json:"provider"`
	ProviderName string          `json:"provider_name"`
	Status       checks.Status   `json:"status"`
	Severity     checks.Severity `json:"severity"`
	Rationale    string          `json:"rationale"`
	// Incomplete: the findings are a lower bound (a dataset the subjects
	// need was not read completely).
	Incomplete bool `json:"incomplete,omitempty"`
	// Action is true for fail, waived and not assessed: the provider parts
	// that get a remediation and a subjects table.
	Action bool `json:"action"`
	// Remediation is this provider's text when the providers' differ;
	// RemediationTitle heads it ("" for a remediation, "how to get it
	// assessed" for a not-assessed provider).
	Remediation      string `json:"remediation,omitempty"`
	RemediationTitle string `json:"remediation_title,omitempty"`
	// FailsWhen and Why are set only when this provider's text differs from
	// the section's (a --template-dir override can make them differ).
	FailsWhen   string       `json:"fails_when,omitempty"`
	Why         string       `json:"why,omitempty"`
	Total       int          `json:"total"`
	Open        int          `json:"open"`
	WaivedCount int          `json:"waived"`
	Subjects    []SubjectRow `json:"subjects"`
	More        int          `json:"more"`
	MoreNote    string       `json:"more_note,omitempty"`
	Waivers     []WaiverRow  `json:"waivers,omitempty"`
}

// SubjectRow is one affected subject.
type SubjectRow struct {
	Type     string          `json:"type"`
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Severity checks.Severity `json:"severity"`
	// Login is the account's sign-in name when the evidence records it.
	Login   string `json:"login,omitempty"`
	Message string `json:"message"`
	// Facts are the most telling evidence fields, worded for people;
	// MoreFacts counts the fields left out (the XLSX has all of them).
	Facts     []Fact `json:"facts,omitempty"`
	MoreFacts int    `json:"more_facts,omitempty"`
	Waiver    string `json:"waiver,omitempty"`
	// WaiverExpired says the subject's waiver has expired (its finding counts
	// as failing): the writers mark it without reading Waiver's wording.
	WaiverExpired bool `json:"waiver_expired,omitempty"`
}

// WaiverRow is an applied (or expired) waiver.
type WaiverRow struct {
	CheckID    string `json:"check_id"`
	Provider   string `json:"provider"`
	Subject    string `json:"subject"`
	SubjectID  string `json:"subject_id"`
	Reason     string `json:"reason"`
	Owner      string `json:"owner"`
	ApprovedBy string `json:"approved_by"`
	Ticket     string `json:"ticket,omitempty"`
	Expires    string `json:"expires"`
	Expired    bool   `json:"expired"`
	Source     string `json:"source,omitempty"`
}

// Appendix is scope and methodology.
type Appendix struct {
	Methodology []string      `json:"methodology"`
	Coverage    []CoverageRow `json:"coverage"`
	OutOfScope  []ScopeRow    `json:"out_of_scope"`
	// ScopeRule says which accounts each scanned provider's checks judge.
	ScopeRule     string          `json:"scope_rule"`
	Thresholds    []Param         `json:"thresholds"`
	Manual        []ManualRow     `json:"manual"`
	NotApplicable []ManualRow     `json:"not_applicable"`
	Warnings      []string        `json:"warnings"`
	Glossary      []GlossaryEntry `json:"glossary"`
}

// CoverageRow is how one dataset was read.
type CoverageRow struct {
	Provider     string `json:"provider"`
	ProviderName string `json:"provider_name"`
	Tenant       string `json:"tenant"`
	Dataset      string `json:"dataset"`
	Status       string `json:"status"`
	Items        int    `json:"items"`
	Detail       string `json:"detail,omitempty"`
}

// ScopeRow counts accounts left out of the human checks.
type ScopeRow struct {
	Provider string `json:"provider"`
	Reason   string `json:"reason"`
	Count    int    `json:"count"`
}

// Param is a threshold used.
type Param struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ManualRow is a check a person must verify (or one that does not apply).
type ManualRow struct {
	CheckID  string `json:"check_id"`
	Provider string `json:"provider"`
	Title    string `json:"title"`
	Detail   string `json:"detail"`
}

// GlossaryEntry is one defined term.
type GlossaryEntry struct {
	Term       string `json:"term"`
	Definition string `json:"definition"`
}

// CoverageNotRecorded marks an expected dataset the source did not record.
const CoverageNotRecorded = "not_recorded"

// ProviderName returns a provider's display name.
func ProviderName(p string) string {
	switch p {
	case string(evidence.Okta):
		return "Okta"
	case string(evidence.Entra):
		return "Microsoft Entra ID"
	}
	return p
}

func providerRank(p string) int {
	for i, x := range evidence.Providers {
		if string(x) == p {
			return i
		}
	}
	return len(evidence.Providers)
}

// statusRank orders statuses for aggregation: the worst wins.
func statusRank(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 6
	case checks.NotAssessed:
		return 5
	case checks.Manual:
		return 4
	case checks.Waived:
		return 3
	case checks.Pass:
		return 2
	case checks.NotApplicable:
		return 1
	}
	return 0
}

// BuildView derives the report view model from r. It never modifies r.
func BuildView(r *checks.Results, opts ViewOptions) (*View, error) {
	if r == nil {
		return nil, errors.New("reports: no results")
	}
	if opts.TopSubjects <= 0 {
		opts.TopSubjects = 25
	}
	if opts.TopRisks <= 0 {
		opts.TopRisks = 5
	}
	if opts.TopAccounts <= 0 {
		opts.TopAccounts = 10
	}
	tpl := opts.Templates
	if tpl == nil {
		var err error
		if tpl, err = templates.Default(); err != nil {
			return nil, err
		}
	}
	b := &builder{r: r, names: NewDirectory(r), opts: opts, tpl: tpl, params: templateParams(r.Parameters)}
	v := &View{Names: b.names}
	v.Providers = b.providers()
	v.Cover = b.cover()
	var err error
	if v.Findings, err = b.findings(); err != nil {
		return nil, err
	}
	v.Matrix = b.matrix(v.Providers)
	v.Summary = b.summary(v.Matrix)
	v.PrivilegedPaths = b.privilegedPaths(v.Summary.PrivilegedWeak.Accounts)
	v.Summary.Decisions = b.decisions()
	if len(v.Summary.Decisions.Actions) > 0 && b.opts.TopRisks > 3 {
		// Page 2 keeps one page: the decisions take the place of risks 4 and 5.
		b.opts.TopRisks = 3
	}
	if v.Summary.TopRisks, err = b.topRisks(); err != nil {
		return nil, err
	}
	v.Charts = b.charts(v.Providers, v.Summary.AAL)
	if v.Trend = BuildTrend(r.Trend, r.GeneratedAt); v.Trend != nil {
		v.Summary.Trend = v.Trend.Sentence
	}
	if v.Appendix, err = b.appendix(v); err != nil {
		return nil, err
	}
	return v, nil
}

type builder struct {
	r      *checks.Results
	names  *Directory
	opts   ViewOptions
	tpl    *templates.Set
	params map[string]string
}

// templateParams is the catalog defaults overlaid with the recorded
// parameters, so templates can always name the thresholds.
func templateParams(recorded map[string]string) map[string]string {
	p := checks.DefaultThresholds().Describe()
	maps.Copy(p, recorded)
	return p
}

func (b *builder) providers() []ProviderRef {
	seen := map[string]bool{}
	var ps []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			ps = append(ps, p)
		}
	}
	for _, s := range b.r.Sources {
		add(s.Provider)
	}
	for _, c := range b.r.Checks {
		add(c.Provider)
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if providerRank(ps[i]) != providerRank(ps[j]) {
			return providerRank(ps[i]) < providerRank(ps[j])
		}
		return ps[i] < ps[j]
	})
	out := make([]ProviderRef, len(ps))
	for i, p := range ps {
		out[i] = ProviderRef{ID: p, Name: ProviderName(p)}
	}
	return out
}

func (b *builder) sources() []checks.SourceInfo {
	src := append([]checks.SourceInfo(nil), b.r.Sources...)
	sort.SliceStable(src, func(i, j int) bool {
		if providerRank(src[i].Provider) != providerRank(src[j].Provider) {
			return providerRank(src[i].Provider) < providerRank(src[j].Provider)
		}
		return src[i].Tenant < src[j].Tenant
	})
	return src
}

// FormatWindow prints an audit window as ISO dates.
func FormatWindow(w checks.Window) string {
	if w.Since.IsZero() && w.Until.IsZero() {
		return "not recorded"
	}
	return w.Since.UTC().Format(time.DateOnly) + " to " + w.Until.UTC().Format(time.DateOnly)
}

func (b *builder) window() checks.Window {
	var w checks.Window
	for _, s := range b.r.Sources {
		if !s.AuditWindow.Since.IsZero() && (w.Since.IsZero() || s.AuditWindow.Since.Before(w.Since)) {
			w.Since = s.AuditWindow.Since
		}
		if s.AuditWindow.Until.After(w.Until) {
			w.Until = s.AuditWindow.Until
		}
	}
	return w
}

func (b *builder) organization() string {
	switch {
	case b.opts.Organization != "":
		return b.opts.Organization
	case b.r.Organization != "":
		return b.r.Organization
	}
	for _, s := range b.sources() {
		if s.TenantName != "" {
			return s.TenantName
		}
	}
	return "Unnamed organisation"
}

func (b *builder) cover() Cover {
	c := Cover{
		Title:          "Shadow login path assessment",
		Subtitle:       "Backup MFA and account recovery review",
		Organization:   b.organization(),
		Classification: "Confidential",
		ScanTime:       b.r.GeneratedAt.UTC(),
		AuditWindow:    FormatWindow(b.window()),
		Tool:           strings.TrimSpace(b.r.Tool.Name + " " + b.r.Tool.Version),
	}
	if c.Tool == "" {
		c.Tool = "shadowpath"
	}
	c.Complete = b.r.Complete()
	c.Completeness = "Complete: every dataset was read in full"
	if !c.Complete {
		gaps, weak := b.r.Gaps()
		c.Completeness = fmt.Sprintf("Incomplete: %d %s not read in full, %d %s not assessed or a lower bound; the verdict is not final",
			gaps, plural(gaps, "dataset", "datasets"), weak, plural(weak, "check", "checks"))
	}
	c.Scope = b.scopeLines()
	c.BreakGlass = listOrNone(b.r.Parameters["break_glass"])
	c.ServiceAccounts = serviceAccountsText(b.r.Parameters["service_accounts.patterns"], b.r.Parameters["service_accounts.accounts"])
	c.Reperform = reperform(b.r.Inputs)
	for _, s := range b.sources() {
		c.Tenants = append(c.Tenants, Tenant{
			Provider: s.Provider, ProviderName: ProviderName(s.Provider), Tenant: s.Tenant, TenantName: s.TenantName,
			CollectedAt: s.CollectedAt.UTC(), AuditWindow: FormatWindow(s.AuditWindow), Accounts: s.Accounts,
			EvidenceSHA256: s.EvidenceSHA256,
		})
	}
	return c
}

// scopeLines reconciles each tenant's users: read = in scope + excluded.
func (b *builder) scopeLines() []string {
	var out []string
	for _, s := range b.sources() {
		excluded := 0
		var reasons []string
		for _, o := range s.OutOfScope {
			excluded += o.Count
			reasons = append(reasons, o.Reason+": "+Thousands(o.Count))
		}
		line := fmt.Sprintf("%s: %s users read = %s in scope + %s excluded", ProviderName(s.Provider),
			Thousands(s.Accounts+excluded), Thousands(s.Accounts), Thousands(excluded))
		if len(reasons) > 0 {
			line += " (" + strings.Join(reasons, ", ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// listOrNone words a space-separated parameter list.
func listOrNone(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Join(f, ", ")
	}
	return "none declared"
}

func serviceAccountsText(patterns, accounts string) string {
	p, a := strings.Fields(patterns), strings.Fields(accounts)
	switch {
	case len(p) == 0 && len(a) == 0:
		return "none declared: every account is judged as a person's"
	case len(a) == 0:
		return "logins matching " + strings.Join(p, ", ")
	case len(p) == 0:
		return "listed: " + strings.Join(a, ", ")
	}
	return "logins matching " + strings.Join(p, ", ") + "; listed: " + strings.Join(a, ", ")
}

var inputLabels = map[string]string{
	checks.InputSnapshot:      "Evidence snapshot",
	checks.InputSavedSnapshot: "Evidence snapshot (written)",
	checks.InputConfig:        "Configuration",
	checks.InputWaivers:       "Waivers",
	checks.InputResults:       "Results",
}

// reperform words the run's inputs and builds the verify command from
// them: the snapshot written (or the one read), results.json, and the
// configuration and waivers, which change the verdicts.
func reperform(in []checks.Input) Reperform {
	var r Reperform
	var snaps []string
	var saved, results, cfg, waivers string
	builtIn := false
	for _, i := range in {
		label := inputLabels[i.Role]
		if label == "" {
			label = i.Role
		}
		path := i.Path
		if i.BuiltIn {
			builtIn = true
			path += " (built in)"
		}
		r.Files = append(r.Files, InputFile{Label: label, Path: path, SHA256: i.SHA256})
		switch i.Role {
		case checks.InputSnapshot:
			snaps = append(snaps, i.Path)
		case checks.InputSavedSnapshot:
			saved = i.Path
		case checks.InputResults:
			results = i.Path
		case checks.InputConfig:
			cfg = i.Path
		case checks.InputWaivers:
			waivers = i.Path
		}
	}
	if len(in) == 0 {
		return r // not recorded (results of an older version, or a library caller)
	}
	if saved != "" {
		snaps = []string{saved}
	}
	switch {
	case len(snaps) == 0:
		r.Note = "No evidence snapshot was kept, so this run cannot be re-performed: scan again with --save-snapshot FILE (or --history DIR)."
		return r
	case results == "":
		r.Note = "results.json was not written (--format without json), so verify can check the snapshot's hashes but not re-derive the results."
	case len(snaps) > 1:
		r.Note = "verify re-derives results from one snapshot: run it on each file to check its hashes."
	}
	for _, sn := range snaps {
		cmd := "shadowpath verify " + shellQuote(sn)
		if results != "" && len(snaps) == 1 {
			cmd += " --results " + shellQuote(results)
			if cfg != "" {
				cmd += " --config " + shellQuote(cfg)
			}
			if waivers != "" {
				cmd += " --waivers " + shellQuote(waivers)
			}
		}
		r.Commands = append(r.Commands, cmd)
	}
	if builtIn && r.Note == "" {
		r.Note = "The demo's data is built in: run the command in a checkout of the shadowpath source, where the files named hold the same bytes."
	}
	return r
}

// shellQuote quotes a path for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (b *builder) summary(matrix []MatrixRow) ExecutiveSummary {
	s := ExecutiveSummary{Checks: b.r.Summary}
	levels := []string{"AAL1", "AAL2", "AAL3"}
	nom, eff := map[string]int{}, map[string]int{}
	bucket := func(a string) string {
		if l, ok := checks.ParseAAL(a); ok && l > checks.AALNone {
			return l.String()
		}
		return "None/unknown"
	}
	var weak []AccountRef
	for _, id := range b.r.Identities {
		s.Accounts++
		nom[bucket(id.NominalAAL)]++
		eff[bucket(id.EffectiveAAL)]++
		if id.BelowNominal() {
			s.GapAccounts++
		}
		if id.Privileged {
			s.Privileged++
			if id.WeakFallback() {
				weak = append(weak, AccountRef{Provider: id.Provider, ID: id.ID, Name: id.Name, NominalAAL: id.NominalAAL, EffectiveAAL: id.EffectiveAAL, WeakestPath: id.WeakestPath})
			}
		}
	}
	if nom["None/unknown"]+eff["None/unknown"] > 0 {
		levels = append(levels, "None/unknown")
	}
	for _, l := range levels {
		s.AAL = append(s.AAL, AALRow{Level: l, Nominal: nom[l], Effective: eff[l]})
	}
	sort.SliceStable(weak, func(i, j int) bool {
		a, c := weak[i], weak[j]
		ea, _ := checks.ParseAAL(a.EffectiveAAL) // unknown sorts with none: weakest
		ec, _ := checks.ParseAAL(c.EffectiveAAL)
		if ea != ec {
			return ea < ec
		}
		if providerRank(a.Provider) != providerRank(c.Provider) {
			return providerRank(a.Provider) < providerRank(c.Provider)
		}
		return a.ID < c.ID
	})
	s.PrivilegedWeak = PrivilegedWeak{Count: len(weak), Total: s.Privileged, Accounts: weak[:min(len(weak), b.opts.TopAccounts)]}
	if s.PrivilegedWeak.Accounts == nil {
		s.PrivilegedWeak.Accounts = []AccountRef{}
	}
	switch {
	case s.Accounts == 0:
		s.Headline = "No account data was assessed: the effective assurance of the accounts is unknown."
	default:
		pct := float64(s.GapAccounts) * 100 / float64(s.Accounts)
		s.Headline = fmt.Sprintf("%s of %s accounts (%.0f%%) hold an authenticator stronger than the weakest path that protects them: their effective AAL is below their nominal AAL.", Thousands(s.GapAccounts), Thousands(s.Accounts), pct)
		if s.Privileged > 0 {
			s.Headline += fmt.Sprintf(" %s of %s privileged accounts can fall back to a weaker path or have no second factor.", Thousands(len(weak)), Thousands(s.Privileged))
		}
	}
	for _, src := range b.sources() {
		for _, c := range b.coverageRows(src) {
			if c.Status != string(checks.CoverageComplete) {
				line := fmt.Sprintf("%s %s: %s", ProviderName(src.Provider), c.Dataset, strings.ReplaceAll(c.Status, "_", " "))
				if c.Detail != "" {
					line += " (" + c.Detail + ")"
				}
				s.Incomplete = append(s.Incomplete, line)
			}
		}
	}
	for _, fw := range Frameworks {
		fc := FrameworkCount{Framework: fw}
		for _, row := range matrix {
			if row.Framework != fw {
				continue
			}
			fc.Controls++
			switch row.Status {
			case checks.Pass:
				fc.Pass++
			case checks.Fail:
				fc.Fail++
			case checks.Waived:
				fc.Waived++
			case checks.NotAssessed:
				fc.NotAssessed++
			case checks.Manual:
				fc.Manual++
			case checks.NotApplicable:
				fc.NotApplicable++
			}
		}
		s.Frameworks = append(s.Frameworks, fc)
	}
	if d := b.r.Drift; d != nil {
		base := d.BaselineGeneratedAt.UTC()
		if !d.BaselineCollectedAt.IsZero() {
			base = d.BaselineCollectedAt.UTC() // baselines are named by their evidence's time
		}
		ds := &DriftSummary{Baseline: base, New: len(d.New), Resolved: len(d.Resolved), StillFailing: len(d.StillFailing), Changed: len(d.Changed), AALDowngrades: len(d.AALDowngrades),
			NewlyWaived: len(d.NewlyWaived), NoLongerAssessed: len(d.NoLongerAssessed), Lines: []DriftLine{}}
		for _, f := range d.New {
			if f.Reason == "waiver expired" {
				ds.NewWaiverExpired++
			}
		}
		ds.Sentence = driftSentence(ds)
		news := append([]checks.DriftFinding(nil), d.New...)
		sort.SliceStable(news, func(i, j int) bool {
			if news[i].Severity.Rank() != news[j].Severity.Rank() {
				return news[i].Severity.Rank() > news[j].Severity.Rank()
			}
			return driftKey(news[i]) < driftKey(news[j])
		})
		for _, f := range news {
			detail := "new " + string(f.Severity) + " finding"
			if f.Reason != "" {
				detail += " (" + f.Reason + ")"
			}
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftNew, CheckID: f.CheckID, Provider: f.Provider, Subject: subjectLabel(f.Subject), Detail: detail})
		}
		for _, f := range d.Resolved {
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftResolved, CheckID: f.CheckID, Provider: f.Provider, Subject: subjectLabel(f.Subject), Detail: string(f.Severity) + " finding no longer found"})
		}
		for _, f := range d.NewlyWaived {
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftWaived, CheckID: f.CheckID, Provider: f.Provider, Subject: subjectLabel(f.Subject), Detail: "now covered by a waiver (risk accepted, not fixed)"})
		}
		for _, f := range d.NoLongerAssessed {
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftUnassessed, CheckID: f.CheckID, Provider: f.Provider, Subject: subjectLabel(f.Subject), Detail: "its check could not be assessed: not shown to be fixed"})
		}
		for _, c := range d.Changed {
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftStatus, CheckID: c.CheckID, Provider: c.Provider, Detail: fmt.Sprintf("%s → %s", StatusLabel(c.From), StatusLabel(c.To))})
		}
		for _, a := range d.AALDowngrades {
			ds.Lines = append(ds.Lines, DriftLine{Kind: DriftDowngrade, Provider: a.Provider, Subject: nameOr(a.Name, a.ID), Detail: fmt.Sprintf("effective %s → %s", a.From, a.To)})
		}
		ds.Lines = ds.Lines[:min(len(ds.Lines), b.opts.TopAccounts)]
		s.Drift = ds
	}
	return s
}

// driftSentence says the drift counts once, in one vocabulary (findings,
// checks, accounts).
func driftSentence(ds *DriftSummary) string {
	newPart := fmt.Sprintf("%d new %s", ds.New, plural(ds.New, "finding", "findings"))
	if ds.NewWaiverExpired > 0 {
		newPart += fmt.Sprintf(" (%d because a waiver expired)", ds.NewWaiverExpired)
	}
	parts := []string{newPart, fmt.Sprintf("%d resolved", ds.Resolved)}
	if ds.NewlyWaived > 0 {
		parts = append(parts, fmt.Sprintf("%d newly waived (accepted, not fixed)", ds.NewlyWaived))
	}
	if ds.NoLongerAssessed > 0 {
		parts = append(parts, fmt.Sprintf("%d no longer assessed (not shown to be fixed)", ds.NoLongerAssessed))
	}
	parts = append(parts, fmt.Sprintf("%d still failing", ds.StillFailing),
		fmt.Sprintf("%d %s changed status", ds.Changed, plural(ds.Changed, "check", "checks")),
		fmt.Sprintf("%d %s lost effective assurance", ds.AALDowngrades, plural(ds.AALDowngrades, "account", "accounts")))
	return strings.Join(parts, ", ") + "."
}

func driftKey(f checks.DriftFinding) string {
	return f.CheckID + "\x00" + strconv.Itoa(providerRank(f.Provider)) + "\x00" + f.Subject.ID
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func subjectLabel(s checks.Subject) string { return nameOr(s.Name, s.ID) }

// Thousands prints n with comma thousands separators (100,000).
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// StatusLabel prints a status for people.
func StatusLabel(s checks.Status) string {
	switch s {
	case checks.Pass:
		return "Pass"
	case checks.Fail:
		return "Fail"
	case checks.Waived:
		return "Waived"
	case checks.NotAssessed:
		return "Not assessed"
	case checks.Manual:
		return "Manual"
	case checks.NotApplicable:
		return "N/A"
	case "":
		return "—"
	}
	return string(s)
}

// SeverityLabel prints a severity for people.
func SeverityLabel(s checks.Severity) string {
	if s == "" {
		return "—"
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

func (b *builder) checkText(c *checks.CheckResult) (templates.CheckText, error) {
	open := 0
	for _, f := range c.Findings {
		if f.Open() {
			open++
		}
	}
	if !b.tpl.HasCheck(c.ID) {
		// A check newer than the templates: say what the results say.
		return templates.CheckText{FailsWhen: c.Rationale, Headline: fmt.Sprintf("%s: %d open %s on %s.", c.Title, open, plural(open, "finding", "findings"), ProviderName(c.Provider))}, nil
	}
	return b.tpl.Check(templates.CheckData{ID: c.ID, Title: c.Title, Provider: c.Provider, ProviderName: ProviderName(c.Provider), Status: string(c.Status), Affected: open, Params: b.params})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (b *builder) topRisks() ([]Risk, error) {
	var fails []*checks.CheckResult
	for i := range b.r.Checks {
		if b.r.Checks[i].Status == checks.Fail {
			fails = append(fails, &b.r.Checks[i])
		}
	}
	openCount := func(c *checks.CheckResult) int {
		n := 0
		for _, f := range c.Findings {
			if f.Open() {
				n++
			}
		}
		return n
	}
	sort.SliceStable(fails, func(i, j int) bool {
		a, c := fails[i], fails[j]
		if a.Severity.Rank() != c.Severity.Rank() {
			return a.Severity.Rank() > c.Severity.Rank()
		}
		if openCount(a) != openCount(c) {
			return openCount(a) > openCount(c)
		}
		return checkLess(a, c)
	})
	risks := []Risk{}
	for i, c := range fails[:min(len(fails), b.opts.TopRisks)] {
		txt, err := b.checkText(c)
		if err != nil {
			return nil, err
		}
		text := txt.Headline
		if f, ok := mostSevereOpen(c); ok && utf8.RuneCountInString(f.Message) <= 120 {
			// The headline counts; the worst finding says what is wrong (a
			// short message only: page 2 stays one page).
			text += " Most severe: " + strings.TrimSuffix(f.Message, ".") + "."
		}
		risks = append(risks, Risk{Rank: i + 1, CheckID: c.ID, Provider: c.Provider, ProviderName: ProviderName(c.Provider), Title: c.Title, Severity: c.Severity, Affected: openCount(c), Text: text})
	}
	return risks, nil
}

// mostSevereOpen is a check's most severe open finding (the first by
// subject id among equals).
func mostSevereOpen(c *checks.CheckResult) (checks.Finding, bool) {
	var best checks.Finding
	found := false
	for _, f := range c.Findings {
		if !f.Open() {
			continue
		}
		if !found || c.SeverityOf(&f).Rank() > c.SeverityOf(&best).Rank() {
			best, found = f, true
		}
	}
	return best, found
}

func checkLess(a, c *checks.CheckResult) bool {
	if a.ID != c.ID {
		return a.ID < c.ID
	}
	return providerRank(a.Provider) < providerRank(c.Provider)
}

func (b *builder) matrix(providers []ProviderRef) []MatrixRow {
	type key struct{ fw, id string }
	rows := map[key]*MatrixRow{}
	col := map[string]int{}
	for i, p := range providers {
		col[p.ID] = i
	}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, ctl := range c.Controls {
			k := key{ctl.Framework, ctl.ID}
			row := rows[k]
			if row == nil {
				row = &MatrixRow{Framework: ctl.Framework, Control: ctl.ID, ControlTitle: ControlTitle(ctl.Framework, ctl.ID)}
				rows[k] = row
			}
			var mc *MatrixCheck
			for j := range row.Checks {
				if row.Checks[j].ID == c.ID {
					mc = &row.Checks[j]
				}
			}
			if mc == nil {
				rel := RelImplements
				if ctl.Interpretive {
					rel = RelIntent
				}
				row.Checks = append(row.Checks, MatrixCheck{ID: c.ID, Title: c.Title, Requirement: requirementOf(c.ID, c.Title), Relation: rel, Statuses: make([]checks.Status, len(providers))})
				mc = &row.Checks[len(row.Checks)-1]
			}
			if j, ok := col[c.Provider]; ok {
				mc.Statuses[j] = c.Status
			}
			if statusRank(c.Status) > statusRank(row.Status) {
				row.Status = c.Status
			}
		}
	}
	out := make([]MatrixRow, 0, len(rows))
	for _, row := range rows {
		sort.SliceStable(row.Checks, func(i, j int) bool { return row.Checks[i].ID < row.Checks[j].ID })
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if frameworkRank(a.Framework) != frameworkRank(c.Framework) {
			return frameworkRank(a.Framework) < frameworkRank(c.Framework)
		}
		if a.Framework != c.Framework {
			return a.Framework < c.Framework
		}
		return naturalLess(a.Control, c.Control)
	})
	return out
}

func sectionGroup(s checks.Status) int {
	switch s {
	case checks.Fail:
		return 0
	case checks.Waived:
		return 1
	case checks.NotAssessed:
		return 2
	}
	return -1
}

func (b *builder) findings() ([]FindingSection, error) {
	byID := map[string][]*checks.CheckResult{}
	var ids []string
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		if byID[c.ID] == nil {
			ids = append(ids, c.ID)
		}
		byID[c.ID] = append(byID[c.ID], c)
	}
	out := []FindingSection{}
	for _, id := range ids {
		cs := byID[id]
		group := -1
		for _, c := range cs {
			if g := sectionGroup(c.Status); g >= 0 && (group < 0 || g < group) {
				group = g
			}
		}
		if group < 0 {
			continue
		}
		sort.SliceStable(cs, func(i, j int) bool { return providerRank(cs[i].Provider) < providerRank(cs[j].Provider) })
		sec, err := b.section(cs, group)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, c := out[i], out[j]
		if sectionGroup(a.Status) != sectionGroup(c.Status) {
			return sectionGroup(a.Status) < sectionGroup(c.Status)
		}
		if a.Status == checks.Fail && a.Severity.Rank() != c.Severity.Rank() {
			return a.Severity.Rank() > c.Severity.Rank()
		}
		return a.CheckID < c.CheckID
	})
	return out, nil
}

// section builds the section of one check from its entries (one per
// provider, in provider order); group is the most pressing sectionGroup.
func (b *builder) section(cs []*checks.CheckResult, group int) (FindingSection, error) {
	sec := FindingSection{CheckID: cs[0].ID, Title: cs[0].Title, Providers: []ProviderFinding{}}
	seenCtl := map[ControlRef]bool{}
	var remediations []string
	toFix := false
	for _, c := range cs {
		txt, err := b.checkText(c)
		if err != nil {
			return sec, err
		}
		if sec.Title == "" {
			sec.Title = c.Title
		}
		for _, ctl := range c.Controls {
			rel := RelImplements
			if ctl.Interpretive {
				rel = RelIntent
			}
			ref := ControlRef{Framework: ctl.Framework, ID: ctl.ID, Relation: rel}
			if !seenCtl[ref] {
				seenCtl[ref] = true
				sec.Controls = append(sec.Controls, ref)
			}
		}
		if u := CheckDoc(c.ID, c.Provider); u != "" {
			sec.Docs = append(sec.Docs, DocLink{ProviderName: ProviderName(c.Provider), URL: u})
		}
		pf := b.providerFinding(c)
		if pf.Action {
			if sectionGroup(c.Status) == group && sec.Status == "" {
				sec.Status = c.Status
			}
			if pf.Severity.Rank() > sec.Severity.Rank() || sec.Severity == "" {
				sec.Severity = pf.Severity
			}
			pf.Remediation = txt.Remediation
			if c.Status == checks.NotAssessed {
				// Nothing to fix yet: say how to get the data assessed.
				pf.Remediation, pf.RemediationTitle = b.howToAssess(c), "how to get it assessed"
			} else {
				toFix = true
			}
			remediations = append(remediations, pf.Remediation)
		}
		// The first provider's narrative is the section's; a provider whose
		// text differs keeps its own.
		if len(sec.Providers) == 0 {
			sec.FailsWhen, sec.Why = txt.FailsWhen, txt.Why
		} else {
			if txt.FailsWhen != sec.FailsWhen {
				pf.FailsWhen = txt.FailsWhen
			}
			if txt.Why != sec.Why {
				pf.Why = txt.Why
			}
		}
		sec.Providers = append(sec.Providers, pf)
	}
	// One remediation without provider headings only when it is not
	// provider-specific: shared by several providers, or the only provider.
	same := len(remediations) > 1 || (len(remediations) == 1 && len(sec.Providers) == 1)
	for _, r := range remediations {
		same = same && r == remediations[0]
	}
	for _, a := range b.r.Actions {
		if a.Check == sec.CheckID {
			sec.Fixes = append(sec.Fixes, Fix{Provider: a.Provider, ProviderName: ProviderName(a.Provider), ActionID: a.ID, Title: a.Title, ConsolePath: a.ConsolePath, APIField: a.APIField})
		}
	}
	if len(sec.Docs) == 2 && sec.Docs[0].URL == sec.Docs[1].URL {
		sec.Docs = []DocLink{{URL: sec.Docs[0].URL}}
	}
	sec.RemediationTitle = "Remediation"
	if !toFix {
		sec.RemediationTitle = "How to get it assessed"
	}
	if same {
		sec.Remediation = remediations[0]
		for i := range sec.Providers {
			sec.Providers[i].Remediation, sec.Providers[i].RemediationTitle = "", ""
		}
	}
	return sec, nil
}

// providerFinding is one provider's part of a section.
// howToAssess says, for a not-assessed check, how to get its data read: per
// dataset it needs that was not read completely, the permission to grant,
// the retention to work around, or the error to rerun past.
func (b *builder) howToAssess(c *checks.CheckResult) string {
	var cov []checks.Coverage
	for _, s := range b.r.Sources {
		if s.Provider == c.Provider {
			cov = s.Coverage
		}
	}
	need := map[string]bool{}
	if chk, ok := catalog[c.ID]; ok {
		for _, group := range [][]string{chk.Datasets[evidence.Provider(c.Provider)], chk.Refine[evidence.Provider(c.Provider)]} {
			for _, alt := range group {
				for _, ds := range strings.Split(alt, "|") {
					need[ds] = true
				}
			}
		}
	}
	var steps []string
	for _, cv := range cov {
		if cv.Status == checks.CoverageComplete || (len(need) > 0 && !need[cv.Dataset]) {
			continue
		}
		steps = append(steps, assessStep(c.Provider, cv))
	}
	if len(steps) == 0 {
		return "Rerun the scan; if the check stays not assessed, run shadowpath doctor to see which read fails."
	}
	return strings.Join(steps, " ") + " Then rerun the scan."
}

// assessStep words one dataset's gap as what to do about it.
func assessStep(provider string, cv checks.Coverage) string {
	detail := strings.TrimSuffix(cv.Detail, ".")
	switch cv.Status {
	case checks.CoverageDenied:
		return fmt.Sprintf("%s was denied (%s): grant the read permission it names to the scanning credential (README, Permissions; shadowpath doctor checks them).", cv.Dataset, detail)
	case checks.CoveragePartial:
		if strings.Contains(detail, "retention") {
			if provider == string(evidence.Entra) {
				return fmt.Sprintf("%s was read only in part (%s): Microsoft Entra keeps audit events 7 days without a P1 or P2 licence and 30 days with one; scan with --since no longer than the retention, or route the audit logs to Log Analytics or a storage account (Identity › Monitoring & health › Diagnostic settings) to keep a longer window.", cv.Dataset, detail)
			}
			return fmt.Sprintf("%s was read only in part (%s): scan with --since no longer than the retention, or keep the logs in a SIEM for a longer window.", cv.Dataset, detail)
		}
		return fmt.Sprintf("%s was read only in part (%s): rerun when the tenant is less busy or with a longer request_timeout.", cv.Dataset, detail)
	case CoverageNotRecorded:
		return fmt.Sprintf("%s is not in the evidence (a snapshot from an older version): collect the evidence again.", cv.Dataset)
	}
	return fmt.Sprintf("%s could not be read (%s): rerun; if it fails again, shadowpath doctor shows the cause.", cv.Dataset, detail)
}

func (b *builder) providerFinding(c *checks.CheckResult) ProviderFinding {
	pf := ProviderFinding{
		Provider: c.Provider, ProviderName: ProviderName(c.Provider), Status: c.Status, Severity: c.Severity,
		Rationale: c.Rationale, Incomplete: c.Incomplete, Action: sectionGroup(c.Status) >= 0, Total: len(c.Findings), Subjects: []SubjectRow{},
	}
	fs := append([]checks.Finding(nil), c.Findings...)
	sort.SliceStable(fs, func(i, j int) bool {
		a, d := fs[i], fs[j]
		if a.Open() != d.Open() {
			return a.Open()
		}
		if c.SeverityOf(&a).Rank() != c.SeverityOf(&d).Rank() {
			return c.SeverityOf(&a).Rank() > c.SeverityOf(&d).Rank()
		}
		return a.Subject.ID < d.Subject.ID
	})
	for i, f := range fs {
		if f.Open() {
			pf.Open++
		} else {
			pf.WaivedCount++
		}
		if f.Waiver != nil {
			w := f.Waiver
			pf.Waivers = append(pf.Waivers, WaiverRow{CheckID: c.ID, Provider: c.Provider, Subject: subjectLabel(f.Subject), SubjectID: f.Subject.ID, Reason: w.Reason, Owner: w.Owner, ApprovedBy: w.ApprovedBy, Ticket: w.Ticket, Expires: w.Expires, Expired: w.Expired, Source: w.Source})
		}
		if i < b.opts.TopSubjects {
			pf.Subjects = append(pf.Subjects, b.subjectRow(c, f))
		}
	}
	pf.More = pf.Total - len(pf.Subjects)
	if pf.More > 0 {
		pf.MoreNote = fmt.Sprintf("Showing %d of %s affected subjects. All of them are listed in the Findings sheet of %s.", len(pf.Subjects), Thousands(pf.Total), WorkbookFilename)
	}
	return pf
}

func (b *builder) subjectRow(c *checks.CheckResult, f checks.Finding) SubjectRow {
	row := SubjectRow{Type: f.Subject.Type, ID: f.Subject.ID, Name: f.Subject.Name, Severity: c.SeverityOf(&f), Message: b.names.resolve(f.Message, false, f.Subject.ID), Waiver: WaiverLabel(f.Waiver),
		WaiverExpired: f.Waiver != nil && f.Waiver.Expired}
	if l, ok := f.Evidence["login"].(string); ok && l != f.Subject.Name {
		row.Login = l
	}
	row.Facts, row.MoreFacts = EvidenceFacts(f.Evidence, FactOptions{Names: b.names, Self: f.Subject.ID})
	return row
}

// PolicyRefsText renders the policies deciding a path: "Name / Rule [id/rule id]; …".
func PolicyRefsText(ps []checks.PolicyRef) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		id := p.ID
		if p.RuleID != "" {
			id += "/" + p.RuleID
		}
		out = append(out, p.Label()+" ["+id+"]")
	}
	return strings.Join(out, "; ")
}

// WeakestPolicy names the rule that decides an identity's weakest path: the
// most specific policy of that path (the app's rule; for recovery, the
// recovery policy), "" when none is recorded.
func WeakestPolicy(id checks.Identity) string {
	if len(id.Paths) == 0 || len(id.Paths[0].Policies) == 0 {
		return ""
	}
	p := id.Paths[0]
	ref := p.Policies[len(p.Policies)-1]
	if p.Kind == checks.PathRecovery {
		ref = p.Policies[0]
	}
	return PolicyRefsText([]checks.PolicyRef{ref})
}

// WaiverLabel summarizes a waiver for a table cell.
func WaiverLabel(w *checks.AppliedWaiver) string {
	switch {
	case w == nil:
		return ""
	case w.Expired:
		return "waiver expired " + w.Expires
	}
	return "waived until " + w.Expires
}

// EvidenceText renders a finding's evidence compactly ("key: value; …",
// keys sorted), cut to max runes (0: no limit).
func EvidenceText(ev map[string]any, max int) string {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+valueText(ev[k]))
	}
	return CutAtWord(strings.Join(parts, "; "), max)
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = valueText(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		return "[" + strings.Join(v, ", ") + "]"
	}
	b, err := json.Marshal(v) // maps: encoding/json sorts keys
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func (b *builder) charts(providers []ProviderRef, aalRows []AALRow) Charts {
	sevs := []checks.Severity{checks.Critical, checks.High, checks.Medium, checks.Low}
	fb := Chart{Title: "Open findings by severity and provider", XLabel: "Severity", YLabel: "Open findings", Stacked: true}
	for _, s := range sevs {
		fb.Categories = append(fb.Categories, SeverityLabel(s))
	}
	for _, p := range providers {
		ser := Series{Name: p.Name, Values: make([]int, len(sevs))}
		for i := range b.r.Checks {
			c := &b.r.Checks[i]
			if c.Provider != p.ID || c.Status != checks.Fail {
				continue
			}
			for _, f := range c.Findings {
				if !f.Open() {
					continue
				}
				for j, s := range sevs {
					if c.SeverityOf(&f) == s {
						ser.Values[j]++
					}
				}
			}
		}
		fb.Series = append(fb.Series, ser)
	}
	aal := Chart{Title: "Accounts by nominal and effective AAL", XLabel: "Assurance level", YLabel: "Accounts"}
	nom, eff := Series{Name: "Nominal (strongest method)"}, Series{Name: "Effective (weakest path)"}
	for _, row := range aalRows {
		aal.Categories = append(aal.Categories, row.Level)
		nom.Values = append(nom.Values, row.Nominal)
		eff.Values = append(eff.Values, row.Effective)
	}
	aal.Series = []Series{nom, eff}
	return Charts{FindingsBySeverity: fb, AAL: aal}
}

func (b *builder) coverageRows(s checks.SourceInfo) []CoverageRow {
	var rows []CoverageRow
	seen := map[string]bool{}
	for _, ds := range evidence.Datasets[evidence.Provider(s.Provider)] {
		seen[ds] = true
		row := CoverageRow{Provider: s.Provider, ProviderName: ProviderName(s.Provider), Tenant: s.Tenant, Dataset: ds, Status: CoverageNotRecorded}
		for _, c := range s.Coverage {
			if c.Dataset == ds {
				row.Status, row.Items, row.Detail = string(c.Status), c.Items, c.Detail
			}
		}
		rows = append(rows, row)
	}
	extra := append([]checks.Coverage(nil), s.Coverage...)
	sort.SliceStable(extra, func(i, j int) bool { return extra[i].Dataset < extra[j].Dataset })
	for _, c := range extra {
		if !seen[c.Dataset] {
			seen[c.Dataset] = true
			rows = append(rows, CoverageRow{Provider: s.Provider, ProviderName: ProviderName(s.Provider), Tenant: s.Tenant, Dataset: c.Dataset, Status: string(c.Status), Items: c.Items, Detail: c.Detail})
		}
	}
	return rows
}

// paramLabels names the parameters that are not thresholds
// (checks.LookupThreshold labels those).
var paramLabels = map[string]string{
	"since":                     "Audit window",
	"service_accounts.patterns": "Service-account login patterns (NHI-10, human checks mark them)",
	"service_accounts.accounts": "Service accounts listed by id or login",
	"break_glass":               "Declared break-glass accounts (EXC-01)",
}

// paramRow is a parameter's appendix row: where it is set in the config
// file (or on the command line) and what it is called.
func paramRow(k, v string) Param {
	if v == "" {
		v = "none"
	}
	if t, ok := checks.LookupThreshold(k); ok {
		return Param{Key: "thresholds." + k, Label: t.Label, Value: v}
	}
	label := paramLabels[k]
	if label == "" {
		label = strings.ReplaceAll(k, "_", " ")
	}
	if k == "since" {
		k = "--since"
	}
	return Param{Key: k, Label: label, Value: v}
}

// scopeRules say, per provider, which accounts the connector keeps in
// scope (connectors/okta, connectors/entra).
var scopeRules = map[string]string{
	string(evidence.Okta):  "Okta users with status ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT or RECOVERY",
	string(evidence.Entra): "Entra users with accountEnabled true (guests' MFA lives in their home tenant, so per-user MFA checks count members only)",
}

func (b *builder) appendix(v *View) (Appendix, error) {
	a := Appendix{Coverage: []CoverageRow{}, OutOfScope: []ScopeRow{}, Thresholds: []Param{}, Manual: []ManualRow{}, NotApplicable: []ManualRow{}, Warnings: []string{}}
	var rules []string
	for _, p := range v.Providers {
		if r := scopeRules[p.ID]; r != "" {
			rules = append(rules, r)
		}
	}
	if len(rules) > 0 {
		a.ScopeRule = "In scope: " + strings.Join(rules, "; ") + "."
	}
	for _, s := range b.sources() {
		a.Coverage = append(a.Coverage, b.coverageRows(s)...)
		oos := append([]checks.ScopeCount(nil), s.OutOfScope...)
		sort.SliceStable(oos, func(i, j int) bool { return oos[i].Reason < oos[j].Reason })
		for _, c := range oos {
			a.OutOfScope = append(a.OutOfScope, ScopeRow{Provider: s.Provider, Reason: c.Reason, Count: c.Count})
		}
		for _, w := range s.Warnings {
			a.Warnings = append(a.Warnings, ProviderName(s.Provider)+": "+w)
		}
	}
	a.Warnings = append(a.Warnings, b.r.Warnings...)
	keys := make([]string, 0, len(b.r.Parameters))
	for k := range b.r.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a.Thresholds = append(a.Thresholds, paramRow(k, b.r.Parameters[k]))
	}
	for _, c := range b.r.Checks {
		row := ManualRow{CheckID: c.ID, Provider: c.Provider, Title: c.Title, Detail: c.Rationale}
		switch c.Status {
		case checks.Manual:
			a.Manual = append(a.Manual, row)
		case checks.NotApplicable:
			a.NotApplicable = append(a.NotApplicable, row)
		}
	}
	for _, rows := range [][]ManualRow{a.Manual, a.NotApplicable} {
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].CheckID != rows[j].CheckID {
				return rows[i].CheckID < rows[j].CheckID
			}
			return providerRank(rows[i].Provider) < providerRank(rows[j].Provider)
		})
	}
	var names []string
	for _, p := range v.Providers {
		names = append(names, p.Name)
	}
	doc := templates.DocData{Organization: v.Cover.Organization, Providers: names, Window: v.Cover.AuditWindow, Params: b.params}
	m, err := b.tpl.Doc(templates.Methodology, doc)
	if err != nil {
		return a, err
	}
	a.Methodology = templates.Paragraphs(m)
	for _, s := range b.sources() {
		if s.Collection != "" {
			a.Methodology = append(a.Methodology, fmt.Sprintf("How %s %s was read: %s.", ProviderName(s.Provider), s.Tenant, s.Collection))
		}
	}
	g, err := b.tpl.Doc(templates.Glossary, doc)
	if err != nil {
		return a, err
	}
	for _, p := range templates.Paragraphs(g) {
		term, def, ok := strings.Cut(p, ": ")
		if !ok {
			term, def = "", p
		}
		if r := []rune(def); len(r) > 0 {
			def = strings.ToUpper(string(r[0])) + string(r[1:])
		}
		a.Glossary = append(a.Glossary, GlossaryEntry{Term: term, Definition: def})
	}
	return a, nil
}
