import Foundation
import TestServers
import Testing

@testable import AWSSigning

/// Signs Bedrock-shaped and randomly generated requests with ``SigV4Signer`` and with botocore's
/// `botocore.auth.SigV4Auth` (through `botocore_sigv4.py`), and requires identical `Authorization` headers.
///
/// Needs Python 3 with botocore; without it the test fails and says how to install it.
@Suite("botocore cross-check")
struct BotocoreCrossCheckTests {
    /// One request to sign with both implementations.
    struct Case {
        var label: String
        var method: String = "POST"
        var path: String
        var query: String?
        var headers: [(name: String, value: String)]
        var body: [UInt8] = []
        var credential: AWSCredential = BotocoreCrossCheckTests.credential
        var region: String = "us-east-1"
        var service: String = "bedrock"
        var date: Date = BotocoreCrossCheckTests.date
    }

    static let credential = AWSCredential(
        accessKeyId: "ASIAEXAMPLEGATEWAY01",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/session+token=="
    )
    /// 2026-11-03T08:15:30.250Z
    static let date = Date(timeIntervalSince1970: 1_793_693_730.25)
    static let host = "bedrock-runtime.us-east-1.amazonaws.com"

    static func converseBody(bytes: Int) -> [UInt8] {
        let prefix = #"{"messages":[{"role":"user","content":[{"text":""#
        let suffix = #""}]}],"inferenceConfig":{"maxTokens":512,"temperature":0.2}}"#
        let filler = String(repeating: "Summarise the quarterly report for the board. ", count: bytes / 47 + 1)
        let text = String(filler.prefix(max(0, bytes - prefix.utf8.count - suffix.utf8.count)))
        return Array((prefix + text + suffix).utf8)
    }

