# Inputs of the gateway-ecs module. Every ARN is validated for its service and shape so a wrong value fails at
# plan time with a message naming the variable, not deep inside an AWS API error.

variable "name" {
  description = "Base name of every resource (cluster, service, ALB, Redis, log stream prefix). Lowercase letters, digits and hyphens, at most 28 characters so the ALB and target-group names stay within 32."
  type        = string
  default     = "acme-genai-gateway"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,26}[a-z0-9]$", var.name))
    error_message = "name must be 2-28 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (ALB and target-group names are limited to 32 characters)."
  }
}

variable "vpc_id" {
  description = "VPC that holds the ALB, the tasks and Redis."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "public_subnet_ids" {
  description = "Subnets of the internet-facing ALB, in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2 && alltrue([for id in var.public_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "public_subnet_ids needs at least two subnet ids (subnet-...) in different Availability Zones."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (with a NAT gateway or VPC endpoints for STS, Bedrock runtime, ECR, CloudWatch Logs and Secrets Manager) of the tasks and the Redis nodes, in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for id in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "private_subnet_ids needs at least two subnet ids (subnet-...) in different Availability Zones: Redis multi-AZ and the service spread over them."
  }
}

variable "allowed_ingress_cidrs" {
  description = "IPv4 ranges allowed to reach the ALB on 443 (and on 80, which only redirects to 443). Narrow it to the corporate ranges when the apps are internal."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.allowed_ingress_cidrs) > 0 && alltrue([for cidr in var.allowed_ingress_cidrs : can(cidrnetmask(cidr))])
    error_message = "allowed_ingress_cidrs must be a non-empty list of IPv4 CIDR blocks such as 10.0.0.0/8."
  }
}

variable "container_image" {
  description = "Gateway image, preferably pinned by digest (<account>.dkr.ecr.<region>.amazonaws.com/genai-gateway@sha256:...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]{1,128})?(@sha256:[0-9a-f]{64})?$", var.container_image))
    error_message = "container_image must be a registry-qualified image reference such as 111111111111.dkr.ecr.us-east-1.amazonaws.com/genai-gateway@sha256:<64 hex>."
  }
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository holding the image; the execution role may pull only from it. Null when the image comes from a public registry."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_repository_arn == null || can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.ecr_repository_arn))
    error_message = "ecr_repository_arn must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>) or null."
  }
}

variable "task_role_arn" {
  description = "ARN of the ECS task role created from gen-iam's output (module iac/generated/gateway, output task_role_arn): <OrgPrefix>-GenAIGateway-TaskRole."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9]+-GenAIGateway-TaskRole$", var.task_role_arn))
    error_message = "task_role_arn must be the ARN of the gen-iam task role, arn:aws:iam::<account>:role/<OrgPrefix>-GenAIGateway-TaskRole."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the gateway's host name, served by the HTTPS listener."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "gateway_hostname" {
  description = "DNS name the apps use (covered by the certificate, pointed at the ALB by an alias record). Null reports the ALB's own DNS name as the URL."
  type        = string
  default     = null

  validation {
    condition     = var.gateway_hostname == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.gateway_hostname))
    error_message = "gateway_hostname must be a lowercase DNS name such as genai.acme.example, or null."
  }
}

variable "alb_access_logs_bucket" {
  description = "Existing S3 bucket receiving the ALB access logs (its policy must allow the regional ELB log delivery)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alb_access_logs_bucket))
    error_message = "alb_access_logs_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "alb_access_logs_prefix" {
  description = "Key prefix of the ALB access logs in the bucket."
  type        = string
  default     = "genai-gateway-alb"

  validation {
    condition     = !startswith(var.alb_access_logs_prefix, "/") && !endswith(var.alb_access_logs_prefix, "/") && !strcontains(lower(var.alb_access_logs_prefix), "awslogs")
    error_message = "alb_access_logs_prefix must not start or end with '/' nor contain 'AWSLogs' (ELB adds it)."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion. Turn off only to destroy an environment on purpose."
  type        = bool
  default     = true
}

variable "alb_idle_timeout_seconds" {
  description = "ALB idle timeout; streamed answers (converse-stream) stay open at most this long between frames."
  type        = number
  default     = 300

  validation {
    condition     = var.alb_idle_timeout_seconds >= 60 && var.alb_idle_timeout_seconds <= 4000
    error_message = "alb_idle_timeout_seconds must be between 60 and 4000."
  }
}

variable "waf_web_acl_arn" {
  description = "Optional regional WAFv2 web ACL to associate with the ALB (for example one managed by Firewall Manager)."
  type        = string
  default     = null

  validation {
    condition     = var.waf_web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/.+$", var.waf_web_acl_arn))
    error_message = "waf_web_acl_arn must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>) or null."
  }
}

variable "cache_key_secret_arn" {
  description = "Secrets Manager secret holding GATEWAY_CACHE_KEY (base64 of 32 random bytes: openssl rand -base64 32)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.cache_key_secret_arn))
    error_message = "cache_key_secret_arn must be a complete Secrets Manager secret ARN, including the 6-character suffix."
  }
}

