output "gateway_url" {
  description = "Endpoint apps give boto3 (endpoint_url) or the AWS CLI (--endpoint-url)."
  value       = module.gateway.gateway_url
}

output "alb_dns_name" {
  description = "ALB DNS name; point an alias record of gateway_hostname at it."
  value       = module.gateway.alb_dns_name
}

output "task_role_name" {
  description = "The gateway's ECS task role, as gen-iam named it."
  value       = module.gateway_task_role.task_role_name
}

output "service_name" {
  description = "ECS service of the gateway."
  value       = module.gateway.service_name
}

output "redis_primary_endpoint" {
  description = "Primary endpoint of the Redis credential cache."
  value       = module.gateway.redis_primary_endpoint
}

output "role_arns" {
  description = "Use-case role ARNs by shared-model account, then by role name."
  value = {
    (module.models_222222222222.account_id) = module.models_222222222222.role_arns
    (module.models_333333333333.account_id) = module.models_333333333333.role_arns
  }
}

output "oidc_provider_arns" {
  description = "ARN of the IdP's IAM OIDC provider in each shared-model account."
  value = {
    (module.models_222222222222.account_id) = module.models_222222222222.oidc_provider_arn
    (module.models_333333333333.account_id) = module.models_333333333333.oidc_provider_arn
  }
}
