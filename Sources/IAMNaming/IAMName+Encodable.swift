extension IAMName: Encodable {
    private enum CodingKeys: String, CodingKey {
        case name, kind, fields
    }

    private struct FieldKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes the name as `{"name": "...", "kind": "role", "fields": {"OrgPrefix": "ACME", ...}}`, the
    /// shape `gen-iam names parse` prints. Use a `JSONEncoder` with `.sortedKeys` for stable output.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rendered, forKey: .name)
        try container.encode(kind, forKey: .kind)
        var fieldContainer = container.nestedContainer(keyedBy: FieldKey.self, forKey: .fields)
        for (name, value) in fields {
            try fieldContainer.encode(value, forKey: FieldKey(stringValue: name))
        }
    }
}
