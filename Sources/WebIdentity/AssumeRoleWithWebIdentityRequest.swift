/// The parameters of one STS `AssumeRoleWithWebIdentity` call.
public struct AssumeRoleWithWebIdentityRequest: Sendable {
    /// The shortest and longest sessions STS grants, in seconds.
    public static let durationSecondsRange = 900...43_200
    /// The longest inline session policy STS accepts, in characters.
    public static let maximumPolicyLength = 2_048

    /// The role to assume (`arn:aws:iam::<account>:role/<name>`).
    public var roleArn: String
    /// The session name, `[\w+=,.@-]{2,64}`; see ``RoleSessionName``.
    public var roleSessionName: String
    /// The token STS verifies against the role's trust policy.
    public var webIdentityToken: WebIdentityToken
    /// 900–43,200 and at most the role's `MaxSessionDuration`; `nil` lets STS use 3,600.
    public var durationSeconds: Int?
    /// An inline session policy (JSON, ≤ 2,048 characters in `\t \n \r` and U+0020–U+00FF) that narrows the
    /// role's permissions for this session.
    public var policy: String?

    /// Creates a request; call ``validate()`` (``STSClient`` does) to check it against STS's constraints.
    public init(
        roleArn: String,
        roleSessionName: String,
        webIdentityToken: WebIdentityToken,
        durationSeconds: Int? = nil,
        policy: String? = nil
    ) {
        self.roleArn = roleArn
        self.roleSessionName = roleSessionName
        self.webIdentityToken = webIdentityToken
        self.durationSeconds = durationSeconds
        self.policy = policy
    }

    /// Checks the STS parameter constraints locally.
    ///
    /// - Throws: ``STSError`` with code `InvalidParameter` naming the parameter and the rule.
    public func validate() throws(STSError) {
        func invalid(_ message: String) -> STSError {
            STSError(code: STSError.Codes.invalidParameter, message: message, roleArn: roleArn, attempts: 0,
                token: webIdentityToken)
        }
        let arnLength = roleArn.utf8.count
        guard (20...2_048).contains(arnLength), roleArn.hasPrefix("arn:"), roleArn.contains(":role/") else {
            throw invalid("RoleArn must be a role ARN like arn:aws:iam::123456789012:role/Name (20-2048 characters)")
        }
        guard RoleSessionName.isValid(roleSessionName) else {
            throw invalid(
                "RoleSessionName '\(roleSessionName)' must be 2-64 characters of letters, digits and _+=,.@- "
                    + "(use RoleSessionName.make)"
            )
        }
        let tokenLength = webIdentityToken.value.utf8.count
        guard (4...20_000).contains(tokenLength) else {
            throw invalid("WebIdentityToken must be 4-20000 characters long, it is \(tokenLength)")
        }
        if let durationSeconds, !Self.durationSecondsRange.contains(durationSeconds) {
            throw invalid(
                "DurationSeconds \(durationSeconds) is outside 900-43200 (and must not exceed the role's "
                    + "MaxSessionDuration)"
            )
        }
        if let policy {
            let length = policy.unicodeScalars.count
            guard (1...Self.maximumPolicyLength).contains(length) else {
                throw invalid("Policy is \(length) characters; a session policy must be 1-2048 characters")
            }
            if let bad = policy.unicodeScalars.first(where: { !Self.isPolicyCharacter($0) }) {
                let code = "U+" + String(bad.value, radix: 16, uppercase: true)
                throw invalid(
                    "Policy contains \(code); only tab, newline, carriage return and U+0020-U+00FF are allowed"
                )
            }
        }
    }

    /// The form-encoded request body.
    var formBody: String {
        var pairs: [(String, String)] = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", roleArn),
            ("RoleSessionName", roleSessionName),
            ("WebIdentityToken", webIdentityToken.value),
        ]
        if let durationSeconds { pairs.append(("DurationSeconds", String(durationSeconds))) }
        if let policy { pairs.append(("Policy", policy)) }
        return FormURLEncoding.encode(pairs)
    }

    private static func isPolicyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || (0x20...0xFF).contains(scalar.value)
    }
}
