# The id is a JSON object: the ids of the control plane, of the consumer and of the key-auth credential.
terraform import konnect_gateway_key_auth.example '{"consumer_id": "f28acbfa-c866-4587-b688-0208ac24df21", "control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "5d1a7c9e-2f4b-4e6d-9b0a-3c8f9d2e4a75"}'
