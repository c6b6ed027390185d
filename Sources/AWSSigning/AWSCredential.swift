import Foundation

/// A set of AWS credentials: long-lived keys or the temporary ones STS returns.
///
/// `description` never prints the secret key or the session token, so a credential can be
/// logged or interpolated into an error without leaking anything.
public struct AWSCredential: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When the credential stops being valid; `nil` for long-lived keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        var text = "AWSCredential(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ")"
    }

    /// The same redacted text as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the secrets, so `dump(_:)` and debuggers never print them.
    public var customMirror: Mirror {
        var children: [(label: String?, value: Any)] = [
            ("accessKeyId", accessKeyId),
            ("secretAccessKey", "<redacted>"),
        ]
        if sessionToken != nil { children.append(("sessionToken", "<redacted>")) }
        if let expiration { children.append(("expiration", expiration)) }
        return Mirror(self, children: children, displayStyle: .struct)
    }
}
