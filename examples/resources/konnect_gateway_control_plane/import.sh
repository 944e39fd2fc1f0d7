# The id is the control plane's id, as is.
terraform import konnect_gateway_control_plane.example 9524ec7d-36d9-465d-a8c5-83a3c9390458
