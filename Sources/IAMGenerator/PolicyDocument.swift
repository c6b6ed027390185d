/// An IAM policy document: a version, an optional id and statements.
public struct PolicyDocument: Sendable, Hashable {
    public var id: String?
    public var statements: [PolicyStatement]

    public init(id: String? = nil, statements: [PolicyStatement]) {
        self.id = id
        self.statements = statements
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "Version": "2012-10-17",
            "Statement": .array(statements.map(\.json)),
        ]
        if let id { members["Id"] = .string(id) }
        return .object(members)
    }

    /// The size IAM counts against its quotas: characters without whitespace between tokens.
    public var size: Int { json.compact.count }
}

/// One statement of a policy document.
public struct PolicyStatement: Sendable, Hashable {
    public var sid: String
    public var effect: String
    /// e.g. `{"Federated": "<provider arn>"}` for trust policies; nil for identity policies.
    public var principal: JSONValue?
    public var actions: [String]
    public var resources: [String]
    /// Condition operator → condition key → value(s).
    public var conditions: [String: [String: JSONValue]]

    public init(
        sid: String,
        effect: String = "Allow",
        principal: JSONValue? = nil,
        actions: [String],
        resources: [String] = [],
        conditions: [String: [String: JSONValue]] = [:]
    ) {
        self.sid = sid
        self.effect = effect
        self.principal = principal
        self.actions = actions
        self.resources = resources
        self.conditions = conditions
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "Sid": .string(sid),
            "Effect": .string(effect),
            "Action": .stringOrArray(actions),
        ]
        if let principal { members["Principal"] = principal }
        if !resources.isEmpty { members["Resource"] = .stringOrArray(resources) }
        if !conditions.isEmpty {
            members["Condition"] = .object(conditions.mapValues { JSONValue.object($0) })
        }
        return .object(members)
    }
}
