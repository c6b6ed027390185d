import UseCaseCatalog

/// The outcome of resolving a request's model id for a use case.
public enum ModelResolution: Sendable, Hashable {
    /// An explicit model.
    case target(ResolvedTarget)
    /// `auto`: the router picks between the use case's simple and complex models.
    case auto(AutoRouteTargets)
}

/// The two targets a routed (`auto`) request can go to, resolved in advance so routing costs no further lookup.
public struct AutoRouteTargets: Sendable, Hashable {
    /// The use case's routing section: model names and router thresholds.
    public let routing: Routing
    /// Target of requests classified simple.
    public let simple: ResolvedTarget
    /// Target of requests classified complex.
    public let complex: ResolvedTarget

    /// The target for a router decision.
    public func target(for tier: ModelTier) -> ResolvedTarget {
        switch tier {
        case .simple: simple
        case .complex: complex
        }
    }
}
