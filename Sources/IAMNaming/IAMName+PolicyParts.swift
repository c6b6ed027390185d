extension IAMName {
    /// The `PermissionType` of part `part` of a permission policy split for size: `base` for part 1,
    /// `base` followed by the number from part 2 on (`Invoke`, `Invoke2`, `Invoke3`).
    ///
    /// `base` must be a valid field that does not end in a digit, so that the number is always readable
    /// back (see ``policyPart``).
    ///
    /// - Parameters:
    ///   - base: The permission type of the unsplit policy, for example `Invoke`.
    ///   - part: The 1-based part number.
    /// - Returns: The permission type for that part.
    /// - Throws: ``NamingError`` when `base` is not a field, ends in a digit, or `part` is below 1.
    public static func numberedPermissionType(_ base: String, part: Int) throws(NamingError) -> String {
        if let violation = NamingField.violation(in: base) {
            throw .invalidField(
                context: "permission type of part \(part)",
                field: FieldName.permissionType,
                value: base,
                violation: violation
            )
        }
        if let lastByte = base.utf8.last, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(lastByte) {
            throw .invalidPartNumber(
                "permission type \(Quoting.quoted(base)) ends in a digit, so its part numbers could not be "
                    + "told apart from it (part 2 would be \(Quoting.quoted(base + "2"))); "
                    + "use a base that ends in a letter"
            )
        }
        guard part >= 1 else {
            throw .invalidPartNumber("policy part \(part) of \(Quoting.quoted(base)): parts are numbered from 1")
        }
        return part == 1 ? base : base + String(part)
    }

    /// For a permission policy, its permission type split into the base and the part number, the inverse
    /// of ``numberedPermissionType(_:part:)``: `Invoke` is `("Invoke", 1)`, `Invoke3` is `("Invoke", 3)`.
    ///
    /// `nil` for other kinds and for permission types that ``numberedPermissionType(_:part:)`` never
    /// produces (all digits, or a trailing number that is `0`, `1` or starts with `0`).
    public var policyPart: (base: String, part: Int)? {
        guard case .permissionPolicy(_, _, _, _, let permissionType) = self else { return nil }
        let bytes = Array(permissionType.utf8)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        var split = bytes.count
        while split > 0, isDigit(bytes[split - 1]) { split -= 1 }
        if split == bytes.count { return (permissionType, 1) }
        guard split > 0, bytes[split] != UInt8(ascii: "0"),
            let part = Int(String(decoding: bytes[split...], as: UTF8.self)), part >= 2
        else { return nil }
        return (String(decoding: bytes[..<split], as: UTF8.self), part)
    }
}
