# The id is a JSON object: the system account's id and the role assignment's id. (Kong's provider cannot import it.)
terraform import konnect_system_account_role.example '{"account_id": "43d6a543-3b67-417b-bf55-c868e7e06456", "id": "0b5a3c2e-1d4f-4a6b-9c8d-7e6f5a4b3c2d"}'
