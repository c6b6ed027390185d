import Foundation
import Testing

@testable import UseCaseCatalog

/// One test per catalog rule: a catalog with exactly that mistake and the diagnostic a platform engineer sees.
struct CatalogRuleTests {
    /// Loads `yaml` and expects exactly one error, at `field` and `line`, whose text contains every fragment.
    func expectSingleError(
        _ yaml: String,
        field: String,
        at text: String? = nil,
        _ fragments: String...,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let errors = CatalogFixture.diagnostics(yaml).filter { $0.severity == .error }
        #expect(errors.count == 1, "expected one error, got: \(errors.map(\.description))", sourceLocation: sourceLocation)
        guard let error = errors.first else { return }
        #expect(error.field == field, "field: \(error)", sourceLocation: sourceLocation)
        if let text {
            // The error points at the line holding `text` (its first occurrence in the catalog under test).
            let line = yaml.components(separatedBy: "\n").firstIndex { $0.contains(text) }.map { $0 + 1 }
            #expect(line != nil && error.location?.line == line, "line of '\(text)': \(error)", sourceLocation: sourceLocation)
        }
        #expect(error.location?.file == "catalog.yaml", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "'\(fragment)' not in: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func validFixtureLoads() throws {
        let catalog = try CatalogLoader.load(yaml: CatalogFixture.valid, file: "catalog.yaml")
        #expect(catalog.useCases.map(\.id) == ["UseCaseA", "UseCaseB"])
        #expect(catalog.useCases[0].roleGroup == "UseCaseA")
        #expect(catalog.models[1].invokeId == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        #expect(catalog.identityProvider.hostPath == "acme.okta.com/oauth2/default")
        #expect(catalog.locations["use_cases[1].models[0]"]?.line == 39)
    }

