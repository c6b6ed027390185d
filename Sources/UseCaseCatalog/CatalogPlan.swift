import IAMNaming

/// The catalog resolved into what exists in AWS: one role per (role group, shared-model account), the OIDC provider
/// registered in every shared-model account, the gateway's task role, and for every use case which models it may
/// invoke, where, and through which role.
///
/// `gen-iam` renders IAM from this plan and the gateway authorises requests with it, so the two cannot disagree.
public struct CatalogPlan: Sendable {
    public let catalog: Catalog
    /// Sorted by account id, then role name.
    public let roles: [PlannedRole]
    /// One per shared-model account, sorted by account id.
    public let identityProviders: [PlannedIdentityProvider]
    public let taskRole: PlannedTaskRole
    /// In catalog order.
    public let useCases: [PlannedUseCase]

    public init(catalog: Catalog) {
        self.catalog = catalog
        let org = catalog.org
        let layer = catalog.layer
        let idp = catalog.identityProvider
        let accountsByName = Dictionary(catalog.modelAccounts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let modelsByName = Dictionary(catalog.models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        func grant(_ model: Model, in account: ModelAccount) -> ModelGrant {
            let regions: [String]
            if let profile = model.inferenceProfile {
                regions = account.regions.filter { AWSIdentifiers.geography(profile.geography, includes: $0) }
            } else {
                regions = account.regions
            }
            return ModelGrant(model: model, account: account.account, regions: regions)
        }

        // Roles: the union of the models of the role group's use cases that use the account.
        var roleMap: [String: PlannedRole] = [:]
        for useCase in catalog.useCases {
            for accountName in useCase.accounts {
                guard let account = accountsByName[accountName] else { continue }
                let name = IAMName.role(org: org, layer: layer, subject: useCase.roleGroup, capability: CatalogValidator.roleCapability)
                let key = "\(account.account)/\(name.rendered)"
                var role = roleMap[key] ?? PlannedRole(
                    name: name,
                    roleGroup: useCase.roleGroup,
                    account: account,
                    arn: AWSIdentifiers.roleARN(
                        partition: AWSIdentifiers.partition(forRegion: account.regions.first ?? "us-east-1"),
                        account: account.account,
                        name: name.rendered
                    ),
                    useCases: [],
                    grants: []
                )
                if !role.useCases.contains(useCase.id) { role.useCases.append(useCase.id) }
                for modelName in useCase.models {
                    guard let model = modelsByName[modelName], !role.grants.contains(where: { $0.model.name == modelName }) else { continue }
                    role.grants.append(grant(model, in: account))
                }
                roleMap[key] = role
            }
        }
        self.roles = roleMap.values.map { role in
            var role = role
            role.useCases.sort()
            role.grants.sort { $0.model.modelId < $1.model.modelId }
            return role
        }.sorted { ($0.account.account, $0.name.rendered) < ($1.account.account, $1.name.rendered) }

        self.identityProviders = catalog.modelAccounts.sorted { $0.account < $1.account }.map { account in
            PlannedIdentityProvider(
                name: .identityProvider(org: org, provider: idp.name),
                account: account.account,
                arn: AWSIdentifiers.oidcProviderARN(
                    partition: AWSIdentifiers.partition(forRegion: account.regions.first ?? "us-east-1"),
                    account: account.account,
                    hostPath: idp.hostPath
                ),
                url: idp.issuer.hasSuffix("/") ? String(idp.issuer.dropLast()) : idp.issuer,
                clientIDs: [idp.audience],
                thumbprints: idp.thumbprints
            )
        }

        let taskRoleName = IAMName.taskRole(org: org)
        self.taskRole = PlannedTaskRole(
            name: taskRoleName,
            account: catalog.gateway.account,
            region: catalog.gateway.region,
            arn: AWSIdentifiers.roleARN(
                partition: AWSIdentifiers.partition(forRegion: catalog.gateway.region),
                account: catalog.gateway.account,
                name: taskRoleName.rendered
            )
        )

        let roles = self.roles
        self.useCases = catalog.useCases.map { useCase in
            let accounts = useCase.accounts.compactMap { accountsByName[$0] }
            var roleByAccount: [String: String] = [:]
            var sharedRole = false
            for account in accounts {
                if let role = roles.first(where: { $0.account.account == account.account && $0.roleGroup == useCase.roleGroup }) {
                    roleByAccount[account.account] = role.arn
                    if role.useCases.count > 1 { sharedRole = true }
                }
            }
            let models = useCase.models.compactMap { modelsByName[$0] }
            let grants = accounts.flatMap { account in models.map { grant($0, in: account) } }
            return PlannedUseCase(
                useCase: useCase,
                accounts: accounts,
                roleARNByAccount: roleByAccount,
                models: models,
                grants: grants,
                sharesRole: sharedRole
            )
        }
    }

    public func useCase(id: String) -> PlannedUseCase? { useCases.first { $0.useCase.id == id } }
}

/// A model granted in one shared-model account, with the Regions the gateway invokes it from.
public struct ModelGrant: Sendable, Hashable {
    public var model: Model
    public var account: String
    /// Regions of the account the model is invoked from (for a profile: those inside its geography).
    public var regions: [String]

    /// ARNs the permission policy grants directly: the profile in each source Region, or the foundation model in
    /// each Region of the account.
    public var invokeResourceARNs: [String] {
        if let profile = model.inferenceProfile {
            return regions.map { AWSIdentifiers.inferenceProfileARN(region: $0, account: account, profileID: profile.id) }
        }
        return regions.map { AWSIdentifiers.foundationModelARN(region: $0, modelID: model.modelId) }
    }

    /// For a profile: the foundation model in every destination Region (usable only through the profile).
    public var profileDestinationARNs: [String] {
        guard let profile = model.inferenceProfile else { return [] }
        return profile.destinationRegions.map { AWSIdentifiers.foundationModelARN(region: $0, modelID: model.modelId) }
    }
}

public struct PlannedRole: Sendable, Hashable {
    public var name: IAMName
    public var roleGroup: String
    public var account: ModelAccount
    public var arn: String
    /// Ids of the use cases this role serves, sorted.
    public var useCases: [String]
    /// Sorted by model id.
    public var grants: [ModelGrant]
}

public struct PlannedIdentityProvider: Sendable, Hashable {
    /// `<Org>-IdP-<Provider>`: only a `Name` tag and the Terraform resource name; IAM OIDC providers have no name.
    public var name: IAMName
    public var account: String
    public var arn: String
    public var url: String
    public var clientIDs: [String]
    public var thumbprints: [String]
}

public struct PlannedTaskRole: Sendable, Hashable {
    public var name: IAMName
    public var account: String
    public var region: String
    public var arn: String
}

public struct PlannedUseCase: Sendable, Hashable {
    public var useCase: UseCase
    /// The use case's shared-model accounts, in catalog order (the gateway's order of preference).
    public var accounts: [ModelAccount]
    /// Account id → ARN of the role the gateway assumes for this use case there.
    public var roleARNByAccount: [String: String]
    /// The allow-list, in catalog order.
    public var models: [Model]
    /// One per (account, model).
    public var grants: [ModelGrant]
    /// The role is shared with other use cases of its role group, so a session policy narrows it to this use case.
    public var sharesRole: Bool
}
