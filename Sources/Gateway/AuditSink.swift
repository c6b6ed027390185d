#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where audit lines go.
public protocol AuditSink: Sendable {
    /// Writes one finished request's record.
    func write(_ record: AuditRecord)
}

/// Writes each audit record as one JSON line to standard output (where ECS ships logs from), with one `write(2)`
/// under a lock, so lines from concurrent requests never interleave.
public struct StandardOutputAuditSink: AuditSink {
    private static let lock = Mutex(())

    /// Creates the sink.
    public init() {}

    public func write(_ record: AuditRecord) {
        var utf8 = record.jsonLineBytes(terminator: UInt8(ascii: "\n"))[...]
        Self.lock.withLock { _ in
            while !utf8.isEmpty {
                let written = utf8.withUnsafeBytes { bytes in
                    #if canImport(Darwin)
                    Darwin.write(1, bytes.baseAddress, bytes.count)
                    #elseif canImport(Musl)
                    Musl.write(1, bytes.baseAddress, bytes.count)
                    #else
                    Glibc.write(1, bytes.baseAddress, bytes.count)
                    #endif
                }
                if written > 0 {
                    utf8 = utf8.dropFirst(written)
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
