package okta_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

// The base collection runs at t1, the changes happen at t1+1h, the
// incremental (and, for comparison, a full) collection at t2.
var (
	t1 = scanNow
	t2 = scanNow.Add(2 * time.Hour)
)

func collectAt(t *testing.T, c *okta.Connector, now time.Time) *evidence.Source {
	t.Helper()
	return collect(t, c, func(o *evidence.CollectOptions) { o.Now, o.Since = now, now.AddDate(0, 0, -30) })
}

// baseSnapshot collects srv at t1 into a snapshot, as the CLI would have
// written it.
func baseSnapshot(t *testing.T, srv *oktatest.Server) *evidence.Snapshot {
	t.Helper()
	src := collectAt(t, connector(t, srv), t1)
	return &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{src}}
}

func incremental(t *testing.T, srv *oktatest.Server, base *okta.Base) *evidence.Source {
	t.Helper()
	return collectAt(t, connector(t, srv, func(c *okta.Config) { c.Base = base }), t2)
}

// sameEvidence fails unless two sources hold the same evidence once how
// they were read (read times, carried-over marks, the collection record)
// is left out.
func sameEvidence(t *testing.T, full, incr *evidence.Source) {
	t.Helper()
	a, b := full.WithoutReadMetadata(), incr.WithoutReadMetadata()
	for _, s := range []*evidence.Source{a, b} {
		// The datasets are read in another order: compare them as a
		// snapshot file holds them.
		s.Coverage = append([]evidence.Coverage(nil), s.Coverage...)
		s.Normalize()
	}
	ha, err := a.Hash()
	if err != nil {
		t.Fatal(err)
	}
	hb, err := b.Hash()
	if err != nil {
		t.Fatal(err)
	}
	if ha != hb {
		t.Errorf("incremental evidence differs from a full read (-full +incremental):\n%s", cmp.Diff(string(canonical(t, a)), string(canonical(t, b))))
	}
}

// noUserDropped: every account of a full read is in the incremental one,
// and each was either read at t2 or carried over with an earlier read time.
func noUserDropped(t *testing.T, full, incr *evidence.Source) {
	t.Helper()
	if len(full.Accounts) != len(incr.Accounts) {
		t.Fatalf("incremental has %d accounts, full %d", len(incr.Accounts), len(full.Accounts))
	}
	for i, a := range incr.Accounts {
		if a.ID != full.Accounts[i].ID {
			t.Fatalf("account %d: %s, full read has %s", i, a.ID, full.Accounts[i].ID)
		}
		switch {
		case a.FactorsReadAt == nil && a.MethodsError == "":
			t.Errorf("%s: no factors_read_at and no methods_error", a.ID)
		case a.CarriedOver && !a.FactorsReadAt.Before(t2):
			t.Errorf("%s: carried over but read at %v", a.ID, a.FactorsReadAt)
		case !a.CarriedOver && a.MethodsError == "" && !a.FactorsReadAt.Equal(t2):
			t.Errorf("%s: re-read but factors_read_at %v", a.ID, a.FactorsReadAt)
		}
	}
}

func TestIncrementalNoChangeCarriesEveryoneOver(t *testing.T) {
	srv := newFake(t)
	base := baseSnapshot(t, srv)
	before := srv.RequestCount("/api/v1/users/*/factors")
	src := incremental(t, srv, &okta.Base{Snapshot: base})
	col := src.Collection
	if col.Mode != evidence.CollectIncremental || col.Reread != 0 || col.CarriedOver != len(src.Accounts) {
		t.Fatalf("collection = %+v, want incremental with every user carried over", col)
	}
	if n := srv.RequestCount("/api/v1/users/*/factors") - before; n != 0 {
		t.Errorf("%d factor reads, want 0", n)
	}
	if col.LogWindow == nil || !col.LogWindow.Since.Equal(t1.Add(-time.Hour)) || !col.LogWindow.Until.Equal(t2) {
		t.Errorf("log window = %+v, want since t1-1h until t2", col.LogWindow)
	}
	if col.Base == nil || !col.Base.CollectedAt.Equal(t1) || col.Base.EvidenceSHA256 == "" {
		t.Errorf("base = %+v", col.Base)
	}
	if !strings.Contains(strings.Join(src.Warnings, "\n"), "incremental collection: factors of 0 of") {
		t.Errorf("warnings %q lack the incremental note", src.Warnings)
	}
	sameEvidence(t, collectAt(t, connector(t, srv), t2), src)
	srv.AssertReadOnly(t)
}

