extension JWTVerifier {
    /// Extracts the JWT from an `Authorization` header value of the form `Bearer <JWT>`, as botocore sends it
    /// when `AWS_BEARER_TOKEN_BEDROCK` is set.
    ///
    /// - Throws: ``AuthError/missingToken`` when the header is absent, empty or carries another scheme (such
    ///   as a SigV4 signature). The header value is never quoted in the error.
    public static func bearerToken(fromAuthorizationHeader value: String?) throws(AuthError) -> String {
        guard let value, !value.allSatisfy(\.isWhitespace) else {
            throw .missingToken(
                "missing Authorization header; send 'Authorization: Bearer <JWT>' (boto3 does when AWS_BEARER_TOKEN_BEDROCK is set)"
            )
        }
        let trimmed = value.drop { $0 == " " || $0 == "\t" }
        let scheme = trimmed.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else {
            let hint =
                scheme.hasPrefix("AWS4-")
                ? "it carries a SigV4 signature; set AWS_BEARER_TOKEN_BEDROCK to your IdP token so the SDK sends it as a bearer token"
                : "its scheme is not 'Bearer'"
            throw .missingToken("the Authorization header holds no bearer token: \(hint)")
        }
        let token = trimmed.dropFirst(scheme.count).drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        guard let end else {
            throw .missingToken("the Authorization header says 'Bearer' but carries no token")
        }
        return String(token[...end])
    }
}
