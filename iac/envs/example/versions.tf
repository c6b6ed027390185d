terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # ~> 5.0 as the platform baseline, at least 5.81 for the OIDC provider's optional thumbprint_list (gen-iam
      # emits none: IAM verifies the IdP's certificate against its trusted root CAs).
      version = "~> 5.0, >= 5.81"
    }
  }

  # State holds the Redis AUTH token (ElastiCache takes it as an argument): keep it in an encrypted, access-controlled
  # backend, for example:
  # backend "s3" {
  #   bucket       = "acme-terraform-state"
  #   key          = "genai-gateway/example.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   kms_key_id   = "alias/terraform-state"
  #   use_lockfile = true
  # }
}
