import BedrockEventStream
import GatewayCore
import NIOCore

/// Watches a response body as it is forwarded, to find the token usage it reports, without holding it back.
///
/// Event streams are cut into frames (the frames themselves are forwarded untouched by the caller) and
/// `metadata`/`chunk` events are checked for usage. A successful Converse body is kept only while it is at most
/// ``BedrockProxy/usageParseLimit`` bytes and parsed for `usage` at the end. Nothing is ever logged.
struct ResponseObserver: Sendable {
    private enum Mode: Sendable {
        case none
        case eventStream(EventStreamFrameSplitter)
        case converseBody(ByteBuffer)
    }

    private var mode: Mode
    private(set) var streamUsage: BedrockTokenUsage?

    init(operation: BedrockOperation, status: Int, contentType: String?) {
        guard status < 300 else {
            mode = .none
            return
        }
        if operation.isStreaming, contentType?.hasPrefix("application/vnd.amazon.eventstream") ?? true {
            mode = .eventStream(EventStreamFrameSplitter())
        } else if operation == .converse {
            mode = .converseBody(ByteBuffer())
        } else {
            mode = .none
        }
    }

    mutating func observe(_ chunk: ByteBuffer) {
        switch mode {
        case .none:
            return
        case .eventStream(var splitter):
            mode = .none
            splitter.append(chunk)
            do {
                while let message = try splitter.nextMessage() {
                    if let usage = BedrockTokenUsage(message) { streamUsage = usage }
                }
                mode = .eventStream(splitter)
            } catch {
                // Not a valid event stream: stop looking; the bytes are still forwarded as they are.
                mode = .none
            }
        case .converseBody(var buffer):
            mode = .none
            guard buffer.readableBytes + chunk.readableBytes <= BedrockProxy.usageParseLimit else { return }
            if buffer.readableBytes == 0 {
                // The first part is kept as it is (shared, not copied): usually it is the whole answer.
                mode = .converseBody(chunk)
                return
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
            mode = .converseBody(buffer)
        }
    }

    /// The usage found, if any (for a Converse body, parsed now).
    var usage: BedrockTokenUsage? {
        if case .converseBody(let buffer) = mode { return BedrockTokenUsage(converseResponseBody: buffer) }
        return streamUsage
    }
}
