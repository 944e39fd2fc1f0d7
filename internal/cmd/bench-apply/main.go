// Command bench-apply is `make bench-apply`: in one run it measures `terraform apply` and a
// refreshing `terraform plan` of 1,000 konnect_gateway_consumer with 1,000
// konnect_gateway_key_auth against the emulator, and of 2,000 terraform_data resources (the
// baseline: Terraform's own cost for as many resources), and prints the times and ratios.
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
	flag.Parse()
	if err := run(*providerBin, *emulatorBin, *n); err != nil {
		fmt.Fprintln(os.Stderr, "bench-apply:", err)
		os.Exit(1)
	}
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

func run(providerBin, emulatorBin string, n int) error {
	provider, err := filepath.Abs(providerBin)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "bench-apply-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(work) }()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	apiAddr := ln.Addr().String()
	_ = ln.Close()
	emu := exec.Command(emulatorBin, "--api-addr", apiAddr, "--proxy-addr", "127.0.0.1:0", "--log-level", "warn")
	emu.Stderr = os.Stderr
	if err := emu.Start(); err != nil {
		return fmt.Errorf("starting the emulator: %w (run `make build`)", err)
	}
	defer func() { _ = emu.Process.Signal(syscall.SIGTERM); _ = emu.Wait() }()
	if err := waitHealthy("http://" + apiAddr + "/_emulator/health"); err != nil {
		return err
	}

	rc := filepath.Join(work, ".terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"openkonnect/konnect\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(provider))), 0o600); err != nil {
		return err
	}
	dirs := map[string]string{
		"konnect":  fmt.Sprintf(konnectConfig, "http://"+apiAddr, n, n),
		"baseline": fmt.Sprintf(baselineConfig, n, n),
		"flat":     fmt.Sprintf(flatConfig, 2*n),
	}
	for name, cfg := range dirs {
		if err := os.MkdirAll(filepath.Join(work, name), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(work, name, "main.tf"), []byte(cfg), 0o600); err != nil {
			return err
		}
	}
	tf := func(dir string, args ...string) (time.Duration, error) {
		cmd := exec.CommandContext(context.Background(), "terraform", args...)
		cmd.Dir = filepath.Join(work, dir)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1")
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("terraform %s in %s: %w\n%s", args[0], dir, err, out)
		}
		return time.Since(start), nil
	}
	for _, dir := range []string{"baseline", "flat"} {
		if _, err := tf(dir, "init", "-no-color"); err != nil {
			return err
		}
	}
	results := map[string]time.Duration{}
	for _, dir := range []string{"flat", "baseline", "konnect"} {
		d, err := tf(dir, "apply", "-auto-approve", "-no-color")
		if err != nil {
			return err
		}
		results[dir+" apply"] = d
		if d, err = tf(dir, "plan", "-no-color"); err != nil {
			return err
		}
		results[dir+" plan"] = d
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