    static var bedrockCases: [Case] {
        let sdkHeaders: [(name: String, value: String)] = [
            ("User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7"),
            ("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"),
            ("amz-sdk-invocation-id", "3c5d2f4a-1b2c-4d5e-8f90-123456789abc"),
            ("amz-sdk-request", "attempt=1; max=3"),
        ]
        let twoKB = converseBody(bytes: 2_048)
        var oneMB = [UInt8](repeating: 0, count: 1_048_576)
        var generator = SplitMix64(seed: 42)
        for index in oneMB.indices { oneMB[index] = UInt8(truncatingIfNeeded: generator.next()) }
        let unicodeBody = Array(
            #"{"messages":[{"role":"user","content":[{"text":"Grüße, こんにちは 🌍 — naïve café ½"}]}]}"#.utf8
        )
        let profileARN = "arn%3Aaws%3Abedrock%3Aus-east-1%3A111111111111%3Ainference-profile%2F"
            + "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0"
        let applicationProfileARN = "arn%3Aaws%3Abedrock%3Aus-east-1%3A111111111111%3A"
            + "application-inference-profile%2Fa1b2c3d4e5f6"
        return [
            Case(
                label: "Converse, model id with ':' (2 KB body)",
                path: "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
                headers: [("Host", host), ("Content-Type", "application/json"), ("Accept", "application/json"),
                    ("Content-Length", String(twoKB.count))] + sdkHeaders,
                body: twoKB
            ),
            Case(
                label: "ConverseStream, inference-profile ARN as model id",
                path: "/model/\(profileARN)/converse-stream",
                headers: [("host", host), ("content-type", "application/json")] + sdkHeaders,
                body: twoKB
            ),
            Case(
                label: "InvokeModelWithResponseStream, application inference profile, x-amzn-bedrock-* headers",
                path: "/model/\(applicationProfileARN)/invoke-with-response-stream",
                headers: [
                    ("Host", host), ("Content-Type", "application/json"),
                    ("X-Amzn-Bedrock-Accept", "application/json"),
                    ("X-Amzn-Bedrock-Trace", "ENABLED_FULL"),
                    ("X-Amzn-Bedrock-GuardrailIdentifier",
                        "arn:aws:bedrock:us-east-1:111111111111:guardrail/gr0abc123def"),
                    ("X-Amzn-Bedrock-GuardrailVersion", "DRAFT"),
                    ("X-Amzn-Bedrock-PerformanceConfig-Latency", "optimized"),
                    ("X-Amzn-Bedrock-Service-Tier", "priority"),
                ] + sdkHeaders,
                body: twoKB
            ),
            Case(
                label: "InvokeModel, 1 MB body",
                path: "/model/amazon.titan-text-express-v1/invoke",
                headers: [("Host", host), ("Content-Type", "application/octet-stream"), ("Accept", "*/*")]
                    + sdkHeaders,
                body: oneMB
            ),
            Case(
                label: "ListAsyncInvokes, empty body, query",
                method: "GET",
                path: "/async-invoke",
                query: "maxResults=10&statusEquals=InProgress&sortOrder=Descending&nextToken=abc%2Fdef%3D%3D",
                headers: [("Host", host)] + sdkHeaders
            ),
            Case(
                label: "GetAsyncInvoke, invocation ARN in the path",
                method: "GET",
                path: "/async-invoke/arn%3Aaws%3Abedrock%3Aus-east-1%3A111111111111%3Aasync-invoke%2Fab12cd34ef56",
                headers: [("Host", host)]
            ),
            Case(
                label: "ApplyGuardrail",
                path: "/guardrail/gr0abc123def/version/1/apply",
                headers: [("Host", host), ("Content-Type", "application/json")],
                body: Array(#"{"source":"INPUT","content":[{"text":{"text":"hello"}}]}"#.utf8)
            ),
            Case(
                label: "unicode in body and header values",
                path: "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
                headers: [("Host", host), ("Content-Type", "application/json; charset=utf-8"),
                    ("X-Gateway-Note", "  Grüße,   世界 🌍\tnaïve  "), ("X-Amzn-Bedrock-Trace", "DISABLED")],
                body: unicodeBody
            ),
            Case(
                label: "hop-by-hop headers and stale signing headers from an earlier attempt",
                path: "/model/meta.llama3-70b-instruct-v1%3A0/invoke",
                headers: [
                    ("Host", host), ("Content-Type", "application/json"), ("Connection", "keep-alive"),
                    ("Keep-Alive", "timeout=5"), ("TE", "trailers"), ("Transfer-Encoding", "chunked"),
                    ("Expect", "100-continue"), ("Upgrade", "h2c"), ("Proxy-Authorization", "Basic Zm9vOmJhcg=="),
                    ("Proxy-Authenticate", "Basic"), ("Trailer", "x-checksum"),
                    ("Authorization", "AWS4-HMAC-SHA256 Credential=OLD/20200101/us-east-1/bedrock/aws4_request"),
                    ("X-Amz-Date", "20200101T000000Z"), ("X-Amz-Security-Token", "stale-token"),
                ] + sdkHeaders,
                body: twoKB
            ),
            Case(
                label: "repeated, mixed-case, folded and padded header values",
                path: "/model/cohere.command-r-v1%3A0/invoke",
                headers: [
                    ("Host", host), ("X-Custom", "a"), ("content-TYPE", "application/json"), ("x-custom", " b  c "),
                    ("X-CUSTOM", "line1\n   line2\n\tline3"), ("X-Quoted", #""a   b   c""#), ("X-Empty", ""),
                    ("X-Blank", "   "),
                ],
                body: twoKB
            ),
            Case(
                label: "dot segments and repeated slashes",
                path: "//model/./anthropic.claude-v2%3A1//drop/../invoke/",
                headers: [("Host", host)],
                body: twoKB
            ),
            Case(
                label: "no session token, another region, last millisecond of a day",
                path: "/model/mistral.mistral-large-2402-v1%3A0/invoke",
                headers: [("Host", "bedrock-runtime.eu-central-1.amazonaws.com"),
                    ("Content-Type", "application/json")],
                body: twoKB,
                credential: AWSCredential(
                    accessKeyId: "AKIAEXAMPLELONGTERM1", secretAccessKey: "long+term/secret/EXAMPLE"
                ),
                region: "eu-central-1",
                date: Date(timeIntervalSince1970: 1_798_761_599.999)  // 2026-12-31T23:59:59.999Z
            ),
        ]
    }

    /// The suite paths a client changes when it encodes them, signed as sent on the wire.
    static var suiteWireCases: [Case] {
        let suiteCredential = AWSCredential(
            accessKeyId: AWS4TestSuiteCase.accessKeyId, secretAccessKey: AWS4TestSuiteCase.secretAccessKey
        )
        return ["/%E1%88%B4", "/example%20space/", "/example/%24delete"].map { path in
            Case(
                label: "suite path as sent: \(path)",
                method: "GET",
                path: path,
                headers: [("Host", "example.amazonaws.com")],
                credential: suiteCredential,
                service: "service",
                date: AWS4TestSuiteCase.date
            )
        }
    }

    /// Random requests: paths with encoded bytes, sub-delimiters and dot segments; canonical queries with
    /// repeated keys; headers of random case, order and padding, including unsigned ones; random bodies and dates.
    static func randomCases(count: Int, seed: UInt64) -> [Case] {
        var rng = SplitMix64(seed: seed)
        let unreserved = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".unicodeScalars)
        let pcharExtras = Array("!$&'()*+,;=:@".unicodeScalars)
        let headerNames = [
            "Content-Type", "Accept", "X-Amzn-Bedrock-Trace", "X-Amzn-Bedrock-Accept", "X-Custom", "x-custom",
            "User-Agent", "X-Amzn-Trace-Id", "Connection", "Expect", "amz-sdk-request", "X-Amz-Meta-Tag",
            "x-amz-security-token", "X-Amz-Date", "Authorization", "TE", "Upgrade", "X-Forwarded-For",
        ]
        let valueScalars = Array("abcXYZ019 -_.,;:=/\"'()[]{}+*&^%$#@!?<>|\\`~é日ß🌍ø".unicodeScalars)
        func percentEncoded(_ bytes: some Sequence<UInt8>) -> String {
            bytes.map { "%" + ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
        }
        func segment() -> String {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: return ""
            case 1: return "."
            case 2: return ".."
            default:
                var text = ""
                for _ in 0..<Int.random(in: 1...12, using: &rng) {
                    switch Int.random(in: 0..<8, using: &rng) {
                    case 0: text += percentEncoded(String(valueScalars.randomElement(using: &rng)!).utf8)
                    case 1: text.unicodeScalars.append(pcharExtras.randomElement(using: &rng)!)
                    case 2: text += percentEncoded([UInt8.random(in: 0...255, using: &rng)])
                    default: text.unicodeScalars.append(unreserved.randomElement(using: &rng)!)
                    }
                }
                return text
            }
        }
        // Query components in canonical form (what SDKs send): unreserved bytes as they are, others as %XX.
        // botocore signs a URL's query as given, the signer re-encodes it; both agree on canonical input.
        func queryComponent() -> String {
            var text = ""
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let scalar = Bool.random(using: &rng)
                    ? unreserved.randomElement(using: &rng)! : valueScalars.randomElement(using: &rng)!
                for byte in String(scalar).utf8 {
                    if SigV4Canonicalizer.isUnreserved(byte) {
                        text.unicodeScalars.append(Unicode.Scalar(byte))
                    } else {
                        text += percentEncoded([byte])
                    }
                }
            }
            return text
        }
        func headerValue() -> String {
            var text = ""
            for _ in 0..<Int.random(in: 0...20, using: &rng) {
                switch Int.random(in: 0..<12, using: &rng) {
                case 0: text += "   "
                case 1: text += "\t"
                case 2: text += "\n "
                default: text.unicodeScalars.append(valueScalars.randomElement(using: &rng)!)
                }
            }
            return text
        }

        return (0..<count).map { index in
            let segments = (0..<Int.random(in: 0...5, using: &rng)).map { _ in segment() }
            var path = "/" + segments.joined(separator: "/")
            if Bool.random(using: &rng) { path += "/" }
            var query: String?
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let keys = (0..<3).map { _ in queryComponent() }
                query = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                    let key = keys.randomElement(using: &rng)!
                    return Bool.random(using: &rng) ? "\(key)=\(queryComponent())" : key
                }.joined(separator: "&")
            }
            var headers: [(name: String, value: String)] = [("Host", host)]
            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                headers.insert(
                    (headerNames.randomElement(using: &rng)!, headerValue()),
                    at: Int.random(in: 0...headers.count, using: &rng)
                )
            }
            let body = (0..<Int.random(in: 0...4_096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let credential = Bool.random(using: &rng)
                ? BotocoreCrossCheckTests.credential
                : AWSCredential(accessKeyId: "AKIAEXAMPLERANDOM001", secretAccessKey: "random/secret+\(index)")
            return Case(
                label: "random #\(index)",
                method: ["GET", "POST", "PUT", "DELETE", "post"].randomElement(using: &rng)!,
                path: path,
                query: query,
                headers: headers,
                body: body,
                credential: credential,
                region: ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1"].randomElement(using: &rng)!,
                date: Date(timeIntervalSince1970: Double.random(in: 946_684_800...2_208_988_800, using: &rng))
            )
        }
    }