variable "cache_previous_keys_secret_arn" {
  description = "Optional Secrets Manager secret holding GATEWAY_CACHE_PREVIOUS_KEYS (comma-separated earlier keys, during a key rotation)."
  type        = string
  default     = null

  validation {
    condition     = var.cache_previous_keys_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.cache_previous_keys_secret_arn))
    error_message = "cache_previous_keys_secret_arn must be a complete Secrets Manager secret ARN (with its 6-character suffix) or null."
  }
}

variable "client_secret_arn" {
  description = "Secrets Manager secret holding GATEWAY_CLIENT_SECRET, the gateway's client secret at the IdP (client-credentials web-identity tokens)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.client_secret_arn))
    error_message = "client_secret_arn must be a complete Secrets Manager secret ARN, including the 6-character suffix."
  }
}

variable "redis_auth_token_secret_arn" {
  description = "Secrets Manager secret holding the Redis AUTH token (16-128 printable characters without spaces, '/', '\"' or '@'). Terraform reads it to configure the replication group and to build the GATEWAY_REDIS_URL secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$", var.redis_auth_token_secret_arn))
    error_message = "redis_auth_token_secret_arn must be a complete Secrets Manager secret ARN, including the 6-character suffix."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer managed KMS keys encrypting the input secrets (cache key, client secret), which the execution role may use for decryption through Secrets Manager only. Empty when they use the AWS managed key."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", arn))])
    error_message = "secrets_kms_key_arns must hold KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "catalog_path" {
  description = "GATEWAY_CATALOG: path of the catalog inside the image."
  type        = string
  default     = "policies/catalog.yaml"

  validation {
    condition     = length(var.catalog_path) > 0
    error_message = "catalog_path must not be empty."
  }
}

variable "inbound_audience" {
  description = "GATEWAY_INBOUND_AUDIENCE: the aud that callers' IdP tokens must carry."
  type        = string

  validation {
    condition     = length(trimspace(var.inbound_audience)) > 0
    error_message = "inbound_audience must not be empty: the gateway refuses to start without it."
  }
}

variable "client_id" {
  description = "GATEWAY_CLIENT_ID: the gateway's client id at the IdP, used to obtain web-identity tokens with client credentials."
  type        = string

  validation {
    condition     = length(trimspace(var.client_id)) > 0
    error_message = "client_id must not be empty."
  }
}

variable "groups_claim" {
  description = "GATEWAY_GROUPS_CLAIM: the token claim listing the caller's IdP groups."
  type        = string
  default     = "groups"

  validation {
    condition     = can(regex("^[A-Za-z0-9_:/.-]+$", var.groups_claim))
    error_message = "groups_claim must be a claim name (letters, digits, '_', ':', '/', '.', '-')."
  }
}

