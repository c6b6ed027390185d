# Everything account- and name-specific comes from the catalog and gen-iam's manifest, so this environment cannot
# drift from the IAM that gen-iam generated.
locals {
  repo_root     = "${path.module}/../../.."
  manifest_path = "${local.repo_root}/policies/generated/manifest.json"
  manifest      = jsondecode(file(local.manifest_path))
  catalog       = yamldecode(file("${local.repo_root}/policies/catalog.yaml"))

  gateway_account = local.manifest.task_role.account
  gateway_region  = local.catalog.gateway.region
  log_group_name  = local.catalog.gateway.log_group
  gateway_secrets = local.catalog.gateway.secrets

  # The shared-model accounts gen-iam wrote IAM for. Provider aliases must be static, so providers.tf and main.tf
  # carry one block per account; the guard in main.tf fails the plan when this list and those blocks differ.
  model_account_ids     = sort(distinct([for p in local.manifest.oidc_providers : p.account]))
  wired_model_accounts  = sort([module.models_222222222222.account_id, module.models_333333333333.account_id])
  deployment_session_id = "genai-gateway-terraform"
}
