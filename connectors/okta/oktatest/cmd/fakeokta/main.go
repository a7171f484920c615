// Command fakeokta serves the oktatest fixture org over TLS so that
// `shadowpath scan --source okta` can be run against it by hand:
//
//	go run ./connectors/okta/oktatest/cmd/fakeokta -addr 127.0.0.1:8443 -ca-out /tmp/fakeokta-ca.pem
//
// It prints the environment to export (OKTA_ORG_URL, OKTA_API_TOKEN,
// SSL_CERT_FILE) and serves until interrupted. It is a simplified fake, not
// Okta; see package oktatest.
package main

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/shadowpath/shadowpath/connectors/okta/oktatest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakeokta:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakeokta", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8443", "listen address (loopback)")
	caOut := fs.String("ca-out", "", "write the server certificate (PEM) here, for SSL_CERT_FILE")
	dir := fs.String("fixtures", "testdata/okta", "fixture directory")
	users := fs.Int("users", 0, "add this many generated users")
	perMinute := fs.Int("factors-limit", 0, "requests per window on the factors bucket (0 = unlimited)")
	pageSize := fs.Int("page-size", 0, "cap every list page at this size (0 = API defaults)")
	window := fs.Duration("window", time.Minute, "rate-limit window (Okta: one minute; 1s for per-second limits)")
	threshold := fs.Int("warning-threshold", 90, "the org's rate-limit warning threshold, percent")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *caOut == "" {
		return errors.New("-ca-out is required: the connector always verifies TLS")
	}
	org, err := oktatest.LoadOrg(*dir)
	if err != nil {
		return err
	}
	opts := []oktatest.Option{oktatest.WithOrg(org), oktatest.WithRateLimitWindow(*window), oktatest.WithWarningThreshold(*threshold)}
	if *perMinute > 0 {
		opts = append(opts, oktatest.WithRateLimit("factors", *perMinute))
	}
	if *pageSize > 0 {
		for _, b := range []string{"users", "groups", "group_users", "logs", "apps", "api_tokens", "assignees", "policies"} {
			opts = append(opts, oktatest.WithPageSize(b, *pageSize))
		}
	}
	srv, err := startOn(*addr, opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *users > 0 {
		srv.AddUsers(*users)
	}
	cert, err := x509.ParseCertificate(srv.Certificate().Certificate[0])
	if err != nil {
		return err
	}
	if err := os.WriteFile(*caOut, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# fakeokta: serving %s (fixtures %s); Ctrl-C to stop\n", srv.URL, *dir)
	fmt.Fprintf(stdout, "export OKTA_ORG_URL=%s\n", srv.URL)
	fmt.Fprintf(stdout, "export OKTA_API_TOKEN=%s\n", srv.Token())
	fmt.Fprintf(stdout, "export SSL_CERT_FILE=%s\n", *caOut)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// startOn converts oktatest.StartOn's listen panic into an error.
func startOn(addr string, opts ...oktatest.Option) (srv *oktatest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return oktatest.StartOn(addr, opts...), nil
}
