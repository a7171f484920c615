package reports

import "github.com/shadowpath/shadowpath/checks"

// WeakFallback reports whether an account can fall back to a weaker path or
// has no second factor: below nominal (checks.Identity.BelowNominal), or an
// effective AAL of AAL1 or less (unknown counts as less). The summary's
// "privileged accounts with a weak fallback" are the privileged accounts for
// which it holds; the XLSX Identities sheet shows it per account.
func WeakFallback(id checks.Identity) bool {
	eff, _ := checks.ParseAAL(id.EffectiveAAL) // unknown: AALNone
	return id.BelowNominal() || eff <= checks.AAL1
}
