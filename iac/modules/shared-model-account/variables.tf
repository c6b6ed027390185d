variable "manifest_path" {
  description = "Path of gen-iam's manifest (policies/generated/manifest.json). The policy files it lists are read relative to its folder."
  type        = string

  validation {
    condition     = endswith(var.manifest_path, ".json") && fileexists(var.manifest_path)
    error_message = "manifest_path must name an existing manifest.json; run `swift run gen-iam` from the repository root first."
  }
}

variable "account_id" {
  description = "Shared-model account to apply: one of the accounts of the manifest's oidc_providers. The provider passed to this module must reach this account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}