// TestIncrementalFallbacks: every reason an incremental collection reads
// everything instead, each said in the collection record and a warning.
func TestIncrementalFallbacks(t *testing.T) {
	at := t1.Add(time.Hour)
	tests := []struct {
		name   string
		base   func(*evidence.Snapshot) *okta.Base
		mutate func(*oktatest.Server)
		reason string
	}{
		{"--full", func(s *evidence.Snapshot) *okta.Base { return &okta.Base{Snapshot: s, Full: true} }, nil, "--full"},
		{"unreadable file", func(*evidence.Snapshot) *okta.Base { return &okta.Base{Problem: "snapshot prev.json: truncated JSON"} }, nil, "could not be used: snapshot prev.json"},
		{"another org", func(s *evidence.Snapshot) *okta.Base {
			s.Sources[0].Tenant = "other.okta.com"
			return &okta.Base{Snapshot: s}
		}, nil, "another org (other.okta.com"},
		{"no okta source", func(s *evidence.Snapshot) *okta.Base {
			s.Sources[0].Provider = evidence.Entra
			return &okta.Base{Snapshot: s}
		}, nil, "no Okta source"},
		{"another schema version", func(s *evidence.Snapshot) *okta.Base { s.SchemaVersion = "1"; return &okta.Base{Snapshot: s} }, nil, `schema_version "1"`},
		{"another factor format", func(s *evidence.Snapshot) *okta.Base {
			s.Sources[0].Collection.Format = "okta-factors/0"
			return &okta.Base{Snapshot: s}
		}, nil, "another format (okta-factors/0"},
		{"written before incremental collection", func(s *evidence.Snapshot) *okta.Base {
			s.Sources[0].Collection = nil
			return &okta.Base{Snapshot: s}
		}, nil, "another format (none"},
		// Okta: "System Log data older than 90 days isn't returned" (System
		// Log API, Data retention, developer.okta.com/docs/reference/system-log-query/).
		{"older than the log retention", func(s *evidence.Snapshot) *okta.Base {
			s.Sources[0].CollectedAt = t2.AddDate(0, 0, -90)
			return &okta.Base{Snapshot: s}
		}, nil, "older than the System Log retention (90 days)"},
		{"log query failed", nil, func(s *oktatest.Server) { s.FailNext("/api/v1/logs", 500, 3) }, "System Log query for changes failed"},
		{"log query cut", nil, func(s *oktatest.Server) { s.ResetNext("/api/v1/logs", 1) }, "System Log query for changes failed"},
		{"log pages loop", nil, func(s *oktatest.Server) {
			s.SetPageSize("logs", 1)
			s.LogEvent(at, "user.mfa.factor.update", oktatest.Principal(aliceSMS, "User"), oktatest.Principal(aliceSMS, "User"))
			s.LogEvent(at, "user.mfa.factor.update", oktatest.Principal(bobNoMFA, "User"), oktatest.Principal(bobNoMFA, "User"))
			s.LoopToFirstPage("/api/v1/logs")
		}, "System Log query for changes failed"},
		{"log event without uuid", nil, func(s *oktatest.Server) {
			s.Org(func(o *oktatest.Org) {
				o.Logs = append(o.Logs, oktatest.Object{"published": at.Format("2006-01-02T15:04:05.000Z"), "eventType": "user.mfa.factor.activate"})
			})
		}, "change log is incomplete"},
		// security.authenticator.lifecycle.deactivate: "Fired when an admin
		// deactivates an authenticator for the org" (Okta event types
		// catalogue, release 2026.08.1).
		{"authenticator deactivated org-wide", nil, func(s *oktatest.Server) {
			s.LogEvent(at, "security.authenticator.lifecycle.deactivate", oktatest.Principal(adaAdmin, "User"), oktatest.Principal("aut1phone", "Authenticator"))
		}, "org-wide change"},
		{"enrollment policy changed", nil, func(s *oktatest.Server) {
			var id string
			s.Org(func(o *oktatest.Org) {
				for _, p := range o.Policies {
					if p["type"] == "MFA_ENROLL" {
						id = p["id"].(string)
					}
				}
			})
			s.LogEvent(at, "policy.rule.update", oktatest.Principal(adaAdmin, "User"), oktatest.Principal(id, "PolicyEntity"))
		}, "an enrollment policy (or a policy of unknown type) changed"},
		{"enrollment policy content changed", nil, func(s *oktatest.Server) {
			s.Org(func(o *oktatest.Org) {
				for _, p := range o.Policies {
					if p["type"] == "MFA_ENROLL" {
						p["name"] = "Renamed enrollment policy"
					}
				}
			})
		}, "enrollment policies changed since the previous snapshot"},
		{"enrollment policy rule changed", nil, func(s *oktatest.Server) {
			var id string
			s.Org(func(o *oktatest.Org) {
				for _, p := range o.Policies {
					if p["type"] == "MFA_ENROLL" {
						if rs := o.PolicyRules[p["id"].(string)]; len(rs) > 0 {
							id = rs[0]["id"].(string)
						}
					}
				}
			})
			if id == "" {
				t.Skip("fixture has no MFA_ENROLL rule")
			}
			s.LogEvent(at, "policy.rule.update", oktatest.Principal(adaAdmin, "User"), oktatest.Principal(id, "PolicyRule"))
		}, "an enrollment policy (or a policy of unknown type) changed"},
		{"change event names no user", nil, func(s *oktatest.Server) {
			s.LogEvent(at, "device.user.remove", oktatest.Principal("0oa1app", "PublicClientApp"), oktatest.Principal("guo1device", "Device"))
		}, "names no user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			snap := baseSnapshot(t, srv)
			b := &okta.Base{Snapshot: snap}
			if tt.base != nil {
				b = tt.base(snap)
			}
			if tt.mutate != nil {
				tt.mutate(srv)
			}
			src := incremental(t, srv, b)
			col := src.Collection
			if col.Mode != evidence.CollectFull || !strings.Contains(col.FullReason, tt.reason) {
				t.Fatalf("collection mode %s, reason %q; want full, reason containing %q", col.Mode, col.FullReason, tt.reason)
			}
			if col.Reread != len(src.Accounts) || col.CarriedOver != 0 {
				t.Errorf("reread %d, carried over %d of %d", col.Reread, col.CarriedOver, len(src.Accounts))
			}
			for _, a := range src.Accounts {
				if a.CarriedOver || a.FactorsReadAt == nil || !a.FactorsReadAt.Equal(t2) {
					t.Errorf("%s: carried over %v, read at %v", a.ID, a.CarriedOver, a.FactorsReadAt)
				}
			}
			if !strings.Contains(strings.Join(src.Warnings, "\n"), "incremental collection not possible: "+col.FullReason) {
				t.Errorf("warnings %q do not say why", src.Warnings)
			}
			srv.AssertReadOnly(t)
		})
	}
}

