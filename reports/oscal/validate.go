package oscal

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/defenseunicorns/go-oscal/src/pkg/validation"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// maxReportedErrors bounds the schema errors quoted in Validate's error.
const maxReportedErrors = 5

// schema is the compiled OSCAL schema of OSCALVersion, compiled once per
// process (compiling the 300 kB schema costs far more than validating).
var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	// go-oscal keeps its embedded schemas internal; a validator for a
	// minimal document of the right version hands them out.
	stub := map[string]any{"assessment-results": map[string]any{"metadata": map[string]any{"oscal-version": OSCALVersion}}}
	v, err := validation.NewValidatorDesiredVersion(stub, OSCALVersion)
	if err != nil {
		return nil, err
	}
	p, err := v.GetValidationParams()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(p.SchemaPath, p.SchemaData); err != nil {
		return nil, err
	}
	return c.Compile(p.SchemaPath)
})

// Validate checks an OSCAL JSON document against the OSCAL JSON schema of
// OSCALVersion embedded in go-oscal. It returns nil when the document is
// valid, otherwise an error quoting the first schema violations with their
// JSON pointers.
func Validate(doc []byte) error {
	sch, err := schema()
	if err != nil {
		return fmt.Errorf("oscal: load schema %s: %w", OSCALVersion, err)
	}
	m, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("oscal: validate: not JSON: %w", err)
	}
	err = sch.Validate(m)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	obj, isObj := m.(map[string]any)
	if !errors.As(err, &ve) || !isObj {
		return fmt.Errorf("oscal: validate: %w", err)
	}
	errs := validation.ExtractErrors(obj, ve.DetailedOutput())
	if len(errs) == 0 {
		return fmt.Errorf("oscal: not valid OSCAL %s: %w", OSCALVersion, err)
	}
	var msgs []string
	for i, e := range errs {
		if i == maxReportedErrors {
			msgs = append(msgs, fmt.Sprintf("… and %d more", len(errs)-i))
			break
		}
		msgs = append(msgs, fmt.Sprintf("%s: %s", cmp.Or(e.InstanceLocation, "/"), e.Error))
	}
	return fmt.Errorf("oscal: not valid OSCAL %s: %s", OSCALVersion, strings.Join(msgs, "; "))
}
