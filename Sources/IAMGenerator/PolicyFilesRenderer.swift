import IAMNaming
import UseCaseCatalog

/// Renders the policy documents, OIDC provider definitions and `manifest.json` under the policies output folder.
enum PolicyFilesRenderer {
    static func render(_ generation: IAMGeneration) -> [GeneratedFile] {
        var files: [GeneratedFile] = []
        let plan = generation.plan
        for provider in plan.identityProviders {
            // The CreateOpenIDConnectProvider request shape: `aws iam create-open-id-connect-provider --cli-input-json`.
            let request: JSONValue = [
                "Url": .string(provider.url),
                "ClientIDList": .array(provider.clientIDs.map(JSONValue.string)),
                "ThumbprintList": .array(provider.thumbprints.map(JSONValue.string)),
                "Tags": [["Key": "Name", "Value": .string(provider.name.rendered)], ["Key": "ManagedBy", "Value": "gen-iam"]],
            ]
            files.append(GeneratedFile(path: "accounts/\(provider.account)/oidc-provider.json", contents: request.pretty))
        }
        for role in generation.roles {
            files.append(GeneratedFile(path: role.trustPolicyFile, contents: role.trustPolicy.json.pretty))
            for policy in role.policies {
                files.append(GeneratedFile(path: policy.file, contents: policy.document.json.pretty))
            }
        }
        files.append(GeneratedFile(path: generation.taskRoleTrustPolicyFile, contents: generation.taskRoleTrustPolicy.json.pretty))
        files.append(GeneratedFile(path: generation.taskRolePolicy.file, contents: generation.taskRolePolicy.document.json.pretty))
        for (id, document) in generation.sessionPolicies {
            files.append(GeneratedFile(path: sessionPolicyFile(id), contents: document.json.pretty))
        }
        files.append(GeneratedFile(path: "manifest.json", contents: manifest(generation).pretty))
        files.append(GeneratedFile(path: "README.md", contents: readme))
        return files.sorted { $0.path < $1.path }
    }

    static func sessionPolicyFile(_ useCase: String) -> String { "session-policies/\(useCase).json" }

    static func policyEntries(_ policies: [GeneratedPolicy]) -> JSONValue {
        .array(policies.map { ["name": .string($0.name.rendered), "file": .string($0.file), "provider": .string($0.provider)] })
    }

    static func manifest(_ generation: IAMGeneration) -> JSONValue {
        let plan = generation.plan
        let catalog = plan.catalog
        let providers: [JSONValue] = plan.identityProviders.map {
            [
                "account": .string($0.account), "name": .string($0.name.rendered), "arn": .string($0.arn),
                "url": .string($0.url), "client_ids": .array($0.clientIDs.map(JSONValue.string)),
                "file": .string("accounts/\($0.account)/oidc-provider.json"),
            ]
        }
        let roles: [JSONValue] = generation.roles.map { role in
            [
                "account": .string(role.plan.account.account), "name": .string(role.plan.name.rendered),
                "arn": .string(role.plan.arn), "role_group": .string(role.plan.roleGroup),
                "trust_policy_file": .string(role.trustPolicyFile),
                "use_cases": .array(role.plan.useCases.map(JSONValue.string)),
                "policies": policyEntries(role.policies),
            ]
        }
        let taskRole: JSONValue = [
            "account": .string(plan.taskRole.account), "name": .string(plan.taskRole.name.rendered),
            "arn": .string(plan.taskRole.arn), "trust_policy_file": .string(generation.taskRoleTrustPolicyFile),
            "policies": policyEntries([generation.taskRolePolicy]),
        ]
        let useCases: [JSONValue] = plan.useCases.map { useCase in
            let models: [JSONValue] = useCase.models.map { model in
                var entry: [String: JSONValue] = [
                    "name": .string(model.name), "model_id": .string(model.modelId), "provider": .string(model.provider),
                    "tier": .string(model.tier.rawValue), "invoke_id": .string(model.invokeId),
                    "inference_profile": model.inferenceProfile.map { .string($0.id) } ?? .null,
                ]
                var regions: [String: JSONValue] = [:]
                for grant in useCase.grants where grant.model.name == model.name {
                    regions[grant.account] = .array(grant.regions.map(JSONValue.string))
                }
                entry["regions"] = .object(regions)
                return .object(entry)
            }
            var routing: JSONValue = .null
            if let route = useCase.useCase.routing {
                routing = ["simple": .string(route.simple), "complex": .string(route.complex)]
            }
            return [
                "id": .string(useCase.useCase.id), "role_group": .string(useCase.useCase.roleGroup),
                "idp_groups": .array(useCase.useCase.idpGroups.map(JSONValue.string)),
                "roles": .object(useCase.roleARNByAccount.mapValues(JSONValue.string)),
                "accounts": .array(useCase.accounts.map { .string($0.account) }),
                "models": .array(models),
                "session_policy_file": generation.sessionPolicies[useCase.useCase.id] == nil
                    ? .null : .string(sessionPolicyFile(useCase.useCase.id)),
                "routing": routing,
            ]
        }
        return [
            "//": .string(IAMGeneration.notice),
            "org": .string(catalog.org),
            "layer": .string(catalog.layer),
            "identity_provider": [
                "name": .string(catalog.identityProvider.name), "issuer": .string(catalog.identityProvider.issuer),
                "audience": .string(catalog.identityProvider.audience),
                "subject": catalog.identityProvider.subject.map(JSONValue.string) ?? .null,
                "session_tag_key": catalog.identityProvider.sessionTagKey.map(JSONValue.string) ?? .null,
            ],
            "oidc_providers": .array(providers),
            "roles": .array(roles),
            "task_role": taskRole,
            "use_cases": .array(useCases),
        ]
    }

    static let readme = """
        # Generated IAM (do not edit)

        \(IAMGeneration.notice)

        Everything in this folder is written by `swift run gen-iam generate` from `policies/catalog.yaml`, and
        `swift run gen-iam check` (run in CI) fails when it is stale. Change the catalog, regenerate, commit both.

        - `manifest.json`: the machine-readable index (roles, policies, OIDC providers, use cases, session policies).
        - `accounts/<account>/oidc-provider.json`: the IAM OIDC provider of that shared-model account, in the
          `CreateOpenIDConnectProvider` request shape (IAM OIDC providers have no name; the convention name is its
          `Name` tag).
        - `accounts/<account>/roles/<role>/trust-policy.json` and `<policy>.json`: each use-case role.
        - `gateway/<account>/<task role>/`: the gateway's ECS task role.
        - `session-policies/<use case>.json`: the session policy the gateway passes when a role group shares a role.

        """
}
