package oscal

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/defenseunicorns/go-oscal/src/pkg/validation"
)

// maxReportedErrors bounds the schema errors quoted in Validate's error.
const maxReportedErrors = 5

// Validate checks an OSCAL JSON document against the OSCAL JSON schema of
// OSCALVersion embedded in go-oscal. It returns nil when the document is
// valid, otherwise an error quoting the first schema violations with their
// JSON pointers.
func Validate(doc []byte) error {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return fmt.Errorf("oscal: validate: not JSON: %w", err)
	}
	v, err := validation.NewValidatorDesiredVersion(m, OSCALVersion)
	if err != nil {
		return fmt.Errorf("oscal: validate: %w", err)
	}
	if err := v.Validate(); err != nil {
		res, rerr := v.GetValidationResult()
		if rerr != nil || len(res.Errors) == 0 {
			return fmt.Errorf("oscal: validate: %w", err)
		}
		var msgs []string
		for i, e := range res.Errors {
			if i == maxReportedErrors {
				msgs = append(msgs, fmt.Sprintf("… and %d more", len(res.Errors)-i))
				break
			}
			msgs = append(msgs, fmt.Sprintf("%s: %s", cmp.Or(e.InstanceLocation, "/"), e.Error))
		}
		return fmt.Errorf("oscal: not valid OSCAL %s assessment-results: %s", OSCALVersion, strings.Join(msgs, "; "))
	}
	return nil
}
