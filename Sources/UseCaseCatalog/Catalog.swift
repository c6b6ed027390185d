/// The platform team's single source of truth: org, IdP, accounts, models and use cases.
///
/// Loaded from `policies/catalog.yaml` by ``CatalogLoader``. Both `gen-iam` (what IAM grants) and the gateway
/// (what it allows) read this one model, so the two enforcement layers cannot drift apart.
public struct Catalog: Sendable, Hashable {
    /// `OrgPrefix` of every name, `[A-Za-z0-9]+`.
    public var org: String
    /// `Layer` of the shared-model-account roles, `[A-Za-z0-9]+`.
    public var layer: String
    public var identityProvider: IdentityProvider
    public var gateway: Gateway
    public var modelAccounts: [ModelAccount]
    public var models: [Model]
    public var useCases: [UseCase]
    /// The file the catalog was read from, as given to the loader.
    public var sourceFile: String
    /// Where each field path (e.g. `use_cases[1].models[0]`) stands in ``sourceFile``, for diagnostics.
    public var locations: [String: SourceLocation] = [:]

    public init(
        org: String,
        layer: String,
        identityProvider: IdentityProvider,
        gateway: Gateway,
        modelAccounts: [ModelAccount],
        models: [Model],
        useCases: [UseCase],
        sourceFile: String = "catalog.yaml"
    ) {
        self.org = org
        self.layer = layer
        self.identityProvider = identityProvider
        self.gateway = gateway
        self.modelAccounts = modelAccounts
        self.models = models
        self.useCases = useCases
        self.sourceFile = sourceFile
    }

    public func model(named name: String) -> Model? { models.first { $0.name == name } }

    /// A diagnostic at a field path, located in the source file when the path is known (or its nearest parent).
    public func diagnostic(_ field: String, _ message: String, rule: String? = nil, value: String? = nil) -> Diagnostic {
        var location = locations[field]
        var parent = field
        while location == nil, let cut = parent.lastIndex(where: { $0 == "." || $0 == "[" }) {
            parent = String(parent[..<cut])
            location = locations[parent]
        }
        return Diagnostic(location: location, field: field, message: message, rule: rule, value: value)
    }
    public func modelAccount(named name: String) -> ModelAccount? { modelAccounts.first { $0.name == name } }
    public func useCase(id: String) -> UseCase? { useCases.first { $0.id == id } }
}

/// The enterprise OIDC identity provider.
public struct IdentityProvider: Sendable, Hashable {
    /// `ProviderName` in `<OrgPrefix>-IdP-<ProviderName>`, `[A-Za-z0-9]+`.
    public var name: String
    /// The `iss` of the IdP's tokens; registered as an IAM OIDC provider in every shared-model account.
    public var issuer: String
    /// The `aud` of the web-identity tokens presented to STS; the OIDC provider's client id.
    public var audience: String
    /// The `sub` pinned in trust policies, if any.
    public var subject: String?
    /// When set, trust policies require this session tag (ABAC) from the IdP's `https://aws.amazon.com/tags` claim.
    public var sessionTagKey: String?
    /// Optional SHA-1 thumbprints (40 hex chars) of the JWKS endpoint's certificate chain.
    public var thumbprints: [String]

    public init(
        name: String,
        issuer: String,
        audience: String,
        subject: String? = nil,
        sessionTagKey: String? = nil,
        thumbprints: [String] = []
    ) {
        self.name = name
        self.issuer = issuer
        self.audience = audience
        self.subject = subject
        self.sessionTagKey = sessionTagKey
        self.thumbprints = thumbprints
    }

