import Foundation

/// The registered claims of a JWT payload, decoded without verifying the signature.
///
/// Each claim is decoded on its own, so an unexpected type for one claim leaves only that claim `nil`.
struct JWTPayloadClaims: Decodable, Sendable {
    var iss: String?
    var sub: String?
    var aud: [String]?
    var exp: Double?
    var iat: Double?

    private enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat
    }

    /// Decodes the payload (second segment) of a compact JWS; `nil` when `compactJWT` is not one.
    init?(compactJWT: String) {
        let segments = compactJWT.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = Base64URL.decode(segments[1]),
            let claims = try? JSONDecoder().decode(JWTPayloadClaims.self, from: payload)
        else { return nil }
        self = claims
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try? container.decodeIfPresent(String.self, forKey: .iss)
        sub = try? container.decodeIfPresent(String.self, forKey: .sub)
        if let single = try? container.decodeIfPresent(String.self, forKey: .aud) {
            aud = [single]
        } else {
            aud = try? container.decodeIfPresent([String].self, forKey: .aud)
        }
        exp = try? container.decodeIfPresent(Double.self, forKey: .exp)
        iat = try? container.decodeIfPresent(Double.self, forKey: .iat)
    }
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use.
enum Base64URL {
    static func decode(_ text: Substring) -> Data? {
        var base64 = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
