package main

import (
	"errors"
	"fmt"
)

// Exit codes (DESIGN.md contract).
const (
	exitOK         = 0
	exitFailing    = 1
	exitIncomplete = 2 // also bad usage or configuration
	exitInternal   = 3
)

// exitError is an error that ends the run with its exit code. Without err
// it is a run that completed but must exit non-zero — checks failing at or
// above --fail-on, an incomplete collection, a verify mismatch, a connector
// that panicked while the others were read — whose command's own output
// (summary, table, log) already says why, so run prints nothing more.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith is the error a completed run returns for an exit code: nil for 0.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code, err}
}

// usageErr is bad usage, configuration, waivers or input files: exit 2.
func usageErr(err error) error { return withCode(exitIncomplete, err) }

// envErr is the environment refusing what was asked — an output path that
// cannot be created or written, a full disk, an interrupt: exit 2, with a
// message naming the path. It is not a bug.
func envErr(err error) error { return withCode(exitIncomplete, err) }

// incompleteErr is a source that could not be read at all: exit 2.
func incompleteErr(err error) error { return withCode(exitIncomplete, err) }

// exitCodeOf maps the error a command returned to the process exit code;
// anything not marked is a bug (3). Errors joined with errors.Join (a run's
// outcome and a bug recorded earlier) exit with the most severe: 3 over 2
// over 1 over 0.
func exitCodeOf(err error) int {
	if err == nil {
		return exitOK
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		code := exitOK
		for _, e := range j.Unwrap() {
			code = max(code, exitCodeOf(e))
		}
		return code
	}
	var (
		cp *collectPanic
		xe *exitError
	)
	switch {
	case errors.As(err, &cp):
		// A bug, even when every provider failed and it is wrapped as
		// an incomplete scan.
		return exitInternal
	case errors.As(err, &xe):
		return xe.code
	}
	return exitInternal
}

// errorMessages are the messages of err to print, one per joined error;
// an exitError without an error has none.
func errorMessages(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, errorMessages(e)...)
		}
		return out
	}
	if xe, ok := err.(*exitError); ok && xe.err == nil {
		return nil
	}
	return []string{err.Error()}
}
