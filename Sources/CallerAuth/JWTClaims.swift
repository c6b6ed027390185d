import StrictJSON

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

    /// Decodes the claims set, naming the claim at fault when one has the wrong type. A claim that is
    /// `null` counts as absent.
    init(json: [UInt8], groupsClaim: String) throws(AuthError) {
        guard case .object(let members) = JSONValue.parse(json) else {
            throw .malformed("the payload is not a JSON object")
        }
        func string(_ name: String) throws(AuthError) -> String? {
            switch members[name] {
            case nil, .null: return nil
            case .string(let value): return value
            default: throw .malformed("claim '\(name)' must be a string")
            }
        }
        func numericDate(_ name: String) throws(AuthError) -> Double? {
            switch members[name] {
            case nil, .null: return nil
            case .number(let value) where value.isFinite: return value
            default: throw .malformed("claim '\(name)' must be a number of seconds since 1970 (NumericDate)")
            }
        }
        func stringOrList(_ name: String) throws(AuthError) -> [String]? {
            switch members[name] {
            case nil, .null:
                return nil
            case .string(let value):
                return [value]
            case .array(let elements):
                var strings: [String] = []
                strings.reserveCapacity(elements.count)
                for element in elements {
                    guard case .string(let value) = element else {
                        throw .malformed("claim '\(Sanitize.quoted(name))' must be a string or an array of strings")
                    }
                    strings.append(value)
                }
                return strings
            default:
                throw .malformed("claim '\(Sanitize.quoted(name))' must be a string or an array of strings")
            }
        }
        self.issuer = try string("iss")
        self.subject = try string("sub")
        self.audience = try stringOrList("aud")
        self.expiresAt = try numericDate("exp")
        self.notBefore = try numericDate("nbf")
        self.issuedAt = try numericDate("iat")
        self.groups = try stringOrList(groupsClaim) ?? []
    }
}
