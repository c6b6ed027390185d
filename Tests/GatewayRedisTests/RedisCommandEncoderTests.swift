import NIOCore
import Testing

@testable import GatewayRedis

struct RedisCommandEncoderTests {
    private func encode(_ arguments: [[UInt8]]) throws -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try RedisCommandEncoder.encode(arguments, into: &buffer)
        return String(buffer: buffer)
    }

    @Test func formatsArgumentsAsRESPArrayOfBulkStrings() throws {
        #expect(
            try self.encode([[UInt8]("SET"), [UInt8]("key"), [UInt8]("value")])
                == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"
        )
    }

    @Test func keepsEmptyAndBinaryArgumentsIntact() throws {
        let binary = [UInt8](0...255)
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        try RedisCommandEncoder.encode([[UInt8]("SET"), [], binary], into: &buffer)
        var expected = Array("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$256\r\n".utf8)
        expected += binary
        expected += Array("\r\n".utf8)
        #expect(buffer.readBytes(length: buffer.readableBytes) == expected)
    }

    @Test func appendsToWhatIsAlreadyInTheBuffer() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try RedisCommandEncoder.encode([[UInt8]("PING")], into: &buffer)
        try RedisCommandEncoder.encode([[UInt8]("GET"), [UInt8]("k")], into: &buffer)
        #expect(String(buffer: buffer) == "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
    }

    @Test func rejectsAnEmptyCommand() {
        var buffer = ByteBufferAllocator().buffer(capacity: 8)
        #expect(throws: RedisError.invalidArgument) {
            try RedisCommandEncoder.encode([], into: &buffer)
        }
    }

    @Test func namesCommandsWithoutEverShowingOtherArguments() {
        #expect(RedisCommandEncoder.commandName([[UInt8]("get"), [UInt8]("secret-key")]) == "GET")
        #expect(RedisCommandEncoder.commandName([[UInt8]("p4ssw0rd")]) == "a command")
        #expect(RedisCommandEncoder.commandName([]) == "a command")
    }
}
