// Command terraform-provider-konnect serves the konnect Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/openkonnect/terraform-provider-konnect/internal/provider"
)

// registryAddress is the provider's source address; examples/provider/provider.tf and the
// demo's CLI configuration use the same one.
const registryAddress = "registry.terraform.io/openkonnect/konnect"

// version is set by the linker at release time (-ldflags "-X main.version=...").
var version = "dev"

//go:generate go tool tfplugindocs generate --provider-name konnect --rendered-provider-name Konnect

func main() {
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
