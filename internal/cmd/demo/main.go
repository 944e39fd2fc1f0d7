// Command demo is `make demo`: it runs the project's main job end to end on this machine,
// with nothing downloaded. Terraform loads the freshly built provider through a generated CLI
// configuration with dev_overrides.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

const providerSource = "openkonnect/konnect"

func main() {
	providerBin := flag.String("provider", "bin/terraform-provider-konnect", "path of the built provider binary")
	flag.Parse()
	if err := run(*providerBin); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(providerBin string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	abs, err := filepath.Abs(providerBin)
	if err != nil {
		return fmt.Errorf("locating the provider: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("provider binary %s: %w (run `make build`)", abs, err)
	}
	work, err := os.MkdirTemp("", "konnect-demo-")
	if err != nil {
		return fmt.Errorf("creating a work directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(work) }()

	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerSource, filepath.Dir(abs))), 0o600); err != nil {
		return fmt.Errorf("writing the CLI configuration: %w", err)
	}
	example, err := os.ReadFile(filepath.Join("examples", "provider", "provider.tf"))
	if err != nil {
		return fmt.Errorf("reading the example: %w", err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), example, 0o600); err != nil {
		return fmt.Errorf("writing the example: %w", err)
	}

	fmt.Println("==> terraform validate with the provider built from this tree")
	cmd := exec.CommandContext(ctx, "terraform", "validate", "-no-color")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("terraform validate: %w", err)
	}
	fmt.Println("==> the provider loads and its configuration validates.")
	fmt.Println("    The emulator, the proxy and the resources arrive in the next steps of the project;")
	fmt.Println("    then this demo applies examples/quickstart and sends traffic through the proxy.")
	return nil
}
