import IAMNaming

/// An independent reading of the convention: one whole-string regular expression per kind, written
/// from the README's grammar rather than from the parser.
enum ReferenceGrammar {
    /// Every kind whose expression matches `name` in full, with the fields the expression captured.
    static func readings(of name: String) -> [IAMName] {
        var readings: [IAMName] = []
        if let m = name.wholeMatch(of: #/([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)Role/#) {
            readings.append(.role(org: String(m.1), layer: String(m.2), subject: String(m.3), capability: String(m.4)))
        }
        if let m = name.wholeMatch(
            of: #/([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)Policy/#
        ) {
            readings.append(
                .permissionPolicy(
                    org: String(m.1),
                    layer: String(m.2),
                    subject: String(m.3),
                    provider: String(m.4),
                    permissionType: String(m.5)
                )
            )
        }
        if let m = name.wholeMatch(of: #/([A-Za-z0-9]+)-([A-Za-z0-9]+)-([A-Za-z0-9]+)-TrustPolicy/#) {
            readings.append(.trustPolicy(org: String(m.1), layer: String(m.2), subject: String(m.3)))
        }
        if let m = name.wholeMatch(of: #/([A-Za-z0-9]+)-IdP-([A-Za-z0-9]+)/#) {
            readings.append(.identityProvider(org: String(m.1), provider: String(m.2)))
        }
        if let m = name.wholeMatch(of: #/([A-Za-z0-9]+)-GenAIGateway-TaskRole/#) {
            readings.append(.taskRole(org: String(m.1)))
        }
        return readings
    }

    /// IAM's limit for a reading, by kind: roles 64, permission policies 128, others none.
    static func fitsIAM(_ name: IAMName) -> Bool {
        switch name {
        case .role, .taskRole: return name.rendered.count <= 64
        case .permissionPolicy: return name.rendered.count <= 128
        case .trustPolicy, .identityProvider: return true
        }
    }
}
