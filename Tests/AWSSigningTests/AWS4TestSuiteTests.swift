import Foundation
import Testing

@testable import AWSSigning

/// Runs every case of the official AWS SigV4 test suite (Fixtures/aws4_testsuite) and checks the canonical
/// request, the string to sign and the `Authorization` value exactly.
///
/// How the suite's paths map onto the signer: the suite writes request paths un-encoded (`/ሴ`,
/// `/example space/`, `/example/$delete`) and expects them percent-encoded *once* in the canonical request. The
/// signer, like botocore's non-S3 `SigV4Auth`, percent-encodes whatever path it is given; it is given the path as
/// sent on the wire, already encoded once by the client, hence the double encoding AWS services expect. Giving
/// it the suite's un-encoded path therefore reproduces the suite's expectations exactly (this is also what
/// botocore's own suite runner does). `clientEncodedPaths` then encodes each suite path the way a client puts it
/// on the wire: 31 cases do not change, and the three that do (get-utf8, get-space, get-special-character) must
/// sign with the double-encoded canonical URI a non-S3 service computes, which is where the suite (written
/// with single encoding in mind) and botocore's non-S3 behaviour differ. Those canonical URIs are also checked
/// against botocore in ``BotocoreCrossCheckTests``.
@Suite("AWS SigV4 test suite")
struct AWS4TestSuiteTests {
    static let caseNames = AWS4TestSuiteCase.allNames()

    @Test("the fixtures hold all 34 cases of the suite")
    func allCasesPresent() {
        #expect(
            Self.caseNames.count == 34,
            "found \(Self.caseNames.count) cases in \(AWS4TestSuiteCase.directory.path)"
        )
        #expect(Self.caseNames.contains("normalize-path/get-space"))
        #expect(Self.caseNames.contains("post-sts-token/post-sts-header-before"))
    }

    @Test("case matches .creq, .sts and .authz exactly", arguments: caseNames)
    func suiteCase(_ name: String) throws {
        let testCase = try AWS4TestSuiteCase.load(name)
        let signer = SigV4Signer(
            credential: testCase.credential, region: AWS4TestSuiteCase.region, service: AWS4TestSuiteCase.service
        )
        let details = signer.signingDetails(
            method: testCase.method,
            path: testCase.path,
            query: testCase.query,
            headers: testCase.headers,
            payloadSHA256Hex: SigV4Signer.sha256Hex(testCase.body),
            date: AWS4TestSuiteCase.date
        )
        #expect(details.canonicalRequest == testCase.expectedCanonicalRequest)
        #expect(details.stringToSign == testCase.expectedStringToSign)
        #expect(details.authorization == testCase.expectedAuthorization)

        // The public entry point returns the same values as headers.
        let headers = signer.signHeaders(
            method: testCase.method,
            path: testCase.path,
            query: testCase.query,
            headers: testCase.headers,
            payloadSHA256Hex: SigV4Signer.sha256Hex(testCase.body),
            date: AWS4TestSuiteCase.date
        )
        #expect(headers.first { $0.name == "Authorization" }?.value == testCase.expectedAuthorization)
        #expect(headers.first { $0.name == "X-Amz-Date" }?.value == "20150830T123600Z")
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == testCase.sessionToken)
    }

    /// The canonical URIs a non-S3 service computes for the three suite paths a client changes when it encodes
    /// them (botocore's serializer percent-encodes every byte but `A-Za-z0-9-_.~/`).
    static let doubleEncodedURIs = [
        "get-utf8": "/%25E1%2588%25B4",
        "normalize-path/get-space": "/example%2520space/",
        "normalize-path/get-special-character": "/example/%2524delete",
    ]

    @Test("client-encoded suite paths sign with the double-encoded canonical URI", arguments: caseNames)
    func clientEncodedPaths(_ name: String) throws {
        let testCase = try AWS4TestSuiteCase.load(name)
        let wirePath = Self.clientEncoded(testCase.path)
        let signer = SigV4Signer(
            credential: testCase.credential, region: AWS4TestSuiteCase.region, service: AWS4TestSuiteCase.service
        )
        let details = signer.signingDetails(
            method: testCase.method,
            path: wirePath,
            query: testCase.query,
            headers: testCase.headers,
            payloadSHA256Hex: SigV4Signer.sha256Hex(testCase.body),
            date: AWS4TestSuiteCase.date
        )
        var expectedLines = testCase.expectedCanonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        if let doubleEncoded = Self.doubleEncodedURIs[name] {
            #expect(wirePath != testCase.path)
            expectedLines[1] = Substring(doubleEncoded)
            #expect(details.authorization != testCase.expectedAuthorization)
        } else {
            #expect(wirePath == testCase.path, "only the three listed cases change when a client encodes them")
            #expect(details.authorization == testCase.expectedAuthorization)
        }
        #expect(details.canonicalRequest == expectedLines.joined(separator: "\n"))
    }

    /// Percent-encodes a path as botocore's serializer does: every byte but unreserved characters and `/`.
    static func clientEncoded(_ path: String) -> String {
        var output = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }
}
