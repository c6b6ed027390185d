import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the inbound connection's event loop, so the upstream call
/// for a request runs on the same loop and the answer is written back without crossing threads.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The event loop serving the inbound connection.
    public let eventLoop: any EventLoop

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
    }
}
