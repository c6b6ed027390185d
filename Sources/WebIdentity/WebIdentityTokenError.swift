/// Why a ``WebIdentityTokenSource`` could not produce a token.
///
/// Opaque: match on ``code`` (a bounded set, also ``shortDescription`` for metric labels). The message says
/// what was wrong and how to fix it; it never contains a token or a client secret.
public struct WebIdentityTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case noCallerToken = "NoCallerToken"
        case tokenFileMissing = "TokenFileMissing"
        case tokenFileUnreadable = "TokenFileUnreadable"
        case tokenFileEmpty = "TokenFileEmpty"
        case invalidConfiguration = "InvalidConfiguration"
        case discoveryFailed = "DiscoveryFailed"
        case tokenRequestRejected = "TokenRequestRejected"
        case invalidTokenResponse = "InvalidTokenResponse"
        case timeout = "Timeout"
        case transport = "Transport"
    }

    private let kind: Code
    /// What went wrong and how to fix it, in one line.
    public let message: String
    /// The token file or the URL involved, when there is one.
    public let location: String?
    /// The HTTP status the IdP answered with, for discovery and token-endpoint failures.
    public let httpStatus: Int?
    /// The OAuth2 `error` field of the token endpoint's answer (`invalid_client`, `invalid_scope`, …).
    public let oauthError: String?
    /// The OAuth2 `error_description` field of the token endpoint's answer.
    public let oauthErrorDescription: String?

    private init(
        _ kind: Code,
        _ message: String,
        location: String? = nil,
        httpStatus: Int? = nil,
        oauthError: String? = nil,
        oauthErrorDescription: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.location = location
        self.httpStatus = httpStatus
        self.oauthError = oauthError
        self.oauthErrorDescription = oauthErrorDescription
    }

    /// One of `NoCallerToken`, `TokenFileMissing`, `TokenFileUnreadable`, `TokenFileEmpty`,
    /// `InvalidConfiguration`, `DiscoveryFailed`, `TokenRequestRejected`, `InvalidTokenResponse`, `Timeout`,
    /// `Transport`.
    public var code: String { kind.rawValue }

    /// A label from a bounded set, for metrics; equal to ``code``.
    public var shortDescription: String { kind.rawValue }

    /// Whether trying again later may succeed without a configuration change.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .transport, .discoveryFailed:
            return true
        case .tokenRequestRejected:
            guard let httpStatus else { return false }
            return httpStatus >= 500 || httpStatus == 429
        case .noCallerToken, .tokenFileMissing, .tokenFileUnreadable, .tokenFileEmpty, .invalidConfiguration,
            .invalidTokenResponse:
            return false
        }
    }

    /// One line: code, file or URL, HTTP status and the message.
    public var description: String {
        var text = "WebIdentityTokenError \(kind.rawValue)"
        if let location { text += " (\(location))" }
        if let httpStatus { text += " HTTP \(httpStatus)" }
        text += ": \(message)"
        return text
    }

    static func noCallerToken() -> Self {
        Self(
            .noCallerToken,
            "the passthrough token source needs the caller's validated JWT, but the request context has none; "
                + "authenticate the caller before asking for credentials, or configure another token source"
        )
    }

    static func tokenFileMissing(path: String) -> Self {
        Self(
            .tokenFileMissing,
            "the web identity token file does not exist; check the projected service-account token volume "
                + "mount and AWS_WEB_IDENTITY_TOKEN_FILE",
            location: path
        )
    }

    static func tokenFileUnreadable(path: String, reason: String) -> Self {
        Self(
            .tokenFileUnreadable,
            "the web identity token file cannot be read (\(reason)); check its permissions for the gateway's user",
            location: path
        )
    }

    static func tokenFileEmpty(path: String) -> Self {
        Self(
            .tokenFileEmpty,
            "the web identity token file is empty or only whitespace; the token projector has not written it yet "
                + "or wrote nothing",
            location: path
        )
    }

    static func invalidConfiguration(_ message: String, location: String? = nil) -> Self {
        Self(.invalidConfiguration, message, location: location)
    }

    static func discoveryFailed(url: String, httpStatus: Int? = nil, reason: String) -> Self {
        Self(
            .discoveryFailed,
            "OpenID discovery failed: \(reason); check the configured issuer URL or configure the token endpoint "
                + "directly",
            location: url,
            httpStatus: httpStatus
        )
    }

    static func tokenRequestRejected(
        url: String,
        httpStatus: Int,
        oauthError: String?,
        oauthErrorDescription: String?
    ) -> Self {
        var reason = "the token endpoint refused the client_credentials request"
        if let oauthError { reason += ": \(oauthError)" }
        if let oauthErrorDescription { reason += " (\(oauthErrorDescription))" }
        switch oauthError {
        case "invalid_client":
            reason += "; check the client id and secret registered at the IdP"
        case "unauthorized_client":
            reason += "; allow the client_credentials grant for this client at the IdP"
        case "invalid_scope":
            reason += "; check the configured scope"
        case "invalid_target":
            reason += "; check the configured audience"
        default:
            if httpStatus >= 500 { reason += "; the IdP failed, it will be retried" }
        }
        return Self(
            .tokenRequestRejected,
            reason,
            location: url,
            httpStatus: httpStatus,
            oauthError: oauthError,
            oauthErrorDescription: oauthErrorDescription
        )
    }

    static func invalidTokenResponse(url: String, reason: String) -> Self {
        Self(.invalidTokenResponse, "the token endpoint's answer is unusable: \(reason)", location: url)
    }

    static func timeout(url: String) -> Self {
        Self(.timeout, "the identity provider did not answer in time; check network access to it", location: url)
    }

    static func transport(url: String, reason: String) -> Self {
        Self(
            .transport,
            "could not talk to the identity provider (\(reason)); check DNS, network access and TLS trust",
            location: url
        )
    }
}
