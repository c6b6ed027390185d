import Foundation
import Testing

@testable import UseCaseCatalog

/// A small valid catalog; each rule test breaks it in one place.
enum CatalogFixture {
    static let valid = """
        org: ACME
        layer: GenAI
        identity_provider:
          name: Okta
          issuer: https://acme.okta.com/oauth2/default
          audience: genai-gateway
          subject: genai-gateway
        gateway:
          account: "111111111111"
          region: us-east-1
        model_accounts:
          - name: ModelsUS
            account: "222222222222"
            regions: [us-east-1, us-west-2]
          - name: ModelsEU
            account: "333333333333"
            regions: [eu-central-1]
        models:
          - name: titan-text-express
            provider: AmazonTitan
            model_id: amazon.titan-text-express-v1
            tier: simple
          - name: claude-sonnet-4-5
            provider: Anthropic
            model_id: anthropic.claude-sonnet-4-5-20250929-v1:0
            tier: complex
            inference_profile:
              id: us.anthropic.claude-sonnet-4-5-20250929-v1:0
              destination_regions: [us-east-1, us-east-2, us-west-2]
        use_cases:
          - id: UseCaseA
            idp_groups: [genai-usecase-a]
            accounts: [ModelsUS]
            models: [titan-text-express, claude-sonnet-4-5]
            routing: { simple: titan-text-express, complex: claude-sonnet-4-5 }
          - id: UseCaseB
            idp_groups: [genai-usecase-b]
            accounts: [ModelsUS, ModelsEU]
            models: [titan-text-express]

        """

    /// Replaces exactly one occurrence of `old` (the test fails if it is absent or ambiguous).
    static func replacing(_ old: String, with new: String, in text: String = valid) -> String {
        let parts = text.components(separatedBy: old)
        #expect(parts.count == 2, "fixture edit '\(old)' must match exactly once, matched \(parts.count - 1) times")
        return parts.joined(separator: new)
    }

    static func diagnostics(_ yaml: String) -> [Diagnostic] {
        do {
            _ = try CatalogLoader.load(yaml: yaml, file: "catalog.yaml")
            return []
        } catch {
            return error.diagnostics
        }
    }
}
