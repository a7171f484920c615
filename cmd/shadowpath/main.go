// Command shadowpath finds the shadow login paths of Okta and Microsoft Entra
// ID tenants — backup MFA methods and recovery routes weaker than the primary
// sign-in — and reports them against NIST SP 800-63B-4, NIST CSF 2.0 and the
// OWASP Non-Human Identities Top 10.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], newFactory(os.Stdout, os.Stderr, os.Getenv))
	stop()
	os.Exit(code)
}

// run executes the command line and maps the outcome to an exit code
// (DESIGN.md): 0 ok, 1 failing checks at or above --fail-on, 2 incomplete
// scan or bad usage, 3 internal error. It is the one place an error becomes
// an exit code.
func run(ctx context.Context, args []string, f *factory) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(f.stderr, "shadowpath: internal error: %v\n", r)
			code = exitInternal
		}
	}()
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	for _, msg := range errorMessages(err) {
		fmt.Fprintln(f.stderr, "shadowpath:", msg)
	}
	return exitCodeOf(err)
}
