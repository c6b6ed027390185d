/// A bedrock-runtime request path, parsed: `/model/{modelId}/{operation}` or
/// `/use-cases/{useCaseId}/model/{modelId}/{operation}`.
///
/// Labels arrive percent-encoded exactly as the AWS SDKs send them (`anthropic.claude-3-haiku-20240307-v1%3A0`,
/// `arn%3Aaws%3Abedrock%3A...%2Fus.anthropic...`). Each is decoded exactly once and then checked: invalid escapes,
/// `%` left after decoding (double encoding), path separators (`/` is allowed only in the resource part of an ARN),
/// `.`/`..`, control characters and ids over 2048 bytes are refused with a 400 `ValidationException` before anything
/// else looks at the id.
public struct BedrockRequestPath: Sendable, Hashable {
    /// Longest model id Bedrock accepts (`InvokeModelIdentifier`, 1-2048).
    public static let maximumModelIDLength = 2048
    /// Longest use case id accepted in a path or header.
    public static let maximumUseCaseIDLength = 128

    /// The use case named by the `/use-cases/{useCaseId}` prefix, decoded; nil without the prefix.
    public var useCaseID: String?
    /// The model id, decoded once and validated.
    public var modelID: String
    /// The operation named by the last path segment.
    public var operation: BedrockOperation

    /// A parsed path from its parts (already decoded).
    public init(useCaseID: String? = nil, modelID: String, operation: BedrockOperation) {
        self.useCaseID = useCaseID
        self.modelID = modelID
        self.operation = operation
    }

