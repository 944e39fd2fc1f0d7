# The id is a JSON object: the ids of the control plane, of the consumer and of the HMAC credential.
terraform import konnect_gateway_hmac_auth.example '{"consumer_id": "f28acbfa-c866-4587-b688-0208ac24df21", "control_plane_id": "9524ec7d-36d9-465d-a8c5-83a3c9390458", "id": "8a4d0f2b-5c7e-4b9a-8e3d-6f1c2a5b7d08"}'
