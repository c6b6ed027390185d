@testable import AWSSigning

extension ByteWriter {
    /// Runs `body` with a writer of `capacity` bytes and returns what it wrote.
    static func collect(capacity: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var writer = ByteWriter(buffer)
            body(&writer)
            initialized = writer.count
        }
    }
}
