# The id is a JSON object: the control plane's id and the route's id.
terraform import konnect_gateway_route.example '{"control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "0c61e164-6171-4837-8836-8f5298726d53"}'