    @Test func exampleCatalogLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../policies/catalog.yaml").standardizedFileURL.path
        let catalog = try CatalogLoader.load(path: path)
        #expect(catalog.modelAccounts.count >= 2)
        #expect(catalog.useCases.count >= 4)
        #expect(Dictionary(grouping: catalog.useCases, by: \.roleGroup).values.contains { $0.count >= 2 })
        #expect(catalog.models.contains { $0.modelId.hasPrefix("amazon.titan") })
        #expect(catalog.models.contains { $0.modelId.hasPrefix("anthropic.") && $0.inferenceProfile == nil })
        #expect(catalog.models.contains { $0.modelId.hasPrefix("anthropic.") && $0.inferenceProfile != nil })
    }

    @Test func orgMustBeAlphanumeric() {
        expectSingleError(CatalogFixture.replacing("org: ACME", with: "org: AC-ME"), field: "org", at: "org: AC-ME", "[A-Za-z0-9]+", "'AC-ME'")
    }

    @Test func orgMustStartWithALetter() {
        expectSingleError(CatalogFixture.replacing("org: ACME", with: "org: 1ACME"), field: "org", at: "org: 1ACME", "must start with a letter")
    }

    @Test func layerMustBeAlphanumeric() {
        expectSingleError(CatalogFixture.replacing("layer: GenAI", with: "layer: Gen_AI"), field: "layer", at: "layer:", "'Gen_AI'")
    }

    @Test func providerNameMustBeAlphanumeric() {
        expectSingleError(CatalogFixture.replacing("name: Okta", with: "name: Okta Prod"), field: "identity_provider.name", at: "Okta Prod", "'Okta Prod'")
    }

    @Test func issuerMustBeHTTPS() {
        expectSingleError(
            CatalogFixture.replacing("issuer: https://acme", with: "issuer: http://acme"),
            field: "identity_provider.issuer", at: "issuer:", "https://"
        )
    }

    @Test func issuerCannotHavePortOrQuery() {
        expectSingleError(
            CatalogFixture.replacing("acme.okta.com/oauth2", with: "acme.okta.com:8443/oauth2"),
            field: "identity_provider.issuer", "cannot carry a port"
        )
        expectSingleError(
            CatalogFixture.replacing("oauth2/default", with: "oauth2/default?x=1"),
            field: "identity_provider.issuer", "query"
        )
    }

    @Test func audienceHasNoSpaces() {
        expectSingleError(
            CatalogFixture.replacing("audience: genai-gateway", with: "audience: genai gateway"),
            field: "identity_provider.audience", at: "audience:", "client id"
        )
    }

    @Test func sessionTagKeyCannotUseAWSPrefix() {
        expectSingleError(
            CatalogFixture.replacing("  subject: genai-gateway\n", with: "  subject: genai-gateway\n  session_tag_key: aws:UseCase\n"),
            field: "identity_provider.session_tag_key", at: "session_tag_key", "may not start with aws:"
        )
    }

    @Test func thumbprintsAreSHA1Hex() {
        expectSingleError(
            CatalogFixture.replacing("  subject: genai-gateway\n", with: "  subject: genai-gateway\n  thumbprints: [abc]\n"),
            field: "identity_provider.thumbprints[0]", "40 hex"
        )
    }

    @Test func accountIDsAreTwelveDigits() {
        expectSingleError(
            CatalogFixture.replacing("account: \"111111111111\"", with: "account: \"11111111111\""),
            field: "gateway.account", at: "11111111111", "exactly 12 digits", "'11111111111'"
        )
    }

    @Test func regionsAreWellFormed() {
        expectSingleError(
            CatalogFixture.replacing("  region: us-east-1", with: "  region: us-east"),
            field: "gateway.region", at: "region: us-east", "Region code"
        )
        expectSingleError(
            CatalogFixture.replacing("regions: [eu-central-1]", with: "regions: [eu-central-1, Frankfurt]"),
            field: "model_accounts[1].regions[1]", at: "Frankfurt", "'Frankfurt'"
        )
        expectSingleError(
            CatalogFixture.replacing("regions: [eu-central-1]", with: "regions: []"),
            field: "model_accounts[1].regions", "at least one Region"
        )
    }

    @Test func modelAccountsAreUnique() {
        expectSingleError(
            CatalogFixture.replacing("account: \"333333333333\"", with: "account: \"222222222222\""),
            field: "model_accounts[1]", "duplicate account id", "model_accounts[0]"
        )
    }

    @Test func autoIsReserved() {
        expectSingleError(
            CatalogFixture.valid.replacingOccurrences(of: "titan-text-express", with: "auto"),
            field: "models[0].name", at: "- name: auto", "reserved"
        )
    }

    @Test func modelNamesAreLowercaseIdentifiers() {
        let yaml = CatalogFixture.valid.replacingOccurrences(of: "titan-text-express", with: "Titan Express")
        let errors = CatalogFixture.diagnostics(yaml)
        #expect(errors.contains { $0.field == "models[0].name" && $0.description.contains("[a-z0-9]") })
    }

    @Test func modelIDShapes() {
        expectSingleError(
            CatalogFixture.replacing("model_id: amazon.titan-text-express-v1", with: "model_id: titan express"),
            field: "models[0].model_id", at: "titan express", "<vendor>.<model>[:N]"
        )
        expectSingleError(
            CatalogFixture.replacing("model_id: amazon.titan-text-express-v1", with: "model_id: us.amazon.titan-text-express-v1"),
            field: "models[0].model_id", "inference-profile id"
        )
        // Undated ids and ids without a :N suffix are valid.
        #expect(CatalogFixture.diagnostics(CatalogFixture.replacing("amazon.titan-text-express-v1", with: "anthropic.claude-sonnet-4-6")).isEmpty)
    }

    @Test func profileIDMustBeGeoPlusModelID() {
        expectSingleError(
            CatalogFixture.replacing("id: us.anthropic", with: "id: mars.anthropic"),
            field: "models[1].inference_profile.id", at: "mars.", "<geo>.<model_id>"
        )
    }

    @Test func destinationRegionsStayInTheGeography() {
        expectSingleError(
            CatalogFixture.replacing("[us-east-1, us-east-2, us-west-2]", with: "[us-east-1, eu-west-1]"),
            field: "models[1].inference_profile.destination_regions[1]", "does not route to eu-west-1"
        )
    }

    @Test func profileMustBeReachableFromEveryAccountOfTheUseCase() {
        expectSingleError(
            CatalogFixture.replacing("accounts: [ModelsUS]\n    models: [titan-text-express, claude-sonnet-4-5]", with: "accounts: [ModelsEU]\n    models: [titan-text-express, claude-sonnet-4-5]"),
            field: "use_cases[0].models", "cannot be invoked from any Region of account ModelsEU"
        )
    }

    @Test func useCaseReferencesMustExist() {
        expectSingleError(
            CatalogFixture.replacing("accounts: [ModelsUS, ModelsEU]", with: "accounts: [ModelsUS, ModelsAP]"),
            field: "use_cases[1].accounts[1]", at: "ModelsAP", "unknown model account", "ModelsUS, ModelsEU"
        )
        expectSingleError(
            CatalogFixture.replacing("models: [titan-text-express]\n", with: "models: [titan-lite]\n"),
            field: "use_cases[1].models[0]", at: "titan-lite", "unknown model", "'titan-lite'"
        )
    }

    @Test func useCaseIDsAreUniqueCaseInsensitively() {
        expectSingleError(
            CatalogFixture.replacing("id: UseCaseB", with: "id: usecasea"),
            field: "use_cases[1]", "duplicate use case id", "case-insensitive"
        )
    }

    @Test func idpGroupsAreRequired() {
        expectSingleError(
            CatalogFixture.replacing("idp_groups: [genai-usecase-b]", with: "idp_groups: []"),
            field: "use_cases[1].idp_groups", "at least one IdP group"
        )
    }

    @Test func routingUsesTheUseCasesModels() {
        expectSingleError(
            CatalogFixture.replacing("    models: [titan-text-express]\n", with: "    models: [titan-text-express]\n    routing: { simple: titan-text-express, complex: claude-sonnet-4-5 }\n"),
            field: "use_cases[1].routing.complex", "must be one of this use case's models"
        )
    }

    @Test func roleGroupsDifferingOnlyInCaseAreRejected() {
        let yaml = CatalogFixture.replacing("  - id: UseCaseA\n", with: "  - id: UseCaseA\n    role_group: Shared\n")
        expectSingleError(
            CatalogFixture.replacing("  - id: UseCaseB\n", with: "  - id: UseCaseB\n    role_group: shared\n", in: yaml),
            field: "use_cases[1].role_group", "differs only in case"
        )
    }

    @Test func roleNameBudgetNamesTheUseCaseAndTheOverflow() {
        // ACME-GenAI-<id>-BedrockInvokeRole is 29 + len(id): a 35-character id fits exactly, 36 is one over.
        let fits = String(repeating: "A", count: 35)
        #expect(CatalogFixture.diagnostics(CatalogFixture.replacing("id: UseCaseB", with: "id: \(fits)")).isEmpty)
        let over = String(repeating: "A", count: 36)
        expectSingleError(
            CatalogFixture.replacing("id: UseCaseB", with: "id: \(over)"),
            field: "use_cases[1].id", at: "id: AAAA", "use case \(over)", "65", "1 over"
        )
    }

    @Test func unknownKeysSuggestTheClosestKnownKey() {
        expectSingleError(
            CatalogFixture.replacing("    models: [titan-text-express]\n", with: "    models: [titan-text-express]\n    modles: [x]\n"),
            field: "use_cases[1].modles", at: "modles", "unknown key 'modles'", "did you mean 'models'?"
        )
    }

    @Test func missingRequiredKeysAreNamed() {
        expectSingleError(
            CatalogFixture.replacing("    idp_groups: [genai-usecase-b]\n", with: ""),
            field: "use_cases[1].idp_groups", "missing required key 'idp_groups'"
        )
    }

    @Test func wrongShapesAreExplained() {
        expectSingleError(
            CatalogFixture.replacing("regions: [eu-central-1]", with: "regions: eu-central-1"),
            field: "model_accounts[1].regions", "expected a list"
        )
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let errors = CatalogFixture.diagnostics(CatalogFixture.replacing("  name: Okta\n", with: "  name: [Okta\n"))
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("not valid YAML") == true)
        #expect(errors.first?.location != nil)
    }

    @Test func duplicateKeysAreRejected() {
        let errors = CatalogFixture.diagnostics(CatalogFixture.replacing("layer: GenAI\n", with: "layer: GenAI\nlayer: Other\n"))
        #expect(errors.count == 1)
        #expect(errors.first?.description.contains("duplicate key 'layer'") == true)
    }

    @Test func everyProblemIsReportedInOneRun() {
        var yaml = CatalogFixture.replacing("org: ACME", with: "org: AC-ME")
        yaml = CatalogFixture.replacing("  region: us-east-1", with: "  region: nowhere", in: yaml)
        yaml = CatalogFixture.replacing("models: [titan-text-express]\n", with: "models: [titan-lite]\n", in: yaml)
        let fields = Set(CatalogFixture.diagnostics(yaml).map(\.field))
        #expect(fields == ["org", "gateway.region", "use_cases[1].models[0]"])
    }

    @Test func diagnosticsRenderInCompilerStyle() {
        let errors = CatalogFixture.diagnostics(CatalogFixture.replacing("org: ACME", with: "org: AC-ME"))
        #expect(errors.first?.description == "catalog.yaml:1:6: error: org: org (OrgPrefix) must be letters and digits only, because it becomes a field of IAM names joined by '-' (value: 'AC-ME') [rule: [A-Za-z0-9]+]")
    }
}
