/// What a caller token must satisfy, and how the IdP's keys are found and refreshed.
///
/// ```swift
/// let configuration = JWTVerifierConfiguration(
///     issuer: "https://idp.example.com/realms/acme",
///     audience: "genai-gateway"
/// )
/// ```
public struct JWTVerifierConfiguration: Sendable, Hashable {
    /// The exact `iss` tokens must carry (the catalog's issuer). Also the base for OIDC discovery
    /// (`<issuer>/.well-known/openid-configuration`) when ``jwksURL`` is not set.
    public var issuer: String
    /// The inbound audience: a token's `aud` (string or array) must contain it.
    public var audience: String
    /// The claim holding the caller's IdP groups: an array of strings or a single string. Default `groups`.
    public var groupsClaim: String
    /// Tolerance for `exp`, `nbf` and `iat` against this host's clock. At most 60 s; default 60 s.
    public var maxClockSkew: Duration
    /// Where to fetch the JWKS. When `nil`, the `jwks_uri` of the issuer's discovery document is used.
    public var jwksURL: String?
    /// Least time between two JWKS fetches triggered by unknown key ids, so a flood of tokens with random
    /// `kid`s cannot hammer the IdP. At least 1 s; default 30 s.
    public var minimumRefreshInterval: Duration
    /// After this long the key set is refetched on the next lookup (still rate limited), so keys the IdP
    /// has withdrawn stop being trusted. On failure the old keys stay in use. Default 1 hour.
    public var maximumKeySetAge: Duration
    /// How many verified tokens to remember until they expire; the oldest is evicted first.
    /// 0 disables the cache. Default 10,000.
    public var tokenCacheCapacity: Int
    /// Longest accepted token, in bytes. Default 16 KiB.
    public var maximumTokenLength: Int

    /// Creates a configuration; every setting but the issuer and audience has a default.
    public init(
        issuer: String,
        audience: String,
        groupsClaim: String = "groups",
        maxClockSkew: Duration = .seconds(60),
        jwksURL: String? = nil,
        minimumRefreshInterval: Duration = .seconds(30),
        maximumKeySetAge: Duration = .seconds(3600),
        tokenCacheCapacity: Int = 10_000,
        maximumTokenLength: Int = 16 * 1024
    ) {
        self.issuer = issuer
        self.audience = audience
        self.groupsClaim = groupsClaim
        self.maxClockSkew = maxClockSkew
        self.jwksURL = jwksURL
        self.minimumRefreshInterval = minimumRefreshInterval
        self.maximumKeySetAge = maximumKeySetAge
        self.tokenCacheCapacity = tokenCacheCapacity
        self.maximumTokenLength = maximumTokenLength
    }

    /// Every problem with this configuration, one message per problem; empty when it is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if self.issuer.isEmpty {
            problems.append("issuer is empty; set it to the IdP's issuer URL exactly as tokens carry it in 'iss'")
        }
        if self.audience.isEmpty {
            problems.append("inbound audience is empty; set GATEWAY_INBOUND_AUDIENCE to the 'aud' caller tokens carry")
        }
        if self.groupsClaim.isEmpty {
            problems.append("groups claim name is empty; the default is 'groups'")
        }
        if self.maxClockSkew < .zero || self.maxClockSkew > .seconds(60) {
            problems.append("maximum clock skew is \(self.maxClockSkew); it must be between 0 and 60 seconds")
        }
        if self.minimumRefreshInterval < .seconds(1) {
            problems.append(
                "minimum JWKS refresh interval is \(self.minimumRefreshInterval); it must be at least 1 second (default 30)"
            )
        }
        if self.maximumKeySetAge < self.minimumRefreshInterval {
            problems.append("maximum key set age must not be shorter than the minimum refresh interval")
        }
        if self.tokenCacheCapacity < 0 {
            problems.append("token cache capacity is \(self.tokenCacheCapacity); it must be 0 (off) or more")
        }
        if self.maximumTokenLength < 64 {
            problems.append("maximum token length is \(self.maximumTokenLength) bytes; it must be at least 64")
        }
        if let url = self.jwksURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            problems.append("JWKS URL '\(url)' is not an http(s) URL")
        }
        if self.jwksURL == nil, !(self.issuer.hasPrefix("https://") || self.issuer.hasPrefix("http://")) {
            problems.append(
                "issuer '\(self.issuer)' is not an http(s) URL, so its discovery document cannot be fetched; set a JWKS URL"
            )
        }
        return problems
    }
}
