import AWSSigning
import BedrockEventStream
import CredentialPlane
import Foundation
import GatewayCore
import GatewayRouting
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import UpstreamHTTP
import UseCaseCatalog
import WebIdentity

/// Serves the bedrock-runtime operations: authenticates the caller, authorizes and resolves the model, routes
/// `auto`, gets credentials, signs and forwards the request, and streams the answer back as it arrives.
struct BedrockProxy: Sendable {
    let policy: GatewayPolicy
    let classifiers: [String: RequestClassifier]
    let authenticator: any CallerAuthenticator
    let credentials: any UpstreamCredentialSource
    let upstream: UpstreamClients
    let maxBodyBytes: Int
    let metrics: GatewayMetrics
    let audit: any AuditSink
    let signers = SignerCache(service: "bedrock")
    let clock = ContinuousClock()

    /// Largest Converse response body parsed for `usage`.
    static let usageParseLimit = 1_000_000
    /// Largest answer of a non-streaming operation read whole before it is sent on (by its Content-Length).
    static let wholeAnswerLimit = 256 * 1024
    static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!

    /// A request resolved to one upstream target.
    private struct Plan {
        var target: ResolvedTarget
        var route: GatewayResponseHeaders.Route
        var routeReason: String?
    }

    func handle(_ request: Request, context: GatewayRequestContext) async -> Response {
        let started = clock.now
        var record = AuditRecord(requestID: context.id)
        let logger = context.logger
        do {
            let path = try BedrockRequestPath(parsing: request.uri.path)
            record.operation = path.operation.rawValue
            let caller = try await authenticate(request.headers, logger: logger)
            record.callerSubject = caller.subject
            let useCaseHeader = try Self.useCaseHeader(request.headers)
            if let id = useCaseHeader ?? path.useCaseID, policy.useCase(id: id) != nil { record.useCase = id }
            let resolution = try policy.authorize(path: path, useCaseHeader: useCaseHeader, callerGroups: caller.groups)
            let body = try await collectBody(request)
            let plan = try resolve(resolution, operation: path.operation, body: body)
            record.useCase = plan.target.useCaseID
            record.model = plan.target.invokeModelId
            record.account = plan.target.account.account
            record.region = plan.target.region
            record.route = plan.route.rawValue
            record.routeReason = plan.routeReason
            let lookup: CredentialLookup
            do {
                lookup = try await credentials.credentials(for: plan.target, caller: caller, logger: logger)
            } catch {
                throw Self.credentialError(error, roleARN: plan.target.roleARN)
            }
            record.credentialLayer = lookup.layer
            return try await forward(plan, body: body, headers: request.headers, credential: lookup.credential,
                                     eventLoop: context.eventLoop, record: record, started: started, logger: logger)
        } catch let error as GatewayError {
            return errorResponse(error, record: record, started: started, logger: logger)
        } catch is CancellationError {
            let error = GatewayError.serviceUnavailable("the request was cancelled before it completed; retry it", reason: "cancelled")
            return errorResponse(error, record: record, started: started, logger: logger)
        } catch {
            logger.error("unexpected failure serving a request", metadata: ["gw.error": "\(String(reflecting: type(of: error)))"])
            let gatewayError = GatewayError.internalServer("the gateway failed unexpectedly; retry the request", reason: "internal")
            return errorResponse(gatewayError, record: record, started: started, logger: logger)
        }
    }

    // MARK: Authentication

