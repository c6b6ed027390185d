import Testing

@testable import AWSSigning

/// The canonical query string: RFC 3986 encoding, sorted by key then value.
@Suite("canonical query string")
struct CanonicalQueryTests {
    static func canonicalQuery(_ query: String) -> String {
        let bytes = ByteWriter.collect(capacity: 4 * query.utf8.count + 1) { writer in
            SigV4Canonicalizer.appendCanonicalQuery(query, to: &writer)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(
        "queries are normalised and sorted",
        arguments: [
            ("", ""),
            ("maxResults=10&statusEquals=Completed", "maxResults=10&statusEquals=Completed"),
            ("b=2&a=1", "a=1&b=2"),
            ("Param1=value2&Param1=Value1", "Param1=Value1&Param1=value2"),
            ("Param-3=Value3&Param=Value2&%E1%88%B4=Value1", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"),
            ("ሴ=bar", "%E1%88%B4=bar"),
            ("flag&a=", "a=&flag="),
            ("a=1&&b=2&", "=&=&a=1&b=2"),
            ("&", "=&="),
            ("token=abc%2fdef%3d%3D", "token=abc%2Fdef%3D%3D"),
            ("a=%41%7E", "a=A~"),
            ("q=a b+c", "q=a%20b%2Bc"),
            ("q=x=y", "q=x%3Dy"),
            ("q=100%", "q=100%25"),
            ("q=%zz", "q=%25zz"),
            ("q=caf%C3%A9", "q=caf%C3%A9"),
        ]
    )
    func normalisation(query: String, expected: String) {
        #expect(Self.canonicalQuery(query) == expected)
    }

    @Test("nil and empty queries leave the line empty")
    func emptyQueryLine() {
        let signer = SigV4Signer(
            credential: AWSCredential(accessKeyId: "AKID", secretAccessKey: "secret"), region: "us-east-1",
            service: "bedrock"
        )
        for query in [nil, ""] as [String?] {
            let details = signer.signingDetails(
                method: "GET", path: "/async-invoke", query: query, headers: [("Host", "h")],
                payloadSHA256Hex: SigV4Signer.emptyPayloadSHA256Hex, date: AWS4TestSuiteCase.date
            )
            #expect(details.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "")
        }
    }
}
