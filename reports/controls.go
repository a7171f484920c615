package reports

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/shadowpath/shadowpath/checks"
)

// controlTitles names the framework controls the catalog maps to. Titles of
// CSF subcategories and OWASP entries follow reference/standards.md; SP
// 800-63B-4 sections get a short descriptive label.
var controlTitles = map[string]map[string]string{
	checks.FwNIST63B: {
		"2.1":     "AAL1",
		"2.2.1":   "AAL2: permitted authenticator types (two factors)",
		"2.2.2":   "AAL2: phishing-resistant option offered",
		"2.3.1":   "AAL3: permitted authenticator types",
		"2.3.2":   "AAL3: hardware-based, phishing-resistant",
		"3.1.1.2": "Password verifiers (no knowledge-based prompts)",
		"3.1.3.1": "Out-of-band: email SHALL NOT be used",
		"3.1.3.3": "Out-of-band via the PSTN (restricted)",
		"3.2.2":   "Reset of locked-out authenticators",
		"3.2.5":   "Phishing resistance",
		"3.2.9":   "Restricted authenticators",
		"4.1":     "Authenticator binding and records",
		"4.1.2.1": "Binding at enrolment and after; two means encouraged",
		"4.1.2.2": "Binding codes (single use, 10 minutes)",
		"4.1.3":   "Unclear strength: assume the weaker type",
		"4.2":     "Account recovery",
		"4.2.1":   "Recovery methods",
		"4.2.1.2": "Issued recovery codes",
		"4.2.2":   "Recovery requirements by AAL",
		"4.2.2.2": "Recovery at AAL2",
		"4.2.3":   "Recovery notification",
		"4.3":     "Loss, theft, damage and compromise",
		"4.6":     "Account notifications",
	},
	checks.FwCSF: {
		"PR.AA-01": "Identities and credentials are managed",
		"PR.AA-02": "Identities are proofed and bound to credentials",
		"PR.AA-03": "Users, services, and hardware are authenticated",
		"PR.AA-04": "Identity assertions are protected",
		"PR.AA-05": "Access permissions and least privilege",
		"PR.PS-04": "Log records are generated and made available",
		"DE.CM-03": "Personnel activity and technology usage are monitored",
		"DE.CM-06": "External service provider activities are monitored",
	},
	checks.FwNHI: {
		"NHI1":  "Improper Offboarding",
		"NHI2":  "Secret Leakage",
		"NHI3":  "Vulnerable Third-Party NHI",
		"NHI4":  "Insecure Authentication",
		"NHI5":  "Overprivileged NHI",
		"NHI6":  "Insecure Cloud Deployment Configurations",
		"NHI7":  "Long-Lived Secrets",
		"NHI8":  "Environment Isolation",
		"NHI9":  "NHI Reuse",
		"NHI10": "Human Use of NHI",
	},
}

// Frameworks lists the frameworks in report order.
var Frameworks = []string{checks.FwNIST63B, checks.FwCSF, checks.FwNHI}

// ControlTitle returns a short title for a framework control, or "".
func ControlTitle(framework, id string) string { return controlTitles[framework][id] }

func frameworkRank(fw string) int {
	for i, f := range Frameworks {
		if f == fw {
			return i
		}
	}
	return len(Frameworks)
}

// naturalLess orders "2.2.1" < "2.10", "NHI3" < "NHI10": digit runs compare
// numerically, everything else byte-wise.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		ra, rb := chunk(a), chunk(b)
		a, b = a[len(ra):], b[len(rb):]
		if ra == rb {
			continue
		}
		na, ea := strconv.Atoi(ra)
		nb, eb := strconv.Atoi(rb)
		if ea == nil && eb == nil && na != nb {
			return na < nb
		}
		return ra < rb
	}
	return len(a) < len(b)
}

func chunk(s string) string {
	digit := unicode.IsDigit(rune(s[0]))
	i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsDigit(r) != digit })
	if i < 0 {
		return s
	}
	return s[:i]
}

// ControlLabel is one mapped control as a list names it: "NIST SP
// 800-63B-4 2.2.1", followed by " (supports the intent of)" when the mapping
// interprets the control (the XLSX and OSCAL).
func ControlLabel(c checks.Control) string {
	if c.Interpretive {
		return c.Framework + " " + c.ID + " (" + RelIntent + ")"
	}
	return c.Framework + " " + c.ID
}

// ControlsList lists mapped controls in one cell, "; " between them.
func ControlsList(cs []checks.Control) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = ControlLabel(c)
	}
	return strings.Join(parts, "; ")
}

// ControlsText prints a findings section's mapped controls grouped by
// framework and relation: "NIST SP 800-63B-4 2.2.1, 2.3.1 · supports the
// intent of …" (the PDF).
func ControlsText(cs []ControlRef) string {
	var parts []string
	for _, fw := range append(append([]string(nil), Frameworks...), "") {
		for _, rel := range []string{RelImplements, RelIntent} {
			var ids []string
			for _, c := range cs {
				known := false
				for _, f := range Frameworks {
					known = known || f == c.Framework
				}
				if c.Relation == rel && (c.Framework == fw || (fw == "" && !known)) {
					id := c.ID
					if fw == "" {
						id = c.Framework + " " + c.ID
					}
					ids = append(ids, id)
				}
			}
			if len(ids) == 0 {
				continue
			}
			p := fw + " " + strings.Join(ids, ", ")
			if fw == "" {
				p = strings.Join(ids, ", ")
			}
			if rel == RelIntent {
				p = "supports the intent of " + p
			}
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	return strings.Join(parts, " · ")
}
