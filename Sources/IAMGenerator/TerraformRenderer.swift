import Foundation
import IAMNaming
import UseCaseCatalog

/// Renders Terraform JSON (`*.tf.json`, Terraform's syntax for generated configuration): one module per
/// shared-model account (OIDC provider, roles, policies, attachments) and one for the gateway's task role.
/// Each module declares no provider: the caller passes one that reaches the account.
enum TerraformRenderer {
    static func render(_ generation: IAMGeneration) -> [GeneratedFile] {
        var files: [GeneratedFile] = []
        let plan = generation.plan
        for provider in plan.identityProviders {
            let roles = generation.roles.filter { $0.plan.account.account == provider.account }
            files.append(GeneratedFile(path: "accounts/\(provider.account)/main.tf.json", contents: accountModule(provider, roles).pretty))
        }
        files.append(GeneratedFile(path: "gateway/main.tf.json", contents: gatewayModule(generation).pretty))
        files.append(GeneratedFile(path: "README.md", contents: readme))
        return files.sorted { $0.path < $1.path }
    }

    static let header: [String: JSONValue] = [
        "//": .string(IAMGeneration.notice),
        "terraform": ["required_providers": ["aws": ["source": "hashicorp/aws", "version": ">= 5.0"]]],
    ]

    /// Terraform interpolates `${` and `%{` in every JSON string; policy text must reach IAM literally.
    static func literal(_ text: String) -> JSONValue {
        .string(text.replacingOccurrences(of: "${", with: "$${").replacingOccurrences(of: "%{", with: "%%{"))
    }

    static func tags(_ name: String) -> JSONValue { ["Name": .string(name), "ManagedBy": "gen-iam"] }

    static func accountModule(_ provider: PlannedIdentityProvider, _ roles: [GeneratedRole]) -> JSONValue {
        let providerKey = provider.name.rendered
        var roleResources: [String: JSONValue] = [:]
        var policyResources: [String: JSONValue] = [:]
        var attachments: [String: JSONValue] = [:]
        var roleARNs: [String: JSONValue] = [:]
        for role in roles {
            let roleKey = role.plan.name.rendered
            roleResources[roleKey] = [
                "name": .string(roleKey),
                "description": .string("Gateway access to Bedrock for \(role.plan.useCases.joined(separator: ", ")) (role group \(role.plan.roleGroup))"),
                "assume_role_policy": literal(role.trustPolicy.json.compact),
                "max_session_duration": 3600,
                "tags": tags(roleKey),
                "depends_on": .array([.string("aws_iam_openid_connect_provider.\(providerKey)")]),
            ]
            roleARNs[roleKey] = .string("${aws_iam_role.\(roleKey).arn}")
            for policy in role.policies {
                let policyKey = policy.name.rendered
                policyResources[policyKey] = [
                    "name": .string(policyKey),
                    "description": .string("Invoke \(policy.provider) models allowed to role group \(role.plan.roleGroup)"),
                    "policy": literal(policy.document.json.compact),
                    "tags": tags(policyKey),
                ]
                attachments["\(roleKey)--\(policyKey)"] = [
                    "role": .string("${aws_iam_role.\(roleKey).name}"),
                    "policy_arn": .string("${aws_iam_policy.\(policyKey).arn}"),
                ]
            }
        }
        var module = header
        module["resource"] = [
            "aws_iam_openid_connect_provider": [
                providerKey: [
                    "url": .string(provider.url),
                    "client_id_list": .array(provider.clientIDs.map(JSONValue.string)),
                    "thumbprint_list": .array(provider.thumbprints.map(JSONValue.string)),
                    "tags": tags(providerKey),
                ]
            ],
            "aws_iam_role": .object(roleResources),
            "aws_iam_policy": .object(policyResources),
            "aws_iam_role_policy_attachment": .object(attachments),
        ]
        module["output"] = [
            "account_id": ["value": .string(provider.account)],
            "oidc_provider_arn": ["value": .string("${aws_iam_openid_connect_provider.\(providerKey).arn}")],
            "role_arns": ["value": .object(roleARNs)],
        ]
        return .object(module)
    }

    static func gatewayModule(_ generation: IAMGeneration) -> JSONValue {
        let roleKey = generation.plan.taskRole.name.rendered
        let policyKey = generation.taskRolePolicy.name.rendered
        var module = header
        module["resource"] = [
            "aws_iam_role": [
                roleKey: [
                    "name": .string(roleKey),
                    "description": "ECS task role of the GenAI gateway",
                    "assume_role_policy": literal(generation.taskRoleTrustPolicy.json.compact),
                    "max_session_duration": 3600,
                    "tags": tags(roleKey),
                ]
            ],
            "aws_iam_policy": [
                policyKey: [
                    "name": .string(policyKey),
                    "description": "Runtime permissions of the GenAI gateway task: its log group and its secrets",
                    "policy": literal(generation.taskRolePolicy.document.json.compact),
                    "tags": tags(policyKey),
                ]
            ],
            "aws_iam_role_policy_attachment": [
                "\(roleKey)--\(policyKey)": [
                    "role": .string("${aws_iam_role.\(roleKey).name}"),
                    "policy_arn": .string("${aws_iam_policy.\(policyKey).arn}"),
                ]
            ],
        ]
        module["output"] = [
            "task_role_name": ["value": .string("${aws_iam_role.\(roleKey).name}")],
            "task_role_arn": ["value": .string("${aws_iam_role.\(roleKey).arn}")],
        ]
        return .object(module)
    }

    static let readme = """
        # Generated Terraform (do not edit)

        \(IAMGeneration.notice)

        Written by `swift run gen-iam generate`; `swift run gen-iam check` fails when it is stale.

        - `accounts/<account>/main.tf.json`: one module per shared-model account: the IAM OIDC provider (tagged with
          its convention name), the use-case roles, their permission policies and attachments. Instantiate it with a
          provider that reaches that account (`iac/modules/shared-model-account` does).
        - `gateway/main.tf.json`: the gateway's ECS task role and its runtime policy, in the central account.

        """
}
