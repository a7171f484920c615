package oscal

import (
	"time"

	"github.com/shadowpath/shadowpath/checks"
)

var (
	fixtureGenerated = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	oktaTenant       = "acme.okta.com"
	entraTenant      = "9c5e4a1b-2f3d-4e5f-8a7b-1c2d3e4f5a6b"
)

func ctl(fw, id string) checks.Control { return checks.Control{Framework: fw, ID: id} }

// fixtureResults is a realistic scan of both providers with every status,
// a check covered by a waiver, a failing check with an expired waiver and a
// partly waived failing check.
func fixtureResults() *checks.Results {
	waiver := &checks.AppliedWaiver{
		Reason: "Break-glass account, FIDO2 keys in the safe", Owner: "identity-team@acme.example",
		ApprovedBy: "ciso@acme.example", Ticket: "RISK-1234", Expires: "2027-03-31", Source: "waivers.yaml:3",
	}
	expired := &checks.AppliedWaiver{
		Reason: "Legacy VPN appliance", Owner: "netops@acme.example",
		ApprovedBy: "ciso@acme.example", Expires: "2026-09-30", Expired: true, Source: "waivers.yaml:12",
	}
	r := &checks.Results{
		SchemaVersion: checks.ResultsSchemaVersion,
		Tool:          checks.Tool{Name: "shadowpath", Version: "0.3.0"},
		GeneratedAt:   fixtureGenerated,
		Organization:  "Acme Corp",
		Sources: []checks.SourceInfo{
			{
				Provider: "okta", Tenant: oktaTenant, CollectedAt: fixtureGenerated.Add(-4 * time.Minute),
				EvidenceSHA256: "5d41402abc4b2a76b9719d911017c592ae2b8e4d9c0e1f2a3b4c5d6e7f809112",
				Coverage: []checks.Coverage{
					{Dataset: "users", Status: checks.CoverageComplete, Items: 412},
					{Dataset: "factors", Status: checks.CoverageComplete, Items: 955},
					{Dataset: "system_log", Status: checks.CoverageDenied, Detail: "403: okta.logs.read not granted"},
				},
				Accounts: 412,
			},
			{
				Provider: "entra", Tenant: entraTenant, TenantName: "Acme", CollectedAt: fixtureGenerated.Add(-2 * time.Minute),
				EvidenceSHA256: "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e",
				Coverage: []checks.Coverage{
					{Dataset: "users", Status: checks.CoverageComplete, Items: 380},
					{Dataset: "registration_details", Status: checks.CoverageComplete, Items: 380},
					{Dataset: "conditional_access", Status: checks.CoverageComplete, Items: 14},
				},
				Accounts: 380,
			},
		},
		Summary: checks.Summary{Pass: 2, Fail: 4, Waived: 1, NotAssessed: 1, Manual: 2, NotApplicable: 1},
		Checks: []checks.CheckResult{
			{
				ID: "EXC-01", Provider: "entra", Title: "MFA policy exclusions", Severity: checks.High, Status: checks.Waived,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "2.2.1"), ctl(checks.FwCSF, "PR.AA-03"), ctl(checks.FwCSF, "PR.AA-05")},
				Rationale: "1 principal is excluded from an MFA-enforcing policy; every exclusion is covered by a waiver.",
				Findings: []checks.Finding{{
					Subject: checks.Subject{Type: "user", ID: "4f5ca655-8d7c-4b7e-9a55-2d1f3c4b5a60", Name: "breakglass1@acme.example"},
					Message: "excluded from Conditional Access policy 'Require MFA for all users'", Severity: checks.Critical,
					Evidence: map[string]any{"policy": "7d1a6c0e-1b2c-4d3e-8f4a-5b6c7d8e9f00"}, Waiver: waiver,
				}},
			},
			{
				ID: "EXC-01", Provider: "okta", Title: "MFA policy exclusions", Severity: checks.High, Status: checks.Fail,
				Controls:  []checks.Control{{Framework: checks.FwNIST63B, ID: "2.2.1", Interpretive: true}, ctl(checks.FwCSF, "PR.AA-03"), ctl(checks.FwNHI, "NHI10")},
				Rationale: "2 principals are excluded from an MFA-enforcing policy; 1 is covered by a waiver, 1 only by an expired one.",
				Findings: []checks.Finding{
					{
						Subject: checks.Subject{Type: "group", ID: "00g1vpnlegacy000x0h7", Name: "VPN legacy"},
						Message: "group excluded from sign-on policy rule 'MFA everywhere'", Evidence: map[string]any{"policy": "00p1abc"}, Waiver: expired,
					},
					{
						Subject: checks.Subject{Type: "user", ID: "00u2breakglass00x0h7", Name: "breakglass@acme.example"},
						Message: "user excluded from sign-on policy rule 'MFA everywhere'", Severity: checks.Critical,
						Evidence: map[string]any{"policy": "00p1abc"}, Waiver: waiver,
					},
				},
			},
			{
				ID: "LOG-01", Provider: "okta", Title: "Recovery audit coverage", Severity: checks.Medium, Status: checks.NotAssessed,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "4.1"), ctl(checks.FwCSF, "PR.PS-04"), ctl(checks.FwCSF, "DE.CM-03")},
				Rationale: "system_log could not be read: 403, okta.logs.read not granted.",
			},
			{
				ID: "MFA-01", Provider: "entra", Title: "Accounts without MFA", Severity: checks.High, Status: checks.Pass,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "2.2.1"), ctl(checks.FwCSF, "PR.AA-03")},
				Rationale: "Every in-scope member has an MFA-capable method.",
			},
			{
				ID: "MFA-01", Provider: "okta", Title: "Accounts without MFA", Severity: checks.High, Status: checks.Fail,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "2.2.1"), ctl(checks.FwCSF, "PR.AA-03")},
				Rationale: "2 of 412 in-scope accounts have no MFA-capable method.",
				Findings: []checks.Finding{
					{Subject: checks.Subject{Type: "user", ID: "00u1a2b3c4d5e6f7g8h9", Name: "alice@acme.example"}, Message: "no MFA-capable method (password, email)", Evidence: map[string]any{}},
					{Subject: checks.Subject{Type: "user", ID: "00u9z8y7x6w5v4u3t2s1", Name: "svc-backup@acme.example"}, Message: "no MFA-capable method; service account", Severity: checks.Critical, Evidence: map[string]any{}},
				},
			},
			{
				ID: "MFA-03", Provider: "entra", Title: "Backup weaker than primary", Severity: checks.High, Status: checks.Fail,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "2.2.1"), ctl(checks.FwNIST63B, "2.3.1"), {Framework: checks.FwNIST63B, ID: "4.1.3", Interpretive: true}, ctl(checks.FwCSF, "PR.AA-03")},
				Rationale: "1 account can sign in through a path weaker than its strongest method.",
				Findings: []checks.Finding{{
					Subject: checks.Subject{Type: "user", ID: "b7c1d2e3-f4a5-4b6c-9d7e-8f9a0b1c2d3e", Name: "carol@acme.example"},
					Message: "fido2 plus sms enabled for sign-in: effective AAL2, nominal AAL3", Evidence: map[string]any{"methods": []any{"fido2", "sms"}},
				}},
			},
			{
				ID: "MFA-05", Provider: "okta", Title: "Phishing-resistant option not offered", Severity: checks.High, Status: checks.Pass,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "2.2.2"), ctl(checks.FwCSF, "PR.AA-03")},
				Rationale: "FastPass and WebAuthn are enabled for everyone.",
			},
			{
				ID: "NHI-07", Provider: "entra", Title: "Long-lived or fallback secrets", Severity: checks.High, Status: checks.Fail,
				Controls:  []checks.Control{ctl(checks.FwCSF, "PR.AA-01"), ctl(checks.FwNHI, "NHI7")},
				Rationale: "1 application secret never expires.",
				Findings: []checks.Finding{{
					Subject: checks.Subject{Type: "app", ID: "0f1e2d3c-4b5a-4968-8776-655443322110", Name: "Payroll sync"},
					Message: "client secret valid until 2299-12-31", Evidence: map[string]any{"keyId": "k1"},
				}},
			},
			{
				ID: "REC-02", Provider: "entra", Title: "Single-proof recovery", Severity: checks.High, Status: checks.Manual,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "4.2.2.2"), ctl(checks.FwCSF, "PR.AA-02")},
				Rationale: "Graph does not expose the number of SSPR methods required: verify in the Entra admin center that two are required.",
			},
			{
				ID: "REC-04", Provider: "okta", Title: "Temporary access not bounded", Severity: checks.High, Status: checks.NotApplicable,
				Controls:  []checks.Control{{Framework: checks.FwNIST63B, ID: "4.1.2.2", Interpretive: true}, ctl(checks.FwCSF, "PR.AA-01")},
				Rationale: "No temporary-code authenticator exists in this org.",
			},
			{
				ID: "REC-08", Provider: "okta", Title: "Recovery notification", Severity: checks.Medium, Status: checks.Manual,
				Controls:  []checks.Control{ctl(checks.FwNIST63B, "4.2.3"), ctl(checks.FwCSF, "PR.AA-01")},
				Rationale: "Verify in the Okta admin console that users are notified of recovery and new enrolments.",
			},
		},
		Identities: []checks.Identity{
			{Provider: "entra", ID: "b7c1d2e3-f4a5-4b6c-9d7e-8f9a0b1c2d3e", Name: "carol@acme.example", UserType: "member", Privileged: true,
				Methods: []string{"fido2", "sms"}, NominalAAL: "AAL3", EffectiveAAL: "AAL2", WeakestPath: "sms (sign-in)"},
			{Provider: "okta", ID: "00u1a2b3c4d5e6f7g8h9", Name: "alice@acme.example", UserType: "member",
				Methods: []string{"password", "email_otp"}, NominalAAL: "AAL1", EffectiveAAL: "AAL1", WeakestPath: "password"},
		},
		Parameters: checks.DefaultThresholds().Describe(),
		Warnings:   []string{"okta: unknown factor type \"acme_custom\" on 00u7q; treated as unknown", "waivers.yaml:12: waiver for EXC-01 expired on 2026-09-30"},
	}
	return r
}
