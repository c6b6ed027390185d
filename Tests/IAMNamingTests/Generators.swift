import IAMNaming
import PropertyBased

/// Generators of field values and of arbitrary name-like strings.
enum Generators {
    /// Words that look like markers or sit next to them, where an ambiguous grammar would break.
    static let edgeWords = [
        "Role", "Policy", "TrustPolicy", "Trust", "IdP", "GenAIGateway", "TaskRole", "Task", "MultiModel",
        "Invoke", "Invoke2", "Invoke10", "AdminRole", "RoleRole", "PolicyPolicy", "PolicyRole", "RolePolicy",
        "TrustPolicyRole", "IdPRole", "GenAI", "0", "7", "a", "Z", "idp", "genaigateway", "taskrole", "role",
        "policy", "ROLE", "POLICY",
    ]

    /// Short fields: with at most 12 characters per field every role and policy fits IAM's limit.
    static let shortField = Gen.letterOrNumber.string(of: 1...12)

    /// One of ``edgeWords``.
    static let edgeField = Gen<String?>.element(of: edgeWords).map { $0! }

    /// Fields that always fit the limits in the examples below (12 characters at most).
    static let fittingField = Gen<String>.oneOf(shortField, edgeField)

    /// Any valid field, long ones included (up to 130 characters, past both IAM limits on their own).
    static let anyField = Gen<String>.frequency(
        (3, shortField),
        (2, edgeField),
        (1, Gen.letterOrNumber.string(of: 13...130))
    )

    /// A part of a name-like string: a field, a marker-like word, a field glued to a suffix, an
    /// empty part, or a part with a character no field allows.
    static let looseParts = Gen<String?>.element(of: [
        "", "_", "a_b", "é", " ", "x.y", "Role", "Policy", "TrustPolicy", "IdP", "GenAIGateway", "TaskRole",
        "idp", "taskrole", "InvokeRole", "InvokePolicy", "Invokerole", "Invokepolicy", "ACME", "GenAI",
    ]).map { $0! }

    /// A valid name of any kind built from ``fittingField`` values.
    static let validName = zip(
        Gen.int(in: 0...4),
        fittingField,
        fittingField,
        fittingField,
        fittingField,
        fittingField
    ).map { kind, a, b, c, d, e -> IAMName in
        switch kind {
        case 0: return .role(org: a, layer: b, subject: c, capability: d)
        case 1: return .permissionPolicy(org: a, layer: b, subject: c, provider: d, permissionType: e)
        case 2: return .trustPolicy(org: a, layer: b, subject: c)
        case 3: return .identityProvider(org: a, provider: b)
        default: return .taskRole(org: a)
        }
    }

    /// A valid name, unchanged or with one edit: a part replaced by, or a part inserted from,
    /// ``looseParts``; a part removed; or one ASCII letter's case flipped.
    static let nearName = zip(validName, Gen.int(in: 0...4), Gen.int(in: 0...200), looseParts).map {
        name,
        edit,
        position,
        loose -> String in
        var parts = name.rendered.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch edit {
        case 1: parts[position % parts.count] = loose
        case 2: parts.insert(loose, at: position % (parts.count + 1))
        case 3: parts.remove(at: position % parts.count)
        case 4:
            var bytes = Array(parts.joined(separator: "-").utf8)
            let index = position % bytes.count
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[index]) {
                bytes[index] += 32
            } else if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[index]) {
                bytes[index] -= 32
            }
            return String(decoding: bytes, as: UTF8.self)
        default: break
        }
        return parts.joined(separator: "-")
    }

    /// A name-like string: a near-valid name (``nearName``), or 1 to 6 parts from ``looseParts``, fields
    /// and fields glued to a suffix, joined by `-`.
    static let nameLike = Gen<String>.frequency(
        (2, nearName),
        (
            1,
            Gen<String>.oneOf(
                looseParts,
                shortField,
                edgeField,
                shortField.map { $0 + "Role" },
                shortField.map { $0 + "Policy" }
            ).array(of: 1...6).map { $0.joined(separator: "-") }
        )
    )
}
