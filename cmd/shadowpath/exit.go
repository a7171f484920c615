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

// exitError ends a run that completed but must exit non-zero: checks failing
// at or above --fail-on, an incomplete collection, a verify mismatch, a
// connector that panicked while the others were read. The command's own
// output (summary, table, log) already says why, so run prints nothing more.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitWith is the error a completed run returns for an exit code: nil for 0.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code}
}

// usageError is bad usage, configuration, waivers or input files: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// envError is the environment refusing what was asked — an output path
// that cannot be created or written, a full disk, an interrupt: exit 2, with
// a message naming the path. It is not a bug.
type envError struct{ err error }

func (e *envError) Error() string { return e.err.Error() }
func (e *envError) Unwrap() error { return e.err }

func envErr(err error) error {
	if err == nil {
		return nil
	}
	return &envError{err}
}

// incompleteError is a source that could not be read at all: exit 2.
type incompleteError struct{ err error }

func (e *incompleteError) Error() string { return e.err.Error() }
func (e *incompleteError) Unwrap() error { return e.err }

// exitCodeOf maps the error a command returned to the process exit code.
// Errors joined with errors.Join (a run's outcome and a bug recorded
// earlier) exit with the most severe: 3 over 2 over 1 over 0.
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
		xe *exitError
		cp *collectPanic
		ue *usageError
		ie *incompleteError
		ee *envError
	)
	switch {
	case errors.As(err, &cp):
		// A bug, even when every provider failed and it is wrapped as
		// an incomplete scan.
		return exitInternal
	case errors.As(err, &xe):
		return xe.code
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &ee):
		return exitIncomplete
	}
	return exitInternal
}

// errorMessages are the messages of err to print, one per joined error;
// an exitError has none (its command already said why).
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
	var xe *exitError
	if errors.As(err, &xe) {
		return nil
	}
	return []string{err.Error()}
}
