import StrictJSON

/// A compact JWS split into its parts, with the header decoded. Parsing checks structure only; nothing here
/// is trusted until the signature verifies.
struct CompactJWS {
    /// The protected header members this verifier reads. `jku`, `x5u`, `jwk` and `x5c` are deliberately
    /// ignored: keys come only from the configured JWKS, never from the token.
    struct Header {
        var alg: String
        var kid: String?
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
        // Offsets of the first dots (at most five are needed to tell a JWS from a JWE from garbage).
        var dotOffsets: [Int] = []
        dotOffsets.reserveCapacity(5)
        var offset = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                dotOffsets.append(offset)
                if dotOffsets.count > 4 { break }
            }
            offset += 1
        }
        guard dotOffsets.count == 2 else {
            let parts = dotOffsets.count + 1
            throw .malformed(
                parts == 5
                    ? "the token has 5 parts, an encrypted JWE; a signed JWS (header.payload.signature) is required"
                    : "expected a compact JWS of 3 base64url parts separated by '.', found \(parts > 5 ? "more than 5" : String(parts))"
            )
        }
        let dots = dotOffsets.map { utf8.index(utf8.startIndex, offsetBy: $0) }
        let headerPart = token[token.startIndex..<dots[0]]
        let payloadPart = token[token.index(after: dots[0])..<dots[1]]
        let signaturePart = token[token.index(after: dots[1])...]

        guard let headerBytes = Base64URL.decode(headerPart.utf8) else {
            throw .malformed("the header part is not base64url")
        }
        guard case .object(let members) = JSONValue.parse(headerBytes), case .string(let alg) = members["alg"] else {
            throw .malformed("the header is not a JSON object with a string 'alg'")
        }
        // The algorithm is checked before anything else in the token is looked at.
        guard JWTAlgorithm(rawValue: alg) != nil else {
            throw .unsupportedAlgorithm("alg '\(Sanitize.quoted(alg))' is not accepted; use RS256 or ES256")
        }
        if let critical = members["crit"] {
            let names: String
            if case .array(let elements) = critical {
                names = elements.map { "'\(Sanitize.quoted($0.stringValue ?? "?"))'" }.joined(separator: ", ")
            } else {
                names = "?"
            }
            throw .malformed(
                "the header marks extensions as critical (\(names)), which this verifier does not support"
            )
        }
        let kid: String?
        switch members["kid"] {
        case nil, .null: kid = nil
        case .string(let value): kid = value
        default: throw .malformed("the header's 'kid' must be a string")
        }
        let header = Header(alg: alg, kid: kid)
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
