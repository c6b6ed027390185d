import Foundation

/// A compact JWS split into its parts, with the header decoded. Parsing checks structure only; nothing here
/// is trusted until the signature verifies.
struct CompactJWS {
    /// The protected header members this verifier reads. `jku`, `x5u`, `jwk` and `x5c` are deliberately
    /// ignored: keys come only from the configured JWKS, never from the token.
    struct Header: Decodable {
        var alg: String
        var kid: String?
        var crit: [String]?
    }

    let header: Header
    /// The decoded claims JSON (the payload).
    let payload: [UInt8]
    /// `base64url(header) . base64url(payload)`, the bytes the signature covers.
    let signingInput: Substring.UTF8View
    let signature: [UInt8]

    init(_ token: String, maximumLength: Int) throws(AuthError) {
        let utf8 = token.utf8
        guard !utf8.isEmpty else {
            throw .missingToken("the bearer token is empty; send 'Authorization: Bearer <JWT>'")
        }
        guard utf8.count <= maximumLength else {
            throw .malformed("the token is \(utf8.count) bytes; the limit is \(maximumLength)")
        }
        var dots: [String.Index] = []
        for index in utf8.indices where utf8[index] == UInt8(ascii: ".") {
            dots.append(index)
            if dots.count > 4 { break }
        }
        guard dots.count == 2 else {
            let parts = dots.count + 1
            throw .malformed(
                parts == 5
                    ? "the token has 5 parts, an encrypted JWE; a signed JWS (header.payload.signature) is required"
                    : "expected a compact JWS of 3 base64url parts separated by '.', found \(parts > 5 ? "more than 5" : String(parts))"
            )
        }
        let headerPart = token[token.startIndex..<dots[0]]
        let payloadPart = token[token.index(after: dots[0])..<dots[1]]
        let signaturePart = token[token.index(after: dots[1])...]

        guard let headerBytes = Base64URL.decode(headerPart.utf8) else {
            throw .malformed("the header part is not base64url")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch {
            throw .malformed("the header is not a JSON object with a string 'alg'")
        }
        // The algorithm is checked before anything else in the token is looked at.
        guard JWTAlgorithm(rawValue: header.alg) != nil else {
            throw .unsupportedAlgorithm("alg '\(Sanitize.quoted(header.alg))' is not accepted; use RS256 or ES256")
        }
        if let critical = header.crit {
            throw .malformed(
                "the header marks extensions as critical (\(critical.map { "'\(Sanitize.quoted($0))'" }.joined(separator: ", "))), which this verifier does not support"
            )
        }
        guard let payload = Base64URL.decode(payloadPart.utf8) else {
            throw .malformed("the payload part is not base64url")
        }
        guard !signaturePart.isEmpty else {
            throw .malformed("the signature part is empty")
        }
        guard let signature = Base64URL.decode(signaturePart.utf8) else {
            throw .malformed("the signature part is not base64url")
        }
        self.header = header
        self.payload = payload
        self.signingInput = token[token.startIndex..<dots[1]].utf8
        self.signature = signature
    }

    var algorithm: JWTAlgorithm { JWTAlgorithm(rawValue: self.header.alg)! }
}
