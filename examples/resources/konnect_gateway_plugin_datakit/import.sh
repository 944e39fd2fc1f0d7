# The id is a JSON object: the control plane's id and the plugin's id. Imported nodes are
# written flat, as the API has them.
terraform import konnect_gateway_plugin_datakit.example '{"control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "3b9e5a7c-0d2f-4c4b-9f8e-1a6d7b0c2e53"}'

# When the configuration writes each node keyed by its type ({ jq = { ... } }), say so, and
# the import plans no change.
terraform import konnect_gateway_plugin_datakit.example '{"control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "3b9e5a7c-0d2f-4c4b-9f8e-1a6d7b0c2e53", "nodes_shape": "keyed"}'
