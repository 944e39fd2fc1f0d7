# The id is a JSON object: the team's id and the role assignment's id. (Kong's provider cannot import team roles.)
terraform import konnect_team_role.example '{"id": "0b5a3c2e-1d4f-4a6b-9c8d-7e6f5a4b3c2d", "team_id": "7f9fd312-a987-4628-b4c5-bb4f4fddd5f7"}'