// TestIncrementalRereadsWhatChanged: each kind of change re-reads the users
// it concerns, and only those (the admin who acted is re-read too: the
// log names it).
func TestIncrementalRereadsWhatChanged(t *testing.T) {
	srv := newFake(t)
	srv.AddUsers(30)
	base := baseSnapshot(t, srv)
	at := t1.Add(time.Hour)
	gen := func(i int) string { return fmt.Sprintf("00ugen%014d", i+9) } // after the 10 fixture users
	srv.EnrollFactor(at, gen(1), oktatest.Object{"id": "fwfnew000000001", "factorType": "webauthn", "provider": "FIDO", "status": "ACTIVE", "profile": oktatest.Object{"authenticatorName": "YubiKey"}})
	srv.ResetFactors(at, adaAdmin, gen(2))
	srv.Deprovision(at, adaAdmin, gen(3))
	newID := srv.CreateUser(at, adaAdmin)
	srv.AddToGroup(at, adaAdmin, "00g1contract000004", gen(4))
	src := incremental(t, srv, &okta.Base{Snapshot: base})
	col := src.Collection
	if col.Mode != evidence.CollectIncremental {
		t.Fatalf("mode %s (%s)", col.Mode, col.FullReason)
	}
	reread := map[string]bool{}
	for _, a := range src.Accounts {
		if !a.CarriedOver {
			reread[a.ID] = true
		}
	}
	for _, id := range []string{gen(1), gen(2), gen(4), newID, adaAdmin} {
		if !reread[id] {
			t.Errorf("%s not re-read", id)
		}
	}
	if len(reread) != 5 {
		t.Errorf("re-read %d users (%v), want 5", len(reread), reread)
	}
	for _, a := range src.Accounts {
		if a.ID == gen(3) {
			t.Errorf("deprovisioned %s still in scope", a.ID)
		}
	}
	full := collectAt(t, connector(t, srv), t2)
	noUserDropped(t, full, src)
	sameEvidence(t, full, src)
}

