import UseCaseCatalog

/// A Bedrock ARN sent as a model id: `arn:<partition>:bedrock:<region>:<account>:<resource-type>/<resource-id>`.
struct BedrockARN: Sendable, Hashable {
    var partition: String
    var region: String
    /// Empty for foundation models.
    var account: String
    /// `foundation-model`, `inference-profile`, `application-inference-profile`, ...
    var resourceType: String
    var resourceID: String

    /// Parses an already decoded and character-checked id that starts with `arn:`.
    init(parsing text: String) throws(GatewayError) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", let slash = fields[5].firstIndex(of: "/") else {
            throw Self.malformed(text)
        }
        let partition = String(fields[1])
        let region = String(fields[3])
        guard fields[2] == "bedrock" else {
            throw .validation(
                "the model ARN \(BedrockRequestPath.quoted(text)) is not a Bedrock ARN (its service is \(BedrockRequestPath.quoted(fields[2])), not 'bedrock'); send a model name, model id, inference-profile id or Bedrock ARN",
                reason: "model_arn_malformed"
            )
        }
        guard AWSIdentifiers.isRegion(region), AWSIdentifiers.partition(forRegion: region) == partition else {
            throw .validation(
                "the model ARN \(BedrockRequestPath.quoted(text)) has no valid partition and Region (for example arn:aws:bedrock:us-east-1:...); send a model name, model id, inference-profile id or Bedrock ARN",
                reason: "model_arn_malformed"
            )
        }
        let resource = fields[5]
        self.partition = partition
        self.region = region
        self.account = String(fields[4])
        self.resourceType = String(resource[..<slash])
        self.resourceID = String(resource[resource.index(after: slash)...])
        guard !resourceType.isEmpty, !resourceID.isEmpty else { throw Self.malformed(text) }
        guard account.isEmpty || AWSIdentifiers.isAccountID(account) else {
            throw .validation(
                "the model ARN \(BedrockRequestPath.quoted(text)) has an account field that is not a 12-digit account id; send a model name, model id, inference-profile id or Bedrock ARN",
                reason: "model_arn_malformed"
            )
        }
    }

    private static func malformed(_ text: String) -> GatewayError {
        .validation(
            "the model ARN \(BedrockRequestPath.quoted(text)) is malformed; Bedrock ARNs look like arn:aws:bedrock:<region>::foundation-model/<model id> or arn:aws:bedrock:<region>:<account>:inference-profile/<profile id>",
            reason: "model_arn_malformed"
        )
    }
}
