terraform {
  required_providers {
    konnect = {
      source = "openkonnect/konnect"
    }
  }
}

# Against Konnect: the token comes from KONNECT_TOKEN.
provider "konnect" {
  server_url = "https://us.api.konghq.com"
}

# Against the local emulator (`make emulator`), with its development token.
provider "konnect" {
  alias                 = "local"
  server_url            = "http://127.0.0.1:8080"
  personal_access_token = "kpat_emulator_development_token_000000000000000"
}
