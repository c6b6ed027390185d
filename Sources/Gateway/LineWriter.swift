#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole lines to a file descriptor (standard error, for the log handler) so that lines from concurrent
/// requests never interleave: `write(2)` until every byte is out, retrying on `EINTR`.
///
/// A line of at most ``atomicLineLimit`` bytes goes out in one `write(2)`, which the kernel already keeps whole
/// among concurrent writers: POSIX makes writes of up to `PIPE_BUF` bytes to a pipe atomic (a container's standard
/// output is a pipe to its log driver), and Linux serialises writes to a regular file that share an open file
/// (its file-position lock). Such lines therefore share a reader lock and never wait for each other, so threads
/// logging at the same time do not block one another on a lock held across a system call.
/// A longer line can be split by a pipe; it takes the lock exclusively, so no other line is written while it goes
/// out.
final class LineWriter: @unchecked Sendable {
    // @unchecked: the only mutable state is the pthread read-write lock, used only through its own API.

    /// The log handler's stream.
    static let standardError = LineWriter(descriptor: 2)

    /// Lines up to this many bytes are written without excluding each other (`PIPE_BUF`).
    #if canImport(Darwin)
    static let atomicLineLimit = 512
    #else
    static let atomicLineLimit = 4096
    #endif

    let descriptor: Int32
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    /// A writer for `descriptor`, which stays owned by the caller.
    init(descriptor: Int32) {
        self.descriptor = descriptor
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        let status = pthread_rwlock_init(lock, nil)
        precondition(status == 0, "pthread_rwlock_init failed: \(status)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Writes `bytes`; gives up silently if the stream is closed or fails (a log line must never fail a request).
    func write(_ bytes: [UInt8]) {
        if bytes.count <= Self.atomicLineLimit {
            pthread_rwlock_rdlock(lock)
        } else {
            pthread_rwlock_wrlock(lock)
        }
        defer { pthread_rwlock_unlock(lock) }
        Self.writeFully(bytes[...], to: descriptor)
    }

    /// `write(2)` until every byte is out, retrying on `EINTR`; gives up silently if the stream is closed or fails.
    static func writeFully(_ bytes: ArraySlice<UInt8>, to descriptor: Int32) {
        var remaining = bytes
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
