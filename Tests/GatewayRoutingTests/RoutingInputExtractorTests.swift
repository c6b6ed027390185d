import Foundation
import GatewayRouting
import Testing

/// Extraction from the request bodies the gateway receives, by API shape.
struct RoutingInputExtractorTests {
    private func bytes(_ json: String) -> [UInt8] { Array(json.utf8) }

    private func expectError(
        _ kind: RoutingError,
        containing fragments: [String],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> RoutingInput
    ) {
        do {
            let input = try body()
            Issue.record("expected an error, got \(input)", sourceLocation: sourceLocation)
        } catch let error as RoutingError {
            #expect(error == kind, "got \(error.shortDescription): \(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.hasPrefix("cannot route 'auto': "), sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.message.contains(fragment), "'\(error.message)' should mention \(fragment)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("expected a RoutingError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Converse

    @Test func converseTextConversation() throws {
        let input = try RoutingInputExtractor.fromConverse(
            body: bytes(
                """
                {"system": [{"text": "Answer HR questions concisely."}],
                 "messages": [
                   {"role": "user", "content": [{"text": "What is the parental leave policy?"}]},
                   {"role": "assistant", "content": [{"text": "16 weeks paid."}]},
                   {"role": "user", "content": [{"text": "And for contractors?"}, {"text": "In Portugal."}]}],
                 "inferenceConfig": {"maxTokens": 300, "temperature": 0.2}}
                """
            )
        )
        #expect(input.lastUserText == "And for contractors?\nIn Portugal.")
        #expect(input.turnCount == 3)
        #expect(input.priorContextBytes == "What is the parental leave policy?".utf8.count + "16 weeks paid.".utf8.count)
        #expect(input.requestedMaxTokens == 300)
        #expect(!input.hasAttachments)
        #expect(!input.hasToolUse)
    }

    @Test func converseAttachments() throws {
        let input = try RoutingInputExtractor.fromConverse(
            body: bytes(
                """
                {"messages": [{"role": "user", "content": [
                  {"text": "Compare these."},
                  {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
                  {"document": {"format": "pdf", "name": "q3", "source": {"bytes": "JVBERi0="}}},
                  {"video": {"format": "mp4", "source": {"s3Location": {"uri": "s3://b/v.mp4"}}}}]}]}
                """
            )
        )
        #expect(input.lastUserText == "Compare these.")
        #expect(input.attachmentCount == 3)
        #expect(input.hasAttachments)
    }

    @Test func converseToolConfigAndToolExchange() throws {
        let input = try RoutingInputExtractor.fromConverse(
            body: bytes(
                """
                {"messages": [
                   {"role": "user", "content": [{"text": "Where is order 48213?"}]},
                   {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_order", "input": {"id": "48213"}}}]},
                   {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"status": "shipped"}}]}}]}],
                 "toolConfig": {"tools": [
                   {"toolSpec": {"name": "get_order", "inputSchema": {"json": {"type": "object"}}}},
                   {"toolSpec": {"name": "refund", "inputSchema": {"json": {"type": "object"}}}}]}}
                """
            )
        )
        // The last user turn only returns a tool result, so the text is the user's earlier question.
        #expect(input.lastUserText == "Where is order 48213?")
        #expect(input.turnCount == 3)
        #expect(input.toolCount == 2)
        #expect(input.toolBlockCount == 2)
        #expect(input.hasToolUse)
        #expect(input.requestedMaxTokens == nil)
    }

    @Test func converseAcceptsAnyByteCollection() throws {
        let json = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#
        let fromArray = try RoutingInputExtractor.fromConverse(body: Array(json.utf8))
        let fromView = try RoutingInputExtractor.fromConverse(body: json.utf8)
        let fromSlice = try RoutingInputExtractor.fromConverse(body: Array(("xx" + json).utf8)[2...])
        #expect(fromArray == fromView)
        #expect(fromArray == fromSlice)
        #expect(fromArray.lastUserText == "hi")
    }

    @Test func malformedConverseBodies() {
        expectError(.malformedBody, containing: ["Converse", "not valid JSON"]) {
            try RoutingInputExtractor.fromConverse(body: bytes("{\"messages\": [ {\"role\": \"user\""))
        }
        expectError(.malformedBody, containing: ["must be a JSON object"]) {
            try RoutingInputExtractor.fromConverse(body: bytes("[1, 2, 3]"))
        }
        expectError(.malformedBody, containing: ["'messages'", "wrong type", "an array"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": "hello"}"#))
        }
        expectError(.malformedBody, containing: ["'messages[0].content'", "wrong type"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"role": "user", "content": 42}]}"#))
        }
        expectError(.malformedBody, containing: ["missing 'role'", "'messages[0]'"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"content": [{"text": "hi"}]}]}"#))
        }
        expectError(.malformedBody, containing: ["'inferenceConfig.maxTokens'", "an integer"]) {
            try RoutingInputExtractor.fromConverse(
                body: bytes(#"{"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": {"maxTokens": "many"}}"#)
            )
        }
        expectError(.malformedBody, containing: ["not valid JSON"]) {
            try RoutingInputExtractor.fromConverse(body: [UInt8]())
        }
    }

