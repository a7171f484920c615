package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{"ORG": "https://acme.okta.com"}
	getenv := func(k string) string { return env[k] }
	c, err := parseConfig("c.yaml", []byte(`
organization: Acme
break_glass: [bg@acme.com]
service_accounts:
  patterns: ["svc-*"]
  accounts: [robot@acme.com]
thresholds:
  tap_max_lifetime: 4h
  reenrol_window: 2w
  resets_per_actor_per_day: 5
okta:
  org_url: ${ORG}
entra:
  cloud: usgov
`), getenv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Okta.OrgURL != "https://acme.okta.com" || c.Organization != "Acme" || c.Entra.Cloud != "usgov" {
		t.Errorf("parsed %+v", c.fileConfig)
	}
	if c.thresholds.TAPMaxLifetime != 4*time.Hour || c.thresholds.ReenrolWindow != 14*24*time.Hour || c.thresholds.ResetsPerActorPerDay != 5 {
		t.Errorf("thresholds %+v", c.thresholds)
	}
	if c.thresholds.NHIUnused != 90*24*time.Hour {
		t.Errorf("unset threshold lost its default: %v", c.thresholds.NHIUnused)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"unknown field", "organisation: x\n", `line 1: unknown field "organisation"`},
		{"nested unknown", "okta:\n  token: abc\n", `line 2: unknown field "token"`},
		{"bad duration", "thresholds:\n  cert_max_age: soon\n", `c.yaml:2: field "thresholds.cert_max_age"`},
		{"negative", "thresholds:\n  resets_per_actor_per_day: 0\n", `thresholds.resets_per_actor_per_day`},
		{"unknown threshold", "thresholds:\n  nhi_unusd: 30d\n", `line 2: unknown field "nhi_unusd"`},
		{"count not a number", "thresholds:\n  resets_per_actor_per_day: many\n", `c.yaml:2: field "thresholds.resets_per_actor_per_day"`},
		{"bad cloud", "entra:\n  cloud: mars\n", `field "entra.cloud"`},
		{"wrong type", "break_glass: yes\n", `line 1`},
		{"bad pattern", "service_accounts:\n  patterns: ['[']\n", `bad pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConfig("c.yaml", []byte(tt.in), func(string) string { return "" }, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "c.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestConfigWithSecretFilesWarnsWhenReadable(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "shadowpath.yaml")
	os.WriteFile(p, []byte("okta:\n  api_token_file: /run/secrets/okta\n"), 0o644)
	var warned []string
	if _, err := loadConfig(p, func(string) string { return "" }, func(m string) { warned = append(warned, m) }); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "chmod 600") {
		t.Errorf("warnings = %v", warned)
	}
	os.Chmod(p, 0o600)
	warned = nil
	loadConfig(p, func(string) string { return "" }, func(m string) { warned = append(warned, m) })
	if len(warned) != 0 {
		t.Errorf("0600 config warned: %v", warned)
	}
}

func TestSecretFileReferences(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "okta-token")
	os.WriteFile(tok, []byte("ssws-from-file\n"), 0o600)
	c := &config{}
	c.Okta.TokenFile = tok
	c.Okta.OrgURL = "https://cfg.okta.com"
	env := map[string]string{"OKTA_ORG_URL": "https://env.okta.com"}
	get, err := c.envWithFiles(func(k string) string { return env[k] }, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if get("OKTA_API_TOKEN") != "ssws-from-file" {
		t.Errorf("token file not read")
	}
	if get("OKTA_ORG_URL") != "https://env.okta.com" {
		t.Errorf("environment must win over the config file")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "72h": 72 * time.Hour, "2w": 14 * 24 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("%s = %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "d", "1y", "soon"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// FuzzParseConfig: any bytes give a config or an error naming the file, never a panic.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("organization: Acme\nthresholds:\n  tap_max_lifetime: 8h\n"))
	f.Add([]byte("okta:\n  org_url: ${X}\nentra:\n  cloud: china\n"))
	f.Add([]byte("thresholds: {resets_per_actor_per_day: -1}"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := parseConfig("fuzz.yaml", data, func(string) string { return "" }, nil)
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
