import Foundation

extension SigV4Signer {
    /// The intermediate results of one signing, for tests and diagnostics. Internal on purpose: the canonical
    /// request contains the session token.
    struct SigningDetails: Sendable, Equatable {
        /// The canonical request (SigV4 task 1).
        var canonicalRequest: String
        /// The semicolon-separated signed header names.
        var signedHeaders: String
        /// The string to sign (task 2).
        var stringToSign: String
        /// The hex signature (task 3).
        var signature: String
        /// The `Authorization` value (task 4).
        var authorization: String
        /// The `X-Amz-Date` value.
        var amzDate: String
    }

    /// Signs like ``signHeaders(method:path:query:headers:payloadSHA256Hex:date:)`` and returns every
    /// intermediate result.
    func signingDetails(
        method: String,
        path: String,
        query: String?,
        headers: [(name: String, value: String)],
        payloadSHA256Hex: String,
        date: Date
    ) -> SigningDetails {
        let computed = compute(
            method: method, path: path, query: query, headers: headers,
            payloadSHA256Hex: payloadSHA256Hex, date: date
        )
        let authorization = computed.authorization
        let signature = authorization.range(of: "Signature=").map { String(authorization[$0.upperBound...]) } ?? ""
        return SigningDetails(
            canonicalRequest: String(decoding: computed.canonicalRequest, as: UTF8.self),
            signedHeaders: String(decoding: computed.canonicalRequest[computed.signedHeadersRange], as: UTF8.self),
            stringToSign: String(decoding: computed.stringToSign, as: UTF8.self),
            signature: signature,
            authorization: authorization,
            amzDate: computed.amzDate
        )
    }
}
