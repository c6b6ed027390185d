import HummingbirdCore
import Logging
import NIOCore

/// Runs Swift concurrency jobs on one NIO event loop.
///
/// Used as a task-executor preference, it keeps a connection's request handling, its upstream call and the
/// continuations that resume them on the event loop that owns the connection, instead of hopping to the global
/// cooperative pool and back for every read, write and upstream response. Jobs enqueued from the event loop's own
/// thread are appended to its task queue without waking any other thread.
///
/// Everything that runs here must not block: the gateway's request path only takes short uncontended locks and
/// writes one audit line per request.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is an immutable reference to a thread-safe EventLoop.
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A server child channel that handles each connection with its event loop as the task-executor preference (see
/// ``EventLoopTaskExecutor``); setup and handling are otherwise the wrapped channel's.
struct EventLoopAffineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection's handling kept on its event loop (see ``EventLoopTaskExecutor``).
    static func eventLoopAffineHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopAffineChannel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
