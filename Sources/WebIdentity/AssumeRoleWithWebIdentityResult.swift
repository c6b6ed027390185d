import AWSSigning

/// What STS returned for a successful `AssumeRoleWithWebIdentity` call.
public struct AssumeRoleWithWebIdentityResult: Sendable {
    /// The temporary credentials; ``AWSCredential/expiration`` is always set.
    public var credential: AWSCredential
    /// `AssumedRoleUser/Arn`, e.g. `arn:aws:sts::123456789012:assumed-role/Role/session`.
    public var assumedRoleArn: String?
    /// `AssumedRoleUser/AssumedRoleId`, e.g. `AROACLKWSDQRAOEXAMPLE:session`.
    public var assumedRoleId: String?
    /// The token's `sub` as STS saw it (absent from some implementations, e.g. moto).
    public var subjectFromWebIdentityToken: String?
    /// The token's audience as STS saw it.
    public var audience: String?
    /// The issuer of the token (`iss`) as STS saw it.
    public var provider: String?
    /// Packed size of the session policy and tags, as a percentage of the limit.
    public var packedPolicySize: Int?
    /// The session's source identity, when the token set one.
    public var sourceIdentity: String?
    /// STS's request id.
    public var requestId: String?

    /// Creates a result; ``STSClient`` parses these, test doubles of ``STSClientProtocol`` may build them.
    public init(
        credential: AWSCredential,
        assumedRoleArn: String? = nil,
        assumedRoleId: String? = nil,
        subjectFromWebIdentityToken: String? = nil,
        audience: String? = nil,
        provider: String? = nil,
        packedPolicySize: Int? = nil,
        sourceIdentity: String? = nil,
        requestId: String? = nil
    ) {
        self.credential = credential
        self.assumedRoleArn = assumedRoleArn
        self.assumedRoleId = assumedRoleId
        self.subjectFromWebIdentityToken = subjectFromWebIdentityToken
        self.audience = audience
        self.provider = provider
        self.packedPolicySize = packedPolicySize
        self.sourceIdentity = sourceIdentity
        self.requestId = requestId
    }
}
