// Command demo is `make demo`: it starts the emulator built from this tree, applies
// examples/quickstart with the provider built from this tree (through a CLI configuration
// with dev_overrides, so nothing is downloaded), and shows what a user would check through
// the proxy: 401 without a key, 200 with one (and the consumer the upstream was told about),
// 429 past the limit. It stops what it started.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	providerSource = "openkonnect/konnect"
)

func main() {
	providerBin := flag.String("provider", "bin/terraform-provider-konnect", "path of the built provider binary")
	emulatorBin := flag.String("emulator", "bin/konnect-emulator", "path of the built emulator binary")
	flag.Parse()
	if err := run(*providerBin, *emulatorBin); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(providerBin, emulatorBin string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	provider, err := filepath.Abs(providerBin)
	if err != nil {
		return fmt.Errorf("locating the provider: %w", err)
	}
	work, err := os.MkdirTemp("", "konnect-demo-")
	if err != nil {
		return fmt.Errorf("creating a work directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(work) }()

	apiAddr, proxyAddr := freeAddr(), freeAddr()
	if apiAddr == "" || proxyAddr == "" {
		return errors.New("no free loopback port")
	}
	fmt.Printf("==> starting the emulator: API http://%s, proxy http://%s\n", apiAddr, proxyAddr)
	// The demo does not use the Kong Admin API: any free port, so a busy 8001 cannot stop it.
	emu := exec.Command(emulatorBin, "--api-addr", apiAddr, "--proxy-addr", proxyAddr, "--proxy-tls-addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--log-level", "warn")
	emu.Stdout, emu.Stderr = os.Stdout, os.Stderr
	if err := emu.Start(); err != nil {
		return fmt.Errorf("starting %s: %w (run `make build`)", emulatorBin, err)
	}
	defer func() {
		_ = emu.Process.Signal(syscall.SIGTERM)
		_ = emu.Wait()
		fmt.Println("==> emulator stopped.")
	}()
	if err := waitHealthy(ctx, "http://"+apiAddr+"/_emulator/health"); err != nil {
		return err
	}

	if err := copyDir(filepath.Join("examples", "quickstart"), work); err != nil {
		return err
	}
	cliConfig := filepath.Join(work, ".terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", providerSource, filepath.Dir(provider))
	if err := os.WriteFile(cliConfig, []byte(rc), 0o600); err != nil {
		return fmt.Errorf("writing the CLI configuration: %w", err)
	}
	host, port, _ := net.SplitHostPort(apiAddr)
	tf := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "terraform", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1",
			"TF_VAR_server_url=http://"+apiAddr, "TF_VAR_upstream_host="+host, "TF_VAR_upstream_port="+port)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("terraform %s: %w\n%s", args[0], err, out)
		}
		return string(out), nil
	}

	fmt.Println("==> terraform apply examples/quickstart (the provider built from this tree)")
	out, err := tf("apply", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Creation complete") || strings.HasPrefix(line, "Apply complete") {
			fmt.Println("    " + strings.TrimSpace(line))
		}
	}
	if _, err := tf("plan", "-detailed-exitcode", "-no-color"); err != nil {
		return fmt.Errorf("a plan right after the apply is not empty: %w", err)
	}
	fmt.Println("==> terraform plan right after: no changes.")
	key, err := tf("output", "-raw", "alice_key")
	if err != nil {
		return err
	}

	fmt.Println("==> requests through the proxy to /demo:")
	proxy := "http://" + proxyAddr
	show := func(what, apikey string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, proxy+"/demo/hello", nil)
		if apikey != "" {
			req.Header.Set("apikey", apikey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("GET %s/demo/hello: %w", proxy, err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("    %-20s -> %d", what, resp.StatusCode)
		if v := resp.Header.Get("X-RateLimit-Remaining-Minute"); v != "" {
			fmt.Printf("  X-RateLimit-Remaining-Minute: %s", v)
		}
		var echo struct {
			Path    string
			Headers http.Header
		}
		if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &echo) == nil {
			fmt.Printf("\n%26s upstream saw %s with X-Consumer-Username: %s\n", "", echo.Path, echo.Headers.Get("X-Consumer-Username"))
			return resp.StatusCode, nil
		}
		fmt.Printf("  %s\n", strings.Join(strings.Fields(string(body)), " "))
		return resp.StatusCode, nil
	}
	want := []struct {
		what, key string
		status    int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"wrong key", "guess", http.StatusUnauthorized},
		{"alice's key, #1", key, http.StatusOK},
		{"alice's key, #2", key, http.StatusOK},
		{"alice's key, #3", key, http.StatusOK},
		{"alice's key, #4", key, http.StatusTooManyRequests},
	}
	for _, w := range want {
		status, err := show(w.what, w.key)
		if err != nil {
			return err
		}
		if status != w.status {
			return fmt.Errorf("%s: got %d, want %d", w.what, status, w.status)
		}
	}
	fmt.Println("==> terraform destroy")
	if _, err := tf("destroy", "-auto-approve", "-no-color"); err != nil {
		return err
	}
	return nil
}

// freeAddr picks a free loopback port.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

func waitHealthy(ctx context.Context, url string) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the emulator did not become healthy at %s", url)
}

func copyDir(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			return fmt.Errorf("reading %s: %w", e.Name(), err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", e.Name(), err)
		}
	}
	return nil
}
