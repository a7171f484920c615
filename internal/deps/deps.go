//go:build tools

// Package deps pins the project's chosen dependencies in go.mod while the
// packages that use them are being written (DESIGN.md "Dependencies").
package deps

import (
	_ "github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	_ "github.com/defenseunicorns/go-oscal/src/pkg/validation"
	_ "github.com/go-jose/go-jose/v3"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jung-kurt/gofpdf"
	_ "github.com/microsoft/kiota-http-go"
	_ "github.com/microsoftgraph/msgraph-sdk-go"
	_ "github.com/microsoftgraph/msgraph-sdk-go-core"
	_ "github.com/okta/okta-sdk-golang/v2/okta"
	_ "github.com/spf13/cobra"
	_ "github.com/xuri/excelize/v2"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/time/rate"
)
