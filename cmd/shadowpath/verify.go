package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// verifyOptions are the flags and argument of `shadowpath verify`.
type verifyOptions struct {
	snapshot    string // SNAPSHOT
	results     string
	publicKey   string
	signature   string
	configPath  string
	waiversPath string
}

// newVerifyCmd is `shadowpath verify`; runF as in newScanCmd.
func newVerifyCmd(f *factory, runF func(*verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify SNAPSHOT",
		Short: "Recompute an evidence snapshot's hashes, check its signature, re-derive results",
		Long: `verify lets an auditor re-perform the test: it recomputes the SHA-256 of the
snapshot file and of each source (the evidence_sha256 printed in every report),
checks the detached ed25519 signature when --public-key is given, and with
--results re-evaluates the catalog over the evidence and shows that every
check's status and findings follow from it. Exit 0 verified, 1 mismatch, 2 bad input.`,
		Example: `  shadowpath verify evidence.json --results shadowpath-report/results.json
  shadowpath verify evidence.json --public-key audit-pub.pem`,
		Args: exactArgs(1),
		RunE: runE(f, opts, runF, verifyRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.results, "results", "", "results.json to re-derive from the evidence")
	fl.StringVar(&opts.publicKey, "public-key", "", "ed25519 public key (PEM) to check the detached signature")
	fl.StringVar(&opts.signature, "signature", "", "signature file (default SNAPSHOT.sig)")
	fl.StringVar(&opts.configPath, "config", "", "configuration used for the scan (thresholds, break-glass, service accounts)")
	fl.StringVar(&opts.waiversPath, "waivers", "", "waivers used for the scan")
	return cmd
}

func (o *verifyOptions) complete(_ *factory, args []string) error {
	o.snapshot = args[0]
	return nil
}

func verifyRun(_ context.Context, f *factory, opts *verifyOptions) error {
	path := opts.snapshot
	data, err := readBoundedLarge(path)
	if err != nil {
		return usageErr(err)
	}
	snap, err := evidence.DecodeSnapshot(bytes.NewReader(data))
	if err != nil {
		return usageErr(fmt.Errorf("snapshot %s: %w", path, err))
	}
	fmt.Fprintf(f.stdout, "snapshot %s\n  file sha256 %s\n", path, sha256Hex(data))
	hashes := map[string]string{}
	for _, src := range snap.Sources {
		h, err := src.Hash()
		if err != nil {
			return err
		}
		hashes[string(src.Provider)+"/"+src.Tenant] = h
		fmt.Fprintf(f.stdout, "  %-5s %s evidence_sha256 %s\n", src.Provider, src.Tenant, h)
	}
	ok := true
	sigPath := opts.signature
	if sigPath == "" {
		sigPath = path + ".sig"
	}
	if opts.publicKey == "" {
		// Say so: silence would read as "the signature is fine".
		if _, err := os.Lstat(sigPath); err == nil {
			fmt.Fprintf(f.stdout, "signature: NOT CHECKED: %s is present; give --public-key to check it\n", sigPath)
		} else {
			fmt.Fprintf(f.stdout, "signature: none (no %s beside the snapshot); not checked\n", sigPath)
		}
	}
	if opts.publicKey != "" {
		if err := verifySignature(data, opts.publicKey, sigPath); err != nil {
			fmt.Fprintf(f.stdout, "signature: FAILED: %v\n", err)
			ok = false
		} else {
			fmt.Fprintf(f.stdout, "signature: ok (%s)\n", sigPath)
		}
	}
	if opts.results != "" {
		res, err := readResultsFile(opts.results)
		if err != nil {
			return usageErr(err)
		}
		mismatches, err := rederive(f, snap, res, hashes, opts)
		if err != nil {
			return err
		}
		if len(mismatches) == 0 {
			fmt.Fprintf(f.stdout, "results: ok — %d checks re-derived from the evidence, same statuses and findings\n", len(res.Checks))
		} else {
			ok = false
			fmt.Fprintf(f.stdout, "results: %d MISMATCHES\n", len(mismatches))
			for _, m := range mismatches {
				fmt.Fprintln(f.stdout, "  "+m)
			}
		}
	}
	if !ok {
		return exitWith(exitFailing)
	}
	return nil
}

func rederive(f *factory, snap *evidence.Snapshot, res *checks.Results, hashes map[string]string, opts *verifyOptions) ([]string, error) {
	var mism []string
	for _, s := range res.Sources {
		h, found := hashes[s.Provider+"/"+s.Tenant]
		switch {
		case !found:
			mism = append(mism, fmt.Sprintf("source %s/%s is in the results but not in the snapshot", s.Provider, s.Tenant))
		case h != s.EvidenceSHA256:
			mism = append(mism, fmt.Sprintf("source %s/%s: evidence_sha256 %s in results, %s recomputed", s.Provider, s.Tenant, s.EvidenceSHA256, h))
		}
	}
	cfg := &config{thresholds: checks.DefaultThresholds()}
	if opts.configPath != "" {
		c, err := loadConfig(opts.configPath, f.getenv, nil)
		if err != nil {
			return nil, usageErr(err)
		}
		cfg = c
	}
	var waivers []checks.Waiver
	if opts.waiversPath != "" {
		w, err := loadWaivers(opts.waiversPath)
		if err != nil {
			return nil, usageErr(err)
		}
		waivers = w
	}
	again, err := evaluate(snap, cfg, waivers, latestCollection(snap))
	if err != nil {
		return nil, err
	}
	type key struct{ id, provider string }
	was := map[key]checks.CheckResult{}
	for _, c := range res.Checks {
		was[key{c.ID, c.Provider}] = c
	}
	for _, c := range again.Checks {
		old, found := was[key{c.ID, c.Provider}]
		if !found {
			mism = append(mism, fmt.Sprintf("%s/%s: re-derived (%s) but missing from the results", c.ID, c.Provider, c.Status))
			continue
		}
		delete(was, key{c.ID, c.Provider})
		if old.Status != c.Status {
			mism = append(mism, fmt.Sprintf("%s/%s: status %s in results, %s re-derived", c.ID, c.Provider, old.Status, c.Status))
		}
		if a, b := subjects(old.Findings), subjects(c.Findings); a != b {
			mism = append(mism, fmt.Sprintf("%s/%s: findings differ (results: %s; re-derived: %s)", c.ID, c.Provider, a, b))
		}
	}
	var rest []string
	for k := range was {
		rest = append(rest, fmt.Sprintf("%s/%s: in the results but not re-derived", k.id, k.provider))
	}
	sort.Strings(rest)
	return append(mism, rest...), nil
}

func subjects(fs []checks.Finding) string {
	ids := make([]string, 0, len(fs))
	for _, f := range fs {
		ids = append(ids, f.Subject.Type+":"+f.Subject.ID)
	}
	sort.Strings(ids)
	return "[" + strings.Join(ids, " ") + "]"
}

// writeEvidence writes canonical snapshot bytes to path atomically and, with
// a signing key, the detached signature beside it (the two as one set, so a
// failure leaves the previous pair whole); it returns the SHA-256.
func writeEvidence(path string, data []byte, key ed25519.PrivateKey) (string, error) {
	set := []safeio.File{{Name: filepath.Base(path), Data: data}}
	if key != nil {
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(key, data)) + "\n"
		set = append(set, safeio.File{Name: filepath.Base(path) + ".sig", Data: []byte(sig)})
	}
	if err := safeio.MkdirAll(filepath.Dir(path)); err != nil {
		return "", envErr(fmt.Errorf("snapshot %s: %w", path, err))
	}
	if err := safeio.WriteSet(filepath.Dir(path), set); err != nil {
		return "", envErr(fmt.Errorf("snapshot %s: %w", path, err))
	}
	return sha256Hex(data), nil
}

