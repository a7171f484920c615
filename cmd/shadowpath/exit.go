package main

import (
	"errors"
)

// Exit codes (DESIGN.md contract).
const (
	exitOK         = 0
	exitFailing    = 1
	exitIncomplete = 2 // also bad usage or configuration
	exitInternal   = 3
)

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

func exitCodeOf(err error) int {
	var ue *usageError
	var ie *incompleteError
	var ee *envError
	switch {
	case errors.As(err, &ue), errors.As(err, &ie), errors.As(err, &ee):
		return exitIncomplete
	}
	return exitInternal
}

// worse keeps the more severe exit code: 3 over 2 over 1 over 0.
func worse(a, b int) int {
	if b > a {
		return b
	}
	return a
}
