package okta

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// logEventTypes are the System Log event types read (vendor-apis A6.1).
var logEventTypes = []string{
	"user.mfa.factor.activate",
	"user.mfa.factor.deactivate",
	"user.mfa.factor.reset_all",
	"user.account.reset_password",
	"user.account.expire_password",
	"device.desktop_mfa.recovery_pin.generate",
	"user.account.unlock",
	"user.account.unlock_by_admin",
	"user.account.unlock_token",
	"user.session.start",
}

// logFilter is the SCIM filter for logEventTypes: a flat "or" of eventType
// terms, the form Okta documents. Failed sign-ins are dropped client-side
// rather than with a parenthesised outcome term.
func logFilter() string {
	parts := make([]string, 0, len(logEventTypes))
	for _, t := range logEventTypes {
		parts = append(parts, fmt.Sprintf("eventType eq %q", t))
	}
	return strings.Join(parts, " or ")
}

type rawPrincipal struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

type rawEvent struct {
	UUID      string         `json:"uuid"`
	Published string         `json:"published"`
	EventType string         `json:"eventType"`
	Actor     rawPrincipal   `json:"actor"`
	Target    []rawPrincipal `json:"target"`
	Outcome   struct {
		Result string `json:"result"`
	} `json:"outcome"`
}

const logTimeFormat = "2006-01-02T15:04:05.000Z"

// systemLog reads the audit window as a bounded query (since and until),
// ascending, 1000 events a page, until the last page (no next link) or an
// empty page.
func (r *run) systemLog(ctx context.Context) {
	since, until := r.opts.Since.UTC(), r.opts.Now.UTC()
	if oldest := until.AddDate(0, 0, -180); since.Before(oldest) {
		// Okta rejects since more than 180 days back (E0000053) and keeps 90.
		r.warn(fmt.Sprintf("audit window starts before Okta's 180-day query limit; System Log read from %s", oldest.Format(time.RFC3339)))
		since = oldest
	}
	q := url.Values{
		"since":     {since.Format(logTimeFormat)},
		"until":     {until.Format(logTimeFormat)},
		"limit":     {"1000"},
		"sortOrder": {"ASCENDING"},
		"filter":    {logFilter()},
	}
	n, bad := 0, 0
	seen := map[string]bool{}
	err := list(ctx, r.c, "/api/v1/logs?"+q.Encode(), func(e rawEvent) {
		n++
		ev, ok := r.event(e)
		if !ok {
			bad++
			return
		}
		if seen[ev.ID] {
			// A page served twice (a cursor that looped back): the read
			// ends in error, but the events kept stay unique.
			return
		}
		seen[ev.ID] = true
		if ev.Kind != "" {
			r.src.Events = append(r.src.Events, ev)
		}
	})
	if bad > 0 {
		r.warn(fmt.Sprintf("%d System Log event(s) without a usable uuid or published time were skipped", bad))
	}
	if err != nil {
		r.src.SetCoverage(evidence.CoverageFromError(evidence.DSSystemLog, len(r.src.Events), err))
		return
	}
	r.src.SetCoverage(evidence.Coverage{Dataset: evidence.DSSystemLog, Status: evidence.Complete, Items: len(r.src.Events)})
	r.log.Debug("okta: system log read", "events", n, "kept", len(r.src.Events))
}

func principal(p rawPrincipal) evidence.Principal {
	name := p.AlternateID
	if name == "" || name == "unknown" {
		name = p.DisplayName
	}
	typ := strings.ToLower(p.Type)
	switch p.Type {
	case "User":
		typ = "user"
	case "PublicClientApp", "AppInstance", "Client":
		typ = "app"
	}
	return evidence.Principal{ID: p.ID, Name: name, Type: typ}
}

