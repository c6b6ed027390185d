import Crypto
import Foundation

/// Signs HTTP requests with AWS Signature Version 4 (header form, `AWS4-HMAC-SHA256`).
///
/// The signer is a cheap, immutable value built from one credential and one scope (region and signing name).
/// It is pure: the signing time is a parameter. Keep one signer per credential (for example next to the
/// credential in a cache) so the derived signing key is reused: the key for the most recent UTC day is kept in a
/// single-entry cache shared by all copies of the signer.
///
/// Canonicalisation follows botocore's `SigV4Auth` for non-S3 services:
/// - the path, exactly as sent on the wire, has its dot segments removed and consecutive slashes collapsed, and is
///   then percent-encoded again (so `%3A` in a Bedrock model id becomes `%253A`);
/// - query parameters are normalised to RFC 3986 encoding (unreserved `A-Za-z0-9-_.~` kept, everything else
///   `%XX`, space as `%20`, a literal `+` as `%2B`) and sorted by key, then value;
/// - header names are lower-cased and sorted, values trimmed with runs of whitespace collapsed to one space
///   (which also folds multi-line values), and repeated headers are joined with `,` in their original order;
/// - `connection`, `expect`, `keep-alive`, `proxy-authenticate`, `proxy-authorization`, `te`, `trailer`,
///   `transfer-encoding`, `upgrade`, `user-agent` and `x-amzn-trace-id` are never signed, because proxies and
///   load balancers add or rewrite them.
public struct SigV4Signer: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The credential requests are signed with.
    public var credential: AWSCredential { context.credential }
    /// The region of the credential scope, for example `us-east-1`.
    public var region: String { context.region }
    /// The signing name of the credential scope (`bedrock` for bedrock-runtime, not `bedrock-runtime`).
    public var service: String { context.service }

    let context: SigningContext

    /// Creates a signer for one credential and scope.
    /// - Parameters:
    ///   - credential: The credential to sign with. A session token, if present, is sent and signed as
    ///     `X-Amz-Security-Token`.
    ///   - region: The region of the credential scope.
    ///   - service: The service signing name, for example `bedrock`.
    public init(credential: AWSCredential, region: String, service: String) {
        self.context = SigningContext(credential: credential, region: region, service: service)
    }

    /// Signs a request and returns the headers to add to it.
    ///
    /// The returned headers replace any of the same name on the outgoing request: `Authorization`,
    /// `X-Amz-Date` and, when the credential has a session token, `X-Amz-Security-Token`. Any `Authorization` or
    /// `X-Amz-Date` (and, with a session token, `X-Amz-Security-Token`) in `headers` is ignored, as botocore does
    /// when it re-signs a retried request; remove them from the outgoing request.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, for example `POST`.
    ///   - path: The URI path exactly as sent on the wire, already percent-encoded once, for example
    ///     `/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse`. An empty path signs as `/`.
    ///   - query: The raw query string as sent (without `?`), or `nil`.
    ///   - headers: The headers that will be sent; they must include `host`.
    ///   - payloadSHA256Hex: The lower-case hex SHA-256 of the body (see `sha256Hex(_:)`, ``PayloadHasher`` and
    ///     ``emptyPayloadSHA256Hex``).
    ///   - date: The signing time; it must be within five minutes of AWS's clock when the request arrives.
    /// - Returns: The headers to add, in the order `Authorization`, `X-Amz-Date`, `X-Amz-Security-Token`.
    public func signHeaders(
        method: String,
        path: String,
        query: String?,
        headers: [(name: String, value: String)],
        payloadSHA256Hex: String,
        date: Date
    ) -> [(name: String, value: String)] {
        let computed = compute(
            method: method, path: path, query: query, headers: headers,
            payloadSHA256Hex: payloadSHA256Hex, date: date
        )
        var result: [(name: String, value: String)] = []
        result.reserveCapacity(3)
        result.append((name: "Authorization", value: computed.authorization))
        result.append((name: "X-Amz-Date", value: computed.amzDate))
        if let token = context.credential.sessionToken {
            result.append((name: "X-Amz-Security-Token", value: token))
        }
        return result
    }

    /// Redacted: names the access key id and the scope, never the secret key or the session token.
    public var description: String {
        "SigV4Signer(accessKeyId: \(context.credential.accessKeyId), region: \(context.region), "
            + "service: \(context.service))"
    }

    /// The same redacted text as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the (redacted) credential and the scope only, never the derived keys.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["credential": context.credential, "region": context.region, "service": context.service],
            displayStyle: .struct
        )
    }
}