variable "extra_environment" {
  description = "Further non-secret GATEWAY_* settings (for example GATEWAY_LOG_LEVEL, GATEWAY_CONNECT_TIMEOUT_MS). Secrets are refused here: they come from Secrets Manager."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.extra_environment) : can(regex("^GATEWAY_[A-Z0-9_]+$", key))])
    error_message = "extra_environment keys must be GATEWAY_* settings."
  }

  validation {
    condition     = length(setintersection(keys(var.extra_environment), ["GATEWAY_CACHE_KEY", "GATEWAY_CACHE_PREVIOUS_KEYS", "GATEWAY_CLIENT_SECRET", "GATEWAY_REDIS_URL", "GATEWAY_LISTEN"])) == 0
    error_message = "extra_environment must not set GATEWAY_CACHE_KEY, GATEWAY_CACHE_PREVIOUS_KEYS, GATEWAY_CLIENT_SECRET or GATEWAY_REDIS_URL (secrets, injected from Secrets Manager) nor GATEWAY_LISTEN (fixed to the target port)."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  description = "Fargate task memory in MiB (must be a valid combination with task_cpu)."
  type        = number
  default     = 2048

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880 && var.task_memory % 512 == 0
    error_message = "task_memory must be a multiple of 512 MiB between 512 and 122880."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture the image was built for."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "min_tasks" {
  description = "Minimum number of tasks (also the initial desired count). At least 2 so one Availability Zone can fail."
  type        = number
  default     = 2

  validation {
    condition     = var.min_tasks >= 2
    error_message = "min_tasks must be at least 2 for availability across zones."
  }
}

variable "max_tasks" {
  description = "Maximum number of tasks auto scaling may run."
  type        = number
  default     = 10

  validation {
    condition     = var.max_tasks >= 2 && var.max_tasks <= 1000
    error_message = "max_tasks must be between 2 and 1000 (and not below min_tasks)."
  }
}

variable "cpu_target_percent" {
  description = "Target average CPU utilisation of the service, in percent."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be between 10 and 90."
  }
}

variable "requests_per_target" {
  description = "Target ALB requests per task per minute (ALBRequestCountPerTarget)."
  type        = number
  default     = 6000

  validation {
    condition     = var.requests_per_target >= 10
    error_message = "requests_per_target must be at least 10."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type of the credential cache."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.redis_node_type))
    error_message = "redis_node_type must be an ElastiCache node type such as cache.t4g.small."
  }
}

variable "redis_nodes" {
  description = "Number of Redis nodes (one primary and replicas), spread over the private subnets' zones."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_nodes >= 2 && var.redis_nodes <= 6
    error_message = "redis_nodes must be between 2 and 6: automatic failover and multi-AZ need a replica."
  }
}

variable "redis_engine_version" {
  description = "Redis engine version of the replication group."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^[67]\\.[0-9x]+$", var.redis_engine_version))
    error_message = "redis_engine_version must be a Redis 6 or 7 version such as 7.1."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Days of automatic Redis snapshots. The cache holds only short-lived encrypted credentials, so a short retention is enough."
  type        = number
  default     = 1

  validation {
    condition     = var.redis_snapshot_retention_days >= 1 && var.redis_snapshot_retention_days <= 35
    error_message = "redis_snapshot_retention_days must be between 1 and 35."
  }
}

variable "log_group_name" {
  description = "CloudWatch log group of the containers. Must be the gateway log_group of the catalog: gen-iam scopes the task role's log permissions to it."
  type        = string
  default     = "/ecs/acme-genai-gateway"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be 1-512 characters of letters, digits, '_', '.', '/', '#' and '-'."
  }
}

variable "log_retention_days" {
  description = "Retention of the container and Redis logs, in days (one year by default, for audit)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention of at least one year: 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "log_delivery_mode" {
  description = "How the awslogs driver takes the container's output (audit lines on stdout, logs on stderr). non-blocking: a write never stalls the gateway; while CloudWatch Logs cannot take lines they wait in a log_buffer_size buffer, and are dropped only when it is full. blocking: no line is ever dropped, but a CloudWatch Logs outage stalls request handling."
  type        = string
  default     = "non-blocking"

  validation {
    condition     = contains(["blocking", "non-blocking"], var.log_delivery_mode)
    error_message = "log_delivery_mode must be \"blocking\" (no audit line lost, requests stall while CloudWatch Logs is unreachable) or \"non-blocking\" (requests never stall, lines dropped once log_buffer_size is full)."
  }
}

variable "log_buffer_size" {
  description = "In-memory buffer of the awslogs driver in non-blocking mode, as a Docker size (25m = 25 MiB, a few tens of thousands of audit lines); counts against the task's memory. Ignored in blocking mode."
  type        = string
  default     = "25m"

  validation {
    condition     = can(regex("^[1-9][0-9]{0,3}[km]$", var.log_buffer_size))
    error_message = "log_buffer_size must be a Docker size in k or m, such as 25m (1k to 9999m)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
