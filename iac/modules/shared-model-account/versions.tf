terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.81 made thumbprint_list optional: gen-iam emits an empty list, since IAM verifies the IdP's TLS
      # certificate against its trusted root CAs.
      version = ">= 5.81, < 6.0"
    }
  }
}
