package entra

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// LogRetentionDays is how long Entra keeps directory audits with an Entra ID
// P1/P2 licence (7 days without); the connector cannot see the licence
// reliably, so it assumes P1/P2, which the registration report and
// Conditional Access already require.
const LogRetentionDays = 30

// run holds the state of one Collect.
type run struct {
	c    *Connector
	opts evidence.CollectOptions
	log  *slog.Logger
	src  *evidence.Source

	mu       sync.Mutex
	accounts map[string]*evidence.Account // enabled users by id
	disabled map[string]bool              // disabled user ids
	usersOK  bool
	// groupRefs are the group ids referenced by policies and role assignments.
	groupRefs map[string]bool
	// roleByPrincipal collects directory roles per principal id.
	roleByPrincipal map[string][]evidence.Role
	spEnabled       map[string]bool // service principal id → accountEnabled
	unknown         map[string]int  // unknown vendor values → count
	recoveryKinds   []evidence.MethodKind
	methodsPolicyOK bool
}

func (r *run) progress(format string, args ...any) {
	if r.opts.Progress != nil {
		r.opts.Progress(format, args...)
	}
}

func (r *run) warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.src.Warnings = append(r.src.Warnings, msg)
	r.log.Warn("entra: " + msg)
}

func (r *run) unknownValue(what, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unknown[what+" "+fmt.Sprintf("%q", v)]++
}

// fail records a dataset failure as coverage and logs it.
func (r *run) fail(dataset string, items int, err error) {
	cov := evidence.CoverageFromError(dataset, items, err)
	r.src.SetCoverage(cov)
	r.log.Warn("entra: dataset not read", "dataset", dataset, "status", string(cov.Status), "detail", cov.Detail)
}

func (r *run) ok(dataset string, items int, detail string) {
	r.src.SetCoverage(evidence.Coverage{Dataset: dataset, Status: evidence.Complete, Items: items, Detail: detail})
	r.log.Debug("entra: dataset read", "dataset", dataset, "items", items)
}

// Collect reads the tenant. Every dataset in evidence.Datasets[evidence.Entra]
// gets a coverage entry; Collect returns an error only when nothing could be
// read at all (bad credentials, unreachable endpoint, cancelled context).
func (c *Connector) Collect(ctx context.Context, opts evidence.CollectOptions) (*evidence.Source, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	since := opts.Since
	if since.IsZero() {
		since = now.AddDate(0, 0, -30)
	}
	r := &run{
		c: c, opts: opts, log: logger(opts.Logger),
		src: &evidence.Source{
			Provider: evidence.Entra, Tenant: c.cfg.TenantID, CollectedAt: now,
			AuditWindow:      evidence.Window{Since: since, Until: now},
			LogRetentionDays: LogRetentionDays,
			Accounts:         []evidence.Account{},
		},
		accounts: map[string]*evidence.Account{}, disabled: map[string]bool{},
		groupRefs: map[string]bool{}, roleByPrincipal: map[string][]evidence.Role{},
		spEnabled: map[string]bool{}, unknown: map[string]int{},
	}
	r.log.Info("entra: collecting", "tenant", c.cfg.TenantID, "graph", c.ep.graphRoot)

	if err := r.users(ctx); err != nil && fatal(ctx, err) {
		// Nothing else will work either when the first read cannot
		// authenticate or reach Graph; an answer from Graph (403, 500) is
		// only this dataset's failure.
		return nil, err
	}
	steps := []func(context.Context){
		r.registration, r.methodsPolicy, r.conditionalAccess, r.authorizationPolicy,
		r.roles, r.workloads, r.groups, r.audits, r.perUserMFA,
	}
	for _, step := range steps {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		step(ctx)
	}
	r.finish()
	return r.src, nil
}

func timePtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// finish sorts everything and turns the unknown-value tallies into warnings.
func (r *run) finish() {
	ids := make([]string, 0, len(r.accounts))
	for id := range r.accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	r.src.Accounts = make([]evidence.Account, 0, len(ids))
	for _, id := range ids {
		a := r.accounts[id]
		sort.Strings(a.Groups)
		a.Groups = slices.Compact(a.Groups)
		sort.Slice(a.Roles, func(i, j int) bool {
			if a.Roles[i].ID != a.Roles[j].ID {
				return a.Roles[i].ID < a.Roles[j].ID
			}
			return a.Roles[i].Via < a.Roles[j].Via
		})
		r.src.Accounts = append(r.src.Accounts, *a)
	}
	sort.Slice(r.src.Groups, func(i, j int) bool { return r.src.Groups[i].ID < r.src.Groups[j].ID })
	sort.SliceStable(r.src.Events, func(i, j int) bool {
		if !r.src.Events[i].Time.Equal(r.src.Events[j].Time) {
			return r.src.Events[i].Time.Before(r.src.Events[j].Time)
		}
		return r.src.Events[i].ID < r.src.Events[j].ID
	})
	sort.Slice(r.src.Workloads, func(i, j int) bool { return r.src.Workloads[i].ID < r.src.Workloads[j].ID })
	// Owners holding a role through a group (or flagged isAdmin) are
	// privileged too; direct role holders were marked when owners were read.
	for i := range r.src.Workloads {
		for j := range r.src.Workloads[i].Owners {
			o := &r.src.Workloads[i].Owners[j]
			if a := r.accounts[o.ID]; a != nil && a.Privileged {
				o.Privileged = true
			}
		}
	}
	keys := make([]string, 0, len(r.unknown))
	for k := range r.unknown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.warn(fmt.Sprintf("unknown %s (%d times) mapped to %q", k, r.unknown[k], evidence.KindUnknown))
	}
	// Every Entra dataset has a coverage entry, in contract order.
	var cov []evidence.Coverage
	for _, ds := range evidence.Datasets[evidence.Entra] {
		c, ok := r.src.CoverageOf(ds)
		if !ok {
			c = evidence.Coverage{Dataset: ds, Status: evidence.Partial, Detail: "not attempted"}
		}
		cov = append(cov, c)
	}
	r.src.Coverage = cov
	sort.Strings(r.src.Warnings)
}