    private func authenticate(_ headers: HTTPFields, logger: Logger) async throws(GatewayError) -> AuthenticatedCaller {
        let values = headers[values: .authorization]
        guard let value = values.first else {
            throw .unauthenticated(
                "the request has no Authorization header; send 'Authorization: Bearer <JWT from your identity provider>' (the AWS SDKs do this when AWS_BEARER_TOKEN_BEDROCK is set)",
                reason: "missing_token"
            )
        }
        guard values.count == 1 else {
            throw .unauthenticated("the request has several Authorization headers; send one bearer token", reason: "malformed_token")
        }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthenticated(
                "the Authorization header is not a bearer token (the gateway does not accept AWS SigV4 signatures); send 'Authorization: Bearer <JWT from your identity provider>', e.g. by setting AWS_BEARER_TOKEN_BEDROCK",
                reason: "not_bearer"
            )
        }
        let token = Self.trimmingSpaces(parts[1])
        guard !token.isEmpty else {
            throw .unauthenticated("the bearer token is empty; send the JWT your identity provider issued", reason: "missing_token")
        }
        return try await authenticator.authenticate(bearerToken: token, logger: logger)
    }

    /// Trims ASCII spaces and tabs on the UTF-8 view. Foundation's `trimmingCharacters(in:)` bridges through
    /// NSString on Linux and was the largest single cost of a request under load (bench/results, perf).
    static func trimmingSpaces(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }),
            let last = utf8.lastIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
        else { return "" }
        return String(text[first...last])
    }

    static func useCaseHeader(_ headers: HTTPFields) throws(GatewayError) -> String? {
        var header: String?
        for value in headers[values: .useCaseID] {
            let trimmed = Self.trimmingSpaces(Substring(value))
            if let first = header, first != trimmed {
                throw .validation("the request has several X-Use-Case-Id headers naming different use cases; send one", reason: "use_case_mismatch")
            }
            header = trimmed
        }
        return header
    }

    // MARK: Body

    private func collectBody(_ request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw GatewayError.payloadTooLarge(limit: maxBodyBytes)
        }
        var collected = ByteBuffer()
        for try await chunk in request.body {
            guard collected.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                throw GatewayError.payloadTooLarge(limit: maxBodyBytes)
            }
            if collected.readableBytes == 0 {
                collected = chunk
            } else {
                var chunk = chunk
                collected.writeBuffer(&chunk)
            }
        }
        return collected
    }

    // MARK: Routing

    private func resolve(_ resolution: ModelResolution, operation: BedrockOperation, body: ByteBuffer) throws(GatewayError) -> Plan {
        switch resolution {
        case .target(let target):
            return Plan(target: target, route: .explicit, routeReason: nil)
        case .auto(let targets):
            let input: RoutingInput
            do {
                switch operation {
                case .converse, .converseStream:
                    input = try RoutingInputExtractor.fromConverse(body: body.readableBytesView)
                case .invoke, .invokeWithResponseStream:
                    let simple = ModelFamily(modelId: targets.simple.model.modelId)
                    let complex = ModelFamily(modelId: targets.complex.model.modelId)
                    input = try RoutingInputExtractor.fromInvoke(body: body.readableBytesView, modelFamily: simple == complex ? simple : .unknown)
                case .countTokens:
                    throw GatewayError.validation(
                        "count-tokens needs an explicit model because token counts depend on the model; call it with the model a routed request used (its x-gateway-model response header)",
                        reason: "auto_count_tokens"
                    )
                }
            } catch let error as RoutingError {
                throw .validation(error.message, reason: "routing_input")
            } catch let error as GatewayError {
                throw error
            } catch {
                throw .validation("cannot route 'auto': the request body could not be read", reason: "routing_input")
            }
            let classifier = classifiers[targets.simple.useCaseID] ?? RequestClassifier()
            let decision = classifier.classify(input)
            let target: ResolvedTarget
            let route: GatewayResponseHeaders.Route
            switch decision.tier {
            case .simple:
                target = targets.target(for: .simple)
                route = .simple
            case .complex:
                target = targets.target(for: .complex)
                route = .complex
            }
            metrics.recordRoute(useCase: target.useCaseID, route: route.rawValue)
            return Plan(target: target, route: route, routeReason: Self.headerSafe(decision.reason))
        }
    }

    /// Keeps a reason to visible ASCII and spaces so it is a valid header value.
    static func headerSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }))
    }

    // MARK: Credential errors

    static func credentialError(_ error: any Error, roleARN: String) -> any Error {
        switch error {
        case let error as GatewayError:
            return error
        case is CancellationError:
            return error
        case let error as STSError:
            let message = "could not get credentials for role \(roleARN): STS AssumeRoleWithWebIdentity failed with \(error.code): \(singleLine(error.message)); \(error.hint)"
            return error.isRetryable
                ? GatewayError.serviceUnavailable(message, reason: "sts_unavailable")
                : GatewayError.badGateway(message, reason: "sts_error")
        case let error as WebIdentityTokenError:
            let message = "could not get a web-identity token from the identity provider for role \(roleARN): \(error.code): \(singleLine(error.message))"
            return error.isRetryable
                ? GatewayError.serviceUnavailable(message, reason: "idp_unavailable")
                : GatewayError.badGateway(message, reason: "idp_error")
        case let error as CredentialPlaneError:
            return GatewayError.badGateway("could not get credentials for role \(roleARN): \(error.message)", reason: "credential_plane")
        default:
            return GatewayError.serviceUnavailable("could not get credentials for role \(roleARN); retry the request", reason: "credentials_unavailable")
        }
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    // MARK: Forwarding

    private func forward(
        _ plan: Plan, body: ByteBuffer, headers inbound: HTTPFields, credential: AWSCredential, eventLoop: any EventLoop,
        record: AuditRecord, started: ContinuousClock.Instant, logger: Logger
    ) async throws -> Response {
        let target = plan.target
        let endpoint = upstream.endpoint(forRegion: target.region)
        let path = endpoint.basePath + target.upstreamPath
        var outbound = HTTPHeaders()
        var signed: [(name: String, value: String)] = [(name: "host", value: endpoint.hostHeader)]
        outbound.add(name: "host", value: endpoint.hostHeader)
        for field in HeaderPolicy.upstreamRequestHeaders(from: inbound) {
            outbound.add(name: field.name.rawName, value: field.value)
            signed.append((name: field.name.canonicalName, value: field.value))
        }
        let payloadHash = body.withUnsafeReadableBytes { SigV4Signer.sha256Hex($0) }
        let signer = signers.signer(for: credential, region: target.region)
        for header in signer.signHeaders(method: "POST", path: path, query: nil, headers: signed, payloadSHA256Hex: payloadHash, date: Date()) {
            outbound.replaceOrAdd(name: header.name, value: header.value)
        }

        let sent = clock.now
        let response: UpstreamResponse
        do {
            response = try await upstream.client.execute(
                UpstreamRequest(method: .POST, target: path, headers: outbound, body: body),
                to: endpoint.origin,
                on: upstream.eventLoop(preferring: eventLoop),
                deadline: .now() + TimeAmount(upstream.timeouts.firstByte),
                readIdleTimeout: TimeAmount(target.operation.isStreaming ? upstream.timeouts.streamIdle : upstream.timeouts.firstByte),
                wholeBodyLimit: target.operation.isStreaming ? nil : Self.wholeAnswerLimit
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as UpstreamHTTPError where error.afterHead {
            throw GatewayError.badGateway(
                "Bedrock at \(endpoint.hostHeader) ended its answer before it was complete; retry the request",
                reason: "upstream_stream_failed"
            )
        } catch {
            throw upstream.transportError(error, endpoint: endpoint)
        }
        let upstreamLatency = clock.now - sent

        var record = record
        record.status = Int(response.status.code)
        record.upstreamLatencyMilliseconds = Self.milliseconds(upstreamLatency)
        record.upstreamRequestID = response.headers.first(name: "x-amzn-RequestId")
        if response.status.code >= 400 {
            record.upstreamErrorType = response.headers.first(name: "x-amzn-ErrorType").map { String($0.prefix { $0 != ":" }) }
        }
        if let input = response.headers.first(name: "X-Amzn-Bedrock-Input-Token-Count").flatMap({ Int($0) }),
            let output = response.headers.first(name: "X-Amzn-Bedrock-Output-Token-Count").flatMap({ Int($0) })
        {
            record.usage = BedrockTokenUsage(inputTokens: input, outputTokens: output)
        }

        var upstreamFields = HTTPFields()
        upstreamFields.reserveCapacity(response.headers.count)
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            upstreamFields.append(HTTPField(name: name, value: header.value))
        }
        let gatewayHeaders = GatewayResponseHeaders(target: target, route: plan.route, routeReason: plan.routeReason)
        let fields = HeaderPolicy.clientResponseHeaders(from: upstreamFields, gateway: gatewayHeaders)

        let observer = ResponseObserver(
            operation: target.operation,
            status: Int(response.status.code),
            contentType: response.headers.first(name: "content-type")
        )
        let finisher = RequestFinisher(metrics: metrics, audit: audit, clock: clock, started: started, upstreamLatency: upstreamLatency)
        let upstreamBody = response.body
        let status = HTTPResponse.Status(code: Int(response.status.code))

        // A small answer of a non-streaming operation arrives whole (wholeBodyLimit above) and is sent with its
        // head in one write: one syscall and no per-part suspensions instead of three, and an answer cut short
        // upstream becomes a clear 502 instead of a truncated 200. Streaming operations and larger answers are
        // forwarded part by part.
        if let body = upstreamBody.whole {
            var observer = observer
            observer.observe(body)
            record.usage = observer.usage ?? record.usage
            finisher.finish(record)
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: body))
        }

        let startRecord = record
        let responseBody = ResponseBody { writer in
            var record = startRecord
            var observer = observer
            var clientGone = false
            do {
                for try await chunk in upstreamBody {
                    observer.observe(chunk)
                    do {
                        try await writer.write(chunk)
                    } catch {
                        clientGone = true
                        throw error
                    }
                }
                try await writer.finish(nil)
            } catch {
                // Leaving the loop drops the upstream body, which cancels the upstream request.
                if clientGone || Task.isCancelled {
                    record.clientDisconnected = true
                } else {
                    record.error = "upstream_stream_failed"
                    logger.debug("upstream response body failed", metadata: ["gw.error": "\(error)"])
                }
                record.usage = observer.usage ?? record.usage
                finisher.finish(record)
                throw error
            }
            record.usage = observer.usage ?? record.usage
            finisher.finish(record)
        }
        return Response(status: status, headers: fields, body: responseBody)
    }

    /// Every part of an answer, in one buffer (the first part itself when it is the whole answer). An answer that
    /// ends early is a 502.
    // MARK: Errors

    private func errorResponse(_ error: GatewayError, record: AuditRecord, started: ContinuousClock.Instant, logger: Logger) -> Response {
        var record = record
        record.status = error.status
        record.error = error.shortDescription
        RequestFinisher(metrics: metrics, audit: audit, clock: clock, started: started, upstreamLatency: nil).finish(record)
        logger.debug("request refused", metadata: ["gw.status": "\(error.status)", "gw.error": "\(error.shortDescription)"])
        return Self.response(for: error, requestID: record.requestID)
    }

    static func response(for error: GatewayError, requestID: String) -> Response {
        var headers = error.headerFields
        headers[requestIDHeader] = requestID
        let body = error.responseBody()
        headers[.contentLength] = String(body.count)
        return Response(status: error.httpStatus, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// Records a finished request's metrics and audit line, once.
struct RequestFinisher: Sendable {
    let metrics: GatewayMetrics
    let audit: any AuditSink
    let clock: ContinuousClock
    let started: ContinuousClock.Instant
    let upstreamLatency: Duration?

    func finish(_ record: AuditRecord) {
        var record = record
        let total = clock.now - started
        record.latencyMilliseconds = BedrockProxy.milliseconds(total)
        metrics.recordRequest(
            useCase: record.useCase ?? "-", model: record.model ?? "-", operation: record.operation, status: record.status,
            total: total, upstream: upstreamLatency
        )
        audit.write(record)
    }
}
