# The shared credential cache: Redis with TLS in transit, KMS at rest, an AUTH token, and a replica in another zone
# with automatic failover. It holds only credentials the gateway encrypted with GATEWAY_CACHE_KEY.

data "aws_secretsmanager_secret_version" "redis_auth_token" {
  secret_id = var.redis_auth_token_secret_arn
}

locals {
  redis_auth_token = data.aws_secretsmanager_secret_version.redis_auth_token.secret_string
}

resource "aws_elasticache_subnet_group" "redis" {
  name        = "${var.name}-redis"
  description = "Private subnets of the GenAI gateway credential cache"
  subnet_ids  = var.private_subnet_ids
  tags        = local.tags
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "${var.log_group_name}/redis"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.gateway.arn
  tags              = local.tags
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = "${var.name}-redis"
  description          = "GenAI gateway credential cache (encrypted STS credentials)"
  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  port                 = local.redis_port
  num_cache_clusters   = var.redis_nodes

  subnet_group_name  = aws_elasticache_subnet_group.redis.name
  security_group_ids = [aws_security_group.redis.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.gateway.arn
  auth_token                 = local.redis_auth_token

  auto_minor_version_upgrade = true
  snapshot_retention_limit   = var.redis_snapshot_retention_days
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:05:00-sun:06:00"

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "engine-log"
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = length(local.redis_auth_token) >= 16 && length(local.redis_auth_token) <= 128 && can(regex("^[!#-.0-?A-~]+$", local.redis_auth_token))
      error_message = "The secret redis_auth_token_secret_arn must hold a Redis AUTH token of 16-128 printable ASCII characters without spaces, '/', '\"' or '@' (generate one with: openssl rand -hex 32)."
    }
  }
}

# GATEWAY_REDIS_URL carries the AUTH token (rediss://:<token>@<primary endpoint>:6379), so the whole URL is a secret
# the task definition injects; it never appears in the task definition's environment.
resource "aws_secretsmanager_secret" "redis_url" {
  #checkov:skip=CKV2_AWS_57: the value is derived from the Redis AUTH token secret and the primary endpoint; rotate that token (ElastiCache auth_token_update_strategy ROTATE) and re-apply, which rewrites this secret
  name                    = "${var.name}/redis-url"
  description             = "GATEWAY_REDIS_URL of the GenAI gateway (TLS, AUTH token), written by Terraform"
  kms_key_id              = aws_kms_key.gateway.arn
  recovery_window_in_days = 7
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://:${urlencode(local.redis_auth_token)}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:${local.redis_port}"
}
