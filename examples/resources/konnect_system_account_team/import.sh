# The id is a JSON object: the system account's id and the team's id. (Kong's provider cannot import it.)
terraform import konnect_system_account_team.example '{"account_id": "43d6a543-3b67-417b-bf55-c868e7e06456", "team_id": "7f9fd312-a987-4628-b4c5-bb4f4fddd5f7"}'
