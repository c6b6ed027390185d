/// What a ``WebIdentityTokenSource`` may need to know about the request it is getting a token for.
public struct TokenRequestContext: Sendable {
    /// The caller's own JWT, already validated by the gateway; used by ``PassthroughTokenSource``.
    public var callerToken: WebIdentityToken?

    /// - Parameter callerToken: the caller's validated JWT, when the gateway authenticated one.
    public init(callerToken: WebIdentityToken? = nil) {
        self.callerToken = callerToken
    }
}
