import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// Calls AWS STS `AssumeRoleWithWebIdentity` over the query protocol.
///
/// The call is unsigned (the operation needs no AWS credentials): a form-encoded `POST /` to the regional
/// endpoint. Inputs are validated before anything is sent, failures are retried per ``STSRetryPolicy``, and
/// every failure surfaces as an ``STSError`` naming the role, the STS code and message and the token's
/// `iss`/`aud`/`sub`.
///
/// ```swift
/// let sts = STSClient(region: "eu-west-1")
/// let result = try await sts.assumeRoleWithWebIdentity(
///     AssumeRoleWithWebIdentityRequest(
///         roleArn: "arn:aws:iam::111111111111:role/ACME-GenAI-UseCaseA-BedrockInvokeRole",
///         roleSessionName: RoleSessionName.make(useCase: "UseCaseA"),
///         webIdentityToken: token,
///         durationSeconds: 3600),
///     logger: logger)
/// ```
public struct STSClient: STSClientProtocol {
    /// The AWS Region whose STS endpoint is used.
    public let region: String
    /// The endpoint requests are posted to.
    public let endpoint: String
    /// How failures are retried.
    public let retryPolicy: STSRetryPolicy
    /// The limit on each attempt.
    public let requestTimeout: Duration
    private let httpClient: HTTPClient
    private let url: String

    /// The largest answer read from STS.
    static let maximumResponseBytes = 1 << 20

    /// - Parameters:
    ///   - region: the AWS Region, e.g. `eu-west-1`.
    ///   - endpoint: overrides ``defaultEndpoint(region:)`` (tests, VPC endpoints, FIPS).
    ///   - httpClient: the client to send requests with.
    ///   - retryPolicy: how to retry failures.
    ///   - requestTimeout: the limit on each attempt.
    public init(
        region: String,
        endpoint: String? = nil,
        httpClient: HTTPClient = .shared,
        retryPolicy: STSRetryPolicy = .default,
        requestTimeout: Duration = .seconds(10)
    ) {
        self.region = region
        let endpoint = endpoint ?? Self.defaultEndpoint(region: region)
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        let afterScheme = endpoint.range(of: "://").map { endpoint[$0.upperBound...] } ?? endpoint[...]
        self.url = afterScheme.contains("/") ? endpoint : endpoint + "/"
    }

    /// `https://sts.<region>.amazonaws.com` (`.amazonaws.com.cn` for the China Regions).
    public static func defaultEndpoint(region: String) -> String {
        region.hasPrefix("cn-") ? "https://sts.\(region).amazonaws.com.cn" : "https://sts.\(region).amazonaws.com"
    }

    /// Validates `request`, calls STS and retries per ``retryPolicy``.
    ///
    /// - Throws: ``STSError`` for every failure; `CancellationError` when the task is cancelled.
    public func assumeRoleWithWebIdentity(
        _ request: AssumeRoleWithWebIdentityRequest,
        logger: Logger
    ) async throws -> AssumeRoleWithWebIdentityResult {
        try request.validate()
        var logger = logger
        logger[metadataKey: "gw.sts.role_arn"] = "\(request.roleArn)"
        let body = request.formBody
        var attempt = 0
        var invalidIdentityTokenRetries = 0
        while true {
            attempt += 1
            do {
                let result = try await send(body: body, request: request, logger: logger)
                logger.debug(
                    "STS issued role credentials",
                    metadata: [
                        "gw.sts.attempts": "\(attempt)",
                        "gw.sts.expiration": "\(result.credential.expiration.map { "\($0)" } ?? "-")",
                        "gw.sts.request_id": "\(result.requestId ?? "-")",
                    ]
                )
                return result
            } catch let error as STSError {
                guard
                    retryPolicy.shouldRetry(
                        error,
                        attempt: attempt,
                        invalidIdentityTokenRetries: invalidIdentityTokenRetries
                    )
                else {
                    throw error.with(attempts: attempt)
                }
                if error.code == STSError.Codes.invalidIdentityToken { invalidIdentityTokenRetries += 1 }
                let delay = retryPolicy.delay(beforeRetry: attempt)
                logger.info(
                    "retrying STS AssumeRoleWithWebIdentity",
                    metadata: [
                        "gw.sts.error_code": "\(error.code)",
                        "gw.sts.attempt": "\(attempt)",
                        "gw.sts.retry_delay": "\(delay)",
                    ]
                )
                try await retryPolicy.sleep(delay)
            }
        }
    }

    private func send(
        body: String,
        request: AssumeRoleWithWebIdentityRequest,
        logger: Logger
    ) async throws -> AssumeRoleWithWebIdentityResult {
        func failure(_ code: String, _ message: String, status: Int? = nil, requestId: String? = nil) -> STSError {
            STSError(
                code: code,
                message: message,
                roleArn: request.roleArn,
                httpStatus: status,
                requestId: requestId,
                token: request.webIdentityToken
            )
        }

        var httpRequest = HTTPClientRequest(url: url)
        httpRequest.method = .POST
        httpRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        httpRequest.body = .bytes(ByteBuffer(string: body))

        let status: Int
        let headerRequestId: String?
        let bytes: ByteBuffer
        do {
            let response = try await httpClient.execute(
                httpRequest,
                timeout: TimeAmount(requestTimeout),
                logger: logger
            )
            status = Int(response.status.code)
            headerRequestId = response.headers.first(name: "x-amzn-RequestId")
            bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                throw failure(STSError.Codes.timeout, "no answer from \(endpoint) within \(requestTimeout)")
            case .cancelled:
                try Task.checkCancellation()
                throw failure(STSError.Codes.transport, "request to \(endpoint) was cancelled")
            default:
                throw failure(STSError.Codes.transport, "request to \(endpoint) failed: \(error)")
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw failure(STSError.Codes.transport, "request to \(endpoint) failed: \(error)")
        }

        let data = Data(buffer: bytes)
        if status == 200 {
            do {
                var result = try STSResponseParser.parseResult(data)
                if result.requestId == nil { result.requestId = headerRequestId }
                return result
            } catch {
                throw failure(
                    STSError.Codes.invalidResponse,
                    "STS answered 200 but \(error.reason)",
                    status: status,
                    requestId: headerRequestId
                )
            }
        }
        if let document = STSResponseParser.parseError(data) {
            throw failure(
                document.code,
                document.message,
                status: status,
                requestId: document.requestId ?? headerRequestId
            )
        }
        let snippet = String(decoding: data.prefix(200), as: UTF8.self)
        throw failure(
            STSError.Codes.unrecognizedResponse,
            "HTTP \(status) without an STS error document (body starts: \(snippet.isEmpty ? "<empty>" : snippet))",
            status: status,
            requestId: headerRequestId
        )
    }
}

extension TimeAmount {
    /// The same span as `duration`, to nanosecond precision.
    init(_ duration: Duration) {
        let components = duration.components
        self = .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
