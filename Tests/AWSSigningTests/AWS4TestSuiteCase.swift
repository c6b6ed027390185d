import Foundation
import Testing

@testable import AWSSigning

/// One case of the AWS SigV4 test suite in `Fixtures/aws4_testsuite`: the parsed `.req` and the expected
/// `.creq`, `.sts` and `.authz`.
struct AWS4TestSuiteCase: CustomTestStringConvertible, Sendable {
    static let accessKeyId = "AKIDEXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let region = "us-east-1"
    static let service = "service"
    /// 20150830T123600Z
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    /// The session token of `get-vanilla-with-session-token`: the suite gives it only in that case's `.sreq` and
    /// `.creq` (the `.req` has no token header).
    static let vanillaSessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("aws4_testsuite")

    /// The case's path relative to the suite folder, e.g. `normalize-path/get-space`.
    let name: String
    let method: String
    /// The path as the suite writes it: un-encoded (`/ሴ`, `/example space/`).
    let path: String
    let query: String?
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    let expectedCanonicalRequest: String
    let expectedStringToSign: String
    let expectedAuthorization: String

    var testDescription: String { name }

    /// The session token the case signs with: the `.req`'s own `X-Amz-Security-Token` (post-sts-header-before),
    /// the suite's token for get-vanilla-with-session-token, otherwise none. (post-sts-header-after adds its token
    /// only after signing, so it signs without one.)
    var sessionToken: String? {
        if let header = headers.first(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            return header.value
        }
        return name.hasSuffix("get-vanilla-with-session-token") ? Self.vanillaSessionToken : nil
    }

    var credential: AWSCredential {
        AWSCredential(accessKeyId: Self.accessKeyId, secretAccessKey: Self.secretAccessKey, sessionToken: sessionToken)
    }

    /// The names of every case folder (each holds a `.req`), sorted.
    static func allNames() -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var names: [String] = []
        for case let relative as String in enumerator where relative.hasSuffix(".req") {
            names.append((relative as NSString).deletingLastPathComponent)
        }
        return names.sorted()
    }

    static func load(_ name: String) throws -> AWS4TestSuiteCase {
        let folder = directory.appendingPathComponent(name)
        let base = (name as NSString).lastPathComponent
        func read(_ suffix: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent("\(base).\(suffix)"), encoding: .utf8)
                .replacingOccurrences(of: "\r\n", with: "\n")
        }
        let raw = try read("req")
        let parsed = try RawRequest(raw)
        return AWS4TestSuiteCase(
            name: name,
            method: parsed.method,
            path: parsed.path,
            query: parsed.query,
            headers: parsed.headers,
            body: parsed.body,
            expectedCanonicalRequest: try read("creq"),
            expectedStringToSign: try read("sts"),
            expectedAuthorization: try read("authz")
        )
    }

    /// A raw HTTP/1.1 request as the suite writes it: a request line whose target may contain spaces, header
    /// lines (`Name:value`, continuation lines starting with whitespace), an optional blank line and body.
    struct RawRequest {
        var method: String
        var path: String
        var query: String?
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []

        struct ParseError: Error, CustomStringConvertible {
            var description: String
        }

        init(_ text: String) throws {
            let head: Substring
            if let separator = text.range(of: "\n\n") {
                head = text[..<separator.lowerBound]
                body = Array(text[separator.upperBound...].utf8)
            } else {
                head = text[...]
            }
            var lines = head.split(separator: "\n", omittingEmptySubsequences: false)[...]
            guard let requestLine = lines.popFirst(), let firstSpace = requestLine.firstIndex(of: " "),
                let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace
            else {
                throw ParseError(description: "malformed request line in: \(text.prefix(80))")
            }
            method = String(requestLine[..<firstSpace])
            let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
            if let questionMark = target.firstIndex(of: "?") {
                path = String(target[..<questionMark])
                query = String(target[target.index(after: questionMark)...])
            } else {
                path = String(target)
                query = nil
            }
            for line in lines where !line.isEmpty {
                if line.first == " " || line.first == "\t" {
                    guard !headers.isEmpty else { throw ParseError(description: "continuation before any header") }
                    headers[headers.count - 1].value += "\n" + line
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                } else {
                    throw ParseError(description: "malformed header line: \(line)")
                }
            }
        }
    }
}