// TestIncrementalEquivalence is the property: random changes between two
// collections (enrol, reset, deactivate a factor, new user, deprovision,
// group change) ⇒ the incremental snapshot holds the same evidence as a
// full read (same hash, read metadata left out), and no user is dropped.
func TestIncrementalEquivalence(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 4
	}
	for seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			rnd := rand.New(rand.NewSource(int64(seed)))
			srv := newFake(t)
			srv.AddUsers(40)
			base := baseSnapshot(t, srv)
			var ids []string
			for _, a := range base.Sources[0].Accounts {
				ids = append(ids, a.ID)
			}
			groups := []string{"00g1helpdesk000002", "00g1admins00000003", "00g1contract000004"}
			changes := 1 + rnd.Intn(8)
			for i := range changes {
				at := t1.Add(time.Duration(10+i) * time.Minute)
				uid := ids[rnd.Intn(len(ids))]
				switch rnd.Intn(7) {
				case 0:
					srv.EnrollFactor(at, uid, oktatest.Object{"id": fmt.Sprintf("smsnew%09d", i), "factorType": "sms", "provider": "OKTA", "status": "ACTIVE", "profile": oktatest.Object{"phoneNumber": "+1 555 010 9999"}})
				case 1:
					srv.ResetFactors(at, adaAdmin, uid)
				case 2:
					var fid string
					srv.Org(func(o *oktatest.Org) {
						if fs := o.Factors[uid]; len(fs) > 0 {
							fid, _ = fs[0]["id"].(string)
						}
					})
					srv.DeactivateFactor(at, uid, fid)
				case 3:
					srv.CreateUser(at, adaAdmin)
				case 4:
					srv.Deprovision(at, adaAdmin, uid)
				case 5:
					srv.AddToGroup(at, adaAdmin, groups[rnd.Intn(len(groups))], uid)
				case 6:
					srv.RemoveFromGroup(at, adaAdmin, groups[rnd.Intn(len(groups))], uid)
				}
			}
			incr := incremental(t, srv, &okta.Base{Snapshot: base})
			if incr.Collection.Mode != evidence.CollectIncremental {
				t.Fatalf("mode %s (%s)", incr.Collection.Mode, incr.Collection.FullReason)
			}
			if incr.Collection.CarriedOver == 0 {
				t.Errorf("nothing carried over: the property was not exercised")
			}
			// Each change names at most its user and the acting admin; a
			// new user is one more.
			if incr.Collection.Reread > 2*changes+1 {
				t.Errorf("re-read %d users for %d changes", incr.Collection.Reread, changes)
			}
			full := collectAt(t, connector(t, srv), t2)
			noUserDropped(t, full, incr)
			sameEvidence(t, full, incr)
			srv.AssertReadOnly(t)
		})
	}
}

// TestIncrementalChain: a snapshot that was itself incremental can be the
// base; the log window then starts at the oldest carried-over read.
func TestIncrementalChain(t *testing.T) {
	srv := newFake(t)
	srv.AddUsers(10)
	base := baseSnapshot(t, srv)
	mid := collectAt(t, connector(t, srv, func(c *okta.Config) { c.Base = &okta.Base{Snapshot: base} }), t1.Add(time.Hour))
	if mid.Collection.Mode != evidence.CollectIncremental {
		t.Fatalf("mid: %s", mid.Collection.FullReason)
	}
	srv.ResetFactors(t1.Add(90*time.Minute), adaAdmin, aliceSMS)
	last := incremental(t, srv, &okta.Base{Snapshot: &evidence.Snapshot{SchemaVersion: evidence.SchemaVersion, Sources: []*evidence.Source{mid}}})
	if w := last.Collection.LogWindow; w == nil || !w.Since.Equal(t1.Add(-time.Hour)) {
		t.Errorf("log window %+v, want since the oldest read (t1) less an hour", w)
	}
	if a := account(t, last, aliceSMS); a.CarriedOver || len(a.Methods) != 0 {
		t.Errorf("alice: carried over %v, %d methods after a reset", a.CarriedOver, len(a.Methods))
	}
	sameEvidence(t, collectAt(t, connector(t, srv), t2), last)
}

