// Command bench-apply is `make bench-apply`. It runs two measurements against one emulator
// (--only selects one): "consumers", below, and "plugins" (see plugins.go).
//
// "consumers" measures `terraform apply` and a refreshing `terraform plan` of 1,000
// konnect_gateway_consumer with 1,000 konnect_gateway_key_auth against the emulator, and of
// 2,000 terraform_data resources (the baseline: Terraform's own cost for as many resources),
// and prints the times and ratios.
// Target: the provider's runs take at most 1.5 times the baseline's.
//
// The baseline has the same shape as the provider's configuration: 1,000 resources, each
// referenced by one of 1,000 others through count.index. Terraform evaluates such a
// reference by building the whole referenced resource, which makes both runs grow faster
// than linearly; a baseline without references would hide that cost on one side only. The
// flat 2,000-resource baseline is printed too.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	providerBin := flag.String("provider", "bin/terraform-provider-konnect", "path of the built provider binary")
	emulatorBin := flag.String("emulator", "bin/konnect-emulator", "path of the built emulator binary")
	n := flag.Int("consumers", 1000, "consumers (each with a key-auth credential)")
	examples := flag.String("examples", "examples/resources", "directory of the provider's examples (each plugin's minimal config)")
	only := flag.String("only", "", `run one measurement only: "consumers" or "plugins" (default: both)`)
	flag.Parse()
	if err := run(*providerBin, *emulatorBin, *examples, *only, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench-apply:", err)
		os.Exit(1)
	}
}

func run(providerBin, emulatorBin, examples, only string, n int) error {
	if only != "" && only != "consumers" && only != "plugins" {
		return fmt.Errorf("--only %q: want consumers or plugins", only)
	}
	env, err := startEnv(providerBin, emulatorBin)
	if err != nil {
		return err
	}
	defer env.close()
	if only != "plugins" {
		if err := benchConsumers(env, n); err != nil {
			return err
		}
	}
	if only != "consumers" {
		if err := benchPlugins(env, examples); err != nil {
			return err
		}
	}
	return nil
}

const konnectConfig = `
terraform {
  required_providers {
    konnect = { source = "openkonnect/konnect" }
  }
}

provider "konnect" {
  server_url            = %q
  personal_access_token = "kpat_emulator_development_token_000000000000000"
}

data "konnect_gateway_control_plane" "default" {
  name = "default"
}

resource "konnect_gateway_consumer" "c" {
  count            = %d
  control_plane_id = data.konnect_gateway_control_plane.default.id
  username         = "user-${count.index}"
}

resource "konnect_gateway_key_auth" "k" {
  count            = %d
  control_plane_id = data.konnect_gateway_control_plane.default.id
  consumer_id      = konnect_gateway_consumer.c[count.index].id
}
`

const baselineConfig = `
resource "terraform_data" "consumer" {
  count = %d
  input = "user-${count.index}"
}

resource "terraform_data" "key" {
  count = %d
  input = terraform_data.consumer[count.index].id
}
`

const flatConfig = `
resource "terraform_data" "d" {
  count = %d
  input = "user-${count.index}"
}
`

// env is what every measurement shares: a running emulator, a work directory and a
// Terraform CLI configuration that points at the built provider (dev_overrides).
type env struct {
	work, apiURL, cliConfig string
	emulator                *exec.Cmd
}

func startEnv(providerBin, emulatorBin string) (*env, error) {
	provider, err := filepath.Abs(providerBin)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "bench-apply-")
	if err != nil {
		return nil, err
	}
	e := &env{work: work, cliConfig: filepath.Join(work, ".terraformrc")}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.close()
		return nil, err
	}
	apiAddr := ln.Addr().String()
	_ = ln.Close()
	e.apiURL = "http://" + apiAddr
	e.emulator = exec.Command(emulatorBin, "--api-addr", apiAddr, "--proxy-addr", "127.0.0.1:0", "--proxy-tls-addr", "127.0.0.1:0", "--log-level", "warn")
	e.emulator.Stderr = os.Stderr
	if err := e.emulator.Start(); err != nil {
		e.emulator = nil
		e.close()
		return nil, fmt.Errorf("starting the emulator: %w (run `make build`)", err)
	}
	if err := waitHealthy(e.apiURL + "/_emulator/health"); err != nil {
		e.close()
		return nil, err
	}
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"openkonnect/konnect\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(provider))
	if err := os.WriteFile(e.cliConfig, []byte(rc), 0o600); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *env) close() {
	if e.emulator != nil {
		_ = e.emulator.Process.Signal(syscall.SIGTERM)
		_ = e.emulator.Wait()
	}
	_ = os.RemoveAll(e.work)
}

