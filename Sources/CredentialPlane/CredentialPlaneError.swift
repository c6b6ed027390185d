/// An error raised by the credential plane itself (configuration and cache rules).
///
/// Errors from STS and from token sources are not wrapped: they reach the caller unchanged, so the
/// gateway can name the role and the STS error code.
public struct CredentialPlaneError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidRequest
        case missingCallerToken
        case invalidEncryptionKey
        case invalidConfiguration
        case credentialNotUsable
        case alreadyRunning
    }

    private let code: Code
    /// What was wrong and how to fix it. Never contains a secret.
    public let message: String

    private init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A credential request is invalid (for example `durationSeconds` outside 900–43,200).
    public static let invalidRequest = Self(code: .invalidRequest, message: "invalid credential request")
    /// The token source is per-caller but the request carried no caller token.
    public static let missingCallerToken = Self(code: .missingCallerToken, message: "missing caller token")
    /// A cache encryption key could not be used.
    public static let invalidEncryptionKey = Self(code: .invalidEncryptionKey, message: "invalid encryption key")
    /// The broker configuration is inconsistent.
    public static let invalidConfiguration = Self(code: .invalidConfiguration, message: "invalid configuration")
    /// STS returned a credential that is already inside the expiry safety margin.
    public static let credentialNotUsable = Self(code: .credentialNotUsable, message: "credential not usable")
    /// `run()` was called on a broker that is already running or has run.
    public static let alreadyRunning = Self(code: .alreadyRunning, message: "broker already running")

    static func invalidRequest(_ message: String) -> Self { Self(code: .invalidRequest, message: message) }
    static func missingCallerToken(_ message: String) -> Self { Self(code: .missingCallerToken, message: message) }
    static func invalidEncryptionKey(_ message: String) -> Self { Self(code: .invalidEncryptionKey, message: message) }
    static func invalidConfiguration(_ message: String) -> Self { Self(code: .invalidConfiguration, message: message) }
    static func credentialNotUsable(_ message: String) -> Self { Self(code: .credentialNotUsable, message: message) }
    static func alreadyRunning(_ message: String) -> Self { Self(code: .alreadyRunning, message: message) }

    /// A stable, value-free name for metric labels and log metadata.
    public var shortDescription: String {
        switch code {
        case .invalidRequest: "invalid_request"
        case .missingCallerToken: "missing_caller_token"
        case .invalidEncryptionKey: "invalid_encryption_key"
        case .invalidConfiguration: "invalid_configuration"
        case .credentialNotUsable: "credential_not_usable"
        case .alreadyRunning: "already_running"
        }
    }

    public var description: String { "CredentialPlaneError.\(shortDescription): \(message)" }

    /// Errors compare by kind only, so `#expect(throws: CredentialPlaneError.missingCallerToken)` matches.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
