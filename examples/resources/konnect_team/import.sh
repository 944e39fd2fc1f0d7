# The id is the team's id, as is.
terraform import konnect_team.example 7f9fd312-a987-4628-b4c5-bb4f4fddd5f7
