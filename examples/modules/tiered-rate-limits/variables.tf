variable "control_plane_id" {
  description = "Id of the control plane the consumers, keys and plugins are created in."
  type        = string
}

variable "consumers" {
  description = "Consumers to create, by username, each with the name of its tier (a key of `tiers`)."
  type        = map(string)
  default     = {}
}

variable "tiers" {
  description = <<-EOT
    Rate-limiting tiers by name: the most requests a consumer of the tier may send in each period.
    Leave a period out (or null) not to limit it. A longer period may not allow fewer requests
    than a shorter one.
  EOT
  type = map(object({
    second = optional(number)
    minute = optional(number)
    hour   = optional(number)
    day    = optional(number)
    month  = optional(number)
    year   = optional(number)
  }))
  default = {
    free = {
      second = 20
      day    = 50000
    }
    standard = {
      second = 60
    }
    premium = {
      second = 100
    }
  }

  validation {
    condition = alltrue([
      for t in values(var.tiers) : anytrue([for n in [t.second, t.minute, t.hour, t.day, t.month, t.year] : n != null])
    ])
    error_message = "Every tier must limit at least one period."
  }
}

variable "tags" {
  description = "Tags added to every consumer, key and plugin the module creates."
  type        = list(string)
  default     = ["tiered-rate-limits"]
}
