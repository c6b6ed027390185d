import Testing

@testable import AWSSigning

/// The canonical URI of non-S3 requests: dot segments removed, slashes collapsed, each segment encoded again.
/// Expected values are botocore's `quote(normalize_url_path(path), safe='/~')` for the same input.
@Suite("canonical URI")
struct CanonicalURITests {
    static func canonicalURI(_ path: String) -> String {
        let bytes = ByteWriter.collect(capacity: max(1, 3 * path.utf8.count)) { writer in
            SigV4Canonicalizer.appendCanonicalURI(path, to: &writer)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("Bedrock model ids and ARNs are double-encoded")
    func bedrockPathsAreDoubleEncoded() {
        #expect(
            Self.canonicalURI("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse")
                == "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse"
        )
        #expect(
            Self.canonicalURI(
                "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A111111111111%3Ainference-profile%2F"
                    + "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke"
            )
                == "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A111111111111%253Ainference-profile%252F"
                + "us.anthropic.claude-3-7-sonnet-20250219-v1%253A0/invoke"
        )
        // A raw ':' (legal on the wire) is encoded once, so it signs differently from "%3A": the signer must see
        // the path exactly as it is sent.
        #expect(Self.canonicalURI("/model/a:0/invoke") == "/model/a%3A0/invoke")
        #expect(Self.canonicalURI("/model/a%3a0/invoke") == "/model/a%253a0/invoke")
    }

    @Test(
        "dot segments, repeated slashes and encoding follow botocore",
        arguments: [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("//example//", "/example/"),
            ("/a//b/", "/a/b/"),
            ("/a/./b/../c", "/a/c"),
            ("/a/b/..", "/a"),
            ("/..", "/"),
            ("/../a", "/a"),
            ("/a/.", "/a"),
            ("/a/./", "/a/"),
            ("/a/..b/.c", "/a/..b/.c"),
            ("/model/a%3A0/", "/model/a%253A0/"),
            ("/a b", "/a%20b"),
            ("/ሴ", "/%E1%88%B4"),
            ("/%E1%88%B4", "/%25E1%2588%25B4"),
            ("/a:b@c!$&'()*+,;=", "/a%3Ab%40c%21%24%26%27%28%29%2A%2B%2C%3B%3D"),
            ("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
            ("relative/path", "relative/path"),
            ("a/", "a/"),
        ]
    )
    func normalisation(path: String, expected: String) {
        #expect(Self.canonicalURI(path) == expected)
    }

    @Test("the canonical URI is the second line of the signed canonical request")
    func usedInCanonicalRequest() {
        let signer = SigV4Signer(
            credential: AWSCredential(accessKeyId: "AKID", secretAccessKey: "secret"), region: "us-east-1",
            service: "bedrock"
        )
        let details = signer.signingDetails(
            method: "post", path: "/model/amazon.nova-pro-v1%3A0/converse", query: nil,
            headers: [("host", "bedrock-runtime.us-east-1.amazonaws.com")],
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: AWS4TestSuiteCase.date
        )
        let lines = details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "POST")
        #expect(lines[1] == "/model/amazon.nova-pro-v1%253A0/converse")
    }
}
