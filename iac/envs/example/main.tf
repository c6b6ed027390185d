# The example deployment of the GenAI gateway for policies/catalog.yaml: the gateway on ECS in the central account
# and gen-iam's IAM in every shared-model account.

# Fails the plan when the manifest's shared-model accounts and the module blocks below differ (after a catalog change,
# add or remove a provider alias in providers.tf and a module block here).
resource "terraform_data" "model_accounts_guard" {
  input = local.model_account_ids

  lifecycle {
    precondition {
      condition     = local.wired_model_accounts == local.model_account_ids
      error_message = "The manifest lists shared-model accounts ${join(", ", local.model_account_ids)} but this environment wires ${join(", ", local.wired_model_accounts)}: add a provider alias (providers.tf) and a shared-model-account module (main.tf) for each manifest account, and remove the others."
    }
  }
}

# --- Central account -------------------------------------------------------------------------------------------

# The task role exactly as gen-iam generated it (Terraform JSON, consumed as is).
module "gateway_task_role" {
  source = "../../generated/gateway"
}

# The secrets exist before the first apply (their values never pass through Terraform configuration); see README.md.
data "aws_secretsmanager_secret" "cache_key" {
  name = var.cache_key_secret_name

  lifecycle {
    precondition {
      condition     = contains(local.gateway_secrets, var.cache_key_secret_name)
      error_message = "cache_key_secret_name must be one of the catalog's gateway.secrets (${join(", ", local.gateway_secrets)}): gen-iam scopes the task role to those."
    }
  }
}

data "aws_secretsmanager_secret" "client_secret" {
  name = var.client_secret_name

  lifecycle {
    precondition {
      condition     = contains(local.gateway_secrets, var.client_secret_name)
      error_message = "client_secret_name must be one of the catalog's gateway.secrets (${join(", ", local.gateway_secrets)}): gen-iam scopes the task role to those."
    }
  }
}

data "aws_secretsmanager_secret" "redis_auth_token" {
  name = var.redis_auth_token_secret_name
}

module "gateway" {
  source = "../../modules/gateway-ecs"

  name          = var.name
  task_role_arn = module.gateway_task_role.task_role_arn

  vpc_id                = var.vpc_id
  public_subnet_ids     = var.public_subnet_ids
  private_subnet_ids    = var.private_subnet_ids
  allowed_ingress_cidrs = var.allowed_ingress_cidrs

  container_image    = var.container_image
  ecr_repository_arn = var.ecr_repository_arn

  certificate_arn        = var.certificate_arn
  gateway_hostname       = var.gateway_hostname
  alb_access_logs_bucket = var.alb_access_logs_bucket
  waf_web_acl_arn        = var.waf_web_acl_arn

  cache_key_secret_arn        = data.aws_secretsmanager_secret.cache_key.arn
  client_secret_arn           = data.aws_secretsmanager_secret.client_secret.arn
  redis_auth_token_secret_arn = data.aws_secretsmanager_secret.redis_auth_token.arn
  secrets_kms_key_arns        = var.secrets_kms_key_arns

  inbound_audience  = var.inbound_audience
  client_id         = var.client_id
  extra_environment = var.extra_environment

  log_group_name = local.log_group_name
  tags           = var.tags
}

# --- Shared-model accounts (one block per account of the manifest) ----------------------------------------------

module "models_222222222222" {
  source    = "../../modules/shared-model-account"
  providers = { aws = aws.models_222222222222 }

  manifest_path = local.manifest_path
  account_id    = "222222222222"
}

module "models_333333333333" {
  source    = "../../modules/shared-model-account"
  providers = { aws = aws.models_333333333333 }

  manifest_path = local.manifest_path
  account_id    = "333333333333"
}
