package checks

import (
	"sort"
	"strings"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// AAL is an NIST SP 800-63B-4 authenticator assurance level. The zero value,
// AALNone, is below AAL1: what a security question or an unknown method gives.
type AAL int

// Assurance levels, weakest first; they compare with < and >.
const (
	AALNone AAL = iota
	AAL1
	AAL2
	AAL3
)

// String returns "AAL1" … "AAL3", or "none".
func (a AAL) String() string {
	switch a {
	case AAL1:
		return "AAL1"
	case AAL2:
		return "AAL2"
	case AAL3:
		return "AAL3"
	}
	return "none"
}

// ParseAAL reads an AAL as results.json writes it (String): "AAL1" …
// "AAL3" or "none", case and surrounding space ignored. ok is false for
// anything else ("unknown" for an account whose methods could not be
// read, "", garbage): such a level compares with nothing.
func ParseAAL(s string) (a AAL, ok bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "NONE":
		return AALNone, true
	case "AAL1":
		return AAL1, true
	case "AAL2":
		return AAL2, true
	case "AAL3":
		return AAL3, true
	}
	return AALNone, false
}

// Class is what the catalog needs to know about a method kind (DESIGN.md
// "Method classification").
type Class struct {
	// MaxAAL is the highest AAL the kind can contribute to.
	MaxAAL AAL
	// PhishingResistant: verifier-name or channel binding (800-63B-4 3.2.5).
	PhishingResistant bool
	// Restricted: PSTN out-of-band (800-63B-4 3.2.9).
	Restricted bool
	// MFACapable: the kind can contribute to AAL2 or AAL3.
	MFACapable bool
	// Bootstrap: an onboarding / recovery credential (temporary access pass),
	// judged by REC-04 and REC-07 and not folded into the effective AAL.
	Bootstrap bool
	// Unknown: a vendor value this version does not know; treated as the weakest
	// method and reported as a warning.
	Unknown bool
}

// Classify returns the class of a normalized method kind. Kinds it does not
// know are classified like evidence.KindUnknown.
func Classify(kind evidence.MethodKind) Class {
	switch kind {
	case evidence.KindPassword, evidence.KindEmailOTP:
		return Class{MaxAAL: AAL1}
	case evidence.KindSecurityQuestion:
		return Class{MaxAAL: AALNone}
	case evidence.KindSMS, evidence.KindVoice:
		return Class{MaxAAL: AAL2, Restricted: true, MFACapable: true}
	case evidence.KindTOTPSoftware, evidence.KindTOTPHardware, evidence.KindPush, evidence.KindPasswordlessApp:
		return Class{MaxAAL: AAL2, MFACapable: true}
	case evidence.KindFastPass, evidence.KindPasskeySynced:
		return Class{MaxAAL: AAL2, PhishingResistant: true, MFACapable: true}
	case evidence.KindFIDO2, evidence.KindWindowsHello, evidence.KindPasskeyDeviceBound, evidence.KindCertificate:
		return Class{MaxAAL: AAL3, PhishingResistant: true, MFACapable: true}
	case evidence.KindTAP:
		return Class{MaxAAL: AALNone, Bootstrap: true}
	}
	return Class{MaxAAL: AALNone, Unknown: true}
}

// strength orders authenticators and paths more finely than the AAL alone:
// within one AAL a restricted (PSTN) path is weaker than an unrestricted one,
// which is weaker than a phishing-resistant one. REC-03 compares strengths so
// that SMS recovery under a phishing-resistant sign-in policy is caught.
type strength struct {
	AAL AAL
	// tier: 0 restricted, 1 ordinary, 2 phishing-resistant.
	tier int
}

func (s strength) less(o strength) bool {
	if s.AAL != o.AAL {
		return s.AAL < o.AAL
	}
	return s.tier < o.tier
}

func (s strength) String() string {
	switch {
	case s.AAL == AALNone:
		return "none"
	case s.tier == 0 && s.AAL == AAL2:
		return "AAL2 (restricted)"
	case s.tier == 2 && s.AAL == AAL2:
		return "AAL2 (phishing-resistant)"
	}
	return s.AAL.String()
}

func kindStrength(k evidence.MethodKind) strength {
	c := Classify(k)
	t := 1
	if c.Restricted {
		t = 0
	} else if c.PhishingResistant {
		t = 2
	}
	return strength{AAL: c.MaxAAL, tier: t}
}

// kindSet is a bit set over the normalized kinds, so that per-account
// method sets cost no allocation. Bit i is sortedKinds[i]: iterating bits
// yields kinds in string order with no map lookup.
type kindSet uint32

// sortedKinds is evidence.AllKinds in string order, for deterministic lists.
var sortedKinds = func() []evidence.MethodKind {
	out := append([]evidence.MethodKind(nil), evidence.AllKinds...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}()

var kindBit = func() map[evidence.MethodKind]kindSet {
	m := make(map[evidence.MethodKind]kindSet, len(sortedKinds))
	for i, k := range sortedKinds {
		m[k] = 1 << i
	}
	return m
}()

// Per-kind strengths and classes by bit index, for the hot loops.
var (
	kindClass     [32]Class
	kindStrengths [32]strength
)

func init() {
	for i, k := range sortedKinds {
		kindClass[i] = Classify(k)
		kindStrengths[i] = kindStrength(k)
	}
}

func bitOf(k evidence.MethodKind) kindSet {
	if b, ok := kindBit[k]; ok {
		return b
	}
	return kindBit[evidence.KindUnknown]
}

func setOf(kinds []evidence.MethodKind) kindSet {
	var s kindSet
	for _, k := range kinds {
		s |= bitOf(k)
	}
	return s
}

func (s kindSet) has(k evidence.MethodKind) bool { return s&bitOf(k) != 0 }

// each calls fn for every kind in the set, in string order.
func (s kindSet) each(fn func(i int, k evidence.MethodKind)) {
	for i, k := range sortedKinds {
		if s&(1<<i) != 0 {
			fn(i, k)
		}
	}
}

// kinds lists the set's kinds in sorted (string) order.
func (s kindSet) kinds() []evidence.MethodKind {
	var out []evidence.MethodKind
	s.each(func(_ int, k evidence.MethodKind) { out = append(out, k) })
	return out
}

func (s kindSet) strings() []string {
	out := []string{}
	s.each(func(_ int, k evidence.MethodKind) { out = append(out, string(k)) })
	return out
}

// Kind sets used by several checks.
var (
	mfaCapableKinds = func() kindSet {
		var s kindSet
		for _, k := range evidence.AllKinds {
			if Classify(k).MFACapable {
				s |= bitOf(k)
			}
		}
		return s
	}()
	phishingResistantKinds = func() kindSet {
		var s kindSet
		for _, k := range evidence.AllKinds {
			if Classify(k).PhishingResistant {
				s |= bitOf(k)
			}
		}
		return s
	}()
	restrictedKinds = setOf([]evidence.MethodKind{evidence.KindSMS, evidence.KindVoice})
	// issuedCodeKinds are the channels that deliver an issued recovery code
	// (800-63B-4 4.2.1.2).
	issuedCodeKinds = setOf([]evidence.MethodKind{evidence.KindEmailOTP, evidence.KindSMS, evidence.KindVoice})
)