// TestIncrementalRereadsFailedAndUpdated: a user whose previous read
// failed, one whose lastUpdated moved (no log event), and one whose last
// read (carried over since) is older than the log keeps events, are re-read.
func TestIncrementalRereadsFailedAndUpdated(t *testing.T) {
	srv := newFake(t)
	base := baseSnapshot(t, srv)
	for i := range base.Sources[0].Accounts {
		switch a := &base.Sources[0].Accounts[i]; a.ID {
		case bobNoMFA:
			a.MethodsError = "okta: /api/v1/users/00u1bobnomfa0000004/factors: HTTP 500"
			a.Methods = []evidence.Method{}
		case hankHelp:
			old := t2.AddDate(0, 0, -91)
			a.FactorsReadAt, a.CarriedOver = &old, true
		}
	}
	srv.Org(func(o *oktatest.Org) {
		for _, u := range o.Users {
			if u["id"] == carolKBA {
				u["lastUpdated"] = t1.Add(time.Hour).Format("2006-01-02T15:04:05.000Z")
			}
		}
	})
	src := incremental(t, srv, &okta.Base{Snapshot: base})
	got := map[string]int{}
	for _, c := range src.Collection.RereadReasons {
		got[c.Reason] = c.Count
	}
	want := map[string]int{"previous read failed": 1, "lastUpdated since the previous read": 1, "previous read older than the System Log retention": 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("re-read reasons (-want +got):\n%s", d)
	}
	if w := src.Collection.LogWindow; w == nil || !w.Since.Equal(t1.Add(-time.Hour)) {
		t.Errorf("log window %+v: the stale read must not widen it", w)
	}
	for _, id := range []string{bobNoMFA, carolKBA, hankHelp} {
		if a := account(t, src, id); a.CarriedOver || a.MethodsError != "" {
			t.Errorf("%s: carried over %v, error %q", id, a.CarriedOver, a.MethodsError)
		}
	}
	sameEvidence(t, collectAt(t, connector(t, srv), t2), src)
}

// TestIncrementalIgnoresOtherPolicies: a change to a sign-on or password
// policy (or one of its rules) does not change which factors Okta lists,
// so it does not force a full read.
func TestIncrementalIgnoresOtherPolicies(t *testing.T) {
	srv := newFake(t)
	base := baseSnapshot(t, srv)
	var pol, rule string
	srv.Org(func(o *oktatest.Org) {
		for _, p := range o.Policies {
			if p["type"] == "OKTA_SIGN_ON" {
				pol = p["id"].(string)
				if rs := o.PolicyRules[pol]; len(rs) > 0 {
					rule = rs[0]["id"].(string)
				}
			}
		}
	})
	at := t1.Add(time.Hour)
	srv.LogEvent(at, "policy.lifecycle.update", oktatest.Principal(adaAdmin, "User"), oktatest.Principal(pol, "PolicyEntity"))
	if rule != "" {
		srv.LogEvent(at, "policy.rule.update", oktatest.Principal(adaAdmin, "User"), oktatest.Principal(rule, "PolicyRule"), oktatest.Principal(pol, "PolicyEntity"))
	}
	src := incremental(t, srv, &okta.Base{Snapshot: base})
	if col := src.Collection; col.Mode != evidence.CollectIncremental || col.ChangeEvents != 2 && rule != "" {
		t.Errorf("mode %s (%s), %d change events", col.Mode, col.FullReason, col.ChangeEvents)
	}
}

// TestIncrementalProgress: a terminal sees how many users are to be
// re-read, how many are done, the rate-limit waits and an ETA.
func TestIncrementalProgress(t *testing.T) {
	srv := newFake(t)
	base := baseSnapshot(t, srv)
	srv.ResetFactors(t1.Add(time.Hour), adaAdmin, aliceSMS)
	var lines []string
	c := connector(t, srv, func(c *okta.Config) { c.Base = &okta.Base{Snapshot: base} })
	collect(t, c, func(o *evidence.CollectOptions) {
		o.Now, o.Since = t2, t2.AddDate(0, 0, -30)
		o.Progress = func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	})
	out := strings.Join(lines, "\n")
	for _, want := range []string{"okta: factors: 2 users to read, 6 carried over", "okta: factors 2/2 users re-read (", "ETA 0s, ", "rate-limit waits)"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
}
