/// The length arithmetic of a role name `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role`:
/// `len(OrgPrefix) + len(Layer) + len(UseCaseOrGroup) + len(Capability) + len("Role") + 3 ≤ 64`.
///
/// ```swift
/// let budget = roleNameBudget(org: "ACME", layer: "GenAI", subject: "UseCaseA", capability: "BedrockInvoke")
/// budget.length              // 37
/// budget.maxSubjectLength    // 35: the longest use-case id or role group that still fits
/// print(budget)
/// // 4 (OrgPrefix) + 5 (Layer) + 8 (UseCaseOrGroup) + 13 (Capability) + 4 ("Role") + 3 (separators) = 37 ≤ 64
/// ```
///
/// Lengths count UTF-8 bytes, which equal characters for the ASCII names the convention allows.
public struct RoleNameBudget: Sendable, Hashable, CustomStringConvertible {
    /// IAM's role-name limit.
    public static let limit = IAMName.roleNameLimit
    /// The characters every role name spends on its `Role` suffix and three `-` separators.
    public static let fixedLength = 4 + 3

    /// `len(OrgPrefix)`.
    public let orgLength: Int
    /// `len(Layer)`.
    public let layerLength: Int
    /// `len(UseCaseOrGroup)`.
    public let subjectLength: Int
    /// `len(Capability)`.
    public let capabilityLength: Int

    /// Creates the budget from the field lengths.
    public init(orgLength: Int, layerLength: Int, subjectLength: Int, capabilityLength: Int) {
        self.orgLength = orgLength
        self.layerLength = layerLength
        self.subjectLength = subjectLength
        self.capabilityLength = capabilityLength
    }

    /// The role name's length.
    public var length: Int { orgLength + layerLength + subjectLength + capabilityLength + Self.fixedLength }

    /// Characters left before the limit; negative when over.
    public var remaining: Int { Self.limit - length }

    /// Characters over the limit; 0 when the name fits.
    public var overflow: Int { max(0, length - Self.limit) }

    /// Whether the name fits IAM's limit.
    public var fits: Bool { length <= Self.limit }

    /// The longest `UseCaseOrGroup` that fits with these `OrgPrefix`, `Layer` and `Capability`; below 1 when
    /// even a one-character use case would not fit.
    public var maxSubjectLength: Int { Self.limit - (length - subjectLength) }

    /// The sum written out, for example
    /// `4 (OrgPrefix) + 5 (Layer) + 8 (UseCaseOrGroup) + 13 (Capability) + 4 ("Role") + 3 (separators) = 37 ≤ 64`
    /// or `... = 71 > 64 (7 over)`.
    public var description: String {
        let sum =
            "\(orgLength) (OrgPrefix) + \(layerLength) (Layer) + \(subjectLength) (UseCaseOrGroup) + "
            + "\(capabilityLength) (Capability) + 4 (\"Role\") + 3 (separators) = \(length)"
        return fits ? "\(sum) ≤ \(Self.limit)" : "\(sum) > \(Self.limit) (\(overflow) over)"
    }
}

/// The length arithmetic of the role name `<org>-<layer>-<subject>-<capability>Role`.
///
/// Use it to tell a catalog author how much room a use-case id has before the role name passes IAM's
/// 64-character limit; ``IAMName/validate()`` enforces the same limit.
///
/// - Parameters:
///   - org: `OrgPrefix`.
///   - layer: `Layer`.
///   - subject: `UseCaseOrGroup`: the use-case id or role group.
///   - capability: `Capability`, without the `Role` suffix.
/// - Returns: The budget; ``RoleNameBudget/fits`` tells whether the name is within the limit.
public func roleNameBudget(org: String, layer: String, subject: String, capability: String) -> RoleNameBudget {
    RoleNameBudget(
        orgLength: org.utf8.count,
        layerLength: layer.utf8.count,
        subjectLength: subject.utf8.count,
        capabilityLength: capability.utf8.count
    )
}
