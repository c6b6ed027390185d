/// The two model tiers the router chooses between for `modelId` `auto`.
///
/// The raw values are what the gateway sends in the `x-gateway-route` response header.
public enum RouteTier: String, Sendable, Hashable, Codable, CaseIterable {
    /// A cheap, fast model (the use case's `routing.simple`, for example Titan Text).
    case simple
    /// A strong model (the use case's `routing.complex`, for example Claude).
    case complex
}
