import CHiredis
import NIOCore

/// Formats commands as RESP arrays of bulk strings with hiredis's `redisFormatCommandArgv`.
enum RedisCommandEncoder {
    /// Appends `arguments` to `buffer` as one RESP command.
    ///
    /// - Throws: ``RedisError/invalidArgument`` for an empty command.
    static func encode(_ arguments: [[UInt8]], into buffer: inout ByteBuffer) throws(RedisError) {
        guard !arguments.isEmpty else {
            throw RedisError.invalidArgument("a Redis command needs at least one argument (the command name)")
        }
        guard arguments.count <= Int(Int32.max) else {
            throw RedisError.invalidArgument("a Redis command cannot have more than \(Int32.max) arguments")
        }
        // hiredis wants one pointer and one length per argument; lay the arguments out in one contiguous block
        // so every pointer stays valid for the call (a trailing byte keeps the block non-empty).
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        var offsets: [Int] = []
        offsets.reserveCapacity(arguments.count)
        var totalLength = 0
        for argument in arguments {
            offsets.append(totalLength)
            lengths.append(argument.count)
            totalLength += argument.count
        }
        var storage: [UInt8] = []
        storage.reserveCapacity(totalLength + 1)
        for argument in arguments {
            storage.append(contentsOf: argument)
        }
        storage.append(0)

        let written: Int = storage.withUnsafeBufferPointer { block in
            let base = UnsafeRawPointer(block.baseAddress!).assumingMemoryBound(to: CChar.self)
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { argv in
                for index in 0..<arguments.count {
                    argv[index] = base + offsets[index]
                }
                return lengths.withUnsafeBufferPointer { lengthPointer in
                    var target: UnsafeMutablePointer<CChar>?
                    let length = cgw_format_command(
                        &target,
                        Int32(arguments.count),
                        argv.baseAddress,
                        lengthPointer.baseAddress
                    )
                    guard length >= 0, let target else { return -1 }
                    defer { redisFreeCommand(target) }
                    return buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(length)))
                }
            }
        }
        guard written >= 0 else {
            fatalError("hiredis could not allocate memory to format a command")
        }
    }

    /// The command's name for messages: the first argument if it looks like a command word, never any other
    /// argument (they may be keys, values or passwords).
    static func commandName(_ arguments: [[UInt8]]) -> String {
        guard let first = arguments.first, (1...32).contains(first.count),
            first.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0 & 0xDF) })
        else { return "a command" }
        return String(decoding: first, as: UTF8.self).uppercased()
    }
}
