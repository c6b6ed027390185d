/// The JWS algorithms accepted. Everything else, `none` and the HMAC family included, is refused.
enum JWTAlgorithm: String, Sendable {
    case rs256 = "RS256"
    case es256 = "ES256"
}
