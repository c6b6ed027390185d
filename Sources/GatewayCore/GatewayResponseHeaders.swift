import HTTPTypes
import UseCaseCatalog

/// The headers the gateway adds to every forwarded response: which use case, model, account and route served it.
public struct GatewayResponseHeaders: Sendable, Hashable {
    /// How the model was chosen.
    public enum Route: String, Sendable, Hashable, CaseIterable {
        /// The request named the model.
        case explicit
        /// `auto`, classified simple.
        case simple
        /// `auto`, classified complex.
        case complex
    }

    static let prefix = "x-gateway-"

    /// The use case that served the request.
    public var useCase: String
    /// The model id sent upstream (the inference-profile id for profile models).
    public var model: String
    /// The 12-digit shared-model account id.
    public var account: String
    /// How the model was chosen.
    public var route: Route
    /// A short human-readable reason for a routed decision; nil for explicit models.
    public var routeReason: String?

    /// The headers from their values.
    public init(useCase: String, model: String, account: String, route: Route, routeReason: String? = nil) {
        self.useCase = useCase
        self.model = model
        self.account = account
        self.route = route
        self.routeReason = routeReason
    }

    /// The headers for a resolved target.
    public init(target: ResolvedTarget, route: Route = .explicit, routeReason: String? = nil) {
        self.init(
            useCase: target.useCaseID, model: target.invokeModelId, account: target.account.account,
            route: route, routeReason: routeReason
        )
    }

    /// `x-gateway-use-case`, `x-gateway-model`, `x-gateway-account`, `x-gateway-route` and, when set,
    /// `x-gateway-route-reason`.
    public var fields: HTTPFields {
        var fields = HTTPFields()
        append(to: &fields)
        return fields
    }

    func append(to fields: inout HTTPFields) {
        fields.append(HTTPField(name: .gatewayUseCase, value: useCase))
        fields.append(HTTPField(name: .gatewayModel, value: model))
        fields.append(HTTPField(name: .gatewayAccount, value: account))
        fields.append(HTTPField(name: .gatewayRoute, value: route.rawValue))
        if let routeReason { fields.append(HTTPField(name: .gatewayRouteReason, value: routeReason)) }
    }
}

extension HTTPField.Name {
    /// `x-gateway-use-case`: the use case that served the request.
    public static let gatewayUseCase = HTTPField.Name("x-gateway-use-case")!
    /// `x-gateway-model`: the model id sent upstream.
    public static let gatewayModel = HTTPField.Name("x-gateway-model")!
    /// `x-gateway-account`: the shared-model account id.
    public static let gatewayAccount = HTTPField.Name("x-gateway-account")!
    /// `x-gateway-route`: `explicit`, `simple` or `complex`.
    public static let gatewayRoute = HTTPField.Name("x-gateway-route")!
    /// `x-gateway-route-reason`: why the router chose the route.
    public static let gatewayRouteReason = HTTPField.Name("x-gateway-route-reason")!
}
