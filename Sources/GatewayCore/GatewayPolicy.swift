import IAMGenerator
import UseCaseCatalog

/// The catalog compiled into the gateway's authorization tables: one ``UseCasePolicy`` per use case, with every
/// identifier form of every allowed model resolved in advance. Build it once per catalog load; it is immutable and
/// shared by every request.
public struct GatewayPolicy: Sendable {
    /// Use case ids, in catalog order.
    public let useCaseIDs: [String]
    private let useCasesByID: [String: UseCasePolicy]

    /// Builds the tables from a generation (its plan and session policies).
    public init(generation: IAMGeneration) {
        var byID: [String: UseCasePolicy] = [:]
        var ids: [String] = []
        for planned in generation.plan.useCases {
            let id = planned.useCase.id
            let sessionPolicy = planned.sharesRole ? generation.sessionPolicyText(forUseCase: id) : nil
            byID[id] = UseCasePolicy(planned: planned, sessionPolicy: sessionPolicy)
            ids.append(id)
        }
        self.useCaseIDs = ids
        self.useCasesByID = byID
    }

    /// Plans the catalog and builds the tables; throws the catalog's problems, as `gen-iam` reports them.
    public init(catalog: Catalog) throws(CatalogError) {
        self.init(generation: try IAMGeneration(catalog: catalog))
    }

    /// The use case with this id, if the catalog has it.
    public func useCase(id: String) -> UseCasePolicy? { useCasesByID[id] }

    /// Every check of a request, in order: which use case (``UseCaseSelection``), whether the caller may use it
    /// (``Authorizer``), and which model it names (``ModelResolver``).
    public func authorize(
        path: BedrockRequestPath,
        useCaseHeader: String?,
        callerGroups: some Sequence<String>
    ) throws(GatewayError) -> ModelResolution {
        let useCase = try UseCaseSelection.select(header: useCaseHeader, pathUseCaseID: path.useCaseID, in: self)
        try Authorizer.authorize(callerGroups: callerGroups, for: useCase)
        return try ModelResolver.resolve(modelID: path.modelID, operation: path.operation, for: useCase)
    }
}
