import AWSSigning
import Foundation

/// Reads STS query-protocol XML answers.
enum STSResponseParser {
    /// The fields of an STS error document.
    struct ErrorDocument: Sendable, Equatable {
        var type: String?
        var code: String
        var message: String
        var requestId: String?
    }

    /// Why a 200 answer could not be used.
    struct InvalidResult: Error, Sendable {
        var reason: String
    }

    private static let resultPath = "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult"

    /// Parses `AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult`.
    static func parseResult(_ data: Data) throws(InvalidResult) -> AssumeRoleWithWebIdentityResult {
        guard let document = STSXMLDocument(data: data) else {
            throw InvalidResult(reason: "the body is not well-formed XML")
        }
        guard document.rootElement == "AssumeRoleWithWebIdentityResponse" else {
            throw InvalidResult(
                reason: "expected an AssumeRoleWithWebIdentityResponse document, got \(document.rootElement ?? "none")"
            )
        }
        func field(_ path: String) -> String? {
            guard let value = document["\(resultPath)/\(path)"], !value.isEmpty else { return nil }
            return value
        }
        guard let accessKeyId = field("Credentials/AccessKeyId"),
            let secretAccessKey = field("Credentials/SecretAccessKey"),
            let sessionToken = field("Credentials/SessionToken")
        else {
            throw InvalidResult(reason: "Credentials/AccessKeyId, SecretAccessKey or SessionToken is missing")
        }
        guard let expirationText = field("Credentials/Expiration") else {
            throw InvalidResult(reason: "Credentials/Expiration is missing")
        }
        guard let expiration = ISO8601Timestamp.parse(expirationText) else {
            throw InvalidResult(reason: "Credentials/Expiration '\(expirationText)' is not an ISO 8601 timestamp")
        }
        return AssumeRoleWithWebIdentityResult(
            credential: AWSCredential(
                accessKeyId: accessKeyId,
                secretAccessKey: secretAccessKey,
                sessionToken: sessionToken,
                expiration: expiration
            ),
            assumedRoleArn: field("AssumedRoleUser/Arn"),
            assumedRoleId: field("AssumedRoleUser/AssumedRoleId"),
            subjectFromWebIdentityToken: field("SubjectFromWebIdentityToken"),
            audience: field("Audience"),
            provider: field("Provider"),
            packedPolicySize: field("PackedPolicySize").flatMap { Int($0) },
            sourceIdentity: field("SourceIdentity"),
            requestId: document.value(endingWith: "ResponseMetadata/RequestId")
        )
    }

    /// Parses `ErrorResponse/Error/{Type,Code,Message}` (or `Errors/Error/…`); `nil` when `data` is not one.
    static func parseError(_ data: Data) -> ErrorDocument? {
        guard let document = STSXMLDocument(data: data),
            let code = document.value(endingWith: "Error/Code"), !code.isEmpty
        else { return nil }
        return ErrorDocument(
            type: document.value(endingWith: "Error/Type"),
            code: code,
            message: document.value(endingWith: "Error/Message") ?? "",
            requestId: document.value(endingWith: "RequestId")
        )
    }
}
