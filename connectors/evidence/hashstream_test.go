package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// TestStreamHashEqualsHash: the streaming encoder writes Canonical's bytes.
func TestStreamHashEqualsHash(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	many := func(n int) []Account {
		out := make([]Account, n)
		for i := range out {
			out[i] = Account{ID: "00u" + strconv.Itoa(i), Name: "A <&> \u00e9 \u2028 " + strconv.Itoa(i), Login: "a" + strconv.Itoa(i) + "@x",
				UserType: "member", Groups: []string{"00g1"}, Created: &now,
				Methods: []Method{{Kind: KindFIDO2, VendorType: "webauthn", ID: "f" + strconv.Itoa(i)}, {Kind: KindSMS, Name: "+1 •••• 12"}}}
			if i%3 == 0 {
				out[i].Methods = nil
			}
			if i%5 == 0 {
				out[i].Methods = []Method{}
			}
		}
		return out
	}
	base := func() *Source {
		return &Source{Provider: Okta, Tenant: "acme.okta.com", CollectedAt: now,
			Coverage: []Coverage{{Dataset: DSUsers, Status: Complete, Items: 3}},
			Policies: Policies{Methods: []MethodSetting{{ID: "aut1", Name: `"accounts": []`, Kinds: []MethodKind{KindEmailOTP}}}},
			Events:   []Event{{ID: "e1", Kind: EvSignIn, Time: now}}, Warnings: []string{"<warn>"}}
	}
	cases := map[string]func(*Source){
		"nil accounts":    func(s *Source) { s.Accounts = nil },
		"empty accounts":  func(s *Source) { s.Accounts = []Account{} },
		"one account":     func(s *Source) { s.Accounts = many(1) },
		"several chunks":  func(s *Source) { s.Accounts = many(9001) },
		"nothing else":    func(s *Source) { *s = Source{Provider: Entra, Tenant: "t", Accounts: many(3)} },
		"awkward strings": func(s *Source) { s.Accounts = many(2); s.Accounts[1].Login = "\n  \"accounts\": []" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			s := base()
			mutate(s)
			want, err := Canonical(s)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := s.WriteCanonical(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("WriteCanonical differs from Canonical (%d vs %d bytes)", got.Len(), len(want))
			}
			sum := sha256.Sum256(want)
			h1 := hex.EncodeToString(sum[:])
			h2, err := s.Hash()
			if err != nil || h1 != h2 {
				t.Fatalf("StreamHash %s (%v), Hash %s", h2, err, h1)
			}
		})
	}
}

// FuzzIndentCompact: the fast indenter agrees with json.Indent on any valid
// JSON, once compacted the way json.Marshal writes it.
func FuzzIndentCompact(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,{"b":"x\"}{[,:"},[],{}],"c":null}`, `"\\"`, `[[[]],[{}]]`, `{"k":"\u2028<&>"}`, `1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), "    ", "  "); err != nil {
			t.Fatal(err)
		}
		got := appendIndentCompact(nil, compact.Bytes(), "    ", "  ")
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("indent of %q:\n got %q\nwant %q", compact.Bytes(), got, want.Bytes())
		}
	})
}
