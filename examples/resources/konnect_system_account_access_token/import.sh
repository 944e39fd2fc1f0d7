# The id is a JSON object: the system account's id and the token's id, as Kong's provider has it.
# The token's value is shown only when it is made, so an imported token has none.
terraform import konnect_system_account_access_token.example '{"account_id": "43d6a543-3b67-417b-bf55-c868e7e06456", "id": "d7f8e9a0-1b2c-4d3e-8f4a-5b6c7d8e9f0a"}'
