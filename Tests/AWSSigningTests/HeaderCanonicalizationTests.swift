import Testing

@testable import AWSSigning

/// Which headers are signed and how their names and values are canonicalised.
@Suite("header canonicalisation")
struct HeaderCanonicalizationTests {
    static let host = "bedrock-runtime.us-east-1.amazonaws.com"
    static let path = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    static let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
    static let signer = SigV4Signer(
        credential: AWSCredential(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: token),
        region: "us-east-1", service: "bedrock"
    )

    static func details(
        _ headers: [(name: String, value: String)],
        signer: SigV4Signer = signer
    ) -> SigV4Signer.SigningDetails {
        signer.signingDetails(
            method: "POST", path: path, query: nil, headers: headers,
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: AWS4TestSuiteCase.date
        )
    }

    /// The `name:value` lines of the canonical request.
    static func headerLines(_ details: SigV4Signer.SigningDetails) -> [String] {
        let lines = details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Array(lines[3..<(lines[3...].firstIndex(of: "") ?? lines.count)])
    }

    static let unsignedHeaders: [(name: String, value: String)] = [
        ("User-Agent", "Boto3/1.43.11"), ("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678"),
        ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"), ("Expect", "100-continue"), ("TE", "trailers"),
        ("Trailer", "x-checksum"), ("Transfer-Encoding", "chunked"), ("Upgrade", "h2c"),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg=="), ("Proxy-Authenticate", "Basic"),
    ]

    @Test("hop-by-hop headers, user-agent and x-amzn-trace-id are not signed")
    func unsignedHeadersAreExcluded() {
        let base: [(name: String, value: String)] = [("Host", Self.host), ("Content-Type", "application/json")]
        let plain = Self.details(base)
        let withUnsigned = Self.details(base + Self.unsignedHeaders)
        #expect(withUnsigned.signedHeaders == "content-type;host;x-amz-date;x-amz-security-token")
        #expect(withUnsigned.canonicalRequest == plain.canonicalRequest)
        #expect(withUnsigned.authorization == plain.authorization)

        // Changing an unsigned header's value keeps the signature; changing a signed one does not.
        let otherTrace = Self.details(base + [("x-amzn-trace-id", "Root=1-00000000-000000000000000000000000")])
        #expect(otherTrace.signature == plain.signature)
        let traced = Self.details(base + [("X-Amzn-Bedrock-Trace", "ENABLED")])
        let untraced = Self.details(base + [("X-Amzn-Bedrock-Trace", "DISABLED")])
        #expect(traced.signedHeaders == "content-type;host;x-amz-date;x-amz-security-token;x-amzn-bedrock-trace")
        #expect(traced.signature != untraced.signature)
        #expect(traced.signature != plain.signature)
    }

    @Test("the signer's own headers replace any the caller passes")
    func signerOwnsDateTokenAndAuthorization() {
        let clean = Self.details([("Host", Self.host)])
        let stale = Self.details([
            ("Authorization", "AWS4-HMAC-SHA256 Credential=OLD/20200101/us-east-1/bedrock/aws4_request"),
            ("Host", Self.host), ("X-Amz-Date", "20200101T000000Z"), ("x-amz-security-token", "stale-token"),
        ])
        #expect(stale.canonicalRequest == clean.canonicalRequest)
        #expect(stale.authorization == clean.authorization)
        #expect(Self.headerLines(clean) == [
            "host:\(Self.host)", "x-amz-date:20150830T123600Z", "x-amz-security-token:\(Self.token)",
        ])

        let signed = Self.signer.signHeaders(
            method: "POST", path: Self.path, query: nil, headers: [("Host", Self.host)],
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: AWS4TestSuiteCase.date
        )
        #expect(signed.map(\.name) == ["Authorization", "X-Amz-Date", "X-Amz-Security-Token"])
        #expect(signed[2].value == Self.token)
    }

    @Test("without a session token no token header is added, and a caller's is signed as sent (as botocore does)")
    func noSessionToken() {
        let longTerm = SigV4Signer(
            credential: AWSCredential(accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret"),
            region: "us-east-1", service: "bedrock"
        )
        let signed = longTerm.signHeaders(
            method: "POST", path: Self.path, query: nil, headers: [("Host", Self.host)],
            payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: AWS4TestSuiteCase.date
        )
        #expect(signed.map(\.name) == ["Authorization", "X-Amz-Date"])
        let withCallerToken = Self.details([("Host", Self.host), ("X-Amz-Security-Token", "caller")], signer: longTerm)
        #expect(withCallerToken.signedHeaders == "host;x-amz-date;x-amz-security-token")
    }

    @Test("values are trimmed, whitespace runs and folded lines collapse, repeats join in order")
    func valuesAreCanonicalised() {
        let details = Self.details([
            ("Host", Self.host),
            ("My-Header2", #"  "a   b   c"  "#),
            ("my-header1", "value4"),
            ("MY-HEADER1", "  value1\n   value2\n\tvalue3 "),
            ("My-Header1", "value3"),
            ("X-Empty", ""),
            ("X-Blank", " \t "),
            ("X-Unicode", "  Grüße,   世界 🌍 "),
        ])
        #expect(Self.headerLines(details) == [
            "host:\(Self.host)",
            "my-header1:value4,value1 value2 value3,value3",
            #"my-header2:"a b c""#,
            "x-amz-date:20150830T123600Z",
            "x-amz-security-token:\(Self.token)",
            "x-blank:",
            "x-empty:",
            "x-unicode:Grüße, 世界 🌍",
        ])
        #expect(
            details.signedHeaders
                == "host;my-header1;my-header2;x-amz-date;x-amz-security-token;x-blank;x-empty;x-unicode"
        )
    }

    @Test("names sort by their lower-cased bytes, whatever their case and order")
    func namesSortByLowercasedBytes() {
        let headers: [(name: String, value: String)] = [
            ("X-B", "2"), ("x-a", "1"), ("Host", Self.host), ("Content-Type", "application/json"), ("x-a-b", "3"),
            ("X-A_B", "4"), ("Accept", "*/*"),
        ]
        let forward = Self.details(headers)
        let reversed = Self.details(headers.reversed())
        #expect(forward.signedHeaders == "accept;content-type;host;x-a;x-a-b;x-a_b;x-amz-date;x-amz-security-token;x-b")
        #expect(forward.authorization == reversed.authorization)
    }
}
