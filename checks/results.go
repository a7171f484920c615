package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// ResultsSchemaVersion is results.json's schema_version (DESIGN.md contract).
const ResultsSchemaVersion = "1"

// Status is a check's verdict for one provider.
type Status string

// Statuses (CATALOG.md "Statuses").
const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	Waived        Status = "waived"
	NotAssessed   Status = "not_assessed"
	Manual        Status = "manual"
	NotApplicable Status = "not_applicable"
)

// AllStatuses lists the statuses in summary order.
var AllStatuses = []Status{Pass, Fail, Waived, NotAssessed, Manual, NotApplicable}

// Severity ranks how bad a failing check is.
type Severity string

// Severities, lowest first.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// AllSeverities lists severities from lowest to highest.
var AllSeverities = []Severity{Low, Medium, High, Critical}

// Rank orders severities: low 1 … critical 4; unknown 0.
func (s Severity) Rank() int {
	switch s {
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	case Critical:
		return 4
	}
	return 0
}

// Framework names as they appear in results.
const (
	FwNIST63B = "NIST SP 800-63B-4"
	FwCSF     = "NIST CSF 2.0"
	FwNHI     = "OWASP NHI Top 10 2025"
)

// Control is one framework reference of a check.
type Control struct {
	Framework string `json:"framework"`
	ID        string `json:"id"`
	// Interpretive marks a mapping that supports the intent of the control
	// rather than restating it (reports print "supports the intent of").
	Interpretive bool `json:"interpretive,omitempty"`
}

// Subject is what a finding is about.
type Subject struct {
	Type string `json:"type"` // user|group|role|policy|app|token|tenant|event
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// AppliedWaiver is the waiver that covers (or used to cover) a finding.
type AppliedWaiver struct {
	Reason     string `json:"reason"`
	Owner      string `json:"owner"`
	ApprovedBy string `json:"approved_by"`
	Ticket     string `json:"ticket,omitempty"`
	Expires    string `json:"expires"` // ISO date
	Expired    bool   `json:"expired"`
	Source     string `json:"source,omitempty"` // file:line
}

// Finding is one failing subject of a check.
type Finding struct {
	// ID is stable across runs for the same check, provider and subject
	// (FindingID): what a ticket refers to.
	ID       string         `json:"id,omitempty"`
	Subject  Subject        `json:"subject"`
	Message  string         `json:"message"`
	Severity Severity       `json:"severity,omitempty"`
	Evidence map[string]any `json:"evidence"`
	Waiver   *AppliedWaiver `json:"waiver"`
	// FirstSeen is the evidence collection time of the earliest run known
	// to have had this finding (same ID): an earlier run kept with
	// --history, the --baseline, or this run. Unset when no earlier run was
	// given, so that "first seen" never claims what was not compared.
	FirstSeen *time.Time `json:"first_seen,omitempty"`
}

// Open reports whether the finding counts against its check: no waiver
// covers it, or the one that did has expired.
func (f *Finding) Open() bool { return f.Waiver == nil || f.Waiver.Expired }

// CheckResult is one (check, provider) entry of results.json.
type CheckResult struct {
	ID        string    `json:"id"`
	Provider  string    `json:"provider"`
	Title     string    `json:"title"`
	Severity  Severity  `json:"severity"`
	Status    Status    `json:"status"`
	Controls  []Control `json:"controls"`
	Rationale string    `json:"rationale"`
	// Incomplete: a dataset the check's subjects need was not read
	// completely; the findings are the proven ones, a lower bound
	// (DESIGN.md "Partial data").
	Incomplete bool      `json:"incomplete,omitempty"`
	Findings   []Finding `json:"findings"`
}

// SeverityOf is the severity of finding f of c: the finding's own (e.g.
// raised to critical for a privileged account), else the check's.
func (c *CheckResult) SeverityOf(f *Finding) Severity {
	if f.Severity != "" {
		return f.Severity
	}
	return c.Severity
}

// Failing reports whether finding f of c is a failure: the check failed and
// f is open. Drift and the trend count these.
func (c *CheckResult) Failing(f *Finding) bool { return c.Status == Fail && f.Open() }

// Tool identifies the producer.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// SourceInfo describes one scanned tenant in results.json.
type SourceInfo struct {
	Provider       string    `json:"provider"`
	Tenant         string    `json:"tenant"`
	TenantName     string    `json:"tenant_name,omitempty"`
	CollectedAt    time.Time `json:"collected_at"`
	EvidenceSHA256 string    `json:"evidence_sha256"`
	Credential     string    `json:"credential,omitempty"` // how the connector authenticated
	// Collection says how the evidence was read (full or incremental, how
	// many accounts re-read, the log window that proves the rest unchanged,
	// the share of the rate limits spent), in one sentence; "" when the
	// connector did not record it.
	Collection  string       `json:"collection,omitempty"`
	Coverage    []Coverage   `json:"coverage"`
	AuditWindow Window       `json:"audit_window"`
	Accounts    int          `json:"accounts"`
	OutOfScope  []ScopeCount `json:"out_of_scope,omitempty"`
	Warnings    []string     `json:"warnings,omitempty"`
}

// The types below are results.json's own, not the snapshot model's: a
// change to connectors/evidence does not change the results contract
// unless sourceInfo is changed to carry it.

// CoverageStatus says how completely a dataset was read.
type CoverageStatus string

// Coverage statuses (DESIGN.md results.json). Anything but complete makes
// the checks that need the dataset not_assessed or incomplete.
const (
	CoverageComplete CoverageStatus = "complete"
	CoveragePartial  CoverageStatus = "partial"
	CoverageDenied   CoverageStatus = "denied"
	CoverageError    CoverageStatus = "error"
)

// Coverage records how one dataset of a source was read.
type Coverage struct {
	Dataset string         `json:"dataset"`
	Status  CoverageStatus `json:"status"`
	Detail  string         `json:"detail,omitempty"`
	Items   int            `json:"items"`
}

// Window is a time range: the audit window whose events were read.
type Window struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// ScopeCount counts accounts that exist but were not judged, by reason.
type ScopeCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Summary counts check entries by status.
type Summary struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Waived        int `json:"waived"`
	NotAssessed   int `json:"not_assessed"`
	Manual        int `json:"manual"`
	NotApplicable int `json:"not_applicable"`
}

