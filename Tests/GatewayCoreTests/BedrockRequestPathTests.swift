import GatewayCore
import Testing

@Suite struct BedrockRequestPathTests {
    @Test(arguments: BedrockOperation.allCases)
    func parsesEveryOperationWithAndWithoutPrefix(operation: BedrockOperation) throws {
        let bare = try BedrockRequestPath(parsing: "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/\(operation.rawValue)")
        #expect(bare == BedrockRequestPath(modelID: "anthropic.claude-3-5-sonnet-20240620-v1:0", operation: operation))
        let prefixed = try BedrockRequestPath(parsing: "/use-cases/UseCaseA/model/titan-text-express/\(operation.rawValue)")
        #expect(prefixed == BedrockRequestPath(useCaseID: "UseCaseA", modelID: "titan-text-express", operation: operation))
    }

    @Test func decodesBotocoreEncodedARNsOnce() throws {
        // Paths exactly as botocore 1.43 serializes Converse for these model ids.
        let profile = try BedrockRequestPath(
            parsing: "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A222222222222%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
        )
        #expect(profile.modelID == "arn:aws:bedrock:us-east-1:222222222222:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        let foundation = try BedrockRequestPath(
            parsing: "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Famazon.titan-text-express-v1/converse"
        )
        #expect(foundation.modelID == "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1")
        // Lower-case hex is valid percent-encoding too.
        #expect(try BedrockRequestPath(parsing: "/model/a.b-v1%3a0/invoke").modelID == "a.b-v1:0")
    }

    @Test func ignoresTheQueryString() throws {
        let path = try BedrockRequestPath(parsing: "/model/amazon.titan-text-express-v1/invoke?x=%ZZ")
        #expect(path.modelID == "amazon.titan-text-express-v1")
        #expect(path.operation == .invoke)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var path: String
        var status: Int
        var reason: String
        var testDescription: String { path.count > 80 ? String(path.prefix(80)) + "…" : path }
    }

    static let refusals: [Refusal] = [
        Refusal(path: "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse", status: 400, reason: "model_id_double_encoded"),
        Refusal(path: "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A%253Afoundation-model%252Fx/converse", status: 400, reason: "model_id_double_encoded"),
        Refusal(path: "/model/titan%3/converse", status: 400, reason: "model_id_bad_encoding"),
        Refusal(path: "/model/titan%zz/converse", status: 400, reason: "model_id_bad_encoding"),
        Refusal(path: "/model/titan%FF/converse", status: 400, reason: "model_id_bad_encoding"),
        Refusal(path: "/model/titan%2Fexpress/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/..%2F..%2Fguardrail%2Fg/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/titan/express/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fa%2F..%2Fb/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/arn%2Faws%3Abedrock/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/titan%5Cexpress/converse", status: 400, reason: "model_id_path_separator"),
        Refusal(path: "/model/../converse", status: 400, reason: "model_id_dot_segment"),
        Refusal(path: "/model/%2E%2E/converse", status: 400, reason: "model_id_dot_segment"),
        Refusal(path: "/model/titan%00/converse", status: 400, reason: "model_id_control_character"),
        Refusal(path: "/model/titan%0Aexpress/converse", status: 400, reason: "model_id_control_character"),
        Refusal(path: "/model/titan%20express/converse", status: 400, reason: "model_id_bad_character"),
        Refusal(path: "/model/titan%C3%A9/converse", status: 400, reason: "model_id_bad_character"),
        Refusal(path: "/model/" + String(repeating: "a", count: 2049) + "/converse", status: 400, reason: "model_id_too_long"),
        Refusal(path: "/model/" + String(repeating: "%3A", count: 2049) + "/converse", status: 400, reason: "model_id_too_long"),
        Refusal(path: "/model//converse", status: 400, reason: "model_id_empty"),
        Refusal(path: "/use-cases/Use%2FCaseA/model/titan/converse", status: 400, reason: "use_case_malformed"),
        Refusal(path: "/use-cases/UseCase%zz/model/titan/converse", status: 400, reason: "use_case_bad_encoding"),
        Refusal(path: "/use-cases//model/titan/converse", status: 400, reason: "use_case_empty"),
        Refusal(path: "/model/titan/invoke-with-bidirectional-stream", status: 404, reason: "unknown_operation"),
        Refusal(path: "/model/titan/converse/", status: 404, reason: "unknown_operation"),
        Refusal(path: "/guardrail/g/version/1/apply", status: 404, reason: "unknown_path"),
        Refusal(path: "/model/titan", status: 404, reason: "unknown_path"),
        Refusal(path: "model/titan/converse", status: 404, reason: "unknown_path"),
        Refusal(path: "/use-cases/UseCaseA/titan/converse/x", status: 404, reason: "unknown_path"),
    ]

    @Test(arguments: refusals)
    func refusesMalformedPaths(refusal: Refusal) throws {
        let error = try gatewayError { () throws(GatewayError) in try BedrockRequestPath(parsing: refusal.path) }
        #expect(error.status == refusal.status)
        #expect(error.errorType == (refusal.status == 404 ? "ResourceNotFoundException" : "ValidationException"))
        #expect(error.shortDescription == refusal.reason)
    }

    @Test func refusalMessagesSayHowToFixIt() throws {
        let doubled = try gatewayError { () throws(GatewayError) in
            try BedrockRequestPath(parsing: "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse")
        }
        #expect(
            doubled.message
                == "the model id 'anthropic.claude-3-haiku-20240307-v1%3A0' still contains '%' after decoding, so it was percent-encoded twice; encode it once (':' as %3A), as the AWS SDKs do"
        )
        let separator = try gatewayError { () throws(GatewayError) in
            try BedrockRequestPath(parsing: "/model/..%2F..%2Fguardrail/converse")
        }
        #expect(
            separator.message
                == "the model id '../../guardrail' contains a path separator after decoding; only an ARN has a '/', once, between its resource type and id; send a model name, model id, inference-profile id or ARN"
        )
        let operation = try gatewayError { () throws(GatewayError) in
            try BedrockRequestPath(parsing: "/model/titan/generate")
        }
        #expect(
            operation.message
                == "the gateway does not serve operation 'generate'; use one of converse, converse-stream, invoke, invoke-with-response-stream, count-tokens"
        )
    }

    @Test func acceptsTheLongestModelID() throws {
        let id = String(repeating: "a", count: 2048)
        #expect(try BedrockRequestPath(parsing: "/model/\(id)/converse").modelID == id)
    }

    @Test func echoesAtMostTwoHundredCharactersOfTheCallersInput() throws {
        let error = try gatewayError { () throws(GatewayError) in
            try BedrockRequestPath(parsing: "/model/" + String(repeating: "b", count: 1000) + "%2520/converse")
        }
        #expect(error.message.contains(String(repeating: "b", count: 200) + "…'"))
        #expect(!error.message.contains(String(repeating: "b", count: 201)))
    }
}
