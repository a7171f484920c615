package evidence

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestFastAccountsCoversStructs: if this fails, Account, Method or Role
// changed. Hashes stay correct (encoding/json takes over), only slower:
// update the field lists and appendAccount in hashfast.go.
func TestFastAccountsCoversStructs(t *testing.T) {
	if !fastAccounts {
		t.Fatal("Account/Method/Role fields differ from what appendAccount writes")
	}
}

// canonicalAccount is the reference: the account as Canonical indents it
// inside the accounts array.
func canonicalAccount(t testing.TB, a *Account) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "  ")
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func fastAccount(a *Account) ([]byte, bool) {
	w := jsonWriter{prefix: "    ", indent: "  "}
	ok := w.appendAccount(0, a)
	return w.b, ok
}

func TestAppendAccount(t *testing.T) {
	nano := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", -(5*3600+30*60)))
	utc := time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)
	cases := map[string]Account{
		"zero":            {},
		"nil vs empty":    {Methods: []Method{}, Groups: []string{}, Roles: []Role{}},
		"everything":      {ID: "00u1", Name: "N", Login: "l@x", Status: "ACTIVE", UserType: "member", Privileged: true, Roles: []Role{{ID: "SUPER_ADMIN", Name: "Super", Via: "direct"}, {ID: "R2"}}, Groups: []string{"g1", "g2"}, Methods: []Method{{Kind: KindFIDO2, VendorType: "webauthn", VendorProvider: "FIDO", ID: "f1", Name: "key", Status: "ACTIVE", Created: &nano, LastUsed: &utc}, {}}, MethodsError: "HTTP 500", LastSignIn: &utc, Created: &nano, FactorsReadAt: &utc, CarriedOver: true},
		"escapes":         {Name: "quote \" backslash \\ nl \n cr \r tab \t bs \b ff \f nul \x00 unit \x1f del \x7f <&> /", Login: "\u2028\u2029 é 日本 😀"},
		"invalid utf8":    {Name: "a\xffb\xc3(c\xed\xa0\x80d", Login: "\xf0\x28\x8c\x28"},
		"one method only": {Methods: []Method{{Kind: KindSMS, Name: "+1 ••• 12"}}},
		"entra sspr":      {ID: "g", Methods: []Method{}, SSPR: &SSPRState{Enabled: true, Capable: true}, PerUserMFA: "enforced", Created: &utc},
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := canonicalAccount(t, &a)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := fastAccount(&a)
			if !ok || !bytes.Equal(got, want) {
				t.Fatalf("fast encoding differs (ok=%v):\n got %s\nwant %s", ok, got, want)
			}
		})
	}
	t.Run("time out of range falls back to the encoding/json error", func(t *testing.T) {
		bad := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		a := Account{ID: "x", Methods: []Method{{Kind: KindSMS, LastUsed: &bad}}}
		if _, ok := fastAccount(&a); ok {
			t.Fatal("fast path accepted a year-10000 time")
		}
		s := &Source{Provider: Okta, Tenant: "t", Accounts: []Account{a}}
		_, err1 := Canonical(s)
		_, err2 := s.Hash()
		if err1 == nil || err2 == nil || !strings.Contains(err2.Error(), "year outside of range") {
			t.Fatalf("Canonical error %v, Hash error %v", err1, err2)
		}
	})
}

// FuzzAppendAccount: the fast encoder agrees with encoding/json.
func FuzzAppendAccount(f *testing.F) {
	f.Add("00u1", "Ann \"x\" \u2028", "a@x", "g1\x00", "sms", "\xff", int64(1700000000), int64(5), true)
	f.Add("", "", "", "", "", "", int64(0), int64(0), false)
	f.Fuzz(func(t *testing.T, id, name, login, group, kind, mname string, sec, nsec int64, priv bool) {
		tm := time.Unix(sec%(1<<34), nsec%1e9).In(time.FixedZone("z", int(nsec%50000)))
		a := Account{ID: id, Name: name, Login: login, Privileged: priv, Groups: []string{group}, Roles: []Role{{ID: kind, Via: mname}},
			Methods: []Method{{Kind: MethodKind(kind), Name: mname, Created: &tm}}, Created: &tm}
		if priv {
			a.Groups, a.Methods = nil, []Method{}
		}
		want, err := canonicalAccount(t, &a)
		got, ok := fastAccount(&a)
		if err != nil {
			if ok {
				t.Fatalf("encoding/json failed (%v) but the fast path did not", err)
			}
			return
		}
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("differs (ok=%v):\n got %q\nwant %q", ok, got, want)
		}
	})
}
