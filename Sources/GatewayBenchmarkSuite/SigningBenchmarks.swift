import AWSSigning
import Foundation
import Gateway

/// SigV4 signing of a 2 KB Converse request as the gateway forwards it.
///
/// The credential is an STS session credential (its token is about a kilobyte); the headers are those an SDK sends
/// through the gateway. `BedrockProxy` hashes the body and takes the credential's signer from a `SignerCache`, so
/// the third benchmark is the gateway's own path; the first two isolate the canonical request and the body hash,
/// and the last is what a new signer per request (the gateway before the cache) costs.
enum SigningBenchmarks {
    static let credential = AWSCredential(
        accessKeyId: "ASIAEXAMPLEGATEWAY01",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        sessionToken: String(repeating: "IQoJb3JpZ2luX2VjEXAMPLE/", count: 40)
    )
    static let path = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    static let body: [UInt8] = {
        let prefix = #"{"messages":[{"role":"user","content":[{"text":""#
        let suffix = #""}]}],"inferenceConfig":{"maxTokens":512,"temperature":0.2}}"#
        let text = String(repeating: "Summarise the quarterly report for the board. ", count: 44)
        return Array((prefix + text.prefix(2_048 - prefix.utf8.count - suffix.utf8.count) + suffix).utf8)
    }()
    static let headers: [(name: String, value: String)] = [
        ("Host", "bedrock-runtime.us-east-1.amazonaws.com"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        ("Content-Length", String(body.count)),
        ("User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1 md/arch#x86_64 lang/python#3.11.7"),
        ("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678"),
        ("amz-sdk-invocation-id", "3c5d2f4a-1b2c-4d5e-8f90-123456789abc"),
        ("amz-sdk-request", "attempt=1; max=3"),
    ]
    static let date = Date(timeIntervalSince1970: 1_793_693_730)

    static func all() -> [MicroBenchmark] {
        precondition(body.count == 2_048, "the signing body must be 2 KB, is \(body.count) bytes")
        let signer = SigV4Signer(credential: credential, region: "us-east-1", service: "bedrock")
        let signers = SignerCache(service: "bedrock")
        let payloadHash = SigV4Signer.sha256Hex(body)
        return [
            MicroBenchmark("SigV4 sign 2 KB Converse (signer reused, body hash given)", targetNanoseconds: 10_000) { count in
                for _ in 0..<count { sign(with: signer, payloadHash: payloadHash) }
            },
            MicroBenchmark("SigV4 hash 2 KB body + sign (signer reused)", targetNanoseconds: 10_000) { count in
                for _ in 0..<count { sign(with: signer, payloadHash: SigV4Signer.sha256Hex(body)) }
            },
            MicroBenchmark("SigV4 gateway path: hash 2 KB + cached signer (SignerCache) + sign", targetNanoseconds: 10_000) { count in
                for _ in 0..<count {
                    let hash = SigV4Signer.sha256Hex(body)
                    sign(with: signers.signer(for: credential, region: "us-east-1"), payloadHash: hash)
                }
            },
            MicroBenchmark("SigV4 hash 2 KB + new signer + sign (a new signer per request)", targetNanoseconds: 10_000) { count in
                for _ in 0..<count {
                    let hash = SigV4Signer.sha256Hex(body)
                    sign(with: SigV4Signer(credential: credential, region: "us-east-1", service: "bedrock"), payloadHash: hash)
                }
            },
        ]
    }

    /// Signs the benchmark request's headers with `signer`, as the gateway does for each forwarded request.
    static func sign(with signer: SigV4Signer, payloadHash: String) {
        blackHole(
            signer.signHeaders(method: "POST", path: path, query: nil, headers: headers, payloadSHA256Hex: payloadHash, date: date)
        )
    }
}
