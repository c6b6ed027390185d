import Foundation
import GatewayCore
import IAMGenerator
import Testing
import UseCaseCatalog

@Suite struct ModelResolverTests {
    typealias F = CatalogFixture

    struct Form: Sendable, CustomTestStringConvertible {
        /// The path label as botocore sends it.
        var label: String
        var model: String
        var region: String
        var upstreamID: String
        var testDescription: String { label }
    }

    static let useCaseAForms: [Form] = [
        Form(label: "titan-text-express", model: "titan-text-express", region: "us-east-1", upstreamID: "amazon.titan-text-express-v1"),
        Form(label: "amazon.titan-text-express-v1", model: "titan-text-express", region: "us-east-1", upstreamID: "amazon.titan-text-express-v1"),
        Form(
            label: "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.titan-text-express-v1",
            model: "titan-text-express", region: "us-east-1", upstreamID: "amazon.titan-text-express-v1"
        ),
        Form(
            label: "arn%3Aaws%3Abedrock%3Aus-west-2%3A%3Afoundation-model%2Famazon.titan-text-express-v1",
            model: "titan-text-express", region: "us-west-2", upstreamID: "amazon.titan-text-express-v1"
        ),
        Form(label: "claude-sonnet-4-5", model: "claude-sonnet-4-5", region: "us-east-1", upstreamID: F.sonnetProfile),
        Form(label: "anthropic.claude-sonnet-4-5-20250929-v1%3A0", model: "claude-sonnet-4-5", region: "us-east-1", upstreamID: F.sonnetProfile),
        Form(label: "us.anthropic.claude-sonnet-4-5-20250929-v1%3A0", model: "claude-sonnet-4-5", region: "us-east-1", upstreamID: F.sonnetProfile),
        Form(
            label: "arn%3Aaws%3Abedrock%3Aus-east-1%3A222222222222%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0",
            model: "claude-sonnet-4-5", region: "us-east-1", upstreamID: F.sonnetProfile
        ),
        Form(
            label: "arn%3Aaws%3Abedrock%3Aus-west-2%3A222222222222%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0",
            model: "claude-sonnet-4-5", region: "us-west-2", upstreamID: F.sonnetProfile
        ),
        Form(
            label: "arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-sonnet-4-5-20250929-v1%3A0",
            model: "claude-sonnet-4-5", region: "us-east-1", upstreamID: F.sonnetProfile
        ),
    ]

    @Test(arguments: useCaseAForms, BedrockOperation.allCases)
    func everyFormResolvesForUseCaseA(form: Form, operation: BedrockOperation) throws {
        let policy = try F.policy()
        let path = try BedrockRequestPath(parsing: "/use-cases/UseCaseA/model/\(form.label)/\(operation.rawValue)")
        let resolution = try policy.authorize(path: path, useCaseHeader: nil, callerGroups: ["genai-usecase-a"])
        guard case .target(let target) = resolution else {
            Issue.record("expected an explicit target, got \(resolution)")
            return
        }
        #expect(target.useCaseID == "UseCaseA")
        #expect(target.model.name == form.model)
        #expect(target.account.account == F.usAccount)
        #expect(target.account.name == "ModelsUS")
        #expect(target.region == form.region)
        #expect(target.roleARN == (try F.roleARN("UseCaseA", F.usAccount)))
        #expect(target.roleARN.hasPrefix("arn:aws:iam::222222222222:role/"))
        #expect(target.invokeModelId == form.upstreamID)
        #expect(target.operation == operation)
        #expect(target.upstreamPath == "/model/\(form.upstreamID.replacingOccurrences(of: ":", with: "%3A"))/\(operation.rawValue)")
        #expect(target.sessionPolicy == nil)
    }

