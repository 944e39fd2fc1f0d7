# The id is a JSON object: the control plane's id and the key's id.
terraform import konnect_gateway_key.example '{"control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "1e7f3a9c-4b2d-4e8f-a6c1-5d9b0e2f7a34"}'
