package xlsx

import (
	"sort"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/reports"
	"github.com/xuri/excelize/v2"
)

func (b *book) identities() error {
	st, err := b.newStream(SheetIdentity, []column{col(9), col(40), wcol(28), wcol(32), col(10), col(10), col(10), wcol(30), col(9), col(9), wcol(30), wcol(34),
		wcol(28), col(16), col(18), col(10), col(12), col(10)},
		[]string{"Provider", "ID", "Name", "Login", "User type", "Privileged", "Service account", "Methods", "Nominal AAL", "Effective AAL", "Weakest path", "Weakest path decided by",
			"Roles", "Status", "Last sign-in", "Open findings", "Effective below nominal", "Weak fallback"})
	if err != nil {
		return err
	}
	// Open findings per account; rows sorted by name (a reader looks
	// people up by name; the id is beside it).
	open := map[string]int{}
	for i := range b.r.Checks {
		c := &b.r.Checks[i]
		for _, f := range c.Findings {
			if f.Subject.Type == "user" && f.Open() {
				open[c.Provider+"\x00"+f.Subject.ID]++
			}
		}
	}
	order := make([]int, len(b.r.Identities))
	for i := range order {
		order[i] = i
	}
	ids := b.r.Identities
	sort.SliceStable(order, func(i, j int) bool {
		a, c := &ids[order[i]], &ids[order[j]]
		if na, nc := strings.ToLower(a.Name), strings.ToLower(c.Name); na != nc {
			return na < nc
		}
		return a.ID < c.ID
	})
	for _, i := range order {
		id := &ids[i]
		var last any = b.str("")
		if id.LastSignIn != nil {
			last = b.instant(id.LastSignIn.UTC().Format(time.RFC3339))
		}
		if err := st.put(b.str(id.Provider), b.str(id.ID), b.str(id.Name), b.str(id.Login), b.str(id.UserType), id.Privileged, id.ServiceAccount,
			b.str(strings.Join(id.Methods, ", ")), b.str(id.NominalAAL), b.str(id.EffectiveAAL), b.str(id.WeakestPath), b.str(reports.WeakestPolicy(*id)),
			b.str(strings.Join(id.Roles, ", ")), b.str(id.Status), last, open[id.Provider+"\x00"+id.ID],
			id.BelowNominal(), id.WeakFallback()); err != nil {
			return err
		}
	}
	rule := []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Value: `"AAL1"`, Format: &b.cfAAL1}}
	return st.finish(map[string][]excelize.ConditionalFormatOptions{"J": rule})
}

// paths is one row per account and access path (results.json
// identities[].paths: at most checks.MaxPathsPerIdentity each, weakest first).
func (b *book) paths() error {
	st, err := b.newStream(SheetPaths, []column{col(9), col(40), wcol(28), col(10), col(5), col(14), wcol(30), col(9), col(10), wcol(40), wcol(50)},
		[]string{"Provider", "Account ID", "Account", "Privileged", "#", "Kind", "Proofs", "AAL", "Phishing-resistant", "Context", "Decided by"})
	if err != nil {
		return err
	}
	for _, id := range b.r.Identities {
		name := id.Login
		if name == "" {
			name = id.Name
		}
		for i, p := range id.Paths {
			ctx := p.Context
			if ctx == "" {
				ctx = "any context"
			}
			if err := st.put(b.str(id.Provider), b.str(id.ID), b.str(name), id.Privileged, i+1, b.str(string(p.Kind)), b.str(strings.Join(p.Proofs, " + ")),
				b.str(p.AAL), p.PhishingResistant, b.str(ctx), b.str(reports.PolicyRefsText(p.Policies))); err != nil {
				return err
			}
		}
	}
	rule := []excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "==", Value: `"AAL1"`, Format: &b.cfAAL1}}
	return st.finish(map[string][]excelize.ConditionalFormatOptions{"H": rule})
}
