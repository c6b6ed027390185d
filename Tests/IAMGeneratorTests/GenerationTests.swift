import Foundation
import IAMNaming
import Testing

@testable import IAMGenerator
@testable import UseCaseCatalog

/// IAM semantics of the generated documents, and IAM's limits at and just past each boundary.
struct GenerationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    static func exampleGeneration() throws -> IAMGeneration {
        try IAMGeneration(catalog: CatalogLoader.load(path: root.appendingPathComponent("policies/catalog.yaml").path))
    }

    static func catalog(
        useCases: [UseCase],
        models: [Model] = [Model(name: "titan", provider: "AmazonTitan", modelId: "amazon.titan-text-express-v1", tier: .simple)],
        regions: [String] = ["us-east-1", "us-west-2"],
        subject: String? = "genai-gateway",
        sessionTagKey: String? = nil
    ) -> Catalog {
        Catalog(
            org: "ACME",
            layer: "GenAI",
            identityProvider: IdentityProvider(name: "Okta", issuer: "https://acme.okta.com/oauth2/default", audience: "genai-gateway", subject: subject, sessionTagKey: sessionTagKey),
            gateway: Gateway(account: "111111111111", region: "us-east-1", logGroup: "/ecs/gw", secrets: ["gw/key"]),
            modelAccounts: [ModelAccount(name: "ModelsUS", account: "222222222222", regions: regions)],
            models: models,
            useCases: useCases
        )
    }

    static func errors(_ catalog: Catalog) -> [Diagnostic] {
        do {
            _ = try IAMGeneration(catalog: catalog)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func trustPoliciesFederateWithTheAccountsOwnProviderOnAudAndSub() throws {
        let generation = try Self.exampleGeneration()
        for role in generation.roles {
            let text = role.trustPolicy.json.compact
            #expect(text.contains("\"Federated\":\"arn:aws:iam::\(role.plan.account.account):oidc-provider/acme.okta.com/oauth2/default\""))
            #expect(text.contains("\"StringEquals\":{\"acme.okta.com/oauth2/default:aud\":\"genai-gateway\",\"acme.okta.com/oauth2/default:sub\":\"genai-gateway\"}"))
            #expect(!text.contains("groups"))
            #expect(!text.contains("ForAllValues"))
            #expect(!text.contains("ForAnyValue"))
            #expect(role.trustPolicy.statements.map(\.actions) == [["sts:AssumeRoleWithWebIdentity"]])
        }
    }

    @Test func permissionPoliciesGrantExactlyTheInvokeActionsOnExactARNs() throws {
        let generation = try Self.exampleGeneration()
        for role in generation.roles {
            for policy in role.policies {
                for statement in policy.document.statements {
                    #expect(statement.actions == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"])
                    for arn in statement.resources {
                        #expect(!arn.contains("*"))
                        if arn.contains(":foundation-model/") { #expect(arn.contains("::foundation-model/")) }
                    }
                }
            }
        }
    }

    @Test func inferenceProfilesGrantTheProfileAndEveryDestinationOnlyThroughIt() throws {
        let generation = try Self.exampleGeneration()
        let role = try #require(generation.roles.first { $0.plan.name.rendered == "ACME-GenAI-UseCaseA-BedrockInvokeRole" })
        let anthropic = try #require(role.policies.first { $0.provider == "Anthropic" })
        let profileARNs = [
            "arn:aws:bedrock:us-east-1:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:us-west-2:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ]
        #expect(anthropic.document.statements[0].resources == profileARNs)
        let via = anthropic.document.statements[1]
        #expect(via.resources == ["us-east-1", "us-east-2", "us-west-2"].map { "arn:aws:bedrock:\($0)::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0" })
        #expect(via.conditions == ["ArnLike": ["bedrock:InferenceProfileArn": .array(profileARNs.map(JSONValue.string))]])
    }

    @Test func sharedRolesGetTheUnionAndEachUseCaseASessionPolicy() throws {
        let generation = try Self.exampleGeneration()
        let marketing = try #require(generation.roles.first { $0.plan.roleGroup == "Marketing" })
        #expect(marketing.plan.useCases == ["MarketingEmail", "MarketingSocial"])
        #expect(Set(marketing.plan.grants.map(\.model.name)) == ["titan-text-express", "claude-3-haiku", "claude-sonnet-4-5"])
        let email = try #require(generation.sessionPolicyText(forUseCase: "MarketingEmail"))
        #expect(email.contains("claude-3-haiku") && !email.contains("claude-sonnet"))
        let social = try #require(generation.sessionPolicyText(forUseCase: "MarketingSocial"))
        #expect(social.contains("claude-sonnet-4-5") && !social.contains("claude-3-haiku"))
        #expect(generation.sessionPolicyText(forUseCase: "UseCaseA") == nil)
    }

    @Test func taskRoleTrustsOnlyECSTasksOfItsAccountAndHasNoBedrockOrSTS() throws {
        let generation = try Self.exampleGeneration()
        let trust = generation.taskRoleTrustPolicy.json.compact
        #expect(trust.contains("\"Service\":\"ecs-tasks.amazonaws.com\""))
        #expect(trust.contains("\"aws:SourceAccount\":\"111111111111\""))
        let policy = generation.taskRolePolicy.document.json.compact
        #expect(!policy.contains("bedrock:") && !policy.contains("sts:"))
        #expect(policy.contains("arn:aws:logs:us-east-1:111111111111:log-group:/ecs/acme-genai-gateway:*"))
        #expect(policy.contains("arn:aws:secretsmanager:us-east-1:111111111111:secret:acme/genai-gateway/cache-key-??????"))
        #expect(generation.plan.taskRole.name.rendered == "ACME-GenAIGateway-TaskRole")
    }

    @Test func abacModeAddsTagSessionAndTheRequestTagToEveryRole() throws {
        let catalog = Self.catalog(
            useCases: [UseCase(id: "A", roleGroup: "G", idpGroups: ["g"], accounts: ["ModelsUS"], models: ["titan"]),
                       UseCase(id: "B", roleGroup: "G", idpGroups: ["g"], accounts: ["ModelsUS"], models: ["titan"]),
                       UseCase(id: "C", idpGroups: ["c"], accounts: ["ModelsUS"], models: ["titan"])],
            sessionTagKey: "GenAIUseCase"
        )
        let generation = try IAMGeneration(catalog: catalog)
        #expect(generation.roles.count == 2)
        for role in generation.roles {
            #expect(role.trustPolicy.statements[0].actions == ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
            let tag = role.trustPolicy.statements[0].conditions["StringEquals"]?["aws:RequestTag/GenAIUseCase"]
            #expect(tag == JSONValue.stringOrArray(role.plan.useCases))
        }
    }

    @Test func outputIsDeterministic() throws {
        let first = try Self.exampleGeneration()
        let second = try Self.exampleGeneration()
        #expect(first.policyFiles == second.policyFiles)
        #expect(first.terraformFiles == second.terraformFiles)
        for file in first.policyFiles where file.path.hasSuffix(".json") {
            #expect(file.contents.hasSuffix("}\n"))
        }
    }

    @Test func committedOutputsMatchTheExampleCatalog() throws {
        // The golden files of the example catalog are the committed policies/generated and iac/generated.
        let generation = try Self.exampleGeneration()
        let policies = OutputDirectory(path: Self.root.appendingPathComponent("policies/generated").path).differences(from: generation.policyFiles)
        let terraform = OutputDirectory(path: Self.root.appendingPathComponent("iac/generated").path).differences(from: generation.terraformFiles)
        #expect(policies.isEmpty, "run swift run gen-iam generate: \(policies)")
        #expect(terraform.isEmpty, "run swift run gen-iam generate: \(terraform)")
    }

    // MARK: Limits, at and just past each boundary

    @Test func trustPolicyAtAndPastTheLimit() throws {
        let base = Self.catalog(useCases: [UseCase(id: "A", idpGroups: ["a"], accounts: ["ModelsUS"], models: ["titan"])], subject: "x")
        let baseSize = try IAMGeneration(catalog: base).roles[0].trustPolicy.size
        let fits = Self.catalog(useCases: base.useCases, subject: String(repeating: "s", count: IAMLimits.trustPolicySize - baseSize + 1))
        #expect(try IAMGeneration(catalog: fits).roles[0].trustPolicy.size == IAMLimits.trustPolicySize)
        let over = Self.catalog(useCases: base.useCases, subject: String(repeating: "s", count: IAMLimits.trustPolicySize - baseSize + 2))
        let errors = Self.errors(over)
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("2049 characters, 1 over IAM's default 2048-character quota") == true)
    }

    static func manyModels(_ count: Int, provider: String = "Meta") -> [Model] {
        (0..<count).map { Model(name: "m\($0)", provider: provider, modelId: "meta.llama-model-number-\(String(format: "%04d", $0))-v1:0", tier: .complex) }
    }

    @Test func largePoliciesSplitIntoNamedPartsWithinTheLimit() throws {
        let models = Self.manyModels(60)
        let catalog = Self.catalog(useCases: [UseCase(id: "A", idpGroups: ["a"], accounts: ["ModelsUS"], models: models.map(\.name))], models: models)
        let generation = try IAMGeneration(catalog: catalog)
        let policies = generation.roles[0].policies
        #expect(policies.count > 1)
        #expect(policies.map(\.name.rendered).prefix(2) == ["ACME-GenAI-A-Meta-InvokePolicy", "ACME-GenAI-A-Meta-Invoke2Policy"])
        for policy in policies {
            #expect(policy.document.size <= IAMLimits.managedPolicySize)
            #expect(try IAMName.parse(policy.name.rendered) == policy.name)
        }
        // Every model is granted exactly once across the parts.
        let granted = policies.flatMap { $0.document.statements.flatMap(\.resources) }
        #expect(granted.count == 60 * 2 && Set(granted).count == 60 * 2)
    }

    @Test func splitKeepsADocumentOfExactlyTheLimitWhole() throws {
        let models = Self.manyModels(40)
        let grants = models.map { ModelGrant(model: $0, account: "222222222222", regions: ["us-east-1"]) }
        for count in [1, 2, 17, 40] {
            let subset = Array(grants.prefix(count))
            let size = PolicyFactory.invokeDocument(for: subset).size
            #expect(PolicyFactory.split(subset, limit: size)?.count == 1)
            // One character less: the last model moves to a second part; a lone model no longer fits at all.
            let tighter = PolicyFactory.split(subset, limit: size - 1)
            if count == 1 {
                #expect(tighter == nil)
            } else {
                #expect(tighter?.map(\.count) == [count - 1, 1])
            }
        }
    }

    @Test func tooManyProvidersMergeIntoMultiModelPolicies() throws {
        let models = (0..<11).map { Model(name: "m\($0)", provider: "Vendor\($0)", modelId: "vendor\($0).model-v1", tier: .simple) }
        let catalog = Self.catalog(useCases: [UseCase(id: "A", idpGroups: ["a"], accounts: ["ModelsUS"], models: models.map(\.name))], models: models)
        let generation = try IAMGeneration(catalog: catalog)
        #expect(generation.roles[0].policies.map(\.name.rendered) == ["ACME-GenAI-A-MultiModel-InvokePolicy"])
        // Ten providers stay one policy each: the quota is ten.
        let ten = Array(models.prefix(10))
        let tenCatalog = Self.catalog(useCases: [UseCase(id: "A", idpGroups: ["a"], accounts: ["ModelsUS"], models: ten.map(\.name))], models: ten)
        #expect(try IAMGeneration(catalog: tenCatalog).roles[0].policies.count == 10)
    }

    @Test func moreThanTenPoliciesEvenMergedIsAnError() {
        let models = Self.manyModels(400)
        let catalog = Self.catalog(
            useCases: [UseCase(id: "A", idpGroups: ["a"], accounts: ["ModelsUS"], models: models.map(\.name))],
            models: models,
            regions: ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
        )
        let errors = Self.errors(catalog)
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("over IAM's default quota of 10 per role") == true)
        #expect(errors.first?.field == "use_cases[0].id")
    }

    @Test func sessionPolicyAtAndPastTheLimit() throws {
        func catalog(_ count: Int) -> Catalog {
            let models = Self.manyModels(count)
            return Self.catalog(
                useCases: [UseCase(id: "A", roleGroup: "G", idpGroups: ["a"], accounts: ["ModelsUS"], models: models.map(\.name)),
                           UseCase(id: "B", roleGroup: "G", idpGroups: ["b"], accounts: ["ModelsUS"], models: ["m0"])],
                models: models,
                regions: ["us-east-1"]
            )
        }
        func size(_ count: Int) throws -> Int {
            try PolicyFactory.sessionPolicy(for: #require(CatalogPlan(catalog: catalog(count)).useCase(id: "A"))).size
        }
        var count = 1
        while try size(count + 1) <= IAMLimits.sessionPolicySize { count += 1 }
        #expect(try size(count) <= IAMLimits.sessionPolicySize && size(count + 1) > IAMLimits.sessionPolicySize)
        #expect(Self.errors(catalog(count)).isEmpty)
        let errors = Self.errors(catalog(count + 1))
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("over STS's 2048-character limit") == true)
        #expect(errors.first?.description.contains("use case A") == true)
    }

    @Test func policyTextCharacterRange() {
        #expect(IAMLimits.firstDisallowedCharacter(in: "arn:aws:bedrock:\u{00FF}") == nil)
        #expect(IAMLimits.firstDisallowedCharacter(in: "tab\tnewline\n") == nil)
        #expect(IAMLimits.firstDisallowedCharacter(in: "caf\u{0100}") == "\u{0100}")
        #expect(IAMLimits.firstDisallowedCharacter(in: "bell\u{07}") == "\u{07}")
    }

    @Test func terraformEscapesInterpolationAndReferencesTheConventionNames() throws {
        #expect(TerraformRenderer.literal("${aws:username} %{x}") == .string("$${aws:username} %%{x}"))
        let generation = try Self.exampleGeneration()
        let module = try #require(generation.terraformFiles.first { $0.path == "accounts/222222222222/main.tf.json" })
        #expect(module.contents.contains("\"ACME-IdP-Okta\": {"))
        #expect(module.contents.contains("\"Name\": \"ACME-IdP-Okta\""))
        #expect(module.contents.contains("\"ACME-GenAI-UseCaseA-BedrockInvokeRole\": {"))
        #expect(module.contents.hasPrefix("{\n  \"//\": \"THIS FILE IS AUTOMATICALLY GENERATED"))
    }
}
