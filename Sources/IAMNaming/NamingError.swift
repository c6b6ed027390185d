/// Why a name does not follow the convention or does not fit IAM.
///
/// The ``description`` says precisely which part is wrong, what was expected and what was found, for
/// example `'ACME-GenAI-Use_CaseA-BedrockInvokeRole': field UseCaseOrGroup 'Use_CaseA' has '_' but
/// fields are [A-Za-z0-9]+`. Input is quoted with non-printable and non-ASCII characters escaped.
public struct NamingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case emptyName = "empty_name"
        case shape = "shape"
        case invalidField = "invalid_field"
        case tooLong = "too_long"
        case invalidPartNumber = "invalid_part_number"
    }

    private let code: Code
    private let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The full message.
    public var description: String { message }

    /// A short, stable category without any value from the input (`empty_name`, `shape`,
    /// `invalid_field`, `too_long`, `invalid_part_number`), for metric labels and counters.
    public var shortDescription: String { code.rawValue }

    /// Whether the name is well formed but longer than IAM allows.
    public var isOverLimit: Bool { code == .tooLong }

    static func emptyName() -> Self {
        Self(
            .emptyName,
            "'': the name is empty; expected one of \(IAMName.Kind.allCases.map(\.pattern).joined(separator: ", "))"
        )
    }

    static func shape(_ name: String, _ reason: String) -> Self {
        Self(.shape, "\(Quoting.quoted(name)): \(reason)")
    }

    /// A bad field. `context` is the quoted input when parsing and `<kind> '<rendered>'` when validating.
    static func invalidField(context: String, field: String, value: String, violation: String) -> Self {
        if value.isEmpty {
            return Self(.invalidField, "\(context): field \(field) is empty; fields are \(NamingField.rule)")
        }
        return Self(
            .invalidField,
            "\(context): field \(field) \(Quoting.quoted(value)) \(violation) but fields are \(NamingField.rule)"
        )
    }

    /// `name` has valid fields, so it is ASCII and safe to print as is.
    static func tooLong(_ name: IAMName, length: Int, limit: Int) -> Self {
        let fields = name.fields.map(\.name)
        let shorten =
            fields.count == 1
            ? fields[0] : fields.dropLast().joined(separator: ", ") + " or " + fields[fields.count - 1]
        return Self(
            .tooLong,
            "\(name.kind.label) name \(name.rendered) is \(length) characters, "
                + "\(length - limit) over IAM's \(limit)-character limit; shorten \(shorten)"
        )
    }

    static func invalidPartNumber(_ message: String) -> Self {
        Self(.invalidPartNumber, message)
    }
}
