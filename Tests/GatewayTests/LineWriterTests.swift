import Dispatch
import Foundation
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

    /// Runs every writer on its own thread, all at once, into `writer`; returns when all are done.
    static func writeConcurrently(into writer: LineWriter) {
        let group = DispatchGroup()
        for w in 0..<writers {
            group.enter()
            Thread {
                for index in 0..<linesPerWriter {
                    writer.write(line(writer: w, index: index, length: length(writer: w, index: index)))
                }
                group.leave()
            }.start()
        }
        group.wait()
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

    @Test func linesFromManyThreadsArriveWholeThroughAPipe() throws {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])

        // The reader drains in small reads with a pause after each, so the pipe stays full, every long write is
        // split by the kernel, and the other writers are waiting to get in between its parts.
        let collected = Collected()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = read(readEnd, &buffer, buffer.count)
                if count <= 0 { break }
                collected.append(buffer[0..<count])
                usleep(20)
            }
            collected.finish()
        }
        reader.start()

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

/// Bytes gathered by the reader thread, handed over once it saw the end of the pipe.
private final class Collected: @unchecked Sendable {
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

    func wait() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        return bytes
    }
}
