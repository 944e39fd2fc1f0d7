output "consumer_ids" {
  description = "Consumer ids by username."
  value       = { for name, c in konnect_gateway_consumer.this : name => c.id }
}

output "api_keys" {
  description = "The API key of each consumer, by username. Send it in the `apikey` header (or whatever the key-auth plugin's `key_names` say)."
  value       = { for name, k in konnect_gateway_key_auth.this : name => k.key }
  sensitive   = true
}

output "rate_limiting_plugin_ids" {
  description = "Id of each consumer's rate-limiting plugin, by username."
  value       = { for name, p in konnect_gateway_plugin_rate_limiting.this : name => p.id }
}
