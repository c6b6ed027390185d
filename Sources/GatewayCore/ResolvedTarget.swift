import UseCaseCatalog

/// Where and how one request is sent upstream: the model, the shared-model account and Region serving it, the role
/// assumed there, and the path to sign and send.
public struct ResolvedTarget: Sendable, Hashable {
    /// The use case the request runs under.
    public let useCaseID: String
    /// The catalog model the request resolved to.
    public let model: Model
    /// The shared-model account that serves the request.
    public let account: ModelAccount
    /// The Region of `account` the request is sent to.
    public let region: String
    /// The role the gateway assumes in `account` for this use case.
    public let roleARN: String
    /// The id sent upstream: the inference-profile id when the model has one, else the model id.
    public let invokeModelId: String
    /// The operation sent upstream (the one the client called).
    public let operation: BedrockOperation
    /// `/model/<invokeModelId percent-encoded once>/<operation>`, e.g. `/model/amazon.titan-text-express-v1/converse`.
    public let upstreamPath: String
    /// The session policy passed to STS when the role is shared with other use cases of its role group.
    public let sessionPolicy: String?

    init(
        useCaseID: String, model: Model, account: ModelAccount, region: String, roleARN: String,
        operation: BedrockOperation, sessionPolicy: String?
    ) {
        self.useCaseID = useCaseID
        self.model = model
        self.account = account
        self.region = region
        self.roleARN = roleARN
        self.invokeModelId = model.invokeId
        self.operation = operation
        self.upstreamPath = "/model/\(PercentEncoding.encodeSegment(model.invokeId))/\(operation.pathComponent)"
        self.sessionPolicy = sessionPolicy
    }

    /// The same target served from another account and Region of the use case.
    func served(from account: ModelAccount, region: String, roleARN: String) -> Self {
        Self(
            useCaseID: useCaseID, model: model, account: account, region: region, roleARN: roleARN,
            operation: operation, sessionPolicy: sessionPolicy
        )
    }
}