    @Test("Authorization matches botocore's SigV4Auth for Bedrock, suite-path and random requests")
    func matchesBotocore() async throws {
        let cases = Self.bedrockCases + Self.suiteWireCases + Self.randomCases(count: 300, seed: 20_261_103)
        let requests = cases.map { testCase in
            BotocoreReference.Request(
                label: testCase.label,
                method: testCase.method,
                path: testCase.path,
                query: testCase.query,
                headers: testCase.headers.map { [$0.name, $0.value] },
                bodyBase64: Data(testCase.body).base64EncodedString(),
                accessKey: testCase.credential.accessKeyId,
                secretKey: testCase.credential.secretAccessKey,
                sessionToken: testCase.credential.sessionToken,
                region: testCase.region,
                service: testCase.service,
                timestamp: Self.referenceTimestamp(testCase.date)
            )
        }
        let expected = try await BotocoreReference.sign(requests)

        var matched = 0
        for (testCase, reference) in zip(cases, expected) {
            let signer = SigV4Signer(
                credential: testCase.credential, region: testCase.region, service: testCase.service
            )
            let payloadHash = SigV4Signer.sha256Hex(testCase.body)
            let headers = signer.signHeaders(
                method: testCase.method, path: testCase.path, query: testCase.query, headers: testCase.headers,
                payloadSHA256Hex: payloadHash, date: testCase.date
            )
            let authorization = headers.first { $0.name == "Authorization" }?.value
            if authorization == reference.authorization {
                matched += 1
            } else {
                let details = signer.signingDetails(
                    method: testCase.method, path: testCase.path, query: testCase.query, headers: testCase.headers,
                    payloadSHA256Hex: payloadHash, date: testCase.date
                )
                Issue.record(
                    """
                    \(testCase.label): Authorization differs from botocore \(reference.botocoreVersion)
                    ours:     \(authorization ?? "-")
                    botocore: \(reference.authorization)
                    our canonical request:
                    \(details.canonicalRequest)
                    botocore's canonical request:
                    \(reference.canonicalRequest)
                    """
                )
            }
            #expect(headers.first { $0.name == "X-Amz-Date" }?.value == reference.xAmzDate, "\(testCase.label)")
            // The signer returns the credential's token; botocore then has set the same one. (Without a token in
            // the credential, a caller's own X-Amz-Security-Token header is signed as sent, by both.)
            let token = headers.first { $0.name == "X-Amz-Security-Token" }?.value
            #expect(token == testCase.credential.sessionToken, "\(testCase.label)")
            if let token { #expect(reference.xAmzSecurityToken == token, "\(testCase.label)") }
        }
        #expect(matched == cases.count, "\(matched) of \(cases.count) requests match botocore")
    }

    @Test("the double-encoded suite paths are what botocore signs")
    func suiteWirePathsMatchBotocoreCanonicalURI() async throws {
        let cases = Self.suiteWireCases
        let expected = try await BotocoreReference.sign(cases.map { testCase in
            BotocoreReference.Request(
                label: testCase.label, method: testCase.method, path: testCase.path, query: nil,
                headers: testCase.headers.map { [$0.name, $0.value] }, bodyBase64: "",
                accessKey: testCase.credential.accessKeyId, secretKey: testCase.credential.secretAccessKey,
                sessionToken: nil, region: testCase.region, service: testCase.service,
                timestamp: Self.referenceTimestamp(testCase.date)
            )
        })
        let botocoreURIs = expected.map { String($0.canonicalRequest.split(separator: "\n")[1]) }
        #expect(botocoreURIs == ["/%25E1%2588%25B4", "/example%2520space/", "/example/%2524delete"])
    }

    /// `YYYYMMDDTHHMMSSZ` through Foundation's calendar, independent of the signer's own formatting.
    static func referenceTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2)
            + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
    }
}