    /// The issuer URL without `https://` and without a trailing slash: the OIDC provider's ARN suffix and the
    /// prefix of its condition keys (`<hostPath>:aud`).
    public var hostPath: String {
        var text = issuer
        if text.hasPrefix("https://") { text.removeFirst("https://".count) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// The central account that runs the gateway's ECS tasks.
public struct Gateway: Sendable, Hashable {
    public var account: String
    public var region: String
    /// CloudWatch log group the task writes to.
    public var logGroup: String
    /// Names of the Secrets Manager secrets the task reads (cache key, IdP client secret).
    public var secrets: [String]

    public init(account: String, region: String, logGroup: String, secrets: [String]) {
        self.account = account
        self.region = region
        self.logGroup = logGroup
        self.secrets = secrets
    }
}

/// A shared-model account: where the models are invoked, the roles live and the OIDC provider is registered.
public struct ModelAccount: Sendable, Hashable {
    /// Label the use cases refer to.
    public var name: String
    /// 12-digit account id.
    public var account: String
    /// Regions the gateway invokes models in, in order of preference.
    public var regions: [String]

    public init(name: String, account: String, regions: [String]) {
        self.name = name
        self.account = account
        self.regions = regions
    }
}

/// `simple` models are cheap and fast; `complex` ones are strong. Router defaults use it.
public enum ModelTier: String, Sendable, Hashable, CaseIterable {
    case simple
    case complex
}

/// A Bedrock model the catalog makes available.
public struct Model: Sendable, Hashable {
    /// Logical name apps may send as `modelId`.
    public var name: String
    /// `ModelProvider` part of policy names, `[A-Za-z0-9]+` (e.g. `Anthropic`, `AmazonTitan`).
    public var provider: String
    /// The Bedrock foundation-model id, e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`.
    public var modelId: String
    public var tier: ModelTier
    /// Set when the model is invoked through a cross-Region inference profile.
    public var inferenceProfile: InferenceProfile?

    public init(name: String, provider: String, modelId: String, tier: ModelTier, inferenceProfile: InferenceProfile? = nil) {
        self.name = name
        self.provider = provider
        self.modelId = modelId
        self.tier = tier
        self.inferenceProfile = inferenceProfile
    }

    /// The id sent upstream to Bedrock: the profile id when there is one, else the model id.
    public var invokeId: String { inferenceProfile?.id ?? modelId }
}

/// A system-defined cross-Region inference profile, `<geo>.<model id>`.
public struct InferenceProfile: Sendable, Hashable {
    public var id: String
    /// Every Region the profile may route to; the foundation model is granted in each.
    public var destinationRegions: [String]

    public init(id: String, destinationRegions: [String]) {
        self.id = id
        self.destinationRegions = destinationRegions
    }

    /// The geography prefix (`us`, `eu`, `apac`, `global`, ...).
    public var geography: String {
        guard let dot = id.firstIndex(of: ".") else { return id }
        return String(id[..<dot])
    }
}

/// Simple/complex routing for `modelId: auto`.
public struct Routing: Sendable, Hashable {
    /// Logical name of the model for simple requests.
    public var simple: String
    /// Logical name of the model for complex requests.
    public var complex: String
    /// Router thresholds and weights, by key (see the router's configuration reference).
    public var thresholds: [String: Double]

    public init(simple: String, complex: String, thresholds: [String: Double] = [:]) {
        self.simple = simple
        self.complex = complex
        self.thresholds = thresholds
    }
}

/// An application use case: who may call, through which accounts, which models.
public struct UseCase: Sendable, Hashable {
    /// The `use_case_id` apps send, `[A-Za-z0-9]+`.
    public var id: String
    /// Use cases sharing a role group share one role per account. Defaults to `id`.
    public var roleGroup: String
    /// The caller must belong to at least one of these IdP groups (enforced by the gateway).
    public var idpGroups: [String]
    /// Names of the model accounts serving this use case.
    public var accounts: [String]
    /// Logical names of the models this use case may call.
    public var models: [String]
    public var routing: Routing?

    public init(
        id: String,
        roleGroup: String? = nil,
        idpGroups: [String],
        accounts: [String],
        models: [String],
        routing: Routing? = nil
    ) {
        self.id = id
        self.roleGroup = roleGroup ?? id
        self.idpGroups = idpGroups
        self.accounts = accounts
        self.models = models
        self.routing = routing
    }
}
