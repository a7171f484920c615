package checks

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Thresholds are the catalog's tunable limits (config `thresholds:`); each
// field's key, label, check and default are in thresholdSpecs.
type Thresholds struct {
	// TAPMaxLifetime: REC-04 fails above it.
	TAPMaxLifetime time.Duration
	// ReenrolWindow: REC-06 expects re-enrolment within it.
	ReenrolWindow time.Duration
	// ResetsPerActorPerDay: REC-07 flags an actor above it.
	ResetsPerActorPerDay int
	// NHIUnused: NHI-01 flags credentials unused longer.
	NHIUnused time.Duration
	// SecretMaxAge / CertMaxAge: NHI-07 lifetimes.
	SecretMaxAge time.Duration
	CertMaxAge   time.Duration
}

// ThresholdSpec is one tunable limit of thresholdSpecs, the one place its
// key, label, check, default and printed form are written. The config file sets it under
// `thresholds:` by Key; results.json records it in `parameters` under Key
// as Format prints it; the reports label it with Label; templates name it
// as .Params.<Key>.
type ThresholdSpec struct {
	Key   string
	Label string // what the reports call it, with the check that uses it
	Check string
	// Count: a whole number (at least 1); otherwise a positive duration.
	Count bool
	dur   func(*Thresholds) *time.Duration
	num   func(*Thresholds) *int
	def   int64 // the default: nanoseconds for a duration, the number for a count
}

const oneDay = 24 * time.Hour

var thresholdSpecs = []ThresholdSpec{
	{Key: "tap_max_lifetime", Label: "Temporary access pass maximum lifetime (REC-04)", Check: "REC-04",
		dur: func(t *Thresholds) *time.Duration { return &t.TAPMaxLifetime }, def: int64(8 * time.Hour)},
	{Key: "reenrol_window", Label: "Re-enrolment expected within (REC-06)", Check: "REC-06",
		dur: func(t *Thresholds) *time.Duration { return &t.ReenrolWindow }, def: int64(7 * oneDay)},
	{Key: "resets_per_actor_per_day", Label: "Assisted resets per actor per day (REC-07)", Check: "REC-07", Count: true,
		num: func(t *Thresholds) *int { return &t.ResetsPerActorPerDay }, def: 10},
	{Key: "nhi_unused", Label: "Workload credential unused for (NHI-01)", Check: "NHI-01",
		dur: func(t *Thresholds) *time.Duration { return &t.NHIUnused }, def: int64(90 * oneDay)},
	{Key: "secret_max_age", Label: "Secret maximum age (NHI-07)", Check: "NHI-07",
		dur: func(t *Thresholds) *time.Duration { return &t.SecretMaxAge }, def: int64(180 * oneDay)},
	{Key: "cert_max_age", Label: "Certificate maximum age (NHI-07)", Check: "NHI-07",
		dur: func(t *Thresholds) *time.Duration { return &t.CertMaxAge }, def: int64(365 * oneDay)},
}

// LookupThreshold returns the spec of a threshold key.
func LookupThreshold(key string) (ThresholdSpec, bool) {
	i := slices.IndexFunc(thresholdSpecs, func(s ThresholdSpec) bool { return s.Key == key })
	if i < 0 {
		return ThresholdSpec{}, false
	}
	return thresholdSpecs[i], true
}

// SetDuration sets a duration threshold in t (a no-op for a count).
func (s ThresholdSpec) SetDuration(t *Thresholds, d time.Duration) {
	if s.dur != nil {
		*s.dur(t) = d
	}
}

// SetCount sets a count threshold in t (a no-op for a duration).
func (s ThresholdSpec) SetCount(t *Thresholds, n int) {
	if s.num != nil {
		*s.num(t) = n
	}
}

// Format prints the threshold's value in t as the config file writes it:
// a count as a number, a duration in whole days ("7d") when it is one, else
// Go's notation without zero units ("8h", "1h30m").
func (s ThresholdSpec) Format(t Thresholds) string {
	if s.num != nil {
		return strconv.Itoa(*s.num(&t))
	}
	return formatDuration(*s.dur(&t))
}

func formatDuration(d time.Duration) string {
	if d > 0 && d%oneDay == 0 {
		return strconv.FormatInt(int64(d/oneDay), 10) + "d"
	}
	v := d.String()
	if strings.HasSuffix(v, "m0s") {
		v = strings.TrimSuffix(v, "0s")
	}
	if strings.HasSuffix(v, "h0m") {
		v = strings.TrimSuffix(v, "0m")
	}
	return v
}

// DefaultThresholds returns the catalog defaults.
func DefaultThresholds() Thresholds {
	var t Thresholds
	for _, s := range thresholdSpecs {
		s.SetDuration(&t, time.Duration(s.def))
		s.SetCount(&t, int(s.def))
	}
	return t
}

// withDefaults fills zero thresholds with the catalog defaults, so that a
// Params built by hand cannot make every temporary pass "too long".
func (t Thresholds) withDefaults() Thresholds {
	for _, s := range thresholdSpecs {
		if s.dur != nil && *s.dur(&t) <= 0 {
			*s.dur(&t) = time.Duration(s.def)
		}
		if s.num != nil && *s.num(&t) <= 0 {
			*s.num(&t) = int(s.def)
		}
	}
	return t
}

// DefaultServiceAccountPatterns are the catalog's default service-account login patterns.
var DefaultServiceAccountPatterns = []string{"svc-*", "svc_*", "*-svc@*", "*_svc@*", "service-*"}

// Params is everything an evaluation needs besides the evidence. Evaluation
// has no clock of its own: Now is passed in.
type Params struct {
	Now        time.Time
	Thresholds Thresholds
	// BreakGlass lists declared break-glass account ids or logins.
	BreakGlass []string
	// ServiceAccountPatterns are glob patterns (path.Match, case-insensitive)
	// on the login; ServiceAccounts are explicit ids or logins.
	ServiceAccountPatterns []string
	ServiceAccounts        []string
	// Waivers to apply.
	Waivers []Waiver
	// ToolVersion goes into results.tool.version.
	ToolVersion  string
	Organization string
}

// DefaultParams returns catalog defaults at time now.
func DefaultParams(now time.Time) Params {
	return Params{
		Now:                    now,
		Thresholds:             DefaultThresholds(),
		ServiceAccountPatterns: append([]string(nil), DefaultServiceAccountPatterns...),
	}
}

// Describe returns the thresholds as results.json's parameters: each key
// of the thresholds table with its Format.
func (t Thresholds) Describe() map[string]string {
	m := make(map[string]string, len(thresholdSpecs))
	for _, s := range thresholdSpecs {
		m[s.Key] = s.Format(t)
	}
	return m
}

// Waiver accepts a risk for a check's findings (waivers YAML).
type Waiver struct {
	Check      string    `yaml:"check"`
	Provider   string    `yaml:"provider"`
	Subject    string    `yaml:"subject"`
	Reason     string    `yaml:"reason"`
	Owner      string    `yaml:"owner"`
	ApprovedBy string    `yaml:"approved_by"`
	Ticket     string    `yaml:"ticket"`
	Expires    time.Time `yaml:"-"`
	// Source is file:line, for messages.
	Source string `yaml:"-"`
}