    @Test func upstreamPathEncodesColonsOnce() throws {
        let useCase = try #require(try F.policy().useCase(id: "UseCaseA"))
        let resolution = try ModelResolver.resolve(modelID: "claude-sonnet-4-5", operation: .converseStream, for: useCase)
        guard case .target(let target) = resolution else {
            Issue.record("expected a target, got \(resolution)")
            return
        }
        #expect(target.upstreamPath == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream")
        #expect(target.invokeModelId == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    }

    @Test func anARNPicksTheAccountAndRegionItNames() throws {
        let useCase = try #require(try F.policy().useCase(id: "UseCaseB"))
        // UseCaseB is served from ModelsUS first, and from ModelsEU.
        guard case .target(let bare) = try ModelResolver.resolve(modelID: "claude-3-haiku", operation: .invoke, for: useCase) else {
            Issue.record("expected a target")
            return
        }
        #expect(bare.account.account == F.usAccount)
        #expect(bare.region == "us-east-1")
        let arn = "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
        guard case .target(let eu) = try ModelResolver.resolve(modelID: arn, operation: .invoke, for: useCase) else {
            Issue.record("expected a target")
            return
        }
        #expect(eu.account.account == F.euAccount)
        #expect(eu.region == "eu-central-1")
        #expect(eu.roleARN == (try F.roleARN("UseCaseB", F.euAccount)))
        #expect(eu.upstreamPath == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")
    }

    @Test func autoReturnsBothRoutedTargets() throws {
        let useCase = try #require(try F.policy().useCase(id: "UseCaseA"))
        let resolution = try ModelResolver.resolve(modelID: "auto", operation: .converse, for: useCase)
        guard case .auto(let auto) = resolution else {
            Issue.record("expected auto, got \(resolution)")
            return
        }
        #expect(auto.routing.simple == "titan-text-express")
        #expect(auto.target(for: .simple).model.name == "titan-text-express")
        #expect(auto.target(for: .complex).model.name == "claude-sonnet-4-5")
        #expect(auto.target(for: .complex).upstreamPath == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse")
        #expect(auto.simple.operation == .converse)
    }

    @Test func autoWithoutRoutingIsAValidationError() throws {
        let useCase = try #require(try F.policy().useCase(id: "MarketingEmail"))
        #expect(!useCase.hasRouting)
        let error = try gatewayError { () throws(GatewayError) in
            try ModelResolver.resolve(modelID: "auto", operation: .converse, for: useCase)
        }
        #expect(error.status == 400)
        #expect(error.errorType == "ValidationException")
        #expect(
            error.message
                == "use case MarketingEmail has no routing configured, so modelId 'auto' is not available; name a model: titan-text-express, claude-3-haiku"
        )
    }

    @Test func sharedRolesCarryASessionPolicy() throws {
        let policy = try F.policy()
        let generation = try F.generation()
        let email = try #require(policy.useCase(id: "MarketingEmail"))
        let social = try #require(policy.useCase(id: "MarketingSocial"))
        let sessionPolicy = try #require(email.sessionPolicy)
        #expect(sessionPolicy == generation.sessionPolicyText(forUseCase: "MarketingEmail"))
        #expect(sessionPolicy.contains("anthropic.claude-3-haiku-20240307-v1:0"))
        #expect(!sessionPolicy.contains("claude-sonnet"))
        #expect(social.sessionPolicy != nil && social.sessionPolicy != sessionPolicy)
        #expect(policy.useCase(id: "UseCaseA")?.sessionPolicy == nil)
        guard case .target(let target) = try ModelResolver.resolve(modelID: "claude-3-haiku", operation: .converse, for: email) else {
            Issue.record("expected a target")
            return
        }
        #expect(target.sessionPolicy == sessionPolicy)
        #expect(target.roleARN == (try F.roleARN("MarketingSocial", F.usAccount)))
    }

    struct Denial: Sendable, CustomTestStringConvertible {
        var modelID: String
        var status: Int
        var reason: String
        var message: String
        var testDescription: String { modelID }
    }

    static let allowList = "titan-text-express, claude-sonnet-4-5 (or 'auto')"