// event normalizes one System Log event; Kind is empty for events that are
// read but not used. ok is false for an event that cannot be used at all.
func (r *run) event(e rawEvent) (evidence.Event, bool) {
	t := parseTime(e.Published)
	if t == nil || e.UUID == "" {
		return evidence.Event{}, false
	}
	ev := evidence.Event{
		ID: e.UUID, Time: *t, VendorType: e.EventType, Actor: principal(e.Actor), Outcome: e.Outcome.Result,
	}
	var factorID string
	for _, tg := range e.Target {
		if tg.Type == "User" && ev.Target.ID == "" {
			ev.Target = principal(tg)
		} else if tg.Type != "User" && factorID == "" {
			factorID = tg.ID
		}
	}
	// Factor events name the enrolment (AuthenticatorEnrollment) and, not
	// always, the user (event-types.json: user.mfa.factor.deactivate
	// targets AuthenticatorEnrollmentResourceDetails). The owner of a
	// factor read earlier confirms the target; an event whose target stays
	// unknown is never read as the actor's own (self-service) change.
	if ev.Target.ID == "" && factorID != "" {
		if owner, ok := r.factorOwner(factorID); ok {
			ev.Target = owner
		}
	}
	confirmed := ev.Target.ID != ""
	self := confirmed && ev.Target.ID == ev.Actor.ID
	byAdmin := confirmed && !self && ev.Actor.Type == "user"
	switch e.EventType {
	case "user.mfa.factor.deactivate", "user.mfa.factor.reset_all":
		if self {
			ev.Kind = evidence.EvMethodRemoved
		} else {
			ev.Kind = evidence.EvFactorReset
		}
		ev.MethodKind = r.factorKind(factorID)
	case "user.mfa.factor.activate":
		ev.Kind = evidence.EvMethodEnrolled
		ev.MethodKind = r.factorKind(factorID)
		if !confirmed {
			ev.Target = ev.Actor
		}
	case "user.account.reset_password":
		// One event type for both: an admin reset has an actor other than
		// the target; an unconfirmed target is not taken for self-service.
		if self {
			ev.Kind = evidence.EvPasswordResetSelf
		} else {
			ev.Kind = evidence.EvPasswordResetAdmin
		}
	case "user.account.expire_password":
		// "audit cases where a user's password is expired by an
		// administrator … whether a temporary password was created"
		// (event-types.json). The temporary-password flag's debugData key
		// is not documented, so every expiry an administrator makes is an
		// assisted reset to review; expiry by the password policy has no
		// user actor.
		if byAdmin {
			ev.Kind = evidence.EvPasswordResetAdmin
		}
	case "device.desktop_mfa.recovery_pin.generate":
		// "Device recovery PIN generated by admin … fired even when the
		// generation fails" (event-types.json): outcome decides.
		ev.Kind = evidence.EvRecoveryPINIssued
	case "user.account.unlock", "user.account.unlock_by_admin", "user.account.unlock_token":
		ev.Kind = evidence.EvUnlock
		if !confirmed {
			ev.Target = ev.Actor
		}
	case "user.session.start":
		if e.Outcome.Result != "SUCCESS" {
			return ev, true
		}
		ev.Kind = evidence.EvSignIn
		ev.Interactive = true
		if ev.Target.ID == "" {
			ev.Target = ev.Actor
		}
	}
	return ev, true
}

// factorKind is the kind of an enrolled factor read earlier, when known.
func (r *run) factorKind(id string) evidence.MethodKind {
	if id == "" {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.factorOf[id]
	if !ok {
		return ""
	}
	return k
}

// factorOwner finds the account that holds an enrolled factor read earlier.
func (r *run) factorOwner(id string) (evidence.Principal, bool) {
	r.ownersOnce.Do(func() {
		r.owners = map[string]int{}
		for i := range r.src.Accounts {
			for _, m := range r.src.Accounts[i].Methods {
				if m.ID != "" {
					r.owners[m.ID] = i
				}
			}
		}
	})
	i, ok := r.owners[id]
	if !ok {
		return evidence.Principal{}, false
	}
	a := &r.src.Accounts[i]
	return evidence.Principal{ID: a.ID, Name: a.Login, Type: "user"}, true
}
