package checks

import (
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func workloadSubject(w *evidence.Workload) Subject {
	t := "app"
	if w.Type == evidence.WAPIToken {
		t = "token"
	}
	return Subject{Type: t, ID: w.ID, Name: w.Name}
}

func workloadEvidence(w *evidence.Workload) map[string]any {
	ev := map[string]any{"workload_type": string(w.Type), "enabled": w.Enabled}
	if w.AppID != "" {
		ev["app_id"] = w.AppID
	}
	return ev
}

// live reports whether a credential is active and not expired at now.
func live(c *evidence.Credential, now time.Time) bool {
	return c.Active && (c.Expires == nil || c.Expires.After(now))
}

func liveCreds(w *evidence.Workload, now time.Time) []*evidence.Credential {
	var out []*evidence.Credential
	for i := range w.Credentials {
		if c := &w.Credentials[i]; live(c, now) {
			out = append(out, c)
		}
	}
	return out
}

func credIDs(cs []*evidence.Credential) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// credentialRecords lists credentials as a finding's evidence records them
// ("credentials", at most sampleSize): id, type, name, creation and expiry
// times, age and lifetime in days, so the reports can show ages and expiry
// dates as columns.
func credentialRecords(cs []*evidence.Credential, now time.Time) []map[string]any {
	cs = cs[:min(len(cs), sampleSize)]
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		r := map[string]any{"id": c.ID, "type": string(c.Type)}
		if c.Name != "" {
			r["name"] = c.Name
		}
		if c.Created != nil {
			r["created"] = c.Created.UTC().Format(time.RFC3339)
			r["age_days"] = int(now.Sub(*c.Created) / (24 * time.Hour))
		}
		if c.Expires != nil {
			r["expires"] = c.Expires.UTC().Format(time.RFC3339)
			if c.Created != nil {
				r["lifetime_days"] = int(c.Expires.Sub(*c.Created) / (24 * time.Hour))
			}
		}
		if c.LastUsed != nil {
			r["last_used"] = c.LastUsed.UTC().Format(time.RFC3339)
		}
		out[i] = r
	}
	return out
}

// workloadOutcome collects one finding per workload with its reasons.
func workloadOutcome(e *env, sev Severity, noun string, judge func(w *evidence.Workload, ev map[string]any) []string) outcome {
	var o outcome
	for i := range e.src.Workloads {
		w := &e.src.Workloads[i]
		ev := workloadEvidence(w)
		why := judge(w, ev)
		if len(why) == 0 {
			continue
		}
		ev["reasons"] = why
		o.findings = append(o.findings, Finding{Subject: workloadSubject(w), Severity: sev, Evidence: ev,
			Message: "\"" + w.Name + "\": " + strings.Join(why, "; ")})
	}
	if len(o.findings) == 0 {
		o.rationale = "No workload identity is " + noun + " (" + itoa(len(e.src.Workloads)) + " checked)."
		return o
	}
	o.rationale = "Workload identities " + noun + ": " + itoa(len(o.findings)) + " of " + itoa(len(e.src.Workloads)) + "."
	return o
}

func evalNHI01(e *env) outcome {
	now := e.p.Now
	unused := e.p.Thresholds.NHIUnused
	return workloadOutcome(e, Medium, "orphaned or unused", func(w *evidence.Workload, ev map[string]any) []string {
		creds := liveCreds(w, now)
		if len(creds) == 0 {
			return nil
		}
		var why []string
		active, inactive := 0, []string{}
		for _, o := range w.Owners {
			if o.Active {
				active++
			} else {
				inactive = append(inactive, o.ID)
			}
		}
		if len(inactive) > 0 && active == 0 {
			why = append(why, "owner deactivated ("+strings.Join(inactive, ", ")+")")
			ev["inactive_owners"] = inactive
		}
		if len(w.Owners) == 0 && !w.ThirdParty && (w.Type == evidence.WApplication || w.Type == evidence.WServicePrincipal) {
			why = append(why, "no owner")
		}
		if !w.Enabled {
			why = append(why, "disabled but holds "+plural(len(creds), "live credential", "live credentials"))
		}
		var stale []string
		for _, c := range creds {
			last := c.LastUsed
			if last == nil {
				last = w.LastUsed
			}
			if last != nil && now.Sub(*last) > unused {
				stale = append(stale, c.ID)
			}
		}
		if len(stale) > 0 {
			why = append(why, plural(len(stale), "credential", "credentials")+" unused for more than "+days(unused))
			ev["unused_credentials"] = stale
		}
		if len(why) > 0 {
			ev["live_credentials"] = credIDs(creds)
		}
		return why
	})
}

// tenantWrite reports whether a grant writes across the directory or tenant
// (NHI-05): Graph *.ReadWrite.All, directory and role management writes;
// Okta okta.*.manage scopes.
func tenantWrite(p evidence.Provider, grant string) bool {
	g := strings.ToLower(grant)
	if p == evidence.Okta {
		return strings.HasPrefix(g, "okta.") && strings.HasSuffix(g, ".manage")
	}
	return strings.HasSuffix(g, ".readwrite.all") || strings.HasSuffix(g, ".fullcontrol.all") ||
		strings.HasPrefix(g, "rolemanagement.readwrite") || strings.HasPrefix(g, "directory.readwrite")
}

