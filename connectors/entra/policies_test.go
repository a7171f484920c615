package entra

import (
	"slices"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

func TestStrengthKinds(t *testing.T) {
	tests := []struct {
		name   string
		combos []models.AuthenticationMethodModes
		kinds  []evidence.MethodKind
		pr     bool
		warn   bool
	}{
		{"phishing-resistant", []models.AuthenticationMethodModes{models.FIDO2_AUTHENTICATIONMETHODMODES, models.WINDOWSHELLOFORBUSINESS_AUTHENTICATIONMETHODMODES},
			[]evidence.MethodKind{evidence.KindFIDO2, evidence.KindWindowsHello}, true, false},
		{"password plus sms", []models.AuthenticationMethodModes{models.FIDO2_AUTHENTICATIONMETHODMODES, models.PASSWORD_AUTHENTICATIONMETHODMODES | models.SMS_AUTHENTICATIONMETHODMODES},
			[]evidence.MethodKind{evidence.KindFIDO2, evidence.KindSMS}, false, false},
		{"combination unknown to the SDK", []models.AuthenticationMethodModes{models.FIDO2_AUTHENTICATIONMETHODMODES, 0},
			[]evidence.MethodKind{evidence.KindFIDO2, evidence.KindUnknown}, false, true},
		{"federated", []models.AuthenticationMethodModes{models.FEDERATEDMULTIFACTOR_AUTHENTICATIONMETHODMODES},
			[]evidence.MethodKind{evidence.KindUnknown}, false, true},
		{"empty", nil, nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{unknown: map[string]int{}}
			s := models.NewAuthenticationStrengthPolicy()
			s.SetAllowedCombinations(tc.combos)
			kinds, pr := r.strengthKinds(s)
			if !slices.Equal(kinds, tc.kinds) || pr != tc.pr || (len(r.unknown) > 0) != tc.warn {
				t.Errorf("got %v pr=%v unknown=%v; want %v pr=%v warn=%v", kinds, pr, r.unknown, tc.kinds, tc.pr, tc.warn)
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+1 2065550123", "+1 ********23"},
		{"+44 7700900123", "+4* ********23"},
		{"", ""},
		{"12", "12"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := maskPhone(tc.in); got != tc.want {
				t.Errorf("maskPhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
