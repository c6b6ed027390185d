/// Where audit lines go.
public protocol AuditSink: Sendable {
    /// Writes one finished request's record.
    func write(_ record: AuditRecord)
}

/// Writes each audit record as one JSON line to standard output (where ECS ships logs from), with one `write(2)`,
/// so lines from concurrent requests never interleave (see ``LineWriter``).
public struct StandardOutputAuditSink: AuditSink {
    /// Creates the sink.
    public init() {}

    public func write(_ record: AuditRecord) {
        LineWriter.standardOutput.write(record.jsonLineBytes(terminator: UInt8(ascii: "\n")))
    }
}
