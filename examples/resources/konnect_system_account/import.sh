# The id is the system account's id, as is.
terraform import konnect_system_account.example 43d6a543-3b67-417b-bf55-c868e7e06456
