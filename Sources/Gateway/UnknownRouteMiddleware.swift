import GatewayCore
import Hummingbird

/// Answers requests no route serves in Bedrock's error shape (`{"message": ...}` plus `x-amzn-ErrorType`), so an SDK
/// pointed at the wrong path or method raises its own `ResourceNotFoundException` with a message saying what the
/// gateway does serve, instead of failing to parse Hummingbird's plain 404.
struct UnknownRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    static var servedRoutes: String {
        "POST /model/{modelId}/{converse|converse-stream|invoke|invoke-with-response-stream|count-tokens}, the same under "
            + "/use-cases/{useCaseId}, and GET /health, /ready, /metrics"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let path = BedrockProxy.headerSafe(String(request.uri.path.prefix(200)))
            let gatewayError = GatewayError.notFound(
                "the gateway serves no \(request.method.rawValue) \(path); it serves \(Self.servedRoutes)",
                reason: "unknown_route"
            )
            return BedrockProxy.response(for: gatewayError, requestID: context.id)
        }
    }
}
