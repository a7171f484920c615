package entra

// This file reads the directory_audits dataset.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// audits reads directory audits in the window and keeps the recovery events.
func (r *run) audits(ctx context.Context) {
	const ep = "/auditLogs/directoryAudits"
	filter := "activityDateTime ge " + r.src.AuditWindow.Since.UTC().Format(time.RFC3339)
	top := int32(r.c.cfg.PageSize)
	res, err := r.c.client.AuditLogs().DirectoryAudits().Get(ctx, &auditlogs.DirectoryAuditsRequestBuilderGetRequestConfiguration{
		QueryParameters: &auditlogs.DirectoryAuditsRequestBuilderGetQueryParameters{Filter: &filter, Top: &top}})
	n := 0
	if err == nil {
		_, err = iterate(ctx, r.c, res, models.CreateDirectoryAuditCollectionResponseFromDiscriminatorValue, func(a models.DirectoryAuditable) error {
			n++
			if ev, ok := auditEvent(a); ok {
				r.src.Events = append(r.src.Events, ev)
			}
			return nil
		})
	}
	if err != nil {
		r.fail(evidence.DSAudits, n, apiError(evidence.DSAudits, ep, err))
		return
	}
	r.ok(evidence.DSAudits, n, fmt.Sprintf("%d audit records since %s, %d recovery events", n, r.src.AuditWindow.Since.UTC().Format(time.RFC3339), len(r.src.Events)))
	r.progress("entra: %d directory audit records", n)
}

// auditEvent maps the activities the catalog uses (names verbatim from the
// Entra audit activity reference); everything else is skipped.
func auditEvent(a models.DirectoryAuditable) (evidence.Event, bool) {
	name := deref(a.GetActivityDisplayName())
	text := auditText(a)
	var kind evidence.EventKind
	switch name {
	case "Admin deleted security info":
		kind = evidence.EvFactorReset
	case "Admin registered security info":
		kind = evidence.EvMethodEnrolled
		if strings.Contains(text, "temporary access pass") || strings.Contains(text, "temporaryaccesspass") {
			kind = evidence.EvTAPIssued
		}
	case "User registered security info":
		kind = evidence.EvMethodEnrolled
	case "User deleted security info":
		kind = evidence.EvMethodRemoved
	case "Reset password (by admin)", "Reset user password":
		kind = evidence.EvPasswordResetAdmin
	case "Reset password (self-service)":
		kind = evidence.EvPasswordResetSelf
	case "Unlock user account (self-service)":
		kind = evidence.EvUnlock
	default:
		return evidence.Event{}, false
	}
	ev := evidence.Event{ID: deref(a.GetId()), Kind: kind, VendorType: name, MethodKind: methodInText(text)}
	if kind == evidence.EvTAPIssued {
		ev.MethodKind = evidence.KindTAP
	}
	if t := a.GetActivityDateTime(); t != nil {
		ev.Time = t.UTC()
	}
	if res := a.GetResult(); res != nil {
		ev.Outcome = res.String()
	}
	if ib := a.GetInitiatedBy(); ib != nil {
		if u := ib.GetUser(); u != nil && deref(u.GetId()) != "" {
			ev.Actor = evidence.Principal{ID: deref(u.GetId()), Name: firstNonEmpty(deref(u.GetUserPrincipalName()), deref(u.GetDisplayName())), Type: "user"}
		} else if app := ib.GetApp(); app != nil {
			ev.Actor = evidence.Principal{ID: firstNonEmpty(deref(app.GetServicePrincipalId()), deref(app.GetAppId())), Name: deref(app.GetDisplayName()), Type: "app"}
		}
	}
	for _, t := range a.GetTargetResources() {
		if strings.EqualFold(deref(t.GetTypeEscaped()), "user") {
			ev.Target = evidence.Principal{ID: deref(t.GetId()), Name: firstNonEmpty(deref(t.GetUserPrincipalName()), deref(t.GetDisplayName())), Type: "user"}
			break
		}
	}
	return ev, true
}

// auditText gathers the free text that names the method (result reason,
// additional details, modified properties), lower-cased.
func auditText(a models.DirectoryAuditable) string {
	parts := []string{deref(a.GetResultReason())}
	for _, kv := range a.GetAdditionalDetails() {
		parts = append(parts, deref(kv.GetKey())+"="+deref(kv.GetValue()))
	}
	for _, t := range a.GetTargetResources() {
		for _, mp := range t.GetModifiedProperties() {
			parts = append(parts, deref(mp.GetDisplayName()), deref(mp.GetNewValue()))
		}
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// methodInText recognises the method named in an audit record's text
// ("Admin deleted Phone method for user"); "" when none is recognisable.
func methodInText(text string) evidence.MethodKind {
	for _, m := range []struct {
		needle string
		kind   evidence.MethodKind
	}{
		{"temporary access pass", evidence.KindTAP}, {"temporaryaccesspass", evidence.KindTAP},
		{"fido2", evidence.KindFIDO2}, {"security key", evidence.KindFIDO2}, {"passkey", evidence.KindPasskeyDeviceBound},
		{"windows hello", evidence.KindWindowsHello}, {"authenticator app", evidence.KindPush},
		{"software oath", evidence.KindTOTPSoftware}, {"hardware oath", evidence.KindTOTPHardware},
		{"office phone", evidence.KindVoice}, {"phone", evidence.KindSMS}, {"email", evidence.KindEmailOTP},
		{"security question", evidence.KindSecurityQuestion},
	} {
		if strings.Contains(text, m.needle) {
			return m.kind
		}
	}
	return ""
}