// highPrivilege reports whether a grant gives a third party significant
// power (NHI-03): tenant-wide writes, sending mail as anyone, full mailbox
// access; on Okta any okta.* API scope.
func highPrivilege(p evidence.Provider, grant string) bool {
	g := strings.ToLower(grant)
	if p == evidence.Okta {
		return strings.HasPrefix(g, "okta.")
	}
	return tenantWrite(p, grant) || g == "mail.send" || g == "full_access_as_app"
}

func evalNHI03(e *env) outcome {
	now := e.p.Now
	return workloadOutcome(e, High, "a third-party identity holding access", func(w *evidence.Workload, ev map[string]any) []string {
		if !w.ThirdParty || !w.Enabled {
			return nil
		}
		var why []string
		if creds := liveCreds(w, now); len(creds) > 0 {
			why = append(why, "holds "+plural(len(creds), "credential", "credentials")+" in the tenant")
			ev["live_credentials"] = credIDs(creds)
		}
		var grants []string
		for _, g := range w.Grants {
			if highPrivilege(e.provider, g) {
				grants = append(grants, g)
			}
		}
		if len(grants) > 0 {
			why = append(why, "high-privilege grants: "+strings.Join(grants, ", "))
			ev["grants"] = grants
		}
		if len(w.Roles) > 0 {
			why = append(why, "admin roles: "+roleNames(w.Roles))
			ev["roles"] = roleList(w.Roles)
		}
		if len(why) > 0 && w.OwnerOrg != "" {
			ev["owner_org"] = w.OwnerOrg
		}
		return why
	})
}

func roleNames(rs []evidence.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
		if r.Name != "" {
			out[i] = r.Name
		}
	}
	return strings.Join(out, ", ")
}

// roleList names roles for evidence: the label people know (Global
// Administrator, Super Administrator), or the id when no label was read;
// roles held only through PIM eligibility say so.
func roleList(rs []evidence.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
		if out[i] == "" {
			out[i] = r.ID
		}
		if strings.HasPrefix(r.Via, "eligible") {
			out[i] += " (eligible, PIM)"
		}
	}
	return out
}

func evalNHI04(e *env) outcome {
	now := e.p.Now
	return workloadOutcome(e, Medium, "using static secrets", func(w *evidence.Workload, ev map[string]any) []string {
		var secrets []*evidence.Credential
		for _, c := range liveCreds(w, now) {
			if c.Type == evidence.CredSecret || c.Type == evidence.CredAPIToken {
				secrets = append(secrets, c)
			}
		}
		if len(secrets) == 0 {
			return nil
		}
		ev["secrets"] = credIDs(secrets)
		ev["credentials"] = credentialRecords(secrets, now)
		if w.AuthMethod != "" {
			ev["auth_method"] = w.AuthMethod
		}
		if w.Type == evidence.WAPIToken {
			return []string{"authenticates with a static SSWS API token (an OAuth service app with private_key_jwt is available)"}
		}
		return []string{"authenticates with " + plural(len(secrets), "shared secret", "shared secrets") + " (certificates or federation are available)"}
	})
}

func evalNHI05(e *env) outcome {
	return workloadOutcome(e, High, "overprivileged", func(w *evidence.Workload, ev map[string]any) []string {
		var why []string
		if len(w.Roles) > 0 {
			why = append(why, "holds admin roles: "+roleNames(w.Roles))
			ev["roles"] = roleList(w.Roles)
		}
		if w.Type == evidence.WAPIToken {
			for _, o := range w.Owners {
				if o.Privileged {
					why = append(why, "inherits the admin roles of its owner "+o.ID)
					ev["privileged_owner"] = o.ID
					break
				}
			}
		}
		var grants []string
		for _, g := range w.Grants {
			if tenantWrite(e.provider, g) {
				grants = append(grants, g)
			}
		}
		if len(grants) > 0 {
			why = append(why, "directory-wide write permissions: "+strings.Join(grants, ", "))
			ev["grants"] = grants
		}
		return why
	})
}

