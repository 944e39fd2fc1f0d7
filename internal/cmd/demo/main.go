// Command demo is `make demo`: it runs the project's main job end to end on this machine,
// with nothing downloaded. Terraform loads the freshly built provider through a generated CLI
// configuration with dev_overrides.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openkonnect/terraform-provider-konnect/client"
	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
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
	return apiTour(ctx)
}

// apiTour starts the emulator and drives its Konnect API with the project's client, showing
// what a user of the real API would see.
func apiTour(ctx context.Context) error {
	emu, err := emulator.Start(ctx, emulator.Options{})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer func() { _ = emu.Close() }()
	fmt.Printf("\n==> emulator listening on %s (token %s)\n", emu.URL, emu.Token)
	c, err := client.New(emu.URL, client.WithPersonalAccessToken(emu.Token))
	if err != nil {
		return err
	}
	cp := uuid.MustParse(emu.DefaultControlPlaneID())
	fmt.Printf("    control plane %q: %s\n", emulator.DefaultControlPlaneName, cp)

	// The service is the emulator's own echo upstream, so nothing leaves the machine.
	apiURL, _ := url.Parse(emu.URL)
	apiPort, _ := strconv.Atoi(apiURL.Port())
	svcName, echoPath := "echo", "/_emulator/echo"
	svcID, svc, err := client.Create(ctx, c.UpsertServiceWithResponse, cp, client.Service{Name: &svcName, Host: apiURL.Hostname(), Port: &apiPort, Path: &echoPath})
	if err != nil {
		return fmt.Errorf("creating a service: %w", err)
	}
	fmt.Printf("==> service echo: Konnect filled in protocol=%s retries=%d read_timeout=%d\n",
		*svc.JSON200.Protocol, *svc.JSON200.Retries, *svc.JSON200.ReadTimeout)
	paths := []string{"/demo"}
	if _, _, err := client.Create(ctx, c.UpsertRouteWithResponse, cp, client.Route{Paths: &paths, Service: ref(svcID)}); err != nil {
		return fmt.Errorf("creating a route: %w", err)
	}
	username := "alice"
	consumerID, _, err := client.Create(ctx, c.UpsertConsumerWithResponse, cp, client.Consumer{Username: &username})
	if err != nil {
		return fmt.Errorf("creating a consumer: %w", err)
	}
	_, key, err := client.CreateUnder(ctx, c.UpsertKeyAuthWithConsumerWithResponse, cp, consumerID, client.KeyAuthWithoutParents{})
	if err != nil {
		return fmt.Errorf("creating a key: %w", err)
	}
	fmt.Printf("==> consumer alice with a generated key-auth key of %d characters\n", len(*key.JSON200.Key))
	for _, p := range []client.Plugin{{Name: "key-auth", Service: ref(svcID)}, {Name: "rate-limiting", Service: ref(svcID), Config: &map[string]any{"minute": 3}}} {
		_, plugin, err := client.Create(ctx, c.UpsertPluginWithResponse, cp, p)
		if err != nil {
			return fmt.Errorf("creating the %s plugin: %w", p.Name, err)
		}
		if p.Name == "rate-limiting" {
			cfg, _ := json.Marshal(plugin.JSON200.Config)
			fmt.Printf("==> rate-limiting on the service, its config as Konnect returns it:\n    %s\n", cfg)
		}
	}

	fmt.Printf("\n==> traffic through the proxy at %s\n", emu.ProxyURL)
	show := func(what string, header map[string]string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, emu.ProxyURL+"/demo/hello", nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		fmt.Printf("    %-22s -> %d", what, resp.StatusCode)
		if v := resp.Header.Get("X-RateLimit-Remaining-Minute"); v != "" {
			fmt.Printf("  (X-RateLimit-Remaining-Minute: %s)", v)
		}
		var echo emulator.Echo
		if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &echo) == nil {
			h := http.Header(echo.Headers)
			fmt.Printf("\n%28s upstream saw %s with X-Consumer-Username=%s X-Consumer-ID=%s\n", "", echo.Path, h.Get("X-Consumer-Username"), h.Get("X-Consumer-Id"))
			return nil
		}
		fmt.Printf("  %s\n", strings.Join(strings.Fields(string(body)), " "))
		return nil
	}
	if err := show("no key", nil); err != nil {
		return err
	}
	if err := show("wrong key", map[string]string{"apikey": "guess"}); err != nil {
		return err
	}
	for i := 1; i <= 4; i++ {
		if err := show(fmt.Sprintf("alice's key, #%d", i), map[string]string{"apikey": *key.JSON200.Key}); err != nil {
			return err
		}
	}

	_, err = c.CreateConsumerWithResponse(ctx, cp, client.Consumer{Username: &username})
	fmt.Printf("\n==> creating alice again fails, in words:\n    %v\n", err)
	_, err = c.CreatePluginWithResponse(ctx, cp, client.Plugin{Name: "rate-limiting", Config: &map[string]any{"minute": 10, "hour": 5}})
	fmt.Printf("==> a plugin config Kong would refuse:\n    %v\n", err)

	fmt.Println("\nThe Terraform resources come next; then this demo applies examples/quickstart instead of calling the API.")
	return nil
}

func ref(id string) *struct {
	Id *string `json:"id,omitempty"`
} {
	return &struct {
		Id *string `json:"id,omitempty"`
	}{Id: &id}
}
