package okta_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/connectors/okta"
)

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	_, pkcs8 := pemKey(t)
	k1, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k1)}))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyPKCS8 := write("k8.pem", pkcs8)
	keyPKCS1 := write("k1.pem", pkcs1)
	notKey := write("junk.pem", "secret-junk-not-a-key")

	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // substring; "" = success
		check   func(t *testing.T, c okta.Config)
	}{
		{name: "token", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_API_TOKEN": "00abcSECRET"},
			check: func(t *testing.T, c okta.Config) {
				if c.Token.Reveal() != "00abcSECRET" || c.ClientID != "" {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "service app pkcs8", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_CLIENT_ID": "0oa1", "OKTA_PRIVATE_KEY_FILE": keyPKCS8, "OKTA_KEY_ID": "kid1"},
			check: func(t *testing.T, c okta.Config) {
				if c.ClientID != "0oa1" || c.KeyID != "kid1" || c.PrivateKey.Empty() || !c.Token.Empty() {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "service app pkcs1", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_CLIENT_ID": "0oa1", "OKTA_PRIVATE_KEY_FILE": keyPKCS1}},
		{name: "no org", env: map[string]string{"OKTA_API_TOKEN": "00abcSECRET"}, wantErr: "OKTA_ORG_URL"},
		{name: "http org", env: map[string]string{"OKTA_ORG_URL": "http://acme.okta.com", "OKTA_API_TOKEN": "00abcSECRET"}, wantErr: "https"},
		{name: "admin host", env: map[string]string{"OKTA_ORG_URL": "https://acme-admin.okta.com", "OKTA_API_TOKEN": "00abcSECRET"}, wantErr: "-admin"},
		{name: "org with path", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com/api/v1", "OKTA_API_TOKEN": "00abcSECRET"}, wantErr: "bare org URL"},
		{name: "no credentials", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com"}, wantErr: "OKTA_API_TOKEN"},
		{name: "both", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_API_TOKEN": "00abcSECRET", "OKTA_CLIENT_ID": "0oa1"}, wantErr: "not both"},
		{name: "client without key", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_CLIENT_ID": "0oa1"}, wantErr: "OKTA_PRIVATE_KEY_FILE is not"},
		{name: "key without client", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_PRIVATE_KEY_FILE": keyPKCS8}, wantErr: "OKTA_CLIENT_ID is not"},
		{name: "missing key file", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_CLIENT_ID": "0oa1", "OKTA_PRIVATE_KEY_FILE": filepath.Join(dir, "nope.pem")}, wantErr: "OKTA_PRIVATE_KEY_FILE"},
		{name: "not a key", env: map[string]string{"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_CLIENT_ID": "0oa1", "OKTA_PRIVATE_KEY_FILE": notKey}, wantErr: "not PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := okta.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if _, err := okta.New(cfg); err != nil {
					t.Fatalf("New: %v", err)
				}
				if tt.check != nil {
					tt.check(t, cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
			for _, secret := range []string{"00abcSECRET", "secret-junk", "PRIVATE KEY"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error reveals %q: %v", secret, err)
				}
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	tests := []struct {
		name string
		cfg  okta.Config
		want string
	}{
		{"insecure TLS", okta.Config{OrgURL: "https://acme.okta.com", Token: evidence.NewSecret("x"), HTTPClient: insecure}, "TLS verification"},
		{"no credential", okta.Config{OrgURL: "https://acme.okta.com"}, "exactly one"},
		{"bad key", okta.Config{OrgURL: "https://acme.okta.com", ClientID: "0oa1", PrivateKey: evidence.NewSecret("nope")}, "not PEM"},
		{"http", okta.Config{OrgURL: "http://127.0.0.1:1", Token: evidence.NewSecret("x")}, "https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := okta.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestSDKEnvironmentIgnored sets the okta-sdk-golang environment variables
// that NewClient reads and checks that they change nothing. (~/.okta/okta.yaml
// feeds the same fields and is overridden the same way; the SDK finds it
// through /etc/passwd, so a test cannot point it elsewhere.)
func TestSDKEnvironmentIgnored(t *testing.T) {
	srv := newFake(t)
	t.Setenv("OKTA_CLIENT_ORGURL", "https://evil.example.com")
	t.Setenv("OKTA_CLIENT_TOKEN", "env-token")
	t.Setenv("OKTA_CLIENT_AUTHORIZATIONMODE", "Bearer")
	t.Setenv("OKTA_CLIENT_CACHE_ENABLED", "true")
	t.Setenv("OKTA_TESTING_DISABLE_HTTPS_CHECK", "true")
	src := collect(t, connector(t, srv))
	if cov := coverage(t, src, evidence.DSUsers); cov.Status != evidence.Complete || len(src.Accounts) != 8 {
		t.Errorf("users = %+v", cov)
	}
	got := okta.IgnoredSDKEnv(os.Getenv)
	if len(got) != 5 {
		t.Errorf("IgnoredSDKEnv = %v", got)
	}
}
