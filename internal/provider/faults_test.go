package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/openkonnect/terraform-provider-konnect/internal/emulator"
)

// An apply converges while the API fails a share of requests, and every create path leaves
// exactly one entity on the server: core entities, credentials and plugins (PUT to an id the
// provider chose), control planes and group memberships (POST). The faults come before the
// change (429, 503: nothing was done) or after it (the change is made, then 503 or a dropped
// connection), the case where a create that cannot be repeated safely must be recovered.
func TestAccApplyConvergesUnderFaults(t *testing.T) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	prefix := uniqueName("faults")
	// n control planes, each with perControlPlane consumers, each with a key, in a group,
	// and the group with a rate-limiting plugin. Growing n only adds resources at the end.
	const perControlPlane = 3
	config := func(n int) string {
		return providerConfig(emu) + fmt.Sprintf(`
locals {
  per_cp = %[3]d
}

resource "konnect_gateway_control_plane" "cp" {
  count = %[1]d
  name  = "%[2]s-${count.index}"
}

resource "konnect_gateway_consumer_group" "g" {
  count            = %[1]d
  control_plane_id = konnect_gateway_control_plane.cp[count.index].id
  name             = "gold"
}

resource "konnect_gateway_plugin_rate_limiting" "p" {
  count            = %[1]d
  control_plane_id = konnect_gateway_control_plane.cp[count.index].id
  consumer_group   = { id = konnect_gateway_consumer_group.g[count.index].id }
  config           = { minute = 5 }
}

resource "konnect_gateway_consumer" "c" {
  count            = %[1]d * local.per_cp
  control_plane_id = konnect_gateway_control_plane.cp[floor(count.index / local.per_cp)].id
  username         = "user-${count.index %% local.per_cp}"
}

resource "konnect_gateway_key_auth" "k" {
  count            = %[1]d * local.per_cp
  control_plane_id = konnect_gateway_consumer.c[count.index].control_plane_id
  consumer_id      = konnect_gateway_consumer.c[count.index].id
}

resource "konnect_gateway_consumer_group_member" "m" {
  count             = %[1]d * local.per_cp
  control_plane_id  = konnect_gateway_consumer.c[count.index].control_plane_id
  consumer_group_id = konnect_gateway_consumer_group.g[floor(count.index / local.per_cp)].id
  consumer_id       = konnect_gateway_consumer.c[count.index].id
}
`, n, prefix, perControlPlane)
	}
	var active map[string]any
	setFaults := func(f map[string]any) {
		t.Helper()
		if err := putFaults(emu, f); err != nil {
			t.Fatal(err)
		}
		active = f
	}
	get := func(path string, out any) error {
		req, _ := http.NewRequest(http.MethodGet, emu.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+emu.Token)
		return getJSON(req, out)
	}
	// exactlyOne checks, with the faults off, that the server has one of each: n control
	// planes of the test's name, and in each the consumers, their keys, one group with them
	// all as members and one plugin.
	exactlyOne := func(n int) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if err := putFaults(emu, nil); err != nil {
				return err
			}
			defer func() { _ = putFaults(emu, active) }()
			var cps struct {
				Data []struct{ ID, Name string }
			}
			if err := get("/v2/control-planes?page[size]=100", &cps); err != nil {
				return err
			}
			var ids []string
			for _, cp := range cps.Data {
				if strings.HasPrefix(cp.Name, prefix+"-") {
					ids = append(ids, cp.ID)
				}
			}
			if len(ids) != n {
				return fmt.Errorf("%d control planes named %s-*, want %d", len(ids), prefix, n)
			}
			for _, cp := range ids {
				base := "/v2/control-planes/" + cp + "/core-entities/"
				var groups struct{ Data []struct{ ID string } }
				if err := get(base+"consumer_groups?size=1000", &groups); err != nil {
					return err
				}
				if len(groups.Data) != 1 {
					return fmt.Errorf("control plane %s: %d consumer groups, want 1", cp, len(groups.Data))
				}
				for collection, want := range map[string]int{
					"consumers": perControlPlane, "key-auths": perControlPlane, "plugins": 1,
					"consumer_groups/" + groups.Data[0].ID + "/consumers": perControlPlane,
				} {
					var out struct{ Data []map[string]any }
					if err := get(base+collection+"?size=1000", &out); err != nil {
						return err
					}
					if len(out.Data) != want {
						return fmt.Errorf("control plane %s: %d %s, want %d", cp, len(out.Data), collection, want)
					}
				}
			}
			return nil
		}
	}
	writes := []string{http.MethodPost, http.MethodPut}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { setFaults(map[string]any{"rate": 0.34, "status": 429}) },
				Config:    config(1),
				Check:     exactlyOne(1),
			},
			{
				PreConfig: func() { setFaults(map[string]any{"rate": 0.34, "status": 503}) },
				Config:    config(2),
				Check:     exactlyOne(2),
			},
			{
				// Every other write is carried out and then answered 503.
				PreConfig: func() {
					setFaults(map[string]any{"rate": 0.5, "status": 503, "when": "after", "methods": writes})
				},
				Config: config(3),
				Check:  exactlyOne(3),
			},
			{
				// Every other write is carried out and then its connection is closed unanswered.
				PreConfig: func() {
					setFaults(map[string]any{"rate": 0.5, "drop": true, "when": "after", "methods": writes})
				},
				Config: config(4),
				Check:  exactlyOne(4),
			},
		},
	})
}

// putFaults sets the emulator's fault injection through its API (nil turns it off).
func putFaults(emu *emulator.Emulator, f map[string]any) error {
	method, body := http.MethodPut, []byte(nil)
	if f == nil {
		method = http.MethodDelete
	} else {
		body, _ = json.Marshal(f)
	}
	req, err := http.NewRequest(method, emu.URL+"/_emulator/faults", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+emu.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s /_emulator/faults: %d", method, resp.StatusCode)
	}
	return nil
}

// A control plane that existed before the create is never adopted, even when the create's
// answer is lost: the apply fails as the API answers, and the other control plane is left alone.
func TestAccControlPlaneCreateNeverAdoptsAnExistingOne(t *testing.T) {
	emu, err := emulator.Start(context.Background(), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	name := uniqueName("taken")
	req, _ := http.NewRequest(http.MethodPost, emu.URL+"/v2/control-planes", strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)))
	req.Header.Set("Authorization", "Bearer "+emu.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("creating the existing control plane: %d", resp.StatusCode)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := putFaults(emu, map[string]any{"rate": 1, "status": 503, "methods": []string{http.MethodPost}}); err != nil {
					t.Fatal(err)
				}
			},
			Config: providerConfig(emu) + fmt.Sprintf(`
resource "konnect_gateway_control_plane" "cp" {
  name = %q
}
`, name),
			ExpectError: regexp.MustCompile(`Unable to create control plane`),
		}},
	})
}