    static let useCaseADenials: [Denial] = [
        Denial(
            modelID: "arn:aws:bedrock:us-east-1:999999999999:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            status: 403, reason: "model_arn_account_denied",
            message: "the inference-profile ARN names account 999999999999, which does not serve use case UseCaseA; use account 222222222222 in the ARN, or send the model's name claude-sonnet-4-5"
        ),
        Denial(
            modelID: "arn:aws:bedrock:eu-central-1:333333333333:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            status: 403, reason: "model_arn_account_denied",
            message: "the inference-profile ARN names account 333333333333, which does not serve use case UseCaseA; use account 222222222222 in the ARN, or send the model's name claude-sonnet-4-5"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-2:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            status: 403, reason: "model_arn_region_denied",
            message: "use case UseCaseA is not served model claude-sonnet-4-5 in Region us-east-2; it is served in us-east-1, us-west-2 (account 222222222222); use an ARN in one of those Regions, or send the model's name"
        ),
        Denial(
            modelID: "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-express-v1",
            status: 403, reason: "model_arn_region_denied",
            message: "use case UseCaseA is not served model titan-text-express in Region eu-west-1; it is served in us-east-1, us-west-2 (account 222222222222); use an ARN in one of those Regions, or send the model's name"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-1:222222222222:application-inference-profile/abc123",
            status: 403, reason: "model_arn_type_denied",
            message: "use case UseCaseA may not use application-inference-profile ARNs: only the catalog's models are served; use one of: \(allowList)"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-1:222222222222:provisioned-model/abc123",
            status: 403, reason: "model_arn_type_denied",
            message: "use case UseCaseA may not use provisioned-model ARNs: only the catalog's models are served; use one of: \(allowList)"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-1:222222222222:foundation-model/amazon.titan-text-express-v1",
            status: 400, reason: "model_arn_malformed",
            message: "the foundation-model ARN 'arn:aws:bedrock:us-east-1:222222222222:foundation-model/amazon.titan-text-express-v1' has an account id; foundation-model ARNs have an empty account field (arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1)"
        ),
        Denial(
            modelID: "arn:aws:s3:us-east-1::foundation-model/amazon.titan-text-express-v1",
            status: 400, reason: "model_arn_malformed",
            message: "the model ARN 'arn:aws:s3:us-east-1::foundation-model/amazon.titan-text-express-v1' is not a Bedrock ARN (its service is 's3', not 'bedrock'); send a model name, model id, inference-profile id or Bedrock ARN"
        ),
        Denial(
            modelID: "arn:aws-cn:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1",
            status: 400, reason: "model_arn_malformed",
            message: "the model ARN 'arn:aws-cn:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1' has no valid partition and Region (for example arn:aws:bedrock:us-east-1:...); send a model name, model id, inference-profile id or Bedrock ARN"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-1:222222222222:inference-profile-x",
            status: 400, reason: "model_arn_malformed",
            message: "the model ARN 'arn:aws:bedrock:us-east-1:222222222222:inference-profile-x' is malformed; Bedrock ARNs look like arn:aws:bedrock:<region>::foundation-model/<model id> or arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>"
        ),
        Denial(
            modelID: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            status: 403, reason: "model_not_allowed",
            message: "use case UseCaseA may not use model 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'; it may use: \(allowList) (by name, Bedrock model id, inference-profile id or ARN)"
        ),
        Denial(
            modelID: "claude-3-haiku", status: 403, reason: "model_not_allowed",
            message: "use case UseCaseA may not use model 'claude-3-haiku'; it may use: \(allowList) (by name, Bedrock model id, inference-profile id or ARN)"
        ),
        Denial(
            modelID: "anthropic.claude-3-haiku-20240307-v1:0", status: 403, reason: "model_not_allowed",
            message: "use case UseCaseA may not use model 'anthropic.claude-3-haiku-20240307-v1:0'; it may use: \(allowList) (by name, Bedrock model id, inference-profile id or ARN)"
        ),
        Denial(
            modelID: "gpt-4o", status: 403, reason: "model_not_allowed",
            message: "use case UseCaseA may not use model 'gpt-4o'; it may use: \(allowList) (by name, Bedrock model id, inference-profile id or ARN)"
        ),
        Denial(
            modelID: "Titan-Text-Express", status: 403, reason: "model_not_allowed",
            message: "use case UseCaseA may not use model 'Titan-Text-Express'; it may use: \(allowList) (by name, Bedrock model id, inference-profile id or ARN)"
        ),
    ]

    @Test(arguments: useCaseADenials)
    func refusalsOfUseCaseA(denial: Denial) throws {
        let useCase = try #require(try F.policy().useCase(id: "UseCaseA"))
        try BedrockRequestPathTests.checked(denial.modelID)
        let error = try gatewayError { () throws(GatewayError) in
            try ModelResolver.resolve(modelID: denial.modelID, operation: .converse, for: useCase)
        }
        #expect(error.status == denial.status)
        #expect(error.errorType == (denial.status == 403 ? "AccessDeniedException" : "ValidationException"))
        #expect(error.shortDescription == denial.reason)
        #expect(error.message == denial.message)
    }

    @Test func allowListsFollowTheCatalog() throws {
        let policy = try F.policy()
        #expect(policy.useCaseIDs == ["UseCaseA", "UseCaseB", "MarketingEmail", "MarketingSocial"])
        #expect(policy.useCase(id: "UseCaseA")?.allowedModels == ["titan-text-express", "claude-sonnet-4-5"])
        #expect(policy.useCase(id: "UseCaseB")?.accounts.map(\.account) == [F.usAccount, F.euAccount])
        #expect(policy.useCase(id: "MarketingSocial")?.idpGroups == ["genai-marketing", "genai-social"])
    }
}

extension BedrockRequestPathTests {
    /// Asserts the id passes the path checks, so a refusal in the resolver is the resolver's.
    static func checked(_ modelID: String) throws {
        let encoded = modelID.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F")
        #expect(try BedrockRequestPath(parsing: "/model/\(encoded)/converse").modelID == modelID)
    }
}
