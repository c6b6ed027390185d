output "account_id" {
  description = "The shared-model account this module applied."
  value       = var.account_id
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider of the enterprise IdP in this account."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "role_arns" {
  description = "ARN of every use-case role in this account, by role name."
  value       = { for name, role in aws_iam_role.this : name => role.arn }
}

output "policy_arns" {
  description = "ARN of every permission policy in this account, by policy name."
  value       = { for name, policy in aws_iam_policy.this : name => policy.arn }
}
