import Foundation
import Logging
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the web-identity token from a file, as ECS and EKS (IRSA, pod identity) project it.
///
/// The file is re-read when it changes (device, inode, size or modification time differ, following
/// symlinks, so Kubernetes' atomic `..data` symlink swap is seen) or when the last read is older than
/// ``maxAge``. Whitespace around the token is trimmed. File access runs on NIO's blocking thread pool,
/// never on the cooperative pool.
///
/// ```swift
/// let source = TokenFileTokenSource(path: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
/// ```
public actor TokenFileTokenSource: WebIdentityTokenSource {
    /// What identifies one version of the file.
    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
    }

    private struct Snapshot: Sendable {
        var identity: FileIdentity
        var token: WebIdentityToken
        var readAt: Date
    }

    /// The token file's path.
    public nonisolated let path: String
    /// Re-read the file at least this often even when it looks unchanged.
    public nonisolated let maxAge: Duration
    private let clock: any WebIdentityClock
    private let threadPool: NIOThreadPool
    private var snapshot: Snapshot?

    /// - Parameters:
    ///   - path: the token file.
    ///   - maxAge: re-read the file at least this often, even when it looks unchanged.
    ///   - clock: the clock ``maxAge`` is judged by.
    ///   - threadPool: where blocking file access runs.
    public init(
        path: String,
        maxAge: Duration = .seconds(300),
        clock: any WebIdentityClock = SystemWebIdentityClock(),
        threadPool: NIOThreadPool = .singleton
    ) {
        self.path = path
        self.maxAge = maxAge
        self.clock = clock
        self.threadPool = threadPool
    }

    /// A source for `AWS_WEB_IDENTITY_TOKEN_FILE`, or `nil` when that variable is unset or empty.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TokenFileTokenSource? {
        guard let path = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], !path.isEmpty else { return nil }
        return TokenFileTokenSource(path: path)
    }

    /// Always `false`: the token is the workload's own.
    public nonisolated var isPerCaller: Bool { false }

    /// Returns the file's token, re-reading the file when it changed.
    ///
    /// - Throws: ``WebIdentityTokenError`` `TokenFileMissing`, `TokenFileUnreadable` or `TokenFileEmpty`.
    public func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken {
        let path = self.path
        let now = clock.now()
        let known = snapshot.flatMap { now.timeIntervalSince($0.readAt) < maxAge.timeInterval ? $0.identity : nil }
        let result = try await threadPool.runIfActive { () throws -> (FileIdentity, String?) in
            let identity = try Self.identity(of: path)
            if identity == known { return (identity, nil) }
            return (identity, try Self.read(path))
        }
        guard let contents = result.1 else {
            if let snapshot { return snapshot.token }
            throw WebIdentityTokenError.tokenFileEmpty(path: path)
        }
        let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw WebIdentityTokenError.tokenFileEmpty(path: path)
        }
        let token = WebIdentityToken(value: trimmed)
        if let expiresAt = token.expiresAt, expiresAt <= now {
            logger.warning(
                "web identity token file holds an expired token; STS will reject it",
                metadata: ["gw.token.file": "\(path)", "gw.token.expires_at": "\(expiresAt)"]
            )
        } else {
            logger.debug(
                "read web identity token file",
                metadata: ["gw.token.file": "\(path)", "gw.token.subject": "\(token.subject ?? "-")"]
            )
        }
        snapshot = Snapshot(identity: result.0, token: token, readAt: now)
        return token
    }

    /// `stat(2)` of `path` (following symlinks).
    static func identity(of path: String) throws -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw WebIdentityTokenError.tokenFileMissing(path: path) }
            throw WebIdentityTokenError.tokenFileUnreadable(path: path, reason: String(cString: strerror(code)))
        }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return FileIdentity(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modifiedSeconds: Int64(modified.tv_sec),
            modifiedNanoseconds: Int64(modified.tv_nsec)
        )
    }

    private static func read(_ path: String) throws -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return String(decoding: data, as: UTF8.self)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw WebIdentityTokenError.tokenFileMissing(path: path)
        } catch {
            throw WebIdentityTokenError.tokenFileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}
