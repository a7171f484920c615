package reports

import "github.com/shadowpath/shadowpath/checks"

// BelowNominal reports whether an account's effective AAL is below its
// nominal AAL: the summary's "effective AAL below nominal AAL". An
// effective AAL that is unknown or none counts as below a known nominal one.
// The XLSX Identities sheet shows it per account, so a filter reproduces the
// figure.
func BelowNominal(id checks.Identity) bool {
	return AALRank(id.NominalAAL) > AALRank(id.EffectiveAAL)
}

// WeakFallback reports whether an account can fall back to a weaker path or
// has no second factor: below nominal, or an effective AAL of AAL1 or less.
// The summary's "privileged accounts with a weak fallback" are the
// privileged accounts for which it holds.
func WeakFallback(id checks.Identity) bool {
	return BelowNominal(id) || AALRank(id.EffectiveAAL) <= 1
}
