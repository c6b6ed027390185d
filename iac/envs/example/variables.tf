variable "deployment_role_name" {
  description = "Role Terraform assumes in every shared-model account to create the OIDC provider and the use-case roles (same name in each account)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.deployment_role_name))
    error_message = "deployment_role_name must be an IAM role name: 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "central_deployment_role_name" {
  description = "Role Terraform assumes in the central (gateway) account; null uses the ambient credentials, which must belong to that account."
  type        = string
  default     = null

  validation {
    condition     = var.central_deployment_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.central_deployment_role_name))
    error_message = "central_deployment_role_name must be an IAM role name (1-64 characters of letters, digits and +=,.@_-) or null."
  }
}

variable "partition" {
  description = "AWS partition of every account (aws, aws-us-gov, aws-cn)."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-us-gov", "aws-cn"], var.partition)
    error_message = "partition must be aws, aws-us-gov or aws-cn."
  }
}

variable "name" {
  description = "Base name of the gateway's resources in the central account."
  type        = string
  default     = "acme-genai-gateway"
}

variable "vpc_id" {
  description = "VPC of the gateway in the central account."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB (two Availability Zones or more)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Private subnets of the tasks and Redis (two Availability Zones or more), with a NAT gateway or VPC endpoints."
  type        = list(string)
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 ranges allowed to reach the gateway's ALB."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "container_image" {
  description = "Gateway image, pinned by digest (built from the repository's Dockerfile and pushed to ECR)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ECR repository of the image, which the execution role may pull from; null for a public registry."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ACM certificate of gateway_hostname, in the central account and region."
  type        = string
}

variable "gateway_hostname" {
  description = "Host name apps use for the gateway; null reports the ALB's DNS name."
  type        = string
  default     = null
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket receiving the ALB access logs."
  type        = string
}

variable "waf_web_acl_arn" {
  description = "Optional regional WAFv2 web ACL for the ALB."
  type        = string
  default     = null
}

variable "cache_key_secret_name" {
  description = "Secrets Manager secret with GATEWAY_CACHE_KEY (one of the catalog's gateway.secrets)."
  type        = string
  default     = "acme/genai-gateway/cache-key"
}

variable "client_secret_name" {
  description = "Secrets Manager secret with GATEWAY_CLIENT_SECRET (one of the catalog's gateway.secrets)."
  type        = string
  default     = "acme/genai-gateway/idp-client-secret"
}

variable "redis_auth_token_secret_name" {
  description = "Secrets Manager secret with the Redis AUTH token (read by Terraform only, never by the task)."
  type        = string
  default     = "acme/genai-gateway/redis-auth-token"
}

variable "secrets_kms_key_arns" {
  description = "Customer managed KMS keys of the secrets above, if any (the execution role decrypts through Secrets Manager)."
  type        = list(string)
  default     = []
}

variable "inbound_audience" {
  description = "GATEWAY_INBOUND_AUDIENCE: the aud of the callers' IdP tokens."
  type        = string
}

variable "client_id" {
  description = "GATEWAY_CLIENT_ID: the gateway's client id at the IdP (client-credentials web-identity tokens)."
  type        = string
}

variable "extra_environment" {
  description = "Further non-secret GATEWAY_* settings for the container."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags on every resource, through the providers' default_tags."
  type        = map(string)
  default     = { Project = "genai-gateway", Environment = "example" }
}
