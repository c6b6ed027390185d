# The GenAI gateway on ECS Fargate in the central account: ALB (HTTPS) -> tasks (8080) -> ElastiCache Redis (TLS, AUTH).
# The task role comes from gen-iam's output (iac/generated/gateway); this module creates everything else.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  partition      = data.aws_partition.current.partition
  region         = data.aws_region.current.name
  container_name = "gateway"
  container_port = 8080
  redis_port     = 6379

  log_group_arn       = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.log_group_name}"
  redis_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.log_group_name}/redis"

  gateway_url = "https://${coalesce(var.gateway_hostname, aws_lb.gateway.dns_name)}"

  # Every secret the container receives, by environment variable. Only these reach the task definition's `secrets`,
  # and the execution role may read exactly these ARNs.
  container_secrets = merge(
    {
      GATEWAY_CACHE_KEY     = var.cache_key_secret_arn
      GATEWAY_CLIENT_SECRET = var.client_secret_arn
      GATEWAY_REDIS_URL     = aws_secretsmanager_secret.redis_url.arn
    },
    var.cache_previous_keys_secret_arn == null ? {} : { GATEWAY_CACHE_PREVIOUS_KEYS = var.cache_previous_keys_secret_arn },
  )

  # How the awslogs driver takes stdout (audit lines) and stderr (logs): always explicit, because the ECS default
  # depends on the account's defaultLogDriverMode setting. The buffer size applies to non-blocking mode only.
  container_log_delivery = merge(
    { mode = var.log_delivery_mode },
    var.log_delivery_mode == "non-blocking" ? { max-buffer-size = var.log_buffer_size } : {},
  )

  container_environment = merge(var.extra_environment, {
    GATEWAY_LISTEN           = "0.0.0.0:${local.container_port}"
    GATEWAY_CATALOG          = var.catalog_path
    GATEWAY_INBOUND_AUDIENCE = var.inbound_audience
    GATEWAY_CLIENT_ID        = var.client_id
    GATEWAY_GROUPS_CLAIM     = var.groups_claim
  })

  tags = merge(var.tags, { Component = "genai-gateway" })
}

# One customer managed key for what this module stores: the container and Redis logs, Redis at rest, the Redis URL
# secret. CloudWatch Logs may use it only for this module's log groups; everything else goes through IAM in this
# account (ElastiCache and Secrets Manager use the caller's permissions and grants).
resource "aws_kms_key" "gateway" {
  description             = "${var.name}: logs, Redis at rest and the Redis URL secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersThroughIAM"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsForGatewayLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = { "kms:EncryptionContext:aws:logs:arn" = [local.log_group_arn, local.redis_log_group_arn] }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_kms_alias" "gateway" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.gateway.key_id
}

resource "aws_cloudwatch_log_group" "gateway" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.gateway.arn
  tags              = local.tags
}
