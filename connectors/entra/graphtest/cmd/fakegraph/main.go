// Command fakegraph runs the graphtest fake (Microsoft Graph + identity
// platform) on a fixed address, so that `shadowpath scan --source entra` can
// be tried by hand without a tenant:
//
//	go run ./connectors/entra/graphtest/cmd/fakegraph -addr 127.0.0.1:9443 -ca-out /tmp/fakegraph-ca.pem
//
// It prints the environment to export (the fake's test credentials and
// SSL_CERT_FILE pointing at its self-signed certificate) and serves until
// interrupted. It is a simplified fake; see package graphtest.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shadowpath/shadowpath/connectors/entra/graphtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakegraph:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fakegraph", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9443", "listen address (loopback)")
	caOut := fs.String("ca-out", "", "write the server certificate (PEM) here, for SSL_CERT_FILE (required)")
	fixtures := fs.String("fixtures", "", "fixture directory (default: testdata/entra above the working directory)")
	users := fs.Int("users", 0, "add this many generated users")
	maxPage := fs.Int("max-page", 0, "cap every page at this many items (0: honour $top)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *caOut == "" {
		return fmt.Errorf("-ca-out is required (the identity endpoints are TLS-only)")
	}
	opts := []graphtest.Option{graphtest.WithAddr(*addr)}
	if *fixtures != "" {
		opts = append(opts, graphtest.WithFixtureDir(*fixtures))
	}
	if *maxPage > 0 {
		opts = append(opts, graphtest.WithMaxPageSize(*maxPage))
	}
	s, err := graphtest.Start(opts...)
	if err != nil {
		return err
	}
	defer s.Close()
	if *users > 0 {
		s.AddUsers(*users)
	}
	if err := os.WriteFile(*caOut, s.CACertPEM(), 0o644); err != nil {
		return err
	}
	// These are the fake's fixed test credentials, not real ones.
	fmt.Fprintf(stdout, "export AZURE_TENANT_ID=%s\n", s.TenantID)
	fmt.Fprintf(stdout, "export AZURE_CLIENT_ID=%s\n", s.ClientID)
	fmt.Fprintf(stdout, "export AZURE_CLIENT_SECRET=%s\n", s.ClientSecret)
	fmt.Fprintf(stdout, "export AZURE_AUTHORITY_HOST=%s/\n", s.URL)
	fmt.Fprintf(stdout, "export ENTRA_GRAPH_ENDPOINT=%s\n", s.URL)
	fmt.Fprintf(stdout, "export SSL_CERT_FILE=%s\n", *caOut)
	fmt.Fprintf(os.Stderr, "fakegraph: serving on %s; Ctrl-C to stop\n", s.URL)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
