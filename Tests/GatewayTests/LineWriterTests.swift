import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Gateway

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `LineWriter` against the kernel's own pipes and files: lines from many threads at once, short ones written without
/// excluding each other and long ones exclusively, must all arrive whole.
@Suite struct LineWriterTests {
    /// Writer `writer`'s line `index`: a header, then a filler whose length and letter depend on both, so a line
    /// broken or mixed with another no longer matches what `line(writer:index:length:)` builds.
    static func line(writer: Int, index: Int, length: Int) -> [UInt8] {
        let header = Array("w\(writer) i\(index) n\(length) ".utf8)
        let filler = UInt8(ascii: "a") + UInt8((writer * 7 + index) % 26)
        return header + [UInt8](repeating: filler, count: max(0, length - header.count - 1)) + [UInt8(ascii: "\n")]
    }

    /// Line lengths for writer `writer`: mostly audit-sized, some right at the atomic limit, every fifth far above it.
    static func length(writer: Int, index: Int) -> Int {
        switch index % 5 {
        case 0: return 20_000 + writer * 1_000
        case 1: return LineWriter.atomicLineLimit
        default: return 300 + (index * 37 + writer * 11) % 900
        }
    }

    static let writers = 4
    static let linesPerWriter = 250

    /// Runs every writer on its own thread, all at once, through `write`; returns when all are done.
    static func writeConcurrently(_ write: @escaping @Sendable ([UInt8]) -> Void) {
        let group = DispatchGroup()
        for w in 0..<writers {
            group.enter()
            Thread {
                for index in 0..<linesPerWriter {
                    write(line(writer: w, index: index, length: length(writer: w, index: index)))
                }
                group.leave()
            }.start()
        }
        group.wait()
    }

    static func writeConcurrently(into writer: LineWriter) {
        writeConcurrently { writer.write($0) }
    }

    /// Checks that `output` holds exactly every line written, each whole.
    static func expectEveryLineWhole(in output: [UInt8]) {
        var expected: [[UInt8]: Int] = [:]
        for w in 0..<writers {
            for index in 0..<linesPerWriter {
                expected[line(writer: w, index: index, length: length(writer: w, index: index)), default: 0] += 1
            }
        }
        var broken = 0
        var start = output.startIndex
        while start < output.endIndex {
            let end = output[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? output.endIndex
            let found = Array(output[start..<end])
            if let count = expected[found] {
                expected[found] = count == 1 ? nil : count - 1
            } else {
                broken += 1
            }
            start = end
        }
        let missing = expected.values.reduce(0, +)
        #expect(broken == 0, "lines that are not one writer's whole line")
        #expect(missing == 0, "lines that never arrived whole")
    }

    /// Starts a thread that drains `descriptor` (a pipe's read end) in small reads with a pause after each (so the
    /// pipe stays full, every long write is split by the kernel, and other writers are waiting to get in between its
    /// parts) until the write end is closed.
    static func drain(_ descriptor: Int32) -> Collected {
        let collected = Collected()
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count <= 0 { break }
                collected.append(buffer[0..<count])
                usleep(20)
            }
            collected.finish()
        }.start()
        return collected
    }

    static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    @Test func linesFromManyThreadsArriveWholeThroughAPipe() throws {
        let (readEnd, writeEnd) = try Self.makePipe()
        let collected = Self.drain(readEnd)
        Self.writeConcurrently(into: LineWriter(descriptor: writeEnd))
        close(writeEnd)
        let output = collected.wait()
        close(readEnd)
        Self.expectEveryLineWhole(in: output)
    }

    @Test func linesFromManyThreadsArriveWholeInAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("line-writer-\(UUID().uuidString)").path
        defer { unlink(path) }
        // Opened as a shell's `>` opens standard output: no O_APPEND.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        Self.writeConcurrently(into: LineWriter(descriptor: descriptor))
        close(descriptor)
        let output = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        Self.expectEveryLineWhole(in: output)
    }
}

/// `BackgroundLineWriter`, the audit sink's writer: producers hand lines over and a thread of its own writes them, so
/// a stream that stops draining does not stop the producers until the buffer is full, and nothing is lost.
@Suite struct BackgroundLineWriterTests {
    @Test func linesFromManyThreadsArriveWholeAndInEachThreadsOrderThroughAPipe() throws {
        let (readEnd, writeEnd) = try LineWriterTests.makePipe()
        let collected = LineWriterTests.drain(readEnd)
        let writer = BackgroundLineWriter(descriptor: writeEnd, capacity: 256 << 10)
        LineWriterTests.writeConcurrently { writer.write($0) }
        writer.stop()
        close(writeEnd)
        let output = collected.wait()
        close(readEnd)
        LineWriterTests.expectEveryLineWhole(in: output)
        // One thread writes, so each producer's lines also keep their order.
        var nextIndex = [Int](repeating: 0, count: LineWriterTests.writers)
        var outOfOrder = 0
        for line in output.split(separator: UInt8(ascii: "\n")) {
            let fields = String(decoding: line.prefix(24), as: UTF8.self).split(separator: " ")
            guard fields.count >= 2, let w = Int(fields[0].dropFirst()), let i = Int(fields[1].dropFirst()) else { continue }
            if i != nextIndex[w] { outOfOrder += 1 }
            nextIndex[w] = i + 1
        }
        #expect(outOfOrder == 0)
    }

