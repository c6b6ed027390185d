/// A failed `AssumeRoleWithWebIdentity` call.
///
/// Its ``description`` is one line an operator can fix a trust-policy mismatch from: the role ARN, the STS
/// error code and message, and the web-identity token's unverified `iss`, `aud` and `sub`, never the token:
///
/// ```
/// STS AssumeRoleWithWebIdentity failed for role arn:aws:iam::111111111111:role/ACME-UseCaseA: AccessDenied
/// (HTTP 403, 1 attempt): Not authorized to perform sts:AssumeRoleWithWebIdentity; token iss=https://idp
/// aud=genai-gateway sub=gateway; hint: the role's trust policy did not match the token …
/// ```
public struct STSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// STS error codes and the codes this client uses for failures that never reached STS.
    public enum Codes {
        /// STS: the role's trust policy did not match the token (HTTP 403).
        public static let accessDenied = "AccessDenied"
        /// STS: the token's `exp` has passed.
        public static let expiredToken = "ExpiredTokenException"
        /// STS: the IdP could not be reached; retried.
        public static let idpCommunicationError = "IDPCommunicationError"
        /// STS: the IdP rejected the token (HTTP 403).
        public static let idpRejectedClaim = "IDPRejectedClaim"
        /// STS: the token could not be validated; retried at most twice.
        public static let invalidIdentityToken = "InvalidIdentityToken"
        /// STS: the session policy is malformed.
        public static let malformedPolicyDocument = "MalformedPolicyDocument"
        /// STS: session policy and tags exceed the packed size limit.
        public static let packedPolicyTooLarge = "PackedPolicyTooLarge"
        /// STS: STS is not activated in the Region (HTTP 403).
        public static let regionDisabled = "RegionDisabledException"
        /// STS: rate limit exceeded; retried.
        public static let throttling = "Throttling"
        /// STS: a parameter failed STS's validation.
        public static let validationError = "ValidationError"
        /// Local: the request was rejected before calling STS (duration, session name, policy, …).
        public static let invalidParameter = "InvalidParameter"
        /// Local: no answer within the request timeout.
        public static let timeout = "Timeout"
        /// Local: connection or TLS failure.
        public static let transport = "Transport"
        /// Local: a 200 answer that is not a usable `AssumeRoleWithWebIdentityResponse`.
        public static let invalidResponse = "InvalidResponse"
        /// Local: an error status whose body is not an STS error document.
        public static let unrecognizedResponse = "UnrecognizedResponse"

        static let known: Set<String> = [
            accessDenied, expiredToken, idpCommunicationError, idpRejectedClaim, invalidIdentityToken,
            malformedPolicyDocument, packedPolicyTooLarge, regionDisabled, throttling, validationError,
            invalidParameter, timeout, transport, invalidResponse, unrecognizedResponse, "InternalFailure",
            "ServiceUnavailable",
        ]
    }

    /// The STS error code (`AccessDenied`, `InvalidIdentityToken`, …) or a local one from ``Codes``.
    public let code: String
    /// STS's message, or what went wrong locally.
    public let message: String
    /// The role that could not be assumed.
    public let roleArn: String
    /// The HTTP status STS answered with; `nil` when no answer arrived.
    public let httpStatus: Int?
    /// How many attempts were made, retries included.
    public let attempts: Int
    /// STS's request id, for AWS support.
    public let requestId: String?
    /// The token's unverified `iss` claim.
    public let tokenIssuer: String?
    /// The token's unverified `aud` claim.
    public let tokenAudience: [String]
    /// The token's unverified `sub` claim.
    public let tokenSubject: String?

    /// Creates an error; ``STSClient`` makes these, test doubles of ``STSClientProtocol`` may too.
    ///
    /// - Parameter token: only its claims are kept; its value is also scrubbed from `message`.
    public init(
        code: String,
        message: String,
        roleArn: String,
        httpStatus: Int? = nil,
        attempts: Int = 1,
        requestId: String? = nil,
        token: WebIdentityToken? = nil
    ) {
        self.code = code
        if let token, token.value.count >= 4, message.contains(token.value) {
            self.message = message.replacingOccurrences(of: token.value, with: "<redacted token>")
        } else {
            self.message = message
        }
        self.roleArn = roleArn
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.requestId = requestId
        self.tokenIssuer = token?.issuer
        self.tokenAudience = token?.audience ?? []
        self.tokenSubject = token?.subject
    }

    /// Whether trying again later may succeed without changing the role, the token or the request:
    /// throttling, IdP communication errors, 5xx, timeouts and transport errors.
    public var isRetryable: Bool {
        STSRetryPolicy.isRetryable(code: code, httpStatus: httpStatus)
    }

    /// A label from a bounded set, for metrics: the known STS codes, the local codes, or `Other`.
    public var shortDescription: String {
        Codes.known.contains(code) ? code : "Other"
    }

    /// The token's unverified `aud` claim joined with commas, or `nil`.
    public var tokenAudienceSummary: String? {
        tokenAudience.isEmpty ? nil : tokenAudience.joined(separator: ",")
    }

    /// What to do about this error.
    public var hint: String {
        switch code {
        case Codes.accessDenied:
            return "the role's trust policy did not match the token: compare its Principal.Federated OIDC provider "
                + "(in the role's own account) and its aud/sub conditions with the token claims above"
        case Codes.invalidIdentityToken:
            return "STS could not validate the token: the IAM OIDC provider URL must equal iss exactly, its client "
                + "ID list must contain aud, and STS must be able to fetch the issuer's JWKS"
        case Codes.expiredToken:
            return "the web identity token expired: fetch a new one (check the token source's refresh margin)"
        case Codes.idpRejectedClaim:
            return "the identity provider rejected the token's claims: get a new token"
        case Codes.idpCommunicationError:
            return "STS could not reach the identity provider's JWKS endpoint; usually transient"
        case Codes.regionDisabled:
            return "STS is not activated in this Region for the role's account: activate it or use another "
                + "Region's endpoint"
        case Codes.packedPolicyTooLarge:
            return "the session policy and session tags are too large: shrink the use case's session policy"
        case Codes.malformedPolicyDocument:
            return "the session policy is not a valid IAM policy document: fix the use case's session policy"
        case Codes.throttling:
            return "STS rate limit for this account and endpoint: credentials should be cached until near expiry"
        case Codes.validationError, Codes.invalidParameter:
            return "fix the request parameters named in the message"
        case Codes.timeout, Codes.transport:
            return "check network access, DNS and TLS trust to the STS endpoint"
        default:
            if let httpStatus, httpStatus >= 500 { return "STS failed on its side; usually transient" }
            return "see the STS message"
        }
    }

    /// One line: role ARN, code, HTTP status, attempts, STS message, token iss/aud/sub, request id, hint.
    public var description: String {
        var text = "STS AssumeRoleWithWebIdentity failed for role \(roleArn): \(code) ("
        if let httpStatus { text += "HTTP \(httpStatus), " }
        text += attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        text += "): \(Self.singleLine(message)); token iss=\(tokenIssuer ?? "-") "
        text += "aud=\(tokenAudienceSummary ?? "-") sub=\(tokenSubject ?? "-")"
        if let requestId { text += "; request id \(requestId)" }
        return text + "; hint: \(hint)"
    }

    /// A copy with another attempt count.
    func with(attempts: Int) -> STSError {
        STSError(copying: self, attempts: attempts)
    }

    private init(copying other: STSError, attempts: Int) {
        self.code = other.code
        self.message = other.message
        self.roleArn = other.roleArn
        self.httpStatus = other.httpStatus
        self.attempts = attempts
        self.requestId = other.requestId
        self.tokenIssuer = other.tokenIssuer
        self.tokenAudience = other.tokenAudience
        self.tokenSubject = other.tokenSubject
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
