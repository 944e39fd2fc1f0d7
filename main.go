// Command terraform-provider-konnect serves the konnect Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/openkonnect/terraform-provider-konnect/internal/provider"
)

// registryAddress is the provider's source address; examples/provider/provider.tf and the
// demo's CLI configuration use the same one.
const registryAddress = "registry.terraform.io/openkonnect/konnect"

// version is set by the linker at release time (-ldflags "-X main.version=...").
var version = "dev"

// The plugin definitions and their examples come first, so that the docs describe them; the
// generator does nothing where Kong's plugin schemas (../shared) are not present.
//go:generate go run ./internal/cmd/gen-pluginschema -schemas ../shared/reference/gateway/plugins -out internal/pluginschema -examples examples/resources
//go:generate go run ./internal/cmd/emulator-coverage -out templates/guides/emulator-coverage.md.tmpl
//go:generate go tool tfplugindocs generate --provider-name konnect --rendered-provider-name Konnect

// sdkLogSettings are terraform-plugin-log's switches for the SDK's own logs.
var sdkLogSettings = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// quietSDKUnlessAsked turns the SDK's trace logging off when nobody asked for logs. Without
// any TF_LOG setting Terraform discards what a provider logs, yet the SDK still formats a
// JSON line for every step of every call: measured, a third of a refreshing plan's time.
// With TF_LOG (or any of these settings) present, nothing changes.
func quietSDKUnlessAsked() {
	for _, name := range append([]string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH"}, sdkLogSettings...) {
		if os.Getenv(name) != "" {
			return
		}
	}
	for _, name := range sdkLogSettings {
		_ = os.Setenv(name, "off")
	}
}

func main() {
	quietSDKUnlessAsked()
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         registryAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