// writeConfig writes one Terraform configuration into its own directory of the work directory.
func (e *env) writeConfig(dir, config string) error {
	if err := os.MkdirAll(filepath.Join(e.work, dir), 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(e.work, dir, "main.tf"), []byte(config), 0o600)
}

// terraform runs one terraform command in a configuration's directory and returns how long it took.
func (e *env) terraform(dir string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(context.Background(), "terraform", args...)
	cmd.Dir = filepath.Join(e.work, dir)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+e.cliConfig, "TF_IN_AUTOMATION=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("terraform %s in %s: %w\n%s", args[0], dir, err, out)
	}
	return time.Since(start), nil
}

// applyThenPlan times `terraform apply` and then a refreshing `terraform plan` of a
// configuration. A plan that is not empty is an error (terraform exits 2): the provider
// would be measured doing something else than refreshing.
func (e *env) applyThenPlan(dir string) (apply, plan time.Duration, err error) {
	if apply, err = e.terraform(dir, "apply", "-auto-approve", "-no-color"); err != nil {
		return 0, 0, err
	}
	if plan, err = e.terraform(dir, "plan", "-detailed-exitcode", "-no-color"); err != nil {
		return 0, 0, fmt.Errorf("the plan after the apply (exit status 2: not empty): %w", err)
	}
	return apply, plan, nil
}

func benchConsumers(e *env, n int) error {
	dirs := map[string]string{
		"konnect":  fmt.Sprintf(konnectConfig, e.apiURL, n, n),
		"baseline": fmt.Sprintf(baselineConfig, n, n),
		"flat":     fmt.Sprintf(flatConfig, 2*n),
	}
	for name, cfg := range dirs {
		if err := e.writeConfig(name, cfg); err != nil {
			return err
		}
	}
	for _, dir := range []string{"baseline", "flat"} {
		if _, err := e.terraform(dir, "init", "-no-color"); err != nil {
			return err
		}
	}
	results := map[string]time.Duration{}
	for _, dir := range []string{"flat", "baseline", "konnect"} {
		apply, plan, err := e.applyThenPlan(dir)
		if err != nil {
			return err
		}
		results[dir+" apply"], results[dir+" plan"] = apply, plan
	}
	fmt.Printf("terraform apply, then a refreshing plan, of %d resources (one run, this machine):\n", 2*n)
	fmt.Printf("  %-50s apply %7.2fs  plan %7.2fs\n", fmt.Sprintf("%d terraform_data, no references", 2*n), results["flat apply"].Seconds(), results["flat plan"].Seconds())
	fmt.Printf("  %-50s apply %7.2fs  plan %7.2fs\n", fmt.Sprintf("%d terraform_data, %d referencing %d (baseline)", 2*n, n, n), results["baseline apply"].Seconds(), results["baseline plan"].Seconds())
	fmt.Printf("  %-50s apply %7.2fs  plan %7.2fs\n", fmt.Sprintf("%d consumers + %d key_auth (emulator)", n, n), results["konnect apply"].Seconds(), results["konnect plan"].Seconds())
	applyRatio := results["konnect apply"].Seconds() / results["baseline apply"].Seconds()
	planRatio := results["konnect plan"].Seconds() / results["baseline plan"].Seconds()
	fmt.Printf("  ratio konnect/baseline: apply %.2f, plan %.2f (target: at most 1.5)\n", applyRatio, planRatio)
	fmt.Printf("  ratio konnect/no-reference: apply %.2f, plan %.2f\n",
		results["konnect apply"].Seconds()/results["flat apply"].Seconds(), results["konnect plan"].Seconds()/results["flat plan"].Seconds())
	return nil
}

func waitHealthy(url string) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil { //nolint:noctx // a short poll
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the emulator did not become healthy at %s", url)
}
