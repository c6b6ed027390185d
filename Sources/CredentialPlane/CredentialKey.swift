import Crypto
import WebIdentity

/// Identifies one cached credential: the role, the session policy and (for per-caller token sources) the caller.
///
/// Two requests share a credential only when all three agree. ``storageKey`` is the stable string used in
/// the shared cache; it is built from the role ARN, the SHA-256 of the session policy and the SHA-256 of the
/// caller's issuer and subject, so it carries no secret and no caller identifier in clear text.
///
/// ```
/// gw:cred:v1:<policy sha-256 hex or "-">:<caller sha-256 hex or "-">:<role ARN>
/// ```
/// The two fixed-form fields come first, so the role ARN (which may contain `:`) cannot make two keys collide.
public struct CredentialKey: Hashable, Sendable, CustomStringConvertible {
    /// The role whose credentials these are.
    public let roleArn: String
    /// SHA-256 (lower-case hex) of the session policy, or `nil` when the request has none.
    public let sessionPolicyDigest: String?
    /// The issuer of the caller's token when the token source is per-caller.
    public let callerIssuer: String?
    /// The subject of the caller's token when the token source is per-caller.
    public let callerSubject: String?

    /// Prefix of every credential entry in the shared cache.
    public static let storagePrefix = "gw:cred:v1:"
    /// Prefix of the short-lived locks that make one replica call STS for a key.
    public static let lockPrefix = "gw:lock:v1:"

    /// Creates a key from its parts. Pass caller fields only for per-caller token sources.
    public init(
        roleArn: String,
        sessionPolicyDigest: String?,
        callerIssuer: String? = nil,
        callerSubject: String? = nil
    ) {
        self.roleArn = roleArn
        self.sessionPolicyDigest = sessionPolicyDigest
        self.callerIssuer = callerIssuer
        self.callerSubject = callerSubject
    }

    /// The key for `request` as seen from `context`.
    ///
    /// - Throws: ``CredentialPlaneError/missingCallerToken`` when the request's token source is per-caller
    ///   and `context` carries no caller token (or one without a subject): sharing the credential would
    ///   then mix callers.
    public init(request: CredentialRequest, context: TokenRequestContext) throws {
        if request.tokenSource.isPerCaller {
            // Assigned through optionals so the key does not depend on how the token types its claims.
            let callerSubject: String? = context.callerToken?.subject
            let callerIssuer: String? = context.callerToken?.issuer
            guard let callerSubject, !callerSubject.isEmpty else {
                throw CredentialPlaneError.missingCallerToken(
                    "the token source for role \(request.roleArn) passes the caller's token through, but the request "
                        + "has no caller token with a subject; authenticate the caller before asking for credentials"
                )
            }
            self.init(
                roleArn: request.roleArn,
                sessionPolicyDigest: request.sessionPolicyDigest,
                callerIssuer: callerIssuer ?? "",
                callerSubject: callerSubject
            )
        } else {
            self.init(roleArn: request.roleArn, sessionPolicyDigest: request.sessionPolicyDigest)
        }
    }

    /// The key of this credential in the shared cache (no secrets, no clear-text caller identity).
    public var storageKey: String { Self.storagePrefix + suffix }

    /// The key of the lock replicas take before calling STS for this credential.
    public var lockKey: String { Self.lockPrefix + suffix }

    private var suffix: String {
        var callerPart = "-"
        if let callerSubject {
            var hasher = SHA256()
            hasher.update(data: Array((callerIssuer ?? "").utf8))
            hasher.update(data: [0])
            hasher.update(data: Array(callerSubject.utf8))
            callerPart = Hex.encode(hasher.finalize())
        }
        return (sessionPolicyDigest ?? "-") + ":" + callerPart + ":" + roleArn
    }

    /// Names the role and whether a policy or caller is part of the key; never the caller's subject.
    public var description: String {
        "CredentialKey(role: \(roleArn), policy: \(sessionPolicyDigest.map { String($0.prefix(12)) } ?? "none"), "
            + "perCaller: \(callerSubject != nil))"
    }
}
