resource "aws_ecs_cluster" "gateway" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

resource "aws_ecs_task_definition" "gateway" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = var.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Scratch space for the read-only root file system.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = var.container_image
      essential              = true
      readonlyRootFilesystem = true
      privileged             = false
      portMappings = [
        { containerPort = local.container_port, protocol = "tcp", name = "http" },
      ]
      environment = [for key in sort(keys(local.container_environment)) : { name = key, value = local.container_environment[key] }]
      secrets     = [for key in sort(keys(local.container_secrets)) : { name = key, valueFrom = local.container_secrets[key] }]
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]
      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }
      # ECS sends SIGTERM, the gateway drains in-flight streams, then SIGKILL after this many seconds.
      stopTimeout = 60
      ulimits = [
        { name = "nofile", softLimit = 65536, hardLimit = 65536 },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = merge({
          awslogs-group         = aws_cloudwatch_log_group.gateway.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "gateway"
        }, local.container_log_delivery)
      }
    },
  ])

  tags = local.tags
}

resource "aws_ecs_service" "gateway" {
  name                              = var.name
  cluster                           = aws_ecs_cluster.gateway.id
  task_definition                   = aws_ecs_task_definition.gateway.arn
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  desired_count                     = var.min_tasks
  health_check_grace_period_seconds = 60
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"
  enable_ecs_managed_tags           = true

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.gateway.arn
    container_name   = local.container_name
    container_port   = local.container_port
  }

  tags = local.tags

  # Auto scaling owns the task count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]
}
