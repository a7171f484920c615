package evidence

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
)

// APIError is a non-success answer from a vendor API.
type APIError struct {
	Provider Provider
	Status   int    // HTTP status
	Code     string // vendor error code (E0000006, Authorization_RequestDenied)
	Message  string // vendor summary; never contains request headers
	Endpoint string // path, without query secrets
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %s: HTTP %d", e.Provider, e.Endpoint, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// PermissionError is a 401/403: the credential lacks a scope, role or licence.
type PermissionError struct {
	APIError
	// Needed names what is missing (okta.logs.read, AuditLog.Read.All, an Entra ID P1 licence).
	Needed string
}

func (e *PermissionError) Error() string {
	if e.Needed == "" {
		return e.APIError.Error()
	}
	return e.APIError.Error() + " (needs " + e.Needed + ")"
}

// Unwrap lets errors.As find the embedded APIError.
func (e *PermissionError) Unwrap() error { return &e.APIError }

// RateLimitError is a 429 that outlasted every retry.
type RateLimitError struct {
	APIError
	RetryAfterSeconds int
}

// Unwrap lets errors.As find the embedded APIError.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// CoverageFromError turns a dataset's failure into its coverage entry:
// denied for permission errors, error for everything else.
func CoverageFromError(dataset string, items int, err error) Coverage {
	var pe *PermissionError
	if errors.As(err, &pe) {
		return Coverage{Dataset: dataset, Status: Denied, Detail: pe.Error(), Items: items}
	}
	return Coverage{Dataset: dataset, Status: Errored, Detail: err.Error(), Items: items}
}

// Unreachable reports whether err means the tenant could not be reached at
// all: no connection, no such host name, no trusted TLS. A connection that
// was made and then failed (reset mid-page, an answer slower than the
// deadline) is not: it is that dataset's failure, and the other datasets may
// still read fine.
func Unreachable(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	return errors.As(err, &dns) || errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) ||
		errors.As(err, &ci) || errors.As(err, &rh) || errors.As(err, &alert)
}
