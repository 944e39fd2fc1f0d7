# The kafka-consume plugin with the settings it requires; every other setting keeps its default.
resource "konnect_gateway_plugin_kafka_consume" "example" {
  control_plane_id = konnect_gateway_control_plane.example.id

  config = {
    bootstrap_servers = [{
      host = "example.com"
      port = 0
    }]
    topics = [{
      name = "example"
    }]
  }
}
