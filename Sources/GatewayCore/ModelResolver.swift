import UseCaseCatalog

/// Resolves a request's (decoded, checked) model id against a use case's allow-list.
///
/// Accepted forms: a catalog logical name, a Bedrock foundation-model id, an inference-profile id, a foundation-model
/// ARN (empty account field, a Region the use case's grant serves) and an inference-profile ARN (an account of the use
/// case, a Region its grant serves); `auto` asks the router. Anything else is refused before any upstream call.
public enum ModelResolver {
    /// - Throws: 403 `AccessDeniedException` listing the models the use case may use, when the id does not resolve to
    ///   one of them; 400 `ValidationException` for a malformed ARN or `auto` without routing.
    public static func resolve(
        modelID: String,
        operation: BedrockOperation,
        for useCase: UseCasePolicy
    ) throws(GatewayError) -> ModelResolution {
        if let entry = useCase.entriesByIdentifier[modelID] {
            return .target(entry.targets[operation.index])
        }
        if modelID == "auto" {
            guard let auto = useCase.autoTargets else {
                throw .validation(
                    "use case \(useCase.id) has no routing configured, so modelId 'auto' is not available; name a model: \(useCase.allowedList)",
                    reason: "auto_without_routing"
                )
            }
            return .auto(auto[operation.index])
        }
        if modelID.utf8.starts(with: "arn:".utf8) {
            return .target(try resolve(arn: BedrockARN(parsing: modelID), text: modelID, operation: operation, for: useCase))
        }
        throw notAllowed(modelID, useCase)
    }

    private static func resolve(
        arn: BedrockARN,
        text: String,
        operation: BedrockOperation,
        for useCase: UseCasePolicy
    ) throws(GatewayError) -> ResolvedTarget {
        switch arn.resourceType {
        case "foundation-model":
            guard arn.account.isEmpty else {
                throw .validation(
                    "the foundation-model ARN \(BedrockRequestPath.quoted(text)) has an account id; foundation-model ARNs have an empty account field (arn:\(arn.partition):bedrock:\(arn.region)::foundation-model/\(arn.resourceID))",
                    reason: "model_arn_malformed"
                )
            }
            guard let entry = useCase.entriesByModelID[arn.resourceID] else { throw notAllowed(text, useCase) }
            guard
                let account = useCase.accounts.first(where: { entry.regionsByAccount[$0.account]?.contains(arn.region) == true }),
                let roleARN = useCase.roleARNByAccount[account.account]
            else { throw regionDenied(text, arn.region, entry, useCase) }
            return entry.targets[operation.index].served(from: account, region: arn.region, roleARN: roleARN)
        case "inference-profile":
            guard !arn.account.isEmpty else {
                throw .validation(
                    "the inference-profile ARN \(BedrockRequestPath.quoted(text)) has no account id; inference-profile ARNs look like arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>",
                    reason: "model_arn_malformed"
                )
            }
            guard let entry = useCase.entriesByProfileID[arn.resourceID] else { throw notAllowed(text, useCase) }
            guard let account = useCase.accounts.first(where: { $0.account == arn.account }),
                let roleARN = useCase.roleARNByAccount[account.account]
            else {
                let served = useCase.accounts.filter { entry.regionsByAccount[$0.account] != nil }.map(\.account)
                throw .accessDenied(
                    "the inference-profile ARN names account \(arn.account), which does not serve use case \(useCase.id); use account \(served.joined(separator: " or ")) in the ARN, or send the model's name \(entry.model.name)",
                    reason: "model_arn_account_denied"
                )
            }
            guard entry.regionsByAccount[account.account]?.contains(arn.region) == true else {
                throw regionDenied(text, arn.region, entry, useCase)
            }
            return entry.targets[operation.index].served(from: account, region: arn.region, roleARN: roleARN)
        default:
            throw .accessDenied(
                "use case \(useCase.id) may not use \(arn.resourceType) ARNs: only the catalog's models are served; use one of: \(useCase.allowedList)",
                reason: "model_arn_type_denied"
            )
        }
    }

    private static func notAllowed(_ modelID: String, _ useCase: UseCasePolicy) -> GatewayError {
        .accessDenied(
            "use case \(useCase.id) may not use model \(BedrockRequestPath.quoted(modelID)); it may use: \(useCase.allowedList) (by name, Bedrock model id, inference-profile id or ARN)",
            reason: "model_not_allowed"
        )
    }

    private static func regionDenied(_ text: String, _ region: String, _ entry: UseCasePolicy.Entry, _ useCase: UseCasePolicy) -> GatewayError {
        let served = useCase.accounts.compactMap { account in
            entry.regionsByAccount[account.account].map { "\($0.joined(separator: ", ")) (account \(account.account))" }
        }
        return .accessDenied(
            "use case \(useCase.id) is not served model \(entry.model.name) in Region \(region); it is served in \(served.joined(separator: "; ")); use an ARN in one of those Regions, or send the model's name",
            reason: "model_arn_region_denied"
        )
    }
}
