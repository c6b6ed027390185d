/// One event-stream header: a name (1 to 255 bytes of UTF-8) and a typed value.
public struct EventStreamHeader: Hashable, Sendable {
    /// The header name, such as `:event-type`.
    public var name: String
    /// The typed value.
    public var value: EventStreamHeaderValue

    /// Creates a header.
    public init(name: String, value: EventStreamHeaderValue) {
        self.name = name
        self.value = value
    }

    /// Creates a string-valued header, the most common kind.
    public init(name: String, string: String) {
        self.init(name: name, value: .string(string))
    }
}
