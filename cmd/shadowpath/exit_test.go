package main

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestExitCodeOf(t *testing.T) {
	bug := &collectPanic{provider: "okta", value: "boom"}
	usage := usageErr(errors.New("--format \"docx\": want pdf, xlsx, json or oscal"))
	tests := []struct {
		name     string
		err      error
		code     int
		messages []string
	}{
		{"nil", nil, exitOK, nil},
		{"failing checks", exitWith(exitFailing), exitFailing, nil},
		{"exit 0 is no error", exitWith(exitOK), exitOK, nil},
		{"usage", usage, exitIncomplete, []string{usage.Error()}},
		{"environment", envErr(errors.New("--out x: read-only")), exitIncomplete, []string{"--out x: read-only"}},
		{"incomplete", incompleteErr(errors.New("okta: 401")), exitIncomplete, []string{"okta: 401"}},
		{"wrapped usage", fmt.Errorf("scan: %w", usage), exitIncomplete, []string{"scan: " + usage.Error()}},
		{"anything else is a bug", errors.New("nil map"), exitInternal, []string{"nil map"}},
		{"every provider panicked", incompleteErr(errors.Join(bug, errors.New("entra: 401"))), exitInternal, []string{bug.Error() + "\nentra: 401"}},
		{"a bug outranks a later usage error, both said", errors.Join(exitWith(exitInternal), usage), exitInternal, []string{usage.Error()}},
		{"incomplete outranks failing", errors.Join(exitWith(exitFailing), exitWith(exitIncomplete)), exitIncomplete, nil},
		{"no bug recorded", errors.Join(nil, exitWith(exitFailing)), exitFailing, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCodeOf(tt.err); got != tt.code {
				t.Errorf("exitCodeOf = %d, want %d", got, tt.code)
			}
			if got := errorMessages(tt.err); !slices.Equal(got, tt.messages) {
				t.Errorf("errorMessages = %q, want %q", got, tt.messages)
			}
		})
	}
}
