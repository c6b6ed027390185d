extension IAMName {
    /// Reads a name back into its fields.
    ///
    /// The kind follows from the number of `-`-separated parts and the markers, compared
    /// case-sensitively:
    ///
    /// | Parts | Markers | Kind |
    /// |---|---|---|
    /// | 3 | middle part `IdP` | ``identityProvider(org:provider:)`` |
    /// | 3 | middle part `GenAIGateway`, last part `TaskRole` | ``taskRole(org:)`` |
    /// | 4 | last part `TrustPolicy` | ``trustPolicy(org:layer:subject:)`` |
    /// | 4 | last part `<Capability>Role` | ``role(org:layer:subject:capability:)`` |
    /// | 5 | last part `<PermissionType>Policy` | ``permissionPolicy(org:layer:subject:provider:permissionType:)`` |
    ///
    /// The rows never overlap (`TrustPolicy` does not end in `Role`; `IdP` is not `GenAIGateway`), so
    /// no name has two readings. Only the last `Role` or `Policy` is a suffix: `AdminRoleRole` is the
    /// role capability `AdminRole`, `TrustPolicy` as the fifth part is the permission type `Trust`. Every
    /// field must then be `[A-Za-z0-9]+`, so a last part of just `Role` or `Policy` is an empty field.
    /// A name parses only if ``validate()`` passes for the result, so a parsed name is also within IAM's
    /// limit, and `parse(x.rendered) == x` for every valid `x`.
    ///
    /// ```swift
    /// let name = try IAMName.parse("ACME-GenAI-UseCaseA-Anthropic-Invoke2Policy")
    /// // .permissionPolicy(org: "ACME", layer: "GenAI", subject: "UseCaseA",
    /// //                   provider: "Anthropic", permissionType: "Invoke2")
    /// ```
    ///
    /// - Parameter name: The name to read; names are ASCII.
    /// - Returns: The name's kind and fields.
    /// - Throws: ``NamingError`` saying which part is wrong, what was expected and what was found.
    public static func parse(_ name: String) throws(NamingError) -> IAMName {
        guard !name.isEmpty else { throw .emptyName() }
        let parts = name.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let candidate = try classify(name, parts)
        try candidate.checkFields(context: Quoting.quoted(name))
        try candidate.checkLength()
        assert(candidate.rendered == name, "a parsed name renders back to its input")
        return candidate
    }

    /// Picks the kind from the part count and the markers; the fields are checked afterwards.
    private static func classify(_ name: String, _ parts: [String]) throws(NamingError) -> IAMName {
        let last = parts[parts.count - 1]
        switch parts.count {
        case 3:
            if parts[1] == Marker.identityProvider {
                return .identityProvider(org: parts[0], provider: parts[2])
            }
            if parts[1] == Marker.gateway {
                if last == Marker.taskRole { return .taskRole(org: parts[0]) }
                throw shapeError(
                    name,
                    parts,
                    "3 parts with 'GenAIGateway' in the middle make the gateway task role "
                        + "(\(Kind.taskRole.pattern)), but the last part is \(Quoting.quoted(last)), not 'TaskRole'",
                    fallback: false
                )
            }
            throw shapeError(
                name,
                parts,
                "3 parts, so an identity provider (\(Kind.identityProvider.pattern)) or the gateway task role "
                    + "(\(Kind.taskRole.pattern)), but the middle part \(Quoting.quoted(parts[1])) is neither "
                    + "'IdP' nor 'GenAIGateway'",
                fallback: true
            )
        case 4:
            if last == Marker.trustPolicy {
                return .trustPolicy(org: parts[0], layer: parts[1], subject: parts[2])
            }
            if let capability = last.droppingASCIISuffix(Marker.roleSuffix) {
                return .role(org: parts[0], layer: parts[1], subject: parts[2], capability: capability)
            }
            throw shapeError(
                name,
                parts,
                "4 parts, so a role (\(Kind.role.pattern)) or a trust policy (\(Kind.trustPolicy.pattern)), "
                    + "but the last part \(Quoting.quoted(last)) neither ends in 'Role' nor is 'TrustPolicy'",
                fallback: false
            )
        case 5:
            if let permissionType = last.droppingASCIISuffix(Marker.policySuffix) {
                return .permissionPolicy(
                    org: parts[0],
                    layer: parts[1],
                    subject: parts[2],
                    provider: parts[3],
                    permissionType: permissionType
                )
            }
            throw shapeError(
                name,
                parts,
                "5 parts, so a permission policy (\(Kind.permissionPolicy.pattern)), but the last part "
                    + "\(Quoting.quoted(last)) does not end in 'Policy'",
                fallback: false
            )
        default:
            let count = parts.count == 1 ? "1 part" : "\(parts.count) parts"
            throw shapeError(name, parts, "\(count); names have 3 to 5 parts separated by '-'", fallback: true)
        }
    }

    /// A shape error: `reason`, then the kinds the markers point to that have a different part count
    /// (or, with `fallback`, every kind with a different part count when no marker points anywhere),
    /// then notes on marker case and characters no field allows.
    private static func shapeError(
        _ name: String,
        _ parts: [String],
        _ reason: String,
        fallback: Bool
    ) -> NamingError {
        let count = parts.count
        let last = parts[count - 1]
        let middle = count >= 2 ? parts[1] : ""

        var suggested: [Kind] = []
        if last == Marker.trustPolicy {
            suggested += [.trustPolicy, .permissionPolicy]
        } else if last.droppingASCIISuffix(Marker.policySuffix) != nil {
            suggested.append(.permissionPolicy)
        }
        if last == Marker.taskRole {
            suggested += [.taskRole, .role]
        } else if last.droppingASCIISuffix(Marker.roleSuffix) != nil {
            suggested.append(.role)
        }
        if middle == Marker.identityProvider { suggested.append(.identityProvider) }
        if middle == Marker.gateway, !suggested.contains(.taskRole) { suggested.append(.taskRole) }
        suggested = suggested.filter { $0.partCount != count }
        if suggested.isEmpty, fallback {
            suggested = Kind.allCases.filter { $0.partCount != count }
        }

        var message = reason
        for kind in suggested {
            message += "; \(kind.withArticle) has \(kind.partCount) parts (\(kind.pattern))"
        }
        if markersMatchIgnoringCase(parts) {
            message += "; markers are case-sensitive (IdP, GenAIGateway, TaskRole, TrustPolicy, Role, Policy)"
        }
        if let bad = name.unicodeScalars.first(where: { $0 != "-" && !NamingField.isFieldScalar($0) }) {
            message +=
                "; the name also has \(Quoting.character(bad)), which no field allows "
                + "(fields are \(NamingField.rule) joined by '-')"
        }
        return .shape(name, message)
    }

    /// Whether the name would have a kind if markers were compared without regard to case.
    private static func markersMatchIgnoringCase(_ parts: [String]) -> Bool {
        let folded = parts.map(\.asciiLowercased)
        let last = folded[folded.count - 1]
        switch folded.count {
        case 3:
            return folded[1] == "idp" || (folded[1] == "genaigateway" && last == "taskrole")
        case 4:
            return last == "trustpolicy" || last.droppingASCIISuffix("role") != nil
        case 5:
            return last.droppingASCIISuffix("policy") != nil
        default:
            return false
        }
    }
}

extension String {
    /// The string without `suffix` when it ends in `suffix` (possibly leaving an empty string, which
    /// the field check then reports); compared byte for byte, so only an exact ASCII suffix matches.
    fileprivate func droppingASCIISuffix(_ suffix: String) -> String? {
        let bytes = utf8
        let suffixBytes = suffix.utf8
        guard bytes.count >= suffixBytes.count, bytes.suffix(suffixBytes.count).elementsEqual(suffixBytes) else {
            return nil
        }
        return String(decoding: bytes.dropLast(suffixBytes.count), as: UTF8.self)
    }

    /// The string with ASCII letters lowercased and everything else unchanged.
    fileprivate var asciiLowercased: String {
        String(
            decoding: utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 },
            as: UTF8.self
        )
    }
}
