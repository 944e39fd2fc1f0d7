# Puts the consumer in the "premium" group: plugins scoped to the group now apply to it.
resource "konnect_gateway_consumer_group_member" "example" {
  control_plane_id  = konnect_gateway_control_plane.example.id
  consumer_group_id = konnect_gateway_consumer_group.example.id
  consumer_id       = konnect_gateway_consumer.example.id
}
