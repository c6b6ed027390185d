import IAMNaming
import UseCaseCatalog

/// Builds the IAM documents the catalog implies. Every rule here is one an AWS fact demands (AWS-FACTS §0–§3):
/// trust through the OIDC provider in the role's own account, `aud` (and `sub`) pinned with `StringEquals`, never a
/// `groups` key and never `ForAllValues`; exactly `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream`
/// (Converse and ConverseStream are authorised by these; there is no `bedrock:Converse` action); foundation-model
/// ARNs with an empty account field; for a cross-Region profile, the profile ARN plus the foundation model in every
/// destination Region, usable only through the profile.
public enum PolicyFactory {
    public static let invokeActions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]

    /// The trust policy of a use-case role.
    public static func trustPolicy(for role: PlannedRole, catalog: Catalog) -> PolicyDocument {
        let idp = catalog.identityProvider
        let providerARN = AWSIdentifiers.oidcProviderARN(
            partition: AWSIdentifiers.partition(forRegion: role.account.regions.first ?? "us-east-1"),
            account: role.account.account,
            hostPath: idp.hostPath
        )
        var equals: [String: JSONValue] = ["\(idp.hostPath):aud": .string(idp.audience)]
        if let subject = idp.subject { equals["\(idp.hostPath):sub"] = .string(subject) }
        var actions = ["sts:AssumeRoleWithWebIdentity"]
        if let tagKey = idp.sessionTagKey {
            // Every role trusting a provider that passes session tags must allow sts:TagSession.
            actions.append("sts:TagSession")
            equals["aws:RequestTag/\(tagKey)"] = .stringOrArray(role.useCases)
        }
        let trustID = IAMName.trustPolicy(org: catalog.org, layer: catalog.layer, subject: role.roleGroup)
        return PolicyDocument(
            id: trustID.rendered,
            statements: [
                PolicyStatement(
                    sid: "GatewayWebIdentity\(role.roleGroup)",
                    principal: ["Federated": .string(providerARN)],
                    actions: actions,
                    conditions: ["StringEquals": equals]
                )
            ]
        )
    }

    /// The statements granting one model: a unit that is never split across policies.
    public static func statements(for grant: ModelGrant, index: Int) -> [PolicyStatement] {
        guard grant.model.inferenceProfile != nil else {
            return [PolicyStatement(sid: "InvokeOnDemand\(index)", actions: invokeActions, resources: grant.invokeResourceARNs)]
        }
        let profileARNs = grant.invokeResourceARNs
        return [
            PolicyStatement(sid: "InvokeProfile\(index)", actions: invokeActions, resources: profileARNs),
            PolicyStatement(
                sid: "InvokeModelViaProfile\(index)",
                actions: invokeActions,
                resources: grant.profileDestinationARNs,
                conditions: ["ArnLike": ["bedrock:InferenceProfileArn": .stringOrArray(profileARNs)]]
            ),
        ]
    }

    /// One document for a set of grants: on-demand models share one statement, each profile has its pair.
    public static func invokeDocument(for grants: [ModelGrant]) -> PolicyDocument {
        var statements: [PolicyStatement] = []
        let onDemand = grants.filter { $0.model.inferenceProfile == nil }
        if !onDemand.isEmpty {
            statements.append(
                PolicyStatement(sid: "InvokeOnDemandModels", actions: invokeActions, resources: onDemand.flatMap(\.invokeResourceARNs))
            )
        }
        for (index, grant) in grants.filter({ $0.model.inferenceProfile != nil }).enumerated() {
            statements += Self.statements(for: grant, index: index + 1)
        }
        return PolicyDocument(statements: statements)
    }

    /// Packs grants (sorted by model id) into as few documents of at most `limit` characters as possible, in order.
    /// Returns nil when a single model's statements alone exceed the limit.
    public static func split(_ grants: [ModelGrant], limit: Int) -> [[ModelGrant]]? {
        var parts: [[ModelGrant]] = []
        var current: [ModelGrant] = []
        for grant in grants {
            if invokeDocument(for: [grant]).size > limit { return nil }
            if invokeDocument(for: current + [grant]).size <= limit {
                current.append(grant)
            } else {
                parts.append(current)
                current = [grant]
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// The session policy narrowing a shared role to one use case's models (intersected with the role's policies).
    public static func sessionPolicy(for useCase: PlannedUseCase) -> PolicyDocument {
        invokeDocument(for: useCase.grants.sorted { ($0.model.modelId, $0.account) < ($1.model.modelId, $1.account) })
    }

    /// The gateway task role trusts ECS tasks of its own account only.
    public static func taskRoleTrustPolicy(for taskRole: PlannedTaskRole) -> PolicyDocument {
        let partition = AWSIdentifiers.partition(forRegion: taskRole.region)
        return PolicyDocument(statements: [
            PolicyStatement(
                sid: "EcsTasksOfGatewayAccount",
                principal: ["Service": "ecs-tasks.amazonaws.com"],
                actions: ["sts:AssumeRole"],
                conditions: [
                    "StringEquals": ["aws:SourceAccount": .string(taskRole.account)],
                    "ArnLike": ["aws:SourceArn": .string("arn:\(partition):ecs:\(taskRole.region):\(taskRole.account):*")],
                ]
            )
        ])
    }

    /// What the task needs at run time: its own log group and its own secrets. No Bedrock and no sts:AssumeRole:
    /// AssumeRoleWithWebIdentity is an unsigned call and Bedrock is called with the use-case roles' credentials.
    public static func taskRolePolicy(for taskRole: PlannedTaskRole, gateway: Gateway) -> PolicyDocument {
        let partition = AWSIdentifiers.partition(forRegion: taskRole.region)
        var statements = [
            PolicyStatement(
                sid: "WriteOwnLogGroup",
                actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
                resources: ["arn:\(partition):logs:\(taskRole.region):\(taskRole.account):log-group:\(gateway.logGroup):*"]
            )
        ]
        if !gateway.secrets.isEmpty {
            statements.append(
                PolicyStatement(
                    sid: "ReadOwnSecrets",
                    actions: ["secretsmanager:GetSecretValue"],
                    // Secrets Manager appends a 6-character random suffix to every secret ARN.
                    resources: gateway.secrets.sorted().map {
                        "arn:\(partition):secretsmanager:\(taskRole.region):\(taskRole.account):secret:\($0)-??????"
                    }
                )
            )
        }
        return PolicyDocument(statements: statements)
    }

    /// `<Org>-GenAIGateway-TaskRole-AWS-RuntimePolicy`: the task role's one managed policy.
    public static func taskRolePolicyName(org: String) -> IAMName {
        .permissionPolicy(org: org, layer: "GenAIGateway", subject: "TaskRole", provider: "AWS", permissionType: "Runtime")
    }
}
