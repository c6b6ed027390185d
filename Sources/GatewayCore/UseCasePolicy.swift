import UseCaseCatalog

/// One use case's precomputed authorization data: its IdP groups, its allow-list keyed by every identifier form, and
/// a ready target per (model, operation). Built once per catalog by ``GatewayPolicy``; immutable afterwards.
public struct UseCasePolicy: Sendable {
    /// The catalog id of the use case.
    public let id: String
    /// The caller must belong to one of these (catalog order).
    public let idpGroups: [String]
    /// The shared-model accounts serving the use case, in order of preference.
    public let accounts: [ModelAccount]
    /// Logical names of the models the use case may call, in catalog order.
    public let allowedModels: [String]
    /// Simple/complex routing for `auto`, when configured.
    public let routing: Routing?
    /// The session policy narrowing a shared role to this use case; nil when the role is the use case's own.
    public let sessionPolicy: String?

    let groupSet: Set<String>
    /// Logical name, foundation-model id and inference-profile id → entry.
    let entriesByIdentifier: [String: Entry]
    /// Foundation-model id → entry (for foundation-model ARNs).
    let entriesByModelID: [String: Entry]
    /// Inference-profile id → entry (for inference-profile ARNs).
    let entriesByProfileID: [String: Entry]
    let roleARNByAccount: [String: String]
    /// `auto` targets per operation, when the use case routes.
    let autoTargets: [AutoRouteTargets]?
    /// `name, name (or 'auto')`, for denial messages.
    let allowedList: String

    /// A model of the allow-list with its default target per operation and the Regions each account serves it from.
    struct Entry: Sendable {
        let model: Model
        /// Indexed by ``BedrockOperation/index``.
        let targets: [ResolvedTarget]
        /// Account id → Regions the model is invoked from there.
        let regionsByAccount: [String: [String]]
    }

    init(planned: PlannedUseCase, sessionPolicy: String?) {
        let useCase = planned.useCase
        self.id = useCase.id
        self.idpGroups = useCase.idpGroups
        self.groupSet = Set(useCase.idpGroups)
        self.accounts = planned.accounts
        self.routing = useCase.routing
        self.sessionPolicy = sessionPolicy
        self.roleARNByAccount = planned.roleARNByAccount

        var entriesByName: [String: Entry] = [:]
        var byIdentifier: [String: Entry] = [:]
        var byModelID: [String: Entry] = [:]
        var byProfileID: [String: Entry] = [:]
        var allowed: [String] = []
        for model in planned.models {
            var regionsByAccount: [String: [String]] = [:]
            for grant in planned.grants where grant.model.name == model.name && !grant.regions.isEmpty {
                regionsByAccount[grant.account] = grant.regions
            }
            // The first account (catalog order) that has a role and a Region for the model serves it by default.
            guard
                let account = planned.accounts.first(where: {
                    regionsByAccount[$0.account] != nil && planned.roleARNByAccount[$0.account] != nil
                }),
                let region = regionsByAccount[account.account]?.first,
                let roleARN = planned.roleARNByAccount[account.account]
            else { continue }
            let targets = BedrockOperation.allCases.map { operation in
                ResolvedTarget(
                    useCaseID: useCase.id, model: model, account: account, region: region, roleARN: roleARN,
                    operation: operation, sessionPolicy: sessionPolicy
                )
            }
            let entry = Entry(model: model, targets: targets, regionsByAccount: regionsByAccount)
            allowed.append(model.name)
            entriesByName[model.name] = entry
            byModelID[model.modelId] = entry
            if let profile = model.inferenceProfile { byProfileID[profile.id] = entry }
        }
        // Logical names win over ids if a name ever equals another model's id.
        byIdentifier.merge(byModelID) { current, _ in current }
        byIdentifier.merge(byProfileID) { current, _ in current }
        byIdentifier.merge(entriesByName) { _, name in name }
        self.entriesByIdentifier = byIdentifier
        self.entriesByModelID = byModelID
        self.entriesByProfileID = byProfileID
        self.allowedModels = allowed

        if let routing = useCase.routing, let simple = entriesByName[routing.simple], let complex = entriesByName[routing.complex] {
            self.autoTargets = BedrockOperation.allCases.map { operation in
                AutoRouteTargets(routing: routing, simple: simple.targets[operation.index], complex: complex.targets[operation.index])
            }
            self.allowedList = allowed.joined(separator: ", ") + " (or 'auto')"
        } else {
            self.autoTargets = nil
            self.allowedList = allowed.joined(separator: ", ")
        }
    }

    /// Whether the use case routes `auto` requests.
    public var hasRouting: Bool { autoTargets != nil }
}
