import NIOCore
import Testing

@testable import GatewayRedis

struct RedisReplyReaderTests {
    private func replies(from chunks: [String]) throws -> [RedisReply] {
        let reader = RedisReplyReader()
        var replies: [RedisReply] = []
        for chunk in chunks {
            try reader.feed(ByteBuffer(string: chunk))
            while let reply = try reader.next() {
                replies.append(reply)
            }
        }
        return replies
    }

    @Test func parsesEveryReplyType() throws {
        let stream = "+OK\r\n-ERR boom\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n"
        #expect(
            try self.replies(from: [stream]) == [
                .simpleString("OK"), .error("ERR boom"), .integer(-42), .bulkString([UInt8]("hello")),
                .bulkString([]), .null, .null, .array([]),
            ]
        )
    }

    @Test func parsesNestedArraysFedOneByteAtATime() throws {
        let stream = "*3\r\n:1\r\n*2\r\n$1\r\nx\r\n*1\r\n-ERR inner\r\n$-1\r\n+DONE\r\n"
        let expected: [RedisReply] = [
            .array([.integer(1), .array([.bulkString([UInt8]("x")), .array([.error("ERR inner")])]), .null]),
            .simpleString("DONE"),
        ]
        #expect(try self.replies(from: stream.map { String($0) }) == expected)
    }

    @Test func waitsForTheRestOfAPartialReply() throws {
        let reader = RedisReplyReader()
        try reader.feed(ByteBuffer(string: "$10\r\n01234"))
        #expect(try reader.next() == nil)
        try reader.feed(ByteBuffer(string: "56789\r\n"))
        #expect(try reader.next() == .bulkString([UInt8]("0123456789")))
        #expect(try reader.next() == nil)
    }

    @Test func keepsBulkStringsBinarySafe() throws {
        let value = [UInt8](0...255)
        var buffer = ByteBuffer(string: "$256\r\n")
        buffer.writeBytes(value)
        buffer.writeString("\r\n")
        let reader = RedisReplyReader()
        try reader.feed(buffer)
        #expect(try reader.next() == .bulkString(value))
    }

    @Test func reportsAStreamThatIsNotRESP() throws {
        let reader = RedisReplyReader()
        try reader.feed(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n"))
        #expect(throws: RedisReplyReader.ParseError.self) {
            _ = try reader.next()
        }
    }
}
