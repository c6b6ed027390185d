# WAF: checkov's CKV2_AWS_28 is satisfied by the association below, which exists only when waf_web_acl_arn is set.
# Without it the ALB still admits only TLS 1.2+/1.3 and drops malformed headers, and the gateway rejects every request
# without a valid IdP token before any upstream call; a WAF adds rate limiting and bad-input rules in front of that.
resource "aws_lb" "gateway" {
  #checkov:skip=CKV2_AWS_76: the web ACL is passed in (waf_web_acl_arn) and managed with the organisation's WAF rules, where AWSManagedRulesKnownBadInputsRuleSet (Log4j) belongs; this module cannot see its rules
  name                       = "${var.name}-alb"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
  idle_timeout               = var.alb_idle_timeout_seconds
  desync_mitigation_mode     = "strictest"

  access_logs {
    bucket  = var.alb_access_logs_bucket
    prefix  = var.alb_access_logs_prefix
    enabled = true
  }

  tags = local.tags
}

resource "aws_wafv2_web_acl_association" "gateway" {
  count = var.waf_web_acl_arn == null ? 0 : 1

  resource_arn = aws_lb.gateway.arn
  web_acl_arn  = var.waf_web_acl_arn
}

resource "aws_lb_target_group" "gateway" {
  #checkov:skip=CKV_AWS_378: TLS ends at the ALB; the gateway serves plain HTTP on 8080, reachable only from the ALB's security group inside the VPC's private subnets
  name                 = "${var.name}-tg"
  target_type          = "ip"
  port                 = local.container_port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = "/health"
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.gateway.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }

  tags = local.tags
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.gateway.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = local.tags
}
