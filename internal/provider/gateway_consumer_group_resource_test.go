package provider_test

import "testing"

func TestAccGatewayConsumerGroup(t *testing.T) {
	const addr = "konnect_gateway_consumer_group.this"
	lifecycle{
		addr: addr,
		create: `
resource "konnect_gateway_consumer_group" "this" {
  control_plane_id = %[1]q
  name             = "gold"
}
`,
		update: `
resource "konnect_gateway_consumer_group" "this" {
  control_plane_id = %[1]q
  name             = "platinum"
  tags             = ["tiers"]
}
`,
		apiPath:     coreEntityPath(addr, "consumer_groups"),
		created:     inside("consumer_group", expect(map[string]any{"name": "gold"})),
		updated:     inside("consumer_group", expect(map[string]any{"name": "platinum", "tags": []any{"tiers"}})),
		importAttrs: []string{"control_plane_id", "id"},
	}.run(t)
}