// loadSignKey reads and checks --sign-key: an ed25519 private key, PKCS#8
// PEM. It runs before any collection, so a bad key costs nothing.
func loadSignKey(keyPath string) (ed25519.PrivateKey, error) {
	if keyPath == "" {
		return nil, nil
	}
	keyPEM, err := safeio.ReadFile(keyPath, safeio.MaxSmall)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--sign-key: %w", err))
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, usageErr(fmt.Errorf("--sign-key %s: no PEM block", keyPath))
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--sign-key %s: %v", keyPath, err))
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, usageErr(fmt.Errorf("--sign-key %s: not an ed25519 key (openssl genpkey -algorithm ed25519)", keyPath))
	}
	return priv, nil
}

func verifySignature(data []byte, pubPath, sigPath string) error {
	pubPEM, err := safeio.ReadFile(pubPath, safeio.MaxSmall)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(pubPEM)
	if block == nil {
		return fmt.Errorf("%s: no PEM block", pubPath)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("%s: %v", pubPath, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return fmt.Errorf("%s: not an ed25519 public key", pubPath)
	}
	sigB64, err := safeio.ReadFile(sigPath, safeio.MaxSmall)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigB64)))
	if err != nil {
		return fmt.Errorf("%s: not base64: %v", sigPath, err)
	}
	if !ed25519.Verify(pub, data, sig) {
		return errors.New("signature does not match the snapshot (the file was changed or signed with another key)")
	}
	return nil
}
