#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the process-wide allocation counters of `bench/malloc_count.so` when it is preloaded
/// (`LD_PRELOAD=bench/malloc_count.so`); without it, allocation figures are reported as not measured.
///
/// The counters cover every thread of the process (event-loop threads included), so per-operation figures for
/// benchmarks that cross threads include the allocations made on the other side.
struct MallocCounter: Sendable {
    private typealias Reader = @convention(c) () -> UInt64

    /// Addresses of the counter functions (0 when not loaded), kept as integers so the type is trivially Sendable.
    private let callsAddress: UInt
    private let bytesAddress: UInt

    init() {
        // RTLD_DEFAULT is a null handle on glibc and -2 on Darwin; this harness targets Linux.
        self.callsAddress = Self.lookup("gw_bench_malloc_calls")
        self.bytesAddress = Self.lookup("gw_bench_malloc_bytes")
    }

    /// `true` when the counting allocator is loaded.
    var isAvailable: Bool { callsAddress != 0 && bytesAddress != 0 }

    /// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) so far.
    func callCount() -> UInt64 { Self.read(callsAddress) }

    /// Bytes requested by those calls so far.
    func byteCount() -> UInt64 { Self.read(bytesAddress) }

    private static func lookup(_ symbol: String) -> UInt {
        guard let address = dlsym(nil, symbol) else { return 0 }
        return UInt(bitPattern: address)
    }

    private static func read(_ address: UInt) -> UInt64 {
        guard let pointer = UnsafeRawPointer(bitPattern: address) else { return 0 }
        return unsafeBitCast(pointer, to: Reader.self)()
    }
}