func evalNHI07(e *env) outcome {
	now := e.p.Now
	th := e.p.Thresholds
	return workloadOutcome(e, High, "holding long-lived or fallback credentials", func(w *evidence.Workload, ev map[string]any) []string {
		var why, long, never []string
		var flagged []*evidence.Credential
		perType := map[evidence.CredentialType]int{}
		for _, c := range liveCreds(w, now) {
			perType[c.Type]++
			max := th.SecretMaxAge
			switch c.Type {
			case evidence.CredCertificate:
				max = th.CertMaxAge
			case evidence.CredFederated:
				continue // no secret to leak
			}
			if c.Expires == nil {
				never = append(never, c.ID)
				flagged = append(flagged, c)
				continue
			}
			from := now
			if c.Created != nil {
				from = *c.Created
			}
			if c.Expires.Sub(from) > max {
				long = append(long, c.ID)
				flagged = append(flagged, c)
			}
		}
		if len(never) > 0 {
			why = append(why, plural(len(never), "credential never expires", "credentials never expire"))
			ev["non_expiring"] = never
		}
		if len(long) > 0 {
			why = append(why, plural(len(long), "credential lives", "credentials live")+" longer than the threshold")
			ev["long_lived"] = long
			ev["secret_max_days"] = int(th.SecretMaxAge / (24 * time.Hour))
			ev["cert_max_days"] = int(th.CertMaxAge / (24 * time.Hour))
		}
		var multi []string
		for _, t := range []evidence.CredentialType{evidence.CredAPIToken, evidence.CredCertificate, evidence.CredFederated, evidence.CredSecret} {
			if perType[t] > 1 {
				multi = append(multi, string(t)+"="+itoa(perType[t]))
			}
		}
		if len(multi) > 0 {
			why = append(why, "more than one active credential of a kind ("+strings.Join(multi, ", ")+")")
			ev["active_per_type"] = multi
		}
		if len(flagged) > 0 {
			ev["credentials"] = credentialRecords(flagged, now)
		}
		return why
	})
}

func evalNHI10(e *env) outcome {
	var o outcome
	signIns := map[string][]string{}
	for i := range e.src.Events {
		ev := &e.src.Events[i]
		if ev.Kind != evidence.EvSignIn || !ev.Interactive || !succeeded(ev) {
			continue
		}
		who := ev.Actor.ID
		if who == "" {
			who = ev.Target.ID
		}
		if who != "" {
			signIns[who] = append(signIns[who], ev.ID)
		}
	}
	service := 0
	for i := range e.accts {
		x := &e.accts[i]
		if !x.service {
			continue
		}
		service++
		var why []string
		ev := map[string]any{}
		if ids := signIns[x.a.ID]; len(ids) > 0 {
			why = append(why, plural(len(ids), "interactive sign-in", "interactive sign-ins")+" in the audit window")
			ev["sign_in_events"] = sample(ids)
			ev["sign_ins"] = len(ids)
		}
		var exempt []string
		for _, id := range e.pathsOf(x) {
			if p := e.path(id); e.access != nil && p.key.kind == PathPasswordOnly {
				exempt = append(exempt, p.path.Label)
			}
		}
		for j := range e.signIn {
			if e.entra != nil {
				break // the Entra engine's password_only paths say it
			}
			s := &e.signIn[j]
			switch {
			case s.mfaEnforcing() && s.targets.included(x) && s.targets.excluded(x):
				exempt = append(exempt, s.p.ID+" (excluded)")
			case s.enforced() && !s.p.Block && s.p.OneFactor && s.targets.match(x):
				exempt = append(exempt, s.p.ID+" (one factor)")
			}
		}
		if len(exempt) > 0 {
			why = append(why, "exempt from MFA by "+strings.Join(exempt, ", "))
			ev["exempt_by"] = exempt
		}
		if len(why) == 0 {
			continue
		}
		ev["owasp_nhi"] = "NHI10"
		o.findings = append(o.findings, userFinding(x, High, "is a service account: "+strings.Join(why, "; "), ev))
	}
	switch {
	case len(o.findings) > 0:
		o.rationale = "Service accounts used interactively or exempt from MFA: " + itoa(len(o.findings)) + " of " + itoa(service) + "."
	case service == 0:
		o.rationale = "No in-scope account matches the service-account patterns or list."
	default:
		o.rationale = "No service account (" + itoa(service) + ") signed in interactively or is exempt from MFA."
	}
	return o
}

func evalLOG01(e *env) outcome {
	var o outcome
	w := e.src.AuditWindow
	if w.Since.IsZero() || w.Until.IsZero() || !w.Until.After(w.Since) {
		o.status = NotAssessed
		o.rationale = "The snapshot does not record the audit window that was requested."
		return o
	}
	want := int((w.Until.Sub(w.Since) + 24*time.Hour - 1) / (24 * time.Hour))
	if e.src.LogRetentionDays <= 0 {
		o.status = Manual
		o.rationale = "The log was read but its retention is not known: verify that it keeps at least " + plural(want, "day", "days") + " (the audit window)."
		return o
	}
	if want > e.src.LogRetentionDays {
		o.findings = append(o.findings, Finding{
			Subject:  e.tenantSubject(),
			Message:  "The audit window is " + plural(want, "day", "days") + " but the log keeps only " + plural(e.src.LogRetentionDays, "day", "days"),
			Severity: Medium,
			Evidence: map[string]any{"window_days": want, "retention_days": e.src.LogRetentionDays,
				"since": w.Since.UTC().Format(time.RFC3339), "until": w.Until.UTC().Format(time.RFC3339)},
		})
		o.rationale = "Log retention (" + plural(e.src.LogRetentionDays, "day", "days") + ") is shorter than the audit window (" + plural(want, "day", "days") + "): recovery events before that are not visible."
		return o
	}
	o.rationale = "The log was read in full and its retention (" + plural(e.src.LogRetentionDays, "day", "days") + ") covers the audit window (" + plural(want, "day", "days") + ")."
	return o
}
