import Foundation
import GatewayCore
import HTTPTypes
import Testing

@Suite struct GatewayErrorTests {
    @Test(arguments: [
        (GatewayError.unauthenticated("m"), 401, "UnrecognizedClientException"),
        (GatewayError.accessDenied("m"), 403, "AccessDeniedException"),
        (GatewayError.validation("m"), 400, "ValidationException"),
        (GatewayError.notFound("m"), 404, "ResourceNotFoundException"),
        (GatewayError.payloadTooLarge(limit: 25_000_000), 413, "ValidationException"),
        (GatewayError.throttling("m"), 429, "ThrottlingException"),
        (GatewayError.badGateway("m"), 502, "ServiceUnavailableException"),
        (GatewayError.serviceUnavailable("m"), 503, "ServiceUnavailableException"),
        (GatewayError.internalServer("m"), 500, "InternalServerException"),
    ])
    func statusAndTypeMatchBedrock(error: GatewayError, status: Int, type: String) {
        #expect(error.status == status)
        #expect(error.httpStatus.code == status)
        #expect(error.errorType == type)
        #expect(error.headerFields[.amznErrorType] == type)
        #expect(error.headerFields[.contentType] == "application/json")
        #expect(error.description.hasPrefix("\(status) \(type): "))
    }

    @Test func payloadTooLargeSaysTheLimit() {
        #expect(
            GatewayError.payloadTooLarge(limit: 25_000_000).message
                == "the request body is larger than 25000000 bytes, Bedrock's limit; send a smaller body (fewer or smaller attachments, a shorter conversation)"
        )
    }

    @Test(arguments: [
        ("plain", #"{"message":"plain"}"#),
        (#"say "hi""#, #"{"message":"say \"hi\""}"#),
        ("a\\b", #"{"message":"a\\b"}"#),
        ("line1\nline2\r\tend", #"{"message":"line1\nline2\r\tend"}"#),
        ("bell\u{07}nul\u{00}del\u{7F}", #"{"message":"bell\u0007nul\u0000del\u007f"}"#),
        ("\u{08}\u{0C}\u{1F}", #"{"message":"\b\f\u001f"}"#),
        ("modèle 模型 🚀 </script>", #"{"message":"modèle 模型 🚀 </script>"}"#),
    ])
    func bodyIsEscapedJSON(message: String, expected: String) throws {
        let body = GatewayError.validation(message).responseBody()
        #expect(String(decoding: body, as: UTF8.self) == expected)
        // A real JSON parser reads back the original text.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: String])
        #expect(object == ["message": message])
    }

    @Test func tokensNeverReachMessages() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
        let error = GatewayError.unauthenticated("token \(jwt) expired; header was Bearer abc.def-123 sent")
        #expect(error.message == "token <redacted> expired; header was Bearer <redacted> sent")
        #expect(!String(decoding: error.responseBody(), as: UTF8.self).contains("eyJ"))
        #expect(!error.description.contains("abc.def"))
        // Ordinary text is untouched.
        let plain = GatewayError.accessDenied("the key eyJ is short; Bearer")
        #expect(plain.message == "the key eyJ is short; Bearer")
        // Help text naming the header's shape keeps its placeholder; a JWT after a placeholder is still redacted.
        let help = GatewayError.unauthenticated("send 'Authorization: Bearer <JWT from your identity provider>'")
        #expect(help.message == "send 'Authorization: Bearer <JWT from your identity provider>'")
        let mixed = GatewayError.unauthenticated("Bearer <JWT> was \(jwt)")
        #expect(mixed.message == "Bearer <JWT> was <redacted>")
    }

    @Test func equalityAndLabels() {
        #expect(GatewayError.validation("x", reason: "a") == GatewayError.validation("x", reason: "a"))
        #expect(GatewayError.validation("x") != GatewayError.accessDenied("x"))
        #expect(GatewayError.validation("x").shortDescription == "validation")
        #expect(GatewayError.accessDenied("x", reason: "group_denied").shortDescription == "group_denied")
    }
}