    /// Parses a raw (still percent-encoded) request path; a query string, if any, is ignored.
    public init(parsing rawPath: some StringProtocol) throws(GatewayError) {
        // Split on the UTF-8 bytes: '/' and '?' are ASCII, and splitting by Character (grapheme clusters) cost about
        // 45,000 instructions per request (bench/instructions.sh).
        var path = Substring(rawPath).utf8
        if let query = path.firstIndex(of: UInt8(ascii: "?")) { path = path[..<query] }
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Substring.init)
        let modelStart: Int
        var useCaseID: String?
        if parts.count >= 4, parts[0].isEmpty, parts[1] == "model" {
            modelStart = 2
        } else if parts.count >= 6, parts[0].isEmpty, parts[1] == "use-cases", parts[3] == "model" {
            useCaseID = try Self.decodeUseCaseID(parts[2])
            modelStart = 4
        } else {
            throw .notFound(
                "no bedrock-runtime operation at this path; the gateway serves POST /model/{modelId}/{operation} and POST /use-cases/{useCaseId}/model/{modelId}/{operation}, where operation is one of \(BedrockOperation.supportedList)",
                reason: "unknown_path"
            )
        }
        let last = parts[parts.count - 1]
        guard let operation = BedrockOperation(rawValue: String(last)) else {
            throw .notFound(
                "the gateway does not serve operation \(Self.quoted(last)); use one of \(BedrockOperation.supportedList)",
                reason: "unknown_operation"
            )
        }
        guard parts.count - 1 - modelStart == 1 else {
            throw .validation(
                "the model id must be a single path segment, but the path has a literal '/' in it; percent-encode the model id (':' as %3A, '/' as %2F) as the AWS SDKs do",
                reason: "model_id_path_separator"
            )
        }
        self.useCaseID = useCaseID
        self.modelID = try Self.decodeModelID(parts[modelStart])
        self.operation = operation
    }

    // MARK: - Labels

    static func decodeModelID(_ label: Substring) throws(GatewayError) -> String {
        guard !label.isEmpty else {
            throw .validation("the model id in the path is empty; send /model/{modelId}/{operation}", reason: "model_id_empty")
        }
        // Each decoded byte needs at most three raw bytes: a longer label cannot decode to a valid length.
        guard label.utf8.count <= 3 * maximumModelIDLength else { throw tooLong() }
        let decoded: String
        do {
            decoded = try PercentEncoding.decodeOnce(label)
        } catch {
            throw .validation(
                "the model id in the path is not valid percent-encoding (every '%' must be followed by two hex digits and the result must be UTF-8); encode the model id once, as the AWS SDKs do",
                reason: "model_id_bad_encoding"
            )
        }
        guard decoded.utf8.count <= maximumModelIDLength else { throw tooLong() }
        try checkModelID(decoded)
        return decoded
    }

    private static func tooLong() -> GatewayError {
        .validation(
            "the model id is longer than \(maximumModelIDLength) characters, Bedrock's limit; send a model name, model id, inference-profile id or ARN",
            reason: "model_id_too_long"
        )
    }

    /// Checks a decoded model id's characters: `[A-Za-z0-9._:-]`, plus `/` in an ARN's resource part.
    static func checkModelID(_ id: String) throws(GatewayError) {
        if id == "." || id == ".." {
            throw .validation("'\(id)' is not a model id; send a model name, model id, inference-profile id or ARN", reason: "model_id_dot_segment")
        }
        let isARN = id.utf8.starts(with: "arn:".utf8)
        var colons = 0
        var slashes = 0
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: ":"):
                colons += 1
            case UInt8(ascii: "/"):
                slashes += 1
                // arn:partition:service:region:account:resource-type/resource-id
                guard isARN, colons >= 5, slashes == 1 else {
                    throw .validation(
                        "the model id \(quoted(id)) contains a path separator after decoding; only an ARN has a '/', once, between its resource type and id; send a model name, model id, inference-profile id or ARN",
                        reason: "model_id_path_separator"
                    )
                }
            case UInt8(ascii: "\\"):
                throw .validation(
                    "the model id \(quoted(id)) contains a path separator ('\\'); send a model name, model id, inference-profile id or ARN",
                    reason: "model_id_path_separator"
                )
            case UInt8(ascii: "%"):
                throw .validation(
                    "the model id \(quoted(id)) still contains '%' after decoding, so it was percent-encoded twice; encode it once (':' as %3A), as the AWS SDKs do",
                    reason: "model_id_double_encoded"
                )
            case 0x00..<0x20, 0x7F:
                throw .validation("the model id contains a control character; send a model name, model id, inference-profile id or ARN", reason: "model_id_control_character")
            default:
                throw .validation(
                    "the model id \(quoted(id)) contains a character no Bedrock model id contains (allowed: letters, digits, '.', '_', '-', ':'); send a model name, model id, inference-profile id or ARN",
                    reason: "model_id_bad_character"
                )
            }
        }
    }

    static func decodeUseCaseID(_ label: Substring) throws(GatewayError) -> String {
        let decoded: String
        do {
            decoded = try PercentEncoding.decodeOnce(label)
        } catch {
            throw .validation(
                "the use case id in the path is not valid percent-encoding; send /use-cases/{useCaseId}/model/{modelId}/{operation} with the catalog's use case id",
                reason: "use_case_bad_encoding"
            )
        }
        try checkUseCaseID(decoded, source: "the /use-cases/{useCaseId} path prefix")
        return decoded
    }

    /// A use case id is 1-128 letters, digits, `_` or `-` (catalog ids are letters and digits).
    static func checkUseCaseID(_ id: String, source: String) throws(GatewayError) {
        guard !id.isEmpty else {
            throw .validation("the use case id in \(source) is empty; name a use case of the catalog", reason: "use_case_empty")
        }
        let valid = id.utf8.count <= maximumUseCaseIDLength && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        guard valid else {
            throw .validation(
                "the use case id in \(source) is not a use case id (1-\(maximumUseCaseIDLength) letters and digits); name a use case of the catalog",
                reason: "use_case_malformed"
            )
        }
    }

    /// Caller-supplied text for a message: single-quoted, cut at 200 characters.
    static func quoted(_ text: some StringProtocol) -> String {
        let limit = 200
        if text.count <= limit { return "'\(text)'" }
        return "'\(text.prefix(limit))…'"
    }
}
