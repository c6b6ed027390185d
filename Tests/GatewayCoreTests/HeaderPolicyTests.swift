import GatewayCore
import HTTPTypes
import Testing

@Suite struct HeaderPolicyTests {
    static let requestTable: [(String, HeaderPolicy.Disposition)] = [
        ("Content-Type", .forward),
        ("Accept", .forward),
        ("X-Amzn-Bedrock-Accept", .forward),
        ("X-Amzn-Bedrock-Trace", .forward),
        ("X-Amzn-Bedrock-GuardrailIdentifier", .forward),
        ("X-Amzn-Bedrock-GuardrailVersion", .forward),
        ("X-Amzn-Bedrock-PerformanceConfig-Latency", .forward),
        ("X-Amzn-Bedrock-Service-Tier", .forward),
        ("x-amzn-bedrock-future-header", .forward),
        ("traceparent", .forward),
        ("tracestate", .forward),
        ("X-Amzn-Trace-Id", .forward),
        ("Authorization", .drop(.credential)),
        ("Cookie", .drop(.credential)),
        ("X-Amz-Security-Token", .drop(.credential)),
        ("Host", .drop(.recomputed)),
        ("X-Amz-Date", .drop(.recomputed)),
        ("Content-Length", .drop(.recomputed)),
        ("X-Amz-Content-SHA256", .drop(.recomputed)),
        ("X-Use-Case-Id", .drop(.gatewayOnly)),
        ("X-Gateway-Model", .drop(.gatewayOnly)),
        ("Connection", .drop(.hopByHop)),
        ("Keep-Alive", .drop(.hopByHop)),
        ("Proxy-Authorization", .drop(.hopByHop)),
        ("Proxy-Connection", .drop(.hopByHop)),
        ("TE", .drop(.hopByHop)),
        ("Trailer", .drop(.hopByHop)),
        ("Transfer-Encoding", .drop(.hopByHop)),
        ("Upgrade", .drop(.hopByHop)),
        ("User-Agent", .drop(.notBedrock)),
        ("amz-sdk-invocation-id", .drop(.notBedrock)),
        ("X-Forwarded-For", .drop(.notBedrock)),
    ]

    @Test(arguments: requestTable)
    func requestHeaders(name: String, disposition: HeaderPolicy.Disposition) throws {
        #expect(HeaderPolicy.requestDisposition(of: try #require(HTTPField.Name(name))) == disposition)
    }

    static let responseTable: [(String, HeaderPolicy.Disposition)] = [
        ("Content-Type", .forward),
        ("Content-Length", .forward),
        ("x-amzn-RequestId", .forward),
        ("X-Amzn-Bedrock-Content-Type", .forward),
        ("X-Amzn-Bedrock-Input-Token-Count", .forward),
        ("x-amzn-ErrorType", .forward),
        ("Date", .forward),
        ("Set-Cookie", .drop(.cookie)),
        ("Connection", .drop(.hopByHop)),
        ("Keep-Alive", .drop(.hopByHop)),
        ("Transfer-Encoding", .drop(.hopByHop)),
        ("Proxy-Authenticate", .drop(.hopByHop)),
        ("Upgrade", .drop(.hopByHop)),
        ("X-Gateway-Account", .drop(.gatewayOnly)),
    ]

    @Test(arguments: responseTable)
    func responseHeaders(name: String, disposition: HeaderPolicy.Disposition) throws {
        #expect(HeaderPolicy.responseDisposition(of: try #require(HTTPField.Name(name))) == disposition)
    }

    @Test func upstreamRequestKeepsBedrockHeadersInOrder() throws {
        var inbound = HTTPFields()
        inbound[.authorization] = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.sig"
        inbound[try #require(HTTPField.Name("Host"))] = "gateway.internal"
        inbound[.contentType] = "application/json"
        inbound[.contentLength] = "42"
        inbound[try #require(HTTPField.Name("X-Amzn-Bedrock-Trace"))] = "ENABLED"
        inbound[try #require(HTTPField.Name("X-Amzn-Bedrock-GuardrailVersion"))] = "DRAFT"
        inbound[.connection] = "keep-alive, X-Amzn-Bedrock-GuardrailVersion"
        inbound[.useCaseID] = "UseCaseA"
        inbound[try #require(HTTPField.Name("traceparent"))] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        inbound[.accept] = "application/json"
        let upstream = HeaderPolicy.upstreamRequestHeaders(from: inbound)
        #expect(upstream.map(\.name.canonicalName) == ["content-type", "x-amzn-bedrock-trace", "traceparent", "accept"])
        #expect(upstream[try #require(HTTPField.Name("x-amzn-bedrock-trace"))] == "ENABLED")
    }

    @Test func clientResponseReplacesGatewayHeaders() throws {
        var upstream = HTTPFields()
        upstream[.contentType] = "application/vnd.amazon.eventstream"
        upstream[.transferEncoding] = "chunked"
        upstream[.setCookie] = "AWSALB=abc"
        upstream[try #require(HTTPField.Name("x-amzn-RequestId"))] = "req-1"
        upstream[.gatewayModel] = "spoofed"
        upstream[.connection] = "close, x-debug"
        upstream[try #require(HTTPField.Name("x-debug"))] = "1"
        let gateway = GatewayResponseHeaders(
            useCase: "UseCaseA", model: CatalogFixture.sonnetProfile, account: CatalogFixture.usAccount,
            route: .complex, routeReason: "code and 3 questions"
        )
        let response = HeaderPolicy.clientResponseHeaders(from: upstream, gateway: gateway)
        #expect(
            response.map(\.name.canonicalName) == [
                "content-type", "x-amzn-requestid", "x-gateway-use-case", "x-gateway-model", "x-gateway-account",
                "x-gateway-route", "x-gateway-route-reason",
            ]
        )
        #expect(response[values: .gatewayModel] == [CatalogFixture.sonnetProfile])
        #expect(response[.gatewayAccount] == "222222222222")
        #expect(response[.gatewayRoute] == "complex")
        #expect(response[.gatewayRouteReason] == "code and 3 questions")
    }

    @Test func explicitTargetsCarryNoRouteReason() throws {
        let useCase = try #require(try CatalogFixture.policy().useCase(id: "UseCaseA"))
        guard case .target(let target) = try ModelResolver.resolve(modelID: "claude-sonnet-4-5", operation: .converse, for: useCase) else {
            Issue.record("expected a target")
            return
        }
        let fields = GatewayResponseHeaders(target: target).fields
        #expect(fields[.gatewayUseCase] == "UseCaseA")
        #expect(fields[.gatewayModel] == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        #expect(fields[.gatewayAccount] == "222222222222")
        #expect(fields[.gatewayRoute] == "explicit")
        #expect(fields[.gatewayRouteReason] == nil)
    }
}
