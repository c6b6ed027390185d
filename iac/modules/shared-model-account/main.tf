# Applies gen-iam's output for one shared-model account: the IAM OIDC provider of the enterprise IdP, the use-case
# roles with their trust policies, their permission policies and the attachments. Every policy document is read
# from the file gen-iam wrote and passed on unchanged; nothing about the policies is decided here.

data "aws_caller_identity" "current" {}

locals {
  manifest_dir = dirname(var.manifest_path)
  manifest     = jsondecode(file(var.manifest_path))

  providers_here = [for p in local.manifest.oidc_providers : p if p.account == var.account_id]
  # Exactly one provider per account (gen-iam registers the issuer once in every shared-model account); the
  # provider's preconditions turn a wrong account id into a readable message.
  oidc_provider  = try(local.providers_here[0], null)
  oidc_file      = local.oidc_provider == null ? null : jsondecode(file("${local.manifest_dir}/${local.oidc_provider.file}"))
  oidc_file_tags = local.oidc_file == null ? {} : { for tag in local.oidc_file.Tags : tag.Key => tag.Value }

  roles = { for role in local.manifest.roles : role.name => role if role.account == var.account_id }

  policies_list = flatten([
    for role in values(local.roles) : [
      for policy in role.policies : {
        role       = role.name
        role_group = role.role_group
        name       = policy.name
        provider   = policy.provider
        file       = policy.file
      }
    ]
  ])
  policies = { for policy in local.policies_list : policy.name => policy }

  attachments = { for policy in local.policies_list : "${policy.role}--${policy.name}" => policy }

  # Policy text exactly as gen-iam wrote it (jsonencode only drops the pretty-printing; keys stay sorted).
  trust_documents  = { for name, role in local.roles : name => jsonencode(jsondecode(file("${local.manifest_dir}/${role.trust_policy_file}"))) }
  policy_documents = { for name, policy in local.policies : name => jsonencode(jsondecode(file("${local.manifest_dir}/${policy.file}"))) }
}

resource "aws_iam_openid_connect_provider" "this" {
  url             = local.oidc_file.Url
  client_id_list  = local.oidc_file.ClientIDList
  thumbprint_list = local.oidc_file.ThumbprintList
  tags            = merge(local.oidc_file_tags, { Name = local.oidc_provider.name })

  lifecycle {
    precondition {
      condition     = length(local.providers_here) == 1
      error_message = "The manifest must list exactly one OIDC provider for account ${var.account_id} (found ${length(local.providers_here)}); check account_id against policies/generated/manifest.json."
    }

    precondition {
      condition     = data.aws_caller_identity.current.account_id == var.account_id
      error_message = "The AWS provider given to this module reaches account ${data.aws_caller_identity.current.account_id}, not ${var.account_id}: pass the provider alias of that shared-model account."
    }

    precondition {
      condition     = try(local.oidc_file.Url == local.oidc_provider.url && toset(local.oidc_file.ClientIDList) == toset(local.oidc_provider.client_ids), false)
      error_message = "The OIDC provider file disagrees with the manifest (url or client ids); run `swift run gen-iam` again."
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles

  name                 = each.key
  description          = "Gateway access to Bedrock for ${join(", ", each.value.use_cases)} (role group ${each.value.role_group})"
  assume_role_policy   = local.trust_documents[each.key]
  max_session_duration = 3600
  tags                 = { Name = each.key, ManagedBy = "gen-iam" }

  depends_on = [aws_iam_openid_connect_provider.this]

  lifecycle {
    precondition {
      condition     = strcontains(local.trust_documents[each.key], jsonencode(local.oidc_provider.arn))
      error_message = "The trust policy of ${each.key} does not federate with the OIDC provider of account ${var.account_id} (${local.oidc_provider.arn}); run `swift run gen-iam` again."
    }
  }
}

resource "aws_iam_policy" "this" {
  for_each = local.policies

  name        = each.key
  description = "Invoke ${each.value.provider} models allowed to role group ${each.value.role_group}"
  policy      = local.policy_documents[each.key]
  tags        = { Name = each.key, ManagedBy = "gen-iam" }

  lifecycle {
    precondition {
      condition     = length(local.policies) == length(local.policies_list)
      error_message = "Two roles of account ${var.account_id} list a policy of the same name in the manifest; policy names must be unique per account."
    }
  }
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = local.attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = aws_iam_policy.this[each.value.name].arn
}
