import ServiceLifecycle

extension RedisConnectionPool: Service {
    /// Runs until graceful shutdown (or cancellation) of the surrounding service group, then closes every
    /// connection through ``shutdown()``. Connections open lazily on demand, not here.
    public func run() async throws {
        // Returns on graceful shutdown; throws CancellationError when the task is cancelled. Either way, close.
        try? await gracefulShutdown()
        await self.shutdown()
    }
}
