output "gateway_url" {
  description = "Base URL apps give boto3 as endpoint_url (https://<gateway_hostname or ALB DNS name>)."
  value       = local.gateway_url
}

output "alb_dns_name" {
  description = "DNS name of the ALB, for an alias record of gateway_hostname."
  value       = aws_lb.gateway.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone id of the ALB, for an alias record of gateway_hostname."
  value       = aws_lb.gateway.zone_id
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.gateway.name
}

output "service_name" {
  description = "Name of the ECS service running the gateway."
  value       = aws_ecs_service.gateway.name
}

output "redis_primary_endpoint" {
  description = "Primary endpoint address of the Redis replication group (TLS, port 6379)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "redis_url_secret_arn" {
  description = "Secrets Manager secret holding GATEWAY_REDIS_URL (with the AUTH token)."
  value       = aws_secretsmanager_secret.redis_url.arn
}

output "execution_role_arn" {
  description = "ARN of the ECS execution role created here."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the gateway containers."
  value       = aws_cloudwatch_log_group.gateway.name
}

output "kms_key_arn" {
  description = "KMS key encrypting the logs, Redis at rest and the Redis URL secret."
  value       = aws_kms_key.gateway.arn
}

output "security_group_ids" {
  description = "Security groups of the ALB, the tasks and Redis."
  value = {
    alb   = aws_security_group.alb.id
    tasks = aws_security_group.tasks.id
    redis = aws_security_group.redis.id
  }
}