    @Test func converseWithoutUserMessage() {
        expectError(.noUserMessage, containing: ["no user message", "role 'user'"]) {
            try RoutingInputExtractor.fromConverse(
                body: bytes(#"{"messages": [{"role": "assistant", "content": [{"text": "Hello"}]}]}"#)
            )
        }
        expectError(.noUserMessage, containing: ["no user message"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": []}"#))
        }
        expectError(.noUserMessage, containing: ["no 'messages'"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"inferenceConfig": {"maxTokens": 10}}"#))
        }
    }

    // MARK: Anthropic

    @Test func anthropicStringAndBlockContent() throws {
        let input = try RoutingInputExtractor.fromInvoke(
            body: bytes(
                """
                {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 2048,
                 "system": "You are a careful analyst.",
                 "messages": [
                   {"role": "user", "content": "Here is our Q3 report."},
                   {"role": "assistant", "content": [{"type": "text", "text": "Thanks, what should I look at?"}]},
                   {"role": "user", "content": [
                     {"type": "text", "text": "Compare it with Q2."},
                     {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                     {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}}]}]}
                """
            ),
            modelFamily: .anthropic
        )
        #expect(input.lastUserText == "Compare it with Q2.")
        #expect(input.turnCount == 3)
        #expect(input.requestedMaxTokens == 2048)
        #expect(input.attachmentCount == 2)
        #expect(input.priorContextBytes == "Here is our Q3 report.".utf8.count + "Thanks, what should I look at?".utf8.count)
        #expect(!input.hasToolUse)
    }

    @Test func anthropicTools() throws {
        let input = try RoutingInputExtractor.fromInvoke(
            body: bytes(
                """
                {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 512,
                 "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
                 "messages": [
                   {"role": "user", "content": "Weather in Paris?"},
                   {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
                   {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C, cloudy"}]}]}
                """
            ),
            modelFamily: .anthropic
        )
        #expect(input.lastUserText == "Weather in Paris?")
        #expect(input.toolCount == 1)
        #expect(input.toolBlockCount == 2)
        #expect(RequestClassifier().classify(input).tier == .complex)
    }

    @Test func malformedAnthropicBodies() {
        expectError(.noUserMessage, containing: ["Anthropic Messages", "no 'messages'"]) {
            try RoutingInputExtractor.fromInvoke(body: bytes(#"{"prompt": "\n\nHuman: hi\n\nAssistant:"}"#), modelFamily: .anthropic)
        }
        expectError(.malformedBody, containing: ["Anthropic Messages", "'messages[0].content[0]'", "missing 'text'"]) {
            try RoutingInputExtractor.fromInvoke(
                body: bytes(#"{"messages": [{"role": "user", "content": [{"type": "text"}]}]}"#),
                modelFamily: .anthropic
            )
        }
        expectError(.malformedBody, containing: ["'max_tokens'", "an integer"]) {
            try RoutingInputExtractor.fromInvoke(
                body: bytes(#"{"max_tokens": "lots", "messages": [{"role": "user", "content": "hi"}]}"#),
                modelFamily: .anthropic
            )
        }
        expectError(.noUserMessage, containing: ["no user message"]) {
            try RoutingInputExtractor.fromInvoke(
                body: bytes(#"{"messages": [{"role": "assistant", "content": "Hello"}]}"#),
                modelFamily: .anthropic
            )
        }
    }

    // MARK: Titan

    @Test func titanInputText() throws {
        let input = try RoutingInputExtractor.fromInvoke(
            body: bytes(#"{"inputText": "Translate 'invoice' into German.", "textGenerationConfig": {"maxTokenCount": 64, "temperature": 0}}"#),
            modelFamily: .titan
        )
        #expect(input.lastUserText == "Translate 'invoice' into German.")
        #expect(input.turnCount == 1)
        #expect(input.requestedMaxTokens == 64)
        #expect(!input.hasAttachments && !input.hasToolUse)
    }

    @Test func malformedTitanBodies() {
        expectError(.malformedBody, containing: ["Titan Text", "no 'inputText'"]) {
            try RoutingInputExtractor.fromInvoke(body: bytes(#"{"messages": [{"role": "user", "content": "hi"}]}"#), modelFamily: .titan)
        }
        expectError(.malformedBody, containing: ["'inputText'", "a string"]) {
            try RoutingInputExtractor.fromInvoke(body: bytes(#"{"inputText": ["hi"]}"#), modelFamily: .titan)
        }
        expectError(.malformedBody, containing: ["Titan Text", "not valid JSON"]) {
            try RoutingInputExtractor.fromInvoke(body: bytes("inputText=hello"), modelFamily: .titan)
        }
    }

    // MARK: Nova

    @Test func novaMessages() throws {
        let input = try RoutingInputExtractor.fromInvoke(
            body: bytes(
                """
                {"schemaVersion": "messages-v1",
                 "system": [{"text": "Answer briefly."}],
                 "messages": [{"role": "user", "content": [
                   {"text": "What is in this picture?"},
                   {"image": {"format": "jpeg", "source": {"bytes": "/9j/4AAQ"}}}]}],
                 "inferenceConfig": {"maxTokens": 128},
                 "toolConfig": {"tools": [{"toolSpec": {"name": "lookup", "inputSchema": {"json": {}}}}]}}
                """
            ),
            modelFamily: .nova
        )
        #expect(input.lastUserText == "What is in this picture?")
        #expect(input.requestedMaxTokens == 128)
        #expect(input.attachmentCount == 1)
        #expect(input.toolCount == 1)
    }

    @Test func novaFirstGenerationMaxNewTokens() throws {
        let input = try RoutingInputExtractor.fromInvoke(
            body: bytes(#"{"messages": [{"role": "user", "content": [{"text": "hello"}]}], "inferenceConfig": {"max_new_tokens": 77}}"#),
            modelFamily: .nova
        )
        #expect(input.requestedMaxTokens == 77)
    }

    // MARK: Unknown family

    @Test func unknownFamilyReadsWhicheverShapeIsThere() throws {
        let llama = try RoutingInputExtractor.fromInvoke(
            body: bytes(#"{"prompt": "Summarise this memo.", "max_gen_len": 200}"#),
            modelFamily: .unknown
        )
        #expect(llama.lastUserText == "Summarise this memo.")
        #expect(llama.requestedMaxTokens == 200)
        let titanShaped = try RoutingInputExtractor.fromInvoke(body: bytes(#"{"inputText": "hello"}"#), modelFamily: .unknown)
        #expect(titanShaped.lastUserText == "hello")
        let messagesShaped = try RoutingInputExtractor.fromInvoke(
            body: bytes(#"{"messages": [{"role": "user", "content": "hello"}], "max_tokens": 9}"#),
            modelFamily: .unknown
        )
        #expect(messagesShaped.lastUserText == "hello")
        #expect(messagesShaped.requestedMaxTokens == 9)
        expectError(.noUserMessage, containing: ["'messages', 'inputText' or 'prompt'"]) {
            try RoutingInputExtractor.fromInvoke(body: bytes(#"{"temperature": 0.5}"#), modelFamily: .unknown)
        }
    }

    // MARK: Model families

    @Test(arguments: [
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", ModelFamily.anthropic),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", .anthropic),
        ("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", .anthropic),
        ("amazon.titan-text-express-v1", .titan),
        ("amazon.titan-text-premier-v1:0", .titan),
        ("amazon.nova-lite-v1:0", .nova),
        ("us.amazon.nova-pro-v1:0", .nova),
        ("meta.llama3-1-8b-instruct-v1:0", .unknown),
        ("amazon.titan-embed-text-v2:0", .unknown),
        ("", .unknown),
    ])
    func modelFamilyFromModelId(modelId: String, family: ModelFamily) {
        #expect(ModelFamily(modelId: modelId) == family)
    }

    // MARK: The JSON reader against Foundation's

    /// Text with every kind of character JSON escapes or encodes: quotes, backslashes, controls, non-ASCII and
    /// astral scalars (surrogate pairs when escaped).
    static let awkwardTexts = [
        "plain", "", "quote \" and backslash \\ and slash /", "tab\tnew\nline\rcr\u{08}\u{0C}\u{01}\u{1F}",
        "é ü 漢字 🙂 👩‍💻", String(repeating: "long ", count: 400), "\u{2028}\u{2029}", "emoji at end 🙂",
    ]

    @Test(arguments: awkwardTexts)
    func textSurvivesFoundationEncoding(text: String) throws {
        let body: [String: Any] = [
            "messages": [["role": "user", "content": [["text": text]]]],
            "inferenceConfig": ["maxTokens": 300, "temperature": 0.5],
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
        let input = try RoutingInputExtractor.fromConverse(body: Array(data))
        #expect(input.lastUserText == text)
        #expect(input.requestedMaxTokens == 300)
    }

    @Test func unicodeEscapesAndSurrogatePairsAreDecoded() throws {
        let json = #"{"messages":[{"role":"user","content":[{"text":"caf\u00e9 \ud83d\ude42 \u6f22 lone \ud800 end \/\b\f"}]}]}"#
        let input = try RoutingInputExtractor.fromConverse(body: bytes(json))
        #expect(input.lastUserText == "café 🙂 漢 lone \u{FFFD} end /\u{08}\u{0C}")
    }

    @Test func numbersWhitespaceAndUnknownFieldsAreHandled() throws {
        let json = " \n{ \"extra\" : [ 1, -2.5e3, true, false, null, {\"a\": [\"b\"]} ] ,\t\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}],"
            + " \"inferenceConfig\": {\"maxTokens\": 1.024e3} }\r\n"
        let input = try RoutingInputExtractor.fromConverse(body: bytes(json))
        #expect(input.lastUserText == "hi")
        #expect(input.requestedMaxTokens == 1024)
    }

    /// Every document Foundation rejects is rejected as invalid JSON, and every one it accepts is read, so the
    /// reader is neither stricter nor looser than the decoder it replaced.
    @Test(arguments: [
        "{", "}", "{\"messages\": [}", "{\"a\": tru}", "{\"a\": nul}", "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": -}",
        "{\"a\": \"x\\q\"}", "{\"a\": \"\\u12g4\"}", "{\"a\": \"ctrl \u{01}\"}", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": [1,]}", "{\"a\": [1,,]}", "{,}", "[,]",
        "{'a': 1}", "{\"a\": 1} x", "{\"a\": 1}{}", "{\"a\": 1e}", "{\"a\": .5}", "{\"a\": +1}", "{\"a\": [1 2]}",
        "{\"a\": 1}", "{\"a\": -0.0e+5}", "{\"a\": [[[]]], \"b\": {}}", "{\"a\": \"\\ud83d\\ude42\"}", " {} ",
    ])
    func validityMatchesFoundation(document: String) {
        let foundationAccepts = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) != nil
        do {
            _ = try RoutingInputExtractor.fromInvoke(body: bytes(document), modelFamily: .unknown)
            Issue.record("a document without a prompt must not route")
        } catch {
            let invalid = error.message.contains("not valid JSON")
            #expect(invalid == !foundationAccepts, "Foundation \(foundationAccepts ? "accepts" : "rejects") \(document); the reader said: \(error.message)")
        }
    }

    @Test func invalidJSONWinsOverAnEarlierTypeError() {
        expectError(.malformedBody, containing: ["not valid JSON"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": "hello", "x": [}"#))
        }
    }

    @Test func nestingIsBoundedWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expectError(.malformedBody, containing: ["not valid JSON"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"role": "user", "content": [{"text": "hi"}]}], "x": "# + deep + "}"))
        }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"role": "user", "content": [{"text": "hi"}]}], "x": "# + fine + "}"))
        }
    }

    @Test func nullsAreAbsentWhereOptionalAndNamedWhereRequired() throws {
        let input = try RoutingInputExtractor.fromConverse(
            body: bytes(#"{"messages": [{"role": "user", "content": [{"text": "hi"}]}], "inferenceConfig": null, "toolConfig": {"tools": null}}"#)
        )
        #expect(input.requestedMaxTokens == nil && input.toolCount == 0)
        expectError(.malformedBody, containing: ["'messages[0].role'", "is null", "a string"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"role": null, "content": [{"text": "hi"}]}]}"#))
        }
        expectError(.malformedBody, containing: ["'messages[0].content'", "is null", "an array"]) {
            try RoutingInputExtractor.fromConverse(body: bytes(#"{"messages": [{"role": "user", "content": null}]}"#))
        }
    }
}
