# Central account: the ECS gateway and its task role. With central_deployment_role_name null, Terraform uses the
# ambient credentials, which must belong to that account.
provider "aws" {
  region              = local.gateway_region
  allowed_account_ids = [local.gateway_account]

  dynamic "assume_role" {
    for_each = var.central_deployment_role_name == null ? [] : [var.central_deployment_role_name]
    content {
      role_arn     = "arn:${var.partition}:iam::${local.gateway_account}:role/${assume_role.value}"
      session_name = local.deployment_session_id
    }
  }

  default_tags {
    tags = var.tags
  }
}

# One alias per shared-model account of policies/generated/manifest.json, each assuming the deployment role there.
# IAM is global; the region only selects the STS endpoint.

provider "aws" {
  alias               = "models_222222222222"
  region              = local.gateway_region
  allowed_account_ids = ["222222222222"]

  assume_role {
    role_arn     = "arn:${var.partition}:iam::222222222222:role/${var.deployment_role_name}"
    session_name = local.deployment_session_id
  }

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias               = "models_333333333333"
  region              = local.gateway_region
  allowed_account_ids = ["333333333333"]

  assume_role {
    role_arn     = "arn:${var.partition}:iam::333333333333:role/${var.deployment_role_name}"
    session_name = local.deployment_session_id
  }

  default_tags {
    tags = var.tags
  }
}
