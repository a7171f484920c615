package entra

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

// FuzzVendorJSON feeds arbitrary Graph JSON through the SDK's own JSON
// parse nodes into the model types the connector reads, then into its
// reducers (Conditional Access policies, method configurations, directory
// audits, authentication methods, application credentials): whatever a
// tenant returns, they must not panic. Seeds in testdata/fuzz come from
// testdata/entra. go test ./connectors/entra -run '^$' -fuzz FuzzVendorJSON
func FuzzVendorJSON(f *testing.F) {
	f.Add([]byte(`{}`), []byte(`{}`), []byte(`{}`))
	f.Add([]byte(`null`), []byte(`[]`), []byte(`"x"`))
	f.Fuzz(func(t *testing.T, policy, config, audit []byte) {
		r := &run{
			c:               &Connector{cfg: Config{Concurrency: 1}},
			log:             slog.New(slog.NewTextHandler(io.Discard, nil)),
			src:             &evidence.Source{},
			accounts:        map[string]*evidence.Account{},
			disabled:        map[string]bool{},
			groupRefs:       map[string]bool{},
			roleByPrincipal: map[string][]evidence.Role{},
			spEnabled:       map[string]bool{},
			unknown:         map[string]int{},
		}
		if p, ok := parse(policy, models.CreateConditionalAccessPolicyFromDiscriminatorValue).(models.ConditionalAccessPolicyable); ok {
			r.caPolicy(p)
		}
		if a, ok := parse(policy, models.CreateApplicationFromDiscriminatorValue).(models.Applicationable); ok {
			credentials(a.GetPasswordCredentials(), a.GetKeyCredentials(), time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
		}
		if c, ok := parse(config, models.CreateAuthenticationMethodConfigurationFromDiscriminatorValue).(models.AuthenticationMethodConfigurationable); ok {
			r.configTargets(c)
		}
		if a, ok := parse(audit, models.CreateDirectoryAuditFromDiscriminatorValue).(models.DirectoryAuditable); ok {
			auditEvent(a)
		}
		if m, ok := parse(audit, models.CreateAuthenticationMethodFromDiscriminatorValue).(models.AuthenticationMethodable); ok {
			r.method(m)
		}
	})
}

// parse decodes data into a Graph model the way the SDK does; nil when the
// SDK itself rejects it (the connector then records a decode error).
func parse(data []byte, factory serialization.ParsableFactory) serialization.Parsable {
	n, err := jsonserialization.NewJsonParseNode(data)
	if err != nil {
		return nil
	}
	v, err := n.GetObjectValue(factory)
	if err != nil {
		return nil
	}
	return v
}