    /// The point of the writer: a stream that stops draining (a slow disk, a log driver behind) does not hold the
    /// producer, an event loop, while the lines fit in the buffer; they all arrive once the stream drains again.
    @Test func aStalledStreamDoesNotHoldTheProducerWhileTheBufferHasRoom() throws {
        let (readEnd, writeEnd) = try LineWriterTests.makePipe()
        let writer = BackgroundLineWriter(descriptor: writeEnd, capacity: 4 << 20)
        // 1 MiB of lines, 16 times what a pipe holds; nobody reads yet.
        let lines = (0..<2_048).map { LineWriterTests.line(writer: 0, index: $0, length: 512) }
        let producer = Self.produce(lines, into: writer)
        let deadline = ContinuousClock.now + .seconds(10)
        while !producer.isFinished && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(producer.isFinished, "write() waited for the stalled stream")
        #expect(Self.drainAfter(producer, writer: writer, readEnd: readEnd, writeEnd: writeEnd) == Array(lines.joined()))
    }

    /// With the buffer full, write() waits for room instead of dropping lines.
    @Test func aFullBufferMakesTheProducerWaitAndLosesNothing() throws {
        let (readEnd, writeEnd) = try LineWriterTests.makePipe()
        let writer = BackgroundLineWriter(descriptor: writeEnd, capacity: 8 << 10)
        let lines = (0..<1_024).map { LineWriterTests.line(writer: 1, index: $0, length: 256) }  // 256 KiB
        let producer = Self.produce(lines, into: writer)
        // The pipe (64 KiB) and the buffer (8 KiB) hold far less than 256 KiB: the producer must be waiting.
        usleep(300_000)
        #expect(!producer.isFinished, "write() returned while the stream was stalled and the buffer full")
        #expect(Self.drainAfter(producer, writer: writer, readEnd: readEnd, writeEnd: writeEnd) == Array(lines.joined()))
    }

    /// Hands `lines` to `writer` from a thread of their own; the result finishes when the last write() returned.
    static func produce(_ lines: [[UInt8]], into writer: BackgroundLineWriter) -> Collected {
        let done = Collected()
        Thread {
            for line in lines { writer.write(line) }
            done.finish()
        }.start()
        return done
    }

    /// Starts reading the stalled pipe, waits for `producer`, stops `writer` and returns everything that arrived.
    static func drainAfter(_ producer: Collected, writer: BackgroundLineWriter, readEnd: Int32, writeEnd: Int32) -> [UInt8] {
        let collected = LineWriterTests.drain(readEnd)
        _ = producer.wait()
        writer.stop()
        close(writeEnd)
        let output = collected.wait()
        close(readEnd)
        return output
    }

    /// flush() returns only once everything handed over before it is in the file (what shutdown relies on).
    @Test func flushReturnsOnceEverythingHandedOverIsWritten() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("background-writer-\(UUID().uuidString)").path
        defer { unlink(path) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let writer = BackgroundLineWriter(descriptor: descriptor)
        for round in 0..<20 {
            let lines = (0..<200).map { LineWriterTests.line(writer: round % 4, index: round * 200 + $0, length: 300) }
            for line in lines { writer.write(line) }
            writer.flush()
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            #expect(size == (round + 1) * 200 * 300, "flush() returned before round \(round)'s lines were written")
        }
        writer.stop()
    }

    /// At shutdown the flush service writes what is still buffered, without waiting out the writer's linger.
    @Test func theFlushServiceWritesWhatIsBufferedWhenTheApplicationStops() async throws {
        let (readEnd, writeEnd) = try LineWriterTests.makePipe()
        let collected = LineWriterTests.drain(readEnd)
        let writer = BackgroundLineWriter(descriptor: writeEnd, linger: .seconds(600))
        let first = LineWriterTests.line(writer: 3, index: 0, length: 200)
        let second = LineWriterTests.line(writer: 3, index: 1, length: 200)
        // The first line wakes the thread, which writes it and then lingers for ten minutes.
        writer.write(first)
        let deadline = ContinuousClock.now + .seconds(10)
        while collected.count < first.count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        try #require(collected.count == first.count)
        // The second waits in the buffer for the linger to end.
        writer.write(second)
        try await Task.sleep(for: .milliseconds(100))
        #expect(collected.count == first.count, "the line went out during the linger; the test proves nothing")

        let group = ServiceGroup(services: [AuditFlushService(writer: writer)], logger: Logger(label: "test"))
        await group.triggerGracefulShutdown()
        try await group.run()
        #expect(collected.count == first.count + second.count, "the line buffered at shutdown was not written")

        writer.stop()
        close(writeEnd)
        #expect(collected.wait() == first + second)
        close(readEnd)
    }

    /// After stop(), lines are written directly, so nothing written late in shutdown is lost.
    @Test func afterStopLinesAreWrittenDirectly() throws {
        let (readEnd, writeEnd) = try LineWriterTests.makePipe()
        let collected = LineWriterTests.drain(readEnd)
        let writer = BackgroundLineWriter(descriptor: writeEnd)
        let first = LineWriterTests.line(writer: 2, index: 0, length: 100)
        let second = LineWriterTests.line(writer: 2, index: 1, length: 100)
        writer.write(first)
        writer.stop()
        writer.write(second)
        close(writeEnd)
        #expect(collected.wait() == first + second)
        close(readEnd)
    }
}

/// Bytes gathered by the reader thread, handed over once it saw the end of the pipe.
final class Collected: @unchecked Sendable {
    // @unchecked: every access goes through `condition`.
    private let condition = NSCondition()
    private var bytes: [UInt8] = []
    private var done = false

    func append(_ part: ArraySlice<UInt8>) {
        condition.lock()
        bytes.append(contentsOf: part)
        condition.unlock()
    }

    func finish() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return bytes.count
    }

    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return done
    }

    func wait() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return bytes
    }
}
