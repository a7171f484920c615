package checks

import (
	"strconv"
	"time"
)

// Thresholds are the catalog's tunable limits (config `thresholds:`).
type Thresholds struct {
	// TAPMaxLifetime: REC-04 fails above it (default 8h).
	TAPMaxLifetime time.Duration
	// ReenrolWindow: REC-06 expects re-enrolment within it (default 7 days).
	ReenrolWindow time.Duration
	// ResetsPerActorPerDay: REC-07 flags an actor above it (default 10).
	ResetsPerActorPerDay int
	// NHIUnused: NHI-01 flags credentials unused longer (default 90 days).
	NHIUnused time.Duration
	// SecretMaxAge / CertMaxAge: NHI-07 lifetimes (180 / 365 days).
	SecretMaxAge time.Duration
	CertMaxAge   time.Duration
}

// DefaultThresholds returns the catalog defaults.
func DefaultThresholds() Thresholds {
	const day = 24 * time.Hour
	return Thresholds{
		TAPMaxLifetime:       8 * time.Hour,
		ReenrolWindow:        7 * day,
		ResetsPerActorPerDay: 10,
		NHIUnused:            90 * day,
		SecretMaxAge:         180 * day,
		CertMaxAge:           365 * day,
	}
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

// Describe returns the thresholds as printable key/value pairs.
func (t Thresholds) Describe() map[string]string {
	days := func(d time.Duration) string { return strconv.Itoa(int(d/(24*time.Hour))) + "d" }
	return map[string]string{
		"tap_max_lifetime":         t.TAPMaxLifetime.String(),
		"reenrol_window":           days(t.ReenrolWindow),
		"resets_per_actor_per_day": strconv.Itoa(t.ResetsPerActorPerDay),
		"nhi_unused":               days(t.NHIUnused),
		"secret_max_age":           days(t.SecretMaxAge),
		"cert_max_age":             days(t.CertMaxAge),
	}
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
