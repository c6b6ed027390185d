@testable import AWSSigning
import Foundation
import Logging
import Synchronization
import Testing

@testable import Gateway

@Suite struct GatewayLogHandlerTests {
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    @Test func writesStreamLogHandlerFormatWithSortedMergedMetadata() throws {
        let lines = Lines()
        var logger = Logger(label: "gateway") { label in GatewayLogHandler(label: label, sink: lines.append) }
        logger[metadataKey: "hb.request.id"] = "r-1"
        logger[metadataKey: "gw.a"] = "base"
        logger.info("request refused", metadata: ["gw.a": "explicit", "gw.status": "403"])
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info gateway: gw.a=explicit gw.status=403 hb.request.id=r-1 \[GatewayTests\] request refused\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "unexpected line: \(line)")
    }

    @Test func respectsTheLevelAndWritesNothingBelowIt() {
        let lines = Lines()
        var logger = Logger(label: "gateway") { label in GatewayLogHandler(label: label, sink: lines.append) }
        logger.logLevel = .notice
        logger.info("not written")
        logger.debug("not written either")
        logger.error("written", metadata: ["gw.error": "x"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains(" error gateway: gw.error=x ") == true)
    }

    @Test func errorsAreAddedAsMetadata() throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "broken pipe" } }
        let lines = Lines()
        let logger = Logger(label: "gateway") { label in GatewayLogHandler(label: label, sink: lines.append) }
        logger.log(level: .warning, "upstream failed", error: Broken())
        let line = try #require(lines.all.first)
        #expect(line.contains("error.message=broken pipe"))
        #expect(line.contains("error.type=GatewayTests.GatewayLogHandlerTests.") && line.contains("Broken"))
    }
}

@Suite struct SignerCacheTests {
    static let credential = AWSCredential(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret-1", sessionToken: "token-1")
    static let request: [(name: String, value: String)] = [(name: "host", value: "bedrock-runtime.us-east-1.amazonaws.com")]
    static let date = Date(timeIntervalSince1970: 1_800_000_000)

    static func authorization(_ signer: SigV4Signer) -> String {
        signer.signHeaders(
            method: "POST", path: "/model/x/converse", query: nil, headers: request,
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: date
        )[0].value
    }

    @Test func reusesTheSignerOfTheSameCredentialAndRegion() {
        let cache = SignerCache(service: "bedrock")
        let first = cache.signer(for: Self.credential, region: "us-east-1")
        let second = cache.signer(for: Self.credential, region: "us-east-1")
        #expect(cache.count == 1)
        #expect(first.context === second.context, "the second lookup must return the cached signer")
        let fresh = SigV4Signer(credential: Self.credential, region: "us-east-1", service: "bedrock")
        #expect(Self.authorization(second) == Self.authorization(fresh))
    }

    @Test func aRefreshedCredentialWithTheSameKeyIdReplacesItsEntry() {
        let cache = SignerCache(service: "bedrock")
        let old = cache.signer(for: Self.credential, region: "us-east-1")
        var refreshed = Self.credential
        refreshed.secretAccessKey = "secret-2"
        refreshed.sessionToken = "token-2"
        let new = cache.signer(for: refreshed, region: "us-east-1")
        #expect(new.credential == refreshed)
        #expect(Self.authorization(new) != Self.authorization(old))
        #expect(cache.count == 1)
    }

    @Test func regionsAreSeparateAndTheCacheStaysBounded() {
        let cache = SignerCache(service: "bedrock", limit: 3)
        let east = cache.signer(for: Self.credential, region: "us-east-1")
        let west = cache.signer(for: Self.credential, region: "us-west-2")
        #expect(east.region == "us-east-1" && west.region == "us-west-2")
        for index in 0..<10 {
            _ = cache.signer(for: AWSCredential(accessKeyId: "AKID\(index)", secretAccessKey: "s"), region: "us-east-1")
            #expect(cache.count <= 3)
        }
    }
}

@Suite struct AuditLineEncodingTests {
    @Test func escapesWhatJSONRequiresAndKeepsUnicode() throws {
        var record = AuditRecord(requestID: "r-1")
        record.callerSubject = "a\"b\\c\nd\re\tf\u{01}g é 漢 🙂"
        record.latencyMilliseconds = 1.5
        record.upstreamLatencyMilliseconds = 0.0004
        record.status = 200
        record.clientDisconnected = true
        let line = record.jsonLine
        #expect(!line.contains("\n"), "one line")
        #expect(line.contains(#""latency_ms":1.500"#))
        #expect(line.contains(#""upstream_latency_ms":0.000"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(parsed["caller_sub"] as? String == record.callerSubject)
        #expect(parsed["status"] as? Int == 200)
        #expect(parsed["client_disconnected"] as? Bool == true)
        #expect(parsed["model"] == nil, "absent facts are left out, not written as null")
        let bytes = record.jsonLineBytes(terminator: UInt8(ascii: "\n"))
        #expect(bytes.last == UInt8(ascii: "\n") && String(decoding: bytes.dropLast(), as: UTF8.self) == line)
    }
}