// Add counts one status.
func (s *Summary) Add(st Status) {
	switch st {
	case Pass:
		s.Pass++
	case Fail:
		s.Fail++
	case Waived:
		s.Waived++
	case NotAssessed:
		s.NotAssessed++
	case Manual:
		s.Manual++
	case NotApplicable:
		s.NotApplicable++
	}
}

// Identity is one in-scope account with its computed assurance.
type Identity struct {
	Provider   string `json:"provider"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Login      string `json:"login,omitempty"`
	UserType   string `json:"user_type"`
	Privileged bool   `json:"privileged"`
	// Roles are the administrative roles held (labels), Status the vendor
	// status, LastSignIn the last sign-in where the connector read it.
	Roles          []string   `json:"roles,omitempty"`
	Status         string     `json:"status,omitempty"`
	LastSignIn     *time.Time `json:"last_sign_in,omitempty"`
	ServiceAccount bool       `json:"service_account,omitempty"`
	Methods        []string   `json:"methods"`
	NominalAAL     string     `json:"nominal_aal"`
	EffectiveAAL   string     `json:"effective_aal"`
	WeakestPath    string     `json:"weakest_path"`
	// Paths are the account's access paths, weakest first, at most
	// MaxPathsPerIdentity; MorePaths counts the rest (DESIGN.md "Access paths").
	Paths     []Path `json:"paths,omitempty"`
	MorePaths int    `json:"more_paths,omitempty"`
}

// BelowNominal reports whether the account's effective AAL is below its
// nominal AAL: its weakest path yields less than its strongest method. An
// effective AAL that is unknown counts as below a known nominal one (fail
// closed); an unknown nominal AAL is above nothing. The reports' and the
// trend's "accounts below nominal AAL" count these.
func (id *Identity) BelowNominal() bool {
	nominal, ok := ParseAAL(id.NominalAAL)
	effective, _ := ParseAAL(id.EffectiveAAL) // unknown: AALNone
	return ok && effective < nominal
}

// WeakFallback reports whether the account can fall back to a weaker path
// or has no second factor: below nominal, or an effective AAL of AAL1 or
// less (unknown counts as less). It is the one definition of the reports'
// "privileged accounts with a weak fallback" (the privileged accounts for
// which it holds): the summary, the trend and the XLSX Identities sheet's
// "Weak fallback" column all count it.
func (id *Identity) WeakFallback() bool {
	effective, _ := ParseAAL(id.EffectiveAAL) // unknown: AALNone
	return id.BelowNominal() || effective <= AAL1
}

// Results is the outcome of one evaluation: results.json.
type Results struct {
	SchemaVersion string        `json:"schema_version"`
	Tool          Tool          `json:"tool"`
	GeneratedAt   time.Time     `json:"generated_at"`
	Organization  string        `json:"organization,omitempty"`
	Sources       []SourceInfo  `json:"sources"`
	Summary       Summary       `json:"summary"`
	Checks        []CheckResult `json:"checks"`
	Identities    []Identity    `json:"identities"`
	// Parameters are the thresholds used, printed in the reports.
	Parameters map[string]string `json:"parameters,omitempty"`
	// Warnings are evaluation warnings (unknown method values, expired waivers).
	Warnings []string `json:"warnings,omitempty"`
	// Drift is set when a baseline was given (scan --baseline).
	Drift *Drift `json:"drift,omitempty"`
	// Actions is the remediation plan: candidate changes ordered greedily
	// by their measured effect (ComputePlan); ActionsNote says why it is
	// empty when it is.
	Actions     []Action `json:"actions,omitempty"`
	ActionsNote string   `json:"actions_note,omitempty"`
	// Trend holds key figures of earlier runs kept with --history and of
	// this run (last), oldest first, for the reports' trend view.
	Trend []TrendPoint `json:"trend,omitempty"`
	// Inputs are the files the run read and wrote that an auditor needs to
	// re-perform it (evidence snapshot, configuration, waivers, the
	// results.json written), each with the SHA-256 of its bytes — what
	// sha256sum prints; the reports' cover prints them with the exact
	// `shadowpath verify` command. Set by the command line, not Evaluate.
	Inputs []Input `json:"inputs,omitempty"`
}

// Input is one file of a run.
type Input struct {
	Role string `json:"role"` // one of the Input* roles
	// Path is the file as given on the command line (or, for the demo's
	// built-in data, its place in the shadowpath source tree).
	Path   string `json:"path"`
	SHA256 string `json:"sha256,omitempty"`
	// BuiltIn marks the demo's embedded data: the file at Path in a
	// checkout of the shadowpath source holds the same bytes.
	BuiltIn bool `json:"built_in,omitempty"`
}

// The roles of a run's inputs.
const (
	InputSnapshot      = "snapshot"       // evidence read (--snapshot, or the demo's)
	InputSavedSnapshot = "saved_snapshot" // evidence written (--save-snapshot)
	InputConfig        = "config"
	InputWaivers       = "waivers"
	InputResults       = "results" // the results.json this run wrote (no hash: it holds this list)
)

// TrendPoint is one run's key figures.
type TrendPoint struct {
	GeneratedAt time.Time `json:"generated_at"`
	// CollectedAt is when the run's evidence was collected (the latest
	// source): what a trend is about; the run may be much later.
	CollectedAt time.Time `json:"collected_at,omitempty"`
	Summary     Summary   `json:"summary"`
	// Failing counts failing findings (not covered by an unexpired waiver).
	Failing         int `json:"failing_findings"`
	FailingCritical int `json:"failing_critical"`
	FailingHigh     int `json:"failing_high"`
	Accounts        int `json:"accounts"`
	// BelowNominal counts accounts whose effective AAL is below their nominal
	// AAL; PrivilegedBelowNominal those among privileged accounts.
	BelowNominal           int `json:"accounts_below_nominal_aal"`
	PrivilegedBelowNominal int `json:"privileged_below_nominal_aal"`
	// PrivilegedWeak counts privileged accounts with a weak fallback
	// (Identity.WeakFallback): the executive summary's figure, per run.
	PrivilegedWeak int `json:"privileged_weak_fallback"`
	// Complete is false when the run could not assess everything.
	Complete bool `json:"complete"`
}

// Drift compares these results with a baseline.
type Drift struct {
	BaselineGeneratedAt time.Time `json:"baseline_generated_at"`
	// BaselineCollectedAt is when the baseline's evidence was collected
	// (the latest source): baselines are named by it.
	BaselineCollectedAt time.Time      `json:"baseline_collected_at,omitempty"`
	New                 []DriftFinding `json:"new"`
	Resolved            []DriftFinding `json:"resolved"`
	StillFailing        []DriftFinding `json:"still_failing"`
	Changed             []DriftStatus  `json:"changed_status"`
	AALDowngrades       []AALChange    `json:"aal_downgrades"`
	// NewlyWaived were failing in the baseline and are now covered by an
	// unexpired waiver (a decision, not a fix); NoLongerAssessed were
	// failing and their check is now not assessed, manual or not run (not
	// shown to be fixed). Neither is in Resolved.
	NewlyWaived      []DriftFinding `json:"newly_waived"`
	NoLongerAssessed []DriftFinding `json:"no_longer_assessed"`
}

// DriftFinding is a finding compared across runs.
type DriftFinding struct {
	CheckID  string   `json:"check_id"`
	Provider string   `json:"provider"`
	Subject  Subject  `json:"subject"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message,omitempty"`
	// Reason says why a new finding is new when it is not a new weakness:
	// "waiver expired".
	Reason string `json:"reason,omitempty"`
}

