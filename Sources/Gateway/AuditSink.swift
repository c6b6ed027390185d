/// Where audit lines go.
public protocol AuditSink: Sendable {
    /// Writes one finished request's record.
    func write(_ record: AuditRecord)
}

/// Writes each audit record as one JSON line to standard output (where ECS ships logs from), through one writer
/// thread, so lines from concurrent requests never interleave and no event loop waits for the stream (see
/// ``BackgroundLineWriter``).
public struct StandardOutputAuditSink: AuditSink {
    /// Creates the sink.
    public init() {}

    public func write(_ record: AuditRecord) {
        BackgroundLineWriter.standardOutput.write(record.jsonLineBytes(terminator: UInt8(ascii: "\n")))
    }
}
