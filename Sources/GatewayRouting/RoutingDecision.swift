/// What the router decided for one request, and why.
public struct RoutingDecision: Sendable, Hashable, CustomStringConvertible {
    /// The tier whose model should serve the request.
    public var tier: RouteTier
    /// A short, human-readable explanation, for example `complex: code block, 3 sub-tasks` or
    /// `simple: short question (9 words)`.
    ///
    /// Always printable ASCII and at most ``RoutingDecision/maximumReasonLength`` characters, so it can be
    /// sent unchanged as the `x-gateway-route-reason` header and written to the audit log.
    public var reason: String
    /// The weighted evidence for a complex request; the request is complex when the score reaches the
    /// configured ``RouterConfiguration/complexThreshold``.
    public var score: Double

    /// The longest ``reason`` the classifier produces.
    public static let maximumReasonLength = 120

    public init(tier: RouteTier, reason: String, score: Double) {
        self.tier = tier
        self.reason = reason
        self.score = score
    }

    public var description: String { reason }
}