// DriftStatus is a check whose status changed.
type DriftStatus struct {
	CheckID  string `json:"check_id"`
	Provider string `json:"provider"`
	From     Status `json:"from"`
	To       Status `json:"to"`
}

// AALChange is an account whose effective AAL went down.
type AALChange struct {
	Provider string `json:"provider"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// Complete reports whether the scan read everything: every dataset of
// every source completely, and no check not_assessed or incomplete. An
// incomplete scan's verdict is not final (exit code 2).
func (r *Results) Complete() bool {
	datasets, checks := r.Gaps()
	return datasets == 0 && checks == 0
}

// Gaps counts what makes a scan incomplete: datasets not read completely
// (over every source) and checks not_assessed or incomplete.
func (r *Results) Gaps() (datasets, checks int) {
	for _, src := range r.Sources {
		for _, c := range src.Coverage {
			if c.Status != CoverageComplete {
				datasets++
			}
		}
	}
	for i := range r.Checks {
		if r.Checks[i].Status == NotAssessed || r.Checks[i].Incomplete {
			checks++
		}
	}
	return datasets, checks
}

// FindingID is a finding's stable id: "F-" and the first 12 hex digits of
// the SHA-256 of check id, provider, subject type and subject id.
func FindingID(check, provider string, s Subject) string {
	h := sha256.Sum256([]byte(check + "\x00" + provider + "\x00" + s.Type + "\x00" + s.ID))
	return "F-" + strings.ToUpper(hex.EncodeToString(h[:6]))
}

// SeenBefore records, for each finding id, the earliest evidence time of
// the runs an earlier results.json or history entry showed it in; merge it
// with SeeResults.
type SeenBefore map[string]time.Time

// SeeResults adds the findings of an earlier run: each at its own
// first_seen when it carries one, else at the run's collection time.
func (s SeenBefore) SeeResults(r *Results) {
	at := r.CollectedAt()
	if at.IsZero() {
		at = r.GeneratedAt.UTC()
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		for j := range c.Findings {
			f := &c.Findings[j]
			id := f.ID
			if id == "" {
				id = FindingID(c.ID, c.Provider, f.Subject)
			}
			t := at
			if f.FirstSeen != nil && f.FirstSeen.Before(t) {
				t = f.FirstSeen.UTC()
			}
			if old, ok := s[id]; !ok || t.Before(old) {
				s[id] = t
			}
		}
	}
}

// SetFirstSeen dates every finding of r: the earliest time seen knows for
// its id, or r's own collection time for a finding new in r.
func (r *Results) SetFirstSeen(seen SeenBefore) {
	now := r.CollectedAt()
	for i := range r.Checks {
		c := &r.Checks[i]
		for j := range c.Findings {
			f := &c.Findings[j]
			id := f.ID
			if id == "" {
				id = FindingID(c.ID, c.Provider, f.Subject)
			}
			t := now
			if old, ok := seen[id]; ok && old.Before(t) {
				t = old
			}
			f.FirstSeen = &t
		}
	}
}

// CollectedAt is when the results' evidence was collected: the latest
// source's collection time (zero without sources).
func (r *Results) CollectedAt() time.Time {
	var t time.Time
	for _, s := range r.Sources {
		if s.CollectedAt.After(t) {
			t = s.CollectedAt
		}
	}
	return t.UTC()
}
