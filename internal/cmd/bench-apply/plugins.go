package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/openkonnect/terraform-provider-konnect/internal/pluginschema"
)

// benchPlugins is the "plugins" measurement: `terraform apply` and a refreshing `terraform
// plan` of one resource of each plugin type the provider has (every
// konnect_gateway_plugin_*), against the same count of konnect_gateway_plugin_key_auth.
//
// The plugin list is the provider's (internal/pluginschema), and each plugin's config is its
// example in examples/resources where it has one (the generator writes each generated
// plugin's smallest valid config there; Datakit's is hand-written, with nodes), so the
// benchmark follows the provider without a copy of its 110 configs.
//
// Why key-auth is the baseline: both runs cost Terraform the same (as many resources, the
// same scaffolding, one provider with the same schema), and key-auth is a small plugin with
// a small config, so the ratio shows what the other plugins' larger schemas and configs cost
// the provider (building, planning, normalizing and comparing them), and nothing else. Both
// configurations have one service and one route per plugin: every plugin type is scoped to
// the shared service (Kong allows one plugin of a name per scope, and each type is there
// once) or is global where Kong refuses a service, while each key-auth is scoped to its own
// route so that they do not clash.
func benchPlugins(e *env, examples string) error {
	configs, err := pluginConfigs(examples)
	if err != nil {
		return err
	}
	n := len(configs)
	var every, keyAuth strings.Builder
	every.WriteString(pluginScaffolding(e.apiURL, "every", n))
	for _, example := range configs {
		every.WriteString(example)
	}
	keyAuth.WriteString(pluginScaffolding(e.apiURL, "keyauth", n))
	for i := range n {
		fmt.Fprintf(&keyAuth, keyAuthConfig, i, i)
	}
	if err := e.writeConfig("every-plugin", every.String()); err != nil {
		return err
	}
	if err := e.writeConfig("key-auth", keyAuth.String()); err != nil {
		return err
	}
	everyApply, everyPlan, err := e.applyThenPlan("every-plugin")
	if err != nil {
		return err
	}
	keyApply, keyPlan, err := e.applyThenPlan("key-auth")
	if err != nil {
		return err
	}
	fmt.Printf("terraform apply, then a refreshing plan, of %d plugins (+ 1 service, %d routes; one run, this machine):\n", n, n)
	fmt.Printf("  %-50s apply %7.2fs  plan %7.2fs\n", fmt.Sprintf("one of each of the %d plugin types", n), everyApply.Seconds(), everyPlan.Seconds())
	fmt.Printf("  %-50s apply %7.2fs  plan %7.2fs\n", fmt.Sprintf("%d key_auth (baseline)", n), keyApply.Seconds(), keyPlan.Seconds())
	fmt.Printf("  ratio every plugin type/key-auth: apply %.2f, plan %.2f\n",
		everyApply.Seconds()/keyApply.Seconds(), everyPlan.Seconds()/keyPlan.Seconds())
	return nil
}

// pluginConfigs returns one resource block of each plugin type the provider has (a resource
// for every plugin of internal/pluginschema). A plugin's block is its example in examples,
// with its references pointed at the benchmark's data source, service and route 0 (the
// examples name an "example" control plane, service and route that the benchmark does not
// have). The hand-written plugins have no example: they get `config = {}`, or the config of
// configWithoutExample where Kong refuses an empty one.
func pluginConfigs(examples string) ([]string, error) {
	rewire := strings.NewReplacer(
		"konnect_gateway_control_plane.example.id", "data.konnect_gateway_control_plane.default.id",
		"konnect_gateway_service.example.id", "konnect_gateway_service.shared.id",
		"konnect_gateway_route.example.id", "konnect_gateway_route.r[0].id",
	)
	var out []string
	for _, name := range pluginschema.Names() {
		resource := "konnect_gateway_plugin_" + strings.ReplaceAll(name, "-", "_")
		example, err := os.ReadFile(filepath.Join(examples, resource, "resource.tf"))
		switch {
		case err == nil:
			out = append(out, rewire.Replace(string(example))+"\n")
			continue
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("reading the example of %s: %w", resource, err)
		}
		p, _ := pluginschema.Lookup(name)
		config, ok := configWithoutExample[name]
		if !ok {
			if _, errs := p.Normalize(map[string]any{}); len(errs) > 0 {
				return nil, fmt.Errorf("%s has no example in %s and refuses an empty config: add it to configWithoutExample", resource, examples)
			}
			config = "{}"
		}
		scope := "  service = {\n    id = konnect_gateway_service.shared.id\n  }\n"
		if p.NoService {
			scope = ""
		}
		out = append(out, fmt.Sprintf("resource %q \"example\" {\n  control_plane_id = data.konnect_gateway_control_plane.default.id\n%s  config = %s\n}\n\n", resource, scope, config))
	}
	return out, nil
}

// configWithoutExample holds the smallest config of the plugins that have no example and
// need one of their fields set.
var configWithoutExample = map[string]string{
	"acl":            `{ allow = ["bench"] }`,
	"ip-restriction": `{ allow = ["10.0.0.0/8"] }`,
}

// pluginScaffolding is what both plugin configurations share: the provider, the control
// plane, one service and n routes, named with prefix so that both can exist in one control
// plane.
func pluginScaffolding(apiURL, prefix string, n int) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    konnect = { source = "openkonnect/konnect" }
  }
}

provider "konnect" {
  server_url            = %[1]q
  personal_access_token = "kpat_emulator_development_token_000000000000000"
}

data "konnect_gateway_control_plane" "default" {
  name = "default"
}

resource "konnect_gateway_service" "shared" {
  control_plane_id = data.konnect_gateway_control_plane.default.id
  name             = "%[2]s"
  host             = "upstream.example.com"
}

resource "konnect_gateway_route" "r" {
  count            = %[3]d
  control_plane_id = data.konnect_gateway_control_plane.default.id
  name             = "%[2]s-${count.index}"
  paths            = ["/%[2]s/${count.index}"]
  service = {
    id = konnect_gateway_service.shared.id
  }
}

`, apiURL, prefix, n)
}

// keyAuthConfig is one key-auth plugin on its own route; written as its own resource block,
// like each plugin type on the other side, rather than with count.
const keyAuthConfig = `resource "konnect_gateway_plugin_key_auth" "k%d" {
  control_plane_id = data.konnect_gateway_control_plane.default.id
  route = {
    id = konnect_gateway_route.r[%d].id
  }
}

`
