#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Writes whole lines to standard output or standard error: `write(2)` until every byte is out (retrying on
/// `EINTR`), under one lock per stream, so lines from concurrent requests never interleave. Used by the audit sink
/// (standard output) and the log handler (standard error).
enum StandardStreamWriter {
    case standardOutput
    case standardError

    private static let outputLock = Mutex(())
    private static let errorLock = Mutex(())

    /// Writes `bytes`; gives up silently if the stream is closed or fails (a log line must never fail a request).
    func write(_ bytes: [UInt8]) {
        switch self {
        case .standardOutput: Self.outputLock.withLock { _ in Self.writeAll(bytes, to: 1) }
        case .standardError: Self.errorLock.withLock { _ in Self.writeAll(bytes, to: 2) }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { buffer in
                #if canImport(Darwin)
                Darwin.write(descriptor, buffer.baseAddress, buffer.count)
                #elseif canImport(Musl)
                Musl.write(descriptor, buffer.baseAddress, buffer.count)
                #else
                Glibc.write(descriptor, buffer.baseAddress, buffer.count)
                #endif
            }
            if written > 0 {
                remaining = remaining.dropFirst(written)
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return
            }
        }
    }
}
