import Crypto
import WebIdentity

/// What the gateway asks the ``CredentialBroker`` for: credentials for one role, as one use case.
///
/// Build one per use case and account at configuration time and reuse it: the initializer validates the
/// values and hashes the session policy once, so a lookup does no hashing.
public struct CredentialRequest: Sendable {
    /// The role to assume.
    public let roleArn: String
    /// The Region whose STS endpoint is called (`https://sts.<region>.amazonaws.com`).
    public let stsRegion: String
    /// The use case's session policy, sent as `Policy` when its role is shared by a role group.
    public let sessionPolicy: String?
    /// SHA-256 (lower-case hex) of ``sessionPolicy``; part of the cache key.
    public let sessionPolicyDigest: String?
    /// The use case name, the stem of the `RoleSessionName` (visible in CloudTrail).
    public let useCase: String
    /// The requested session lifetime in seconds (900–43,200).
    public let durationSeconds: Int
    /// Where the web-identity token comes from.
    public let tokenSource: any WebIdentityTokenSource

    /// The allowed range of `DurationSeconds` for `AssumeRoleWithWebIdentity`.
    public static let durationRange = 900...43_200

    /// Creates and validates a request.
    ///
    /// - Parameters:
    ///   - roleArn: the role to assume.
    ///   - stsRegion: the Region of the STS endpoint.
    ///   - sessionPolicy: an optional inline session policy (1–2,048 characters).
    ///   - useCase: the use case name, used for the role session name.
    ///   - durationSeconds: the session lifetime, 900–43,200 seconds (default 3,600); it must not exceed
    ///     the role's `MaxSessionDuration`, which STS checks.
    ///   - tokenSource: the web-identity token source of the use case.
    /// - Throws: ``CredentialPlaneError/invalidRequest`` naming the offending field.
    public init(
        roleArn: String,
        stsRegion: String,
        sessionPolicy: String? = nil,
        useCase: String,
        durationSeconds: Int = 3_600,
        tokenSource: any WebIdentityTokenSource
    ) throws {
        guard roleArn.hasPrefix("arn:"), roleArn.utf8.count >= 20, roleArn.utf8.count <= 2_048 else {
            throw CredentialPlaneError.invalidRequest(
                "role ARN '\(roleArn)' is not a role ARN (expected arn:<partition>:iam::<account>:role/<name>)"
            )
        }
        guard !stsRegion.isEmpty else {
            throw CredentialPlaneError.invalidRequest("the STS Region for role \(roleArn) is empty; set it to a Region")
        }
        guard Self.durationRange.contains(durationSeconds) else {
            throw CredentialPlaneError.invalidRequest(
                "durationSeconds \(durationSeconds) for role \(roleArn) is outside 900...43200; "
                    + "choose a value in range that does not exceed the role's MaxSessionDuration"
            )
        }
        if let sessionPolicy, sessionPolicy.isEmpty || sessionPolicy.utf8.count > 2_048 {
            throw CredentialPlaneError.invalidRequest(
                "the session policy for role \(roleArn) has \(sessionPolicy.utf8.count) bytes; "
                    + "STS accepts 1...2048 (omit it, or shrink it)"
            )
        }
        self.roleArn = roleArn
        self.stsRegion = stsRegion
        self.sessionPolicy = sessionPolicy
        self.sessionPolicyDigest = sessionPolicy.map { Hex.encode(SHA256.hash(data: Array($0.utf8))) }
        self.useCase = useCase
        self.durationSeconds = durationSeconds
        self.tokenSource = tokenSource
    }
}
