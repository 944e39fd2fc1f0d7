# The id is a JSON object: the control plane's id and the CA certificate's id.
terraform import konnect_gateway_ca_certificate.example '{"control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "8b9e2f4c-1a6d-4c3e-b7f0-2d5a9c8e1f36"}'
