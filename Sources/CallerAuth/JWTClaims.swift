import Foundation

/// The registered claims the verifier checks, plus the configured groups claim.
struct JWTClaims {
    var issuer: String?
    var subject: String?
    /// `aud` normalized to a list; `nil` when absent.
    var audience: [String]?
    var expiresAt: Double?
    var notBefore: Double?
    var issuedAt: Double?
    var groups: [String]

    /// Decodes the claims set, naming the claim at fault when one has the wrong type.
    init(json: [UInt8], groupsClaim: String) throws(AuthError) {
        let decoder = JSONDecoder()
        decoder.userInfo[Decoded.groupsClaimKey] = groupsClaim
        do {
            let decoded = try decoder.decode(Decoded.self, from: Data(json))
            self = decoded.claims
        } catch let error as ClaimTypeError {
            throw .malformed("claim '\(Sanitize.quoted(error.claim))' must be \(error.expected)")
        } catch {
            throw .malformed("the payload is not a JSON object")
        }
    }

    private struct ClaimTypeError: Error {
        var claim: String
        var expected: String
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { self.stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Decoded: Decodable {
        static let groupsClaimKey = CodingUserInfoKey(rawValue: "gw.groupsClaim")!
        var claims: JWTClaims

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            func string(_ name: String) throws -> String? {
                do {
                    return try container.decodeIfPresent(String.self, forKey: Key(name))
                } catch {
                    throw ClaimTypeError(claim: name, expected: "a string")
                }
            }
            func numericDate(_ name: String) throws -> Double? {
                let value: Double?
                do {
                    value = try container.decodeIfPresent(Double.self, forKey: Key(name))
                } catch {
                    throw ClaimTypeError(claim: name, expected: "a number of seconds since 1970 (NumericDate)")
                }
                guard let value else { return nil }
                guard value.isFinite else {
                    throw ClaimTypeError(claim: name, expected: "a finite NumericDate")
                }
                return value
            }
            func stringOrList(_ name: String) throws -> [String]? {
                let key = Key(name)
                guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
                if let single = try? container.decode(String.self, forKey: key) {
                    return [single]
                }
                if let list = try? container.decode([String].self, forKey: key) {
                    return list
                }
                throw ClaimTypeError(claim: name, expected: "a string or an array of strings")
            }
            let groupsClaim = decoder.userInfo[Self.groupsClaimKey] as? String ?? "groups"
            self.claims = JWTClaims(
                issuer: try string("iss"),
                subject: try string("sub"),
                audience: try stringOrList("aud"),
                expiresAt: try numericDate("exp"),
                notBefore: try numericDate("nbf"),
                issuedAt: try numericDate("iat"),
                groups: try stringOrList(groupsClaim) ?? []
            )
        }
    }

    private init(
        issuer: String?,
        subject: String?,
        audience: [String]?,
        expiresAt: Double?,
        notBefore: Double?,
        issuedAt: Double?,
        groups: [String]
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.groups = groups
    }
}
