#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOPosix
import ServiceLifecycle

/// Writes lines to a file descriptor from a thread of its own, so the event loops that produce them (one audit line
/// per request) never wait for the stream.
///
/// A write to standard output usually takes microseconds, but not always: a log file on a busy disk, or a container
/// log driver that is slow to drain its pipe, can hold a `write(2)` for milliseconds, and an event loop held in
/// `write(2)` holds every connection it serves. Here ``write(_:)`` only appends the line to a buffer and, when the
/// writer thread is asleep, wakes it; the thread takes everything buffered and writes it in as few `write(2)` calls as
/// the stream accepts, so lines go out whole and in the order they were handed over. After each write it lingers
/// (`linger`, 5 ms by default) before taking the next batch: under steady traffic the lines of that interval go out
/// together and no producer has to wake the thread, which would otherwise cost a wake-up and two context switches
/// per request.
///
/// Nothing is dropped: when `capacity` bytes are waiting (the stream has stopped draining), ``write(_:)`` waits for
/// room, which is what a direct `write(2)` to a full pipe would do. ``flush()`` returns once everything handed over
/// before it is written; the gateway calls it after the server has drained, at shutdown (``AuditFlushService``).
final class BackgroundLineWriter: @unchecked Sendable {
    // @unchecked: every mutable property is accessed with `mutex` held, except `spare`, which only the writer
    // thread touches.

    /// The audit sink's stream: standard output, drained by a thread started on first use.
    static let standardOutput = BackgroundLineWriter(descriptor: 1)

    let descriptor: Int32
    /// Bytes that may wait before ``write(_:)`` waits too.
    let capacity: Int
    /// How long the thread lets lines gather after a write before it takes the next batch.
    let linger: Duration

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when bytes arrive for a sleeping writer, or when the writer should stop.
    private let hasBytes: UnsafeMutablePointer<pthread_cond_t>
    /// Broadcast when the writer has taken the buffer (room for waiting producers) or finished writing it (for
    /// ``flush()``).
    private let progressed: UnsafeMutablePointer<pthread_cond_t>

    private var pending: [UInt8] = []
    private var spare: [UInt8] = []
    private var writerSleeping = false
    /// Every byte handed over so far, and every byte written (or given up on) so far: ``flush()`` waits for the
    /// second to reach what the first was when it was called.
    private var accepted = 0
    private var completed = 0
    private var stopping = false
    /// Callers of ``flush()`` waiting: the thread cuts its linger short for them.
    private var flushWaiters = 0
    private var started = false
    private var stopped = false

    /// A writer for `descriptor`, which stays owned by the caller. The thread starts on the first write.
    init(descriptor: Int32, capacity: Int = 8 << 20, linger: Duration = .milliseconds(5)) {
        self.descriptor = descriptor
        self.capacity = capacity
        self.linger = linger
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        hasBytes = .allocate(capacity: 1)
        hasBytes.initialize(to: pthread_cond_t())
        progressed = .allocate(capacity: 1)
        progressed.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        precondition(pthread_cond_init(hasBytes, nil) == 0, "pthread_cond_init failed")
        precondition(pthread_cond_init(progressed, nil) == 0, "pthread_cond_init failed")
        pending.reserveCapacity(64 << 10)
        spare.reserveCapacity(64 << 10)
    }

    deinit {
        pthread_cond_destroy(progressed)
        pthread_cond_destroy(hasBytes)
        pthread_mutex_destroy(mutex)
        progressed.deallocate()
        hasBytes.deallocate()
        mutex.deallocate()
    }

    /// Hands `bytes` (one or more whole lines) to the writer thread. Waits only while `capacity` bytes are already
    /// waiting; after ``stop()`` the bytes are written directly.
    func write(_ bytes: [UInt8]) {
        pthread_mutex_lock(mutex)
        if !started && !stopped {
            started = true
            startThread()
        }
        // A line larger than the whole buffer still goes in once the buffer is empty.
        while !pending.isEmpty && pending.count + bytes.count > capacity && !stopped {
            pthread_cond_wait(progressed, mutex)
        }
        if stopped {
            pthread_mutex_unlock(mutex)
            LineWriter.writeFully(bytes[...], to: descriptor)
            return
        }
        pending.append(contentsOf: bytes)
        accepted += bytes.count
        if writerSleeping {
            writerSleeping = false
            pthread_cond_signal(hasBytes)
        }
        pthread_mutex_unlock(mutex)
    }

    /// Returns once every byte handed over before the call has been written (or the stream failed).
    func flush() {
        pthread_mutex_lock(mutex)
        let target = accepted
        flushWaiters += 1
        pthread_cond_signal(hasBytes)
        while completed < target && !stopped {
            pthread_cond_wait(progressed, mutex)
        }
        flushWaiters -= 1
        pthread_mutex_unlock(mutex)
    }

    /// Writes what is buffered and ends the thread; later writes go straight to the descriptor. For tests: the
    /// gateway's own writer runs for the life of the process.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(hasBytes)
        if started {
            while !stopped { pthread_cond_wait(progressed, mutex) }
        } else {
            stopped = true
        }
        pthread_mutex_unlock(mutex)
    }

    /// Waits, with `mutex` held, until `linger` has passed since the last write, unless a flush or stop is waiting.
    private func lingerAfterWrite() {
        guard linger > .zero else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)  // the condition variable's clock
        let (seconds, attoseconds) = linger.components
        let nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var deadline = timespec(tv_sec: now.tv_sec + Int(seconds) + nanoseconds / 1_000_000_000, tv_nsec: nanoseconds % 1_000_000_000)
        while !stopping && flushWaiters == 0 {
            if pthread_cond_timedwait(hasBytes, mutex, &deadline) == ETIMEDOUT { break }
        }
    }

    private func startThread() {
        let thread = Thread { [self] in run() }
        thread.name = "audit-writer"
        thread.start()
    }

    private func run() {
        pthread_mutex_lock(mutex)
        while true {
            while pending.isEmpty && !stopping {
                writerSleeping = true
                pthread_cond_wait(hasBytes, mutex)
            }
            writerSleeping = false
            if pending.isEmpty {  // stopping, and everything is out
                stopped = true
                pthread_cond_broadcast(progressed)
                pthread_mutex_unlock(mutex)
                return
            }
            swap(&pending, &spare)
            pthread_cond_broadcast(progressed)  // room for producers waiting on a full buffer
            pthread_mutex_unlock(mutex)

            LineWriter.writeFully(spare[...], to: descriptor)
            let written = spare.count
            spare.removeAll(keepingCapacity: true)

            pthread_mutex_lock(mutex)
            completed += written
            pthread_cond_broadcast(progressed)
            lingerAfterWrite()
        }
    }
}

/// Flushes the audit lines still buffered for standard output when the application stops. It is added before the
/// HTTP server, which the service group therefore shuts down first: by the time this runs, no request is left to
/// write a line.
struct AuditFlushService: Service {
    let writer: BackgroundLineWriter

    func run() async throws {
        try? await gracefulShutdown()
        // flush() blocks until the thread has written everything: not on the concurrency pool.
        try? await NIOThreadPool.singleton.runIfActive { writer.flush() }
    }
}
