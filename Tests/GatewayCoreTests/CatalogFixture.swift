import Foundation
import GatewayCore
import IAMGenerator
import Testing
import UseCaseCatalog

/// The example catalog of the repository (`policies/catalog.yaml`), planned and compiled once.
enum CatalogFixture {
    static let catalogPath: String = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies/catalog.yaml").path

    static let loaded: Result<(IAMGeneration, GatewayPolicy), CatalogError> = {
        do throws(CatalogError) {
            let catalog = try CatalogLoader.load(path: catalogPath)
            let generation = try IAMGeneration(catalog: catalog)
            return .success((generation, GatewayPolicy(generation: generation)))
        } catch {
            return .failure(error)
        }
    }()

    static func generation() throws -> IAMGeneration { try loaded.get().0 }
    static func policy() throws -> GatewayPolicy { try loaded.get().1 }

    static let usAccount = "222222222222"
    static let euAccount = "333333333333"
    static let sonnetProfile = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    static let sonnetModel = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    static let titanModel = "amazon.titan-text-express-v1"

    /// The role the plan gives a use case in an account.
    static func roleARN(_ useCase: String, _ account: String) throws -> String {
        let planned = try #require(try generation().plan.useCase(id: useCase))
        return try #require(planned.roleARNByAccount[account])
    }
}

