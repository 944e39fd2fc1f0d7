# The id is a JSON object: the mesh control plane's id and the mesh's name.
terraform import konnect_mesh.example '{"cp_id": "7f4c1b2e-3d5a-4e6f-8a9b-0c1d2e3f4a5b", "name": "payments"}'
