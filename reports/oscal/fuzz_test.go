package oscal

import (
	"bytes"
	"testing"
	"time"

	"github.com/shadowpath/shadowpath/checks"
)

// FuzzWrite feeds arbitrary strings where results carry vendor or user text
// (names, ids, titles, waiver fields, dataset names): the document must stay
// valid OSCAL, or Write must fail with an error — never an invalid file.
func FuzzWrite(f *testing.F) {
	f.Add("MFA-01", "okta", "Accounts without MFA", "user", "00u1", "alice", "NIST CSF 2.0", "PR.AA-03", "0.1.0", "acme.okta.com", "users", "o@x", "2027-03-31", int64(1795000000))
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", "", int64(0))
	f.Add("9x y", "\u00a0", "a\nb", "\t", " ", "\x00", "ISO/IEC:1", "1.2", "\u2028", "ten ant", "data set", "\ufeff", "not-a-date", int64(-99999999999))
	f.Add("é", "\xff\xfe", "**md**", "👤", "id\r\n", "名", "fw", "§4", "v\x7f", "t", "ds", "own", "2027-02-30", int64(32503680000))
	f.Fuzz(func(t *testing.T, id, provider, title, stype, sid, sname, fw, ctlID, version, tenant, dataset, owner, expires string, unix int64) {
		at := time.Unix(unix%(1<<35), 0).UTC()
		r := &checks.Results{
			SchemaVersion: checks.ResultsSchemaVersion,
			Tool:          checks.Tool{Name: "shadowpath", Version: version},
			GeneratedAt:   fixtureGenerated,
			Organization:  sname,
			Sources: []checks.SourceInfo{{
				Provider: provider, Tenant: tenant, CollectedAt: at, EvidenceSHA256: sid,
				Coverage: []checks.Coverage{{Dataset: dataset, Status: checks.CoverageStatus(stype), Detail: title}},
			}},
			Parameters: map[string]string{dataset: ctlID},
			Warnings:   []string{title},
		}
		for _, st := range checks.AllStatuses {
			r.Checks = append(r.Checks, checks.CheckResult{
				ID: id, Provider: provider, Title: title, Severity: checks.Severity(stype), Status: st,
				Controls:  []checks.Control{{Framework: fw, ID: ctlID}},
				Rationale: title,
				Findings: []checks.Finding{{
					Subject: checks.Subject{Type: stype, ID: sid, Name: sname}, Message: title,
					Severity: checks.Severity(sname),
					Waiver:   &checks.AppliedWaiver{Owner: owner, ApprovedBy: owner, Expires: expires, Ticket: sid, Reason: title, Source: dataset},
				}},
			})
		}
		var buf bytes.Buffer
		err := (OSCAL{NoValidate: true}).Write(t.Context(), &buf, r)
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if err := Validate(buf.Bytes()); err != nil {
			t.Fatalf("invalid OSCAL: %v", err)
		}
	})
}
