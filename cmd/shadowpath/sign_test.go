package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeKeys(t *testing.T, dir string) (priv, pub string) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	skDER, _ := x509.MarshalPKCS8PrivateKey(sk)
	pkDER, _ := x509.MarshalPKIXPublicKey(pk)
	priv, pub = filepath.Join(dir, "key.pem"), filepath.Join(dir, "pub.pem")
	os.WriteFile(priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skDER}), 0o600)
	os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkDER}), 0o644)
	return priv, pub
}

func TestSignedSnapshotVerifies(t *testing.T) {
	dir := t.TempDir()
	priv, pub := writeKeys(t, dir)
	snap := filepath.Join(dir, "evidence.json")
	c := newCLI()
	if code := c.run(t, "scan", "--demo", "--format", "json", "--out", dir, "--save-snapshot", snap, "--sign-key", priv); code != 0 {
		t.Fatalf("scan: %d %s", code, c.stderr.String())
	}
	if code := c.run(t, "verify", snap, "--public-key", pub); code != 0 || !strings.Contains(c.stdout.String(), "signature: ok") {
		t.Fatalf("verify: %d\n%s", code, c.stdout.String())
	}
	// Another key does not verify.
	_, otherPub := writeKeys(t, t.TempDir())
	if code := c.run(t, "verify", snap, "--public-key", otherPub); code != exitFailing {
		t.Errorf("verify with another key: exit %d, want 1", code)
	}
	// One changed byte does not verify.
	data, _ := os.ReadFile(snap)
	data[len(data)/2] ^= 1
	os.WriteFile(snap, data, 0o600)
	if code := c.run(t, "verify", snap, "--public-key", pub); code != exitFailing && code != exitIncomplete {
		t.Errorf("verify of a changed snapshot: exit %d", code)
	}
	// --sign-key without --save-snapshot is a usage error.
	if code := c.run(t, "scan", "--demo", "--out", dir, "--sign-key", priv); code != exitIncomplete {
		t.Errorf("--sign-key alone: exit %d, want 2", code)
	}
}
