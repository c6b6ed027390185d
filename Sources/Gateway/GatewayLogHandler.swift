#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The gateway's log handler: swift-log's `StreamLogHandler` text format on standard error
/// (`<time> <level> <label>: <key=value ...> [<source>] <message>`), with one difference that matters on the request
/// path: metadata is formatted only when a line is written.
///
/// Hummingbird gives every request its own logger with a request id; `StreamLogHandler` formats its whole
/// metadata on every change, which made formatting metadata of lines never written a measurable share of a request's
/// CPU time (BENCHMARKS.md).
public struct GatewayLogHandler: LogHandler {
    private let label: String
    /// The level below which nothing is written.
    public var logLevel: Logger.Level
    /// Metadata of every line this handler writes.
    public var metadata: Logger.Metadata = [:]
    /// Where the line is written (tests capture it); standard error by default.
    private let sink: @Sendable (String) -> Void

    /// A handler for `label` writing to standard error.
    public init(label: String, logLevel: Logger.Level = .info) {
        self.init(label: label, logLevel: logLevel, sink: Self.writeToStandardError)
    }

    /// A handler for `label` writing each finished line to `sink`.
    public init(label: String, logLevel: Logger.Level = .info, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.logLevel = logLevel
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.timestamp()
        line += " \(event.level) \(label):"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        line += " [\(event.source)] \(event.message)\n"
        sink(line)
    }

    /// `2026-11-22T03:01:00+0000`, local time as `StreamLogHandler` writes it.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "-" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let count = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), as: UTF8.self)
        }
    }

    @Sendable static func writeToStandardError(_ line: String) {
        LineWriter.standardError.write(Array(line.utf8))
    }
}
