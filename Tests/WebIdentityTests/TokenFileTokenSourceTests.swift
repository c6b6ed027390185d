import Foundation
import TestServers
import Testing

@testable import WebIdentity

@Suite("TokenFileTokenSource and PassthroughTokenSource")
struct TokenFileTokenSourceTests {
    /// A fresh temporary folder, removed after `body`.
    static func withFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webidentity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder)
    }

    static func failure(_ source: some WebIdentityTokenSource, context: TokenRequestContext = .init())
        async throws -> WebIdentityTokenError
    {
        do {
            let token = try await source.token(for: context, logger: testLogger)
            Issue.record("expected an error, got \(token)")
            throw PeerStartError(description: "no error")
        } catch let error as WebIdentityTokenError {
            return error
        }
    }

    @Test("write, read, rewrite, read again")
    func rewrite() async throws {
        try await Self.withFolder { folder in
            let file = folder.appendingPathComponent("token")
            let source = TokenFileTokenSource(path: file.path)
            try Data("\n  \(TestJWT.make(subject: "first"))\n\n".utf8).write(to: file, options: .atomic)
            let first = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(first.subject == "first")
            #expect(!first.value.hasPrefix(" ") && !first.value.hasSuffix("\n"))
            #expect(try await source.token(for: TokenRequestContext(), logger: testLogger) == first)

            try Data(TestJWT.make(subject: "second").utf8).write(to: file, options: .atomic)
            let second = try await source.token(for: TokenRequestContext(), logger: testLogger)
            #expect(second.subject == "second")
            #expect(!source.isPerCaller)
        }
    }

    @Test("an in-place rewrite is seen by size or modification time")
    func inPlaceRewrite() async throws {
        try await Self.withFolder { folder in
            let file = folder.appendingPathComponent("token")
            let source = TokenFileTokenSource(path: file.path)
            try Data("token-aaaa".utf8).write(to: file)
            #expect(try await source.token(for: .init(), logger: testLogger).value == "token-aaaa")
            let handle = try FileHandle(forWritingTo: file)
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data("token-bbbbbb".utf8))
            try handle.close()
            #expect(try await source.token(for: .init(), logger: testLogger).value == "token-bbbbbb")
        }
    }

    @Test("a rewrite that keeps inode, size and mtime is still read once maxAge passes")
    func maxAge() async throws {
        try await Self.withFolder { folder in
            let file = folder.appendingPathComponent("token")
            let clock = ManualClock()
            let source = TokenFileTokenSource(path: file.path, maxAge: .seconds(60), clock: clock)
            try Data("token-aaaa".utf8).write(to: file)
            #expect(try await source.token(for: .init(), logger: testLogger).value == "token-aaaa")
            let original = try TokenFileTokenSource.identity(of: file.path)

            let handle = try FileHandle(forWritingTo: file)
            try handle.write(contentsOf: Data("token-bbbb".utf8))
            try handle.close()
            let modified = timespec(tv_sec: Int(original.modifiedSeconds), tv_nsec: Int(original.modifiedNanoseconds))
            let times = [modified, modified]
            #expect(utimensat(AT_FDCWD, file.path, times, 0) == 0)
            #expect(try TokenFileTokenSource.identity(of: file.path) == original)
            clock.advance(by: 30)
            #expect(try await source.token(for: .init(), logger: testLogger).value == "token-aaaa")
            clock.advance(by: 31)
            #expect(try await source.token(for: .init(), logger: testLogger).value == "token-bbbb")
        }
    }

    @Test("Kubernetes' atomic ..data symlink swap is followed")
    func symlinkSwap() async throws {
        try await Self.withFolder { folder in
            let fileManager = FileManager.default
            for (name, subject) in [("..2026_01", "old"), ("..2026_02", "new")] {
                let version = folder.appendingPathComponent(name)
                try fileManager.createDirectory(at: version, withIntermediateDirectories: true)
                try Data(TestJWT.make(subject: subject).utf8).write(to: version.appendingPathComponent("token"))
            }
            let data = folder.appendingPathComponent("..data")
            try fileManager.createSymbolicLink(atPath: data.path, withDestinationPath: "..2026_01")
            let link = folder.appendingPathComponent("token")
            try fileManager.createSymbolicLink(atPath: link.path, withDestinationPath: "..data/token")

            let source = TokenFileTokenSource(path: link.path)
            #expect(try await source.token(for: .init(), logger: testLogger).subject == "old")

            let staged = folder.appendingPathComponent("..data_tmp")
            try fileManager.createSymbolicLink(atPath: staged.path, withDestinationPath: "..2026_02")
            #expect(rename(staged.path, data.path) == 0)
            #expect(try await source.token(for: .init(), logger: testLogger).subject == "new")
        }
    }

    @Test("missing, empty and whitespace-only files are clear errors")
    func fileErrors() async throws {
        try await Self.withFolder { folder in
            let file = folder.appendingPathComponent("token")
            let source = TokenFileTokenSource(path: file.path)
            let missing = try await Self.failure(source)
            #expect(missing.code == "TokenFileMissing")
            #expect(missing.location == file.path)
            #expect(missing.description.contains(file.path))
            #expect(missing.description.contains("AWS_WEB_IDENTITY_TOKEN_FILE"))

            try Data().write(to: file)
            #expect(try await Self.failure(source).code == "TokenFileEmpty")
            try Data(" \n\t\n".utf8).write(to: file)
            #expect(try await Self.failure(source).code == "TokenFileEmpty")

            try Data("abc.def.ghi".utf8).write(to: file)
            #expect(try await source.token(for: .init(), logger: testLogger).value == "abc.def.ghi")
            try FileManager.default.removeItem(at: file)
            #expect(try await Self.failure(source).code == "TokenFileMissing")

            let inDirectory = TokenFileTokenSource(path: folder.appendingPathComponent("token/nested").path)
            #expect(try await Self.failure(inDirectory).code == "TokenFileMissing")
        }
    }

    @Test("AWS_WEB_IDENTITY_TOKEN_FILE")
    func fromEnvironment() async throws {
        #expect(TokenFileTokenSource.fromEnvironment([:]) == nil)
        #expect(TokenFileTokenSource.fromEnvironment(["AWS_WEB_IDENTITY_TOKEN_FILE": ""]) == nil)
        let source = try #require(TokenFileTokenSource.fromEnvironment(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/t"]))
        #expect(source.path == "/var/t")
    }

    @Test("passthrough returns the caller's token and is per caller")
    func passthrough() async throws {
        let source = PassthroughTokenSource()
        #expect(source.isPerCaller)
        let caller = WebIdentityToken(value: TestJWT.make(subject: "alice@example.com"))
        let token = try await source.token(for: TokenRequestContext(callerToken: caller), logger: testLogger)
        #expect(token == caller)
        #expect(token.subject == "alice@example.com")
        let error = try await Self.failure(source)
        #expect(error.code == "NoCallerToken")
        #expect(error.description.contains("passthrough"))
    }
}
