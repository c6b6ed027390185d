import AWSSigning

/// The answer of ``CredentialBroker/credentials(for:context:logger:)``.
public struct CredentialLookup: Sendable, CustomStringConvertible {
    /// Credentials valid for at least the broker's expiry margin (60 s by default).
    public var credential: AWSCredential
    /// Which layer answered.
    public var layer: CacheLayer

    public init(credential: AWSCredential, layer: CacheLayer) {
        self.credential = credential
        self.layer = layer
    }

    public var description: String { "CredentialLookup(\(credential), layer: \(layer.rawValue))" }
}
