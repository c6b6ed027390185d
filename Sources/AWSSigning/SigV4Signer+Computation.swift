import Crypto
import Foundation

extension SigV4Signer {
    /// Everything one signing produces. ``signHeaders(method:path:query:headers:payloadSHA256Hex:date:)`` keeps
    /// only the header values; ``signingDetails(method:path:query:headers:payloadSHA256Hex:date:)`` exposes the rest
    /// to tests.
    struct Computation {
        /// The canonical request, UTF-8.
        var canonicalRequest: [UInt8]
        /// Where the signed-headers list sits inside ``canonicalRequest``.
        var signedHeadersRange: Range<Int>
        /// The string to sign, UTF-8.
        var stringToSign: [UInt8]
        /// The full `Authorization` value.
        var authorization: String
        /// The `X-Amz-Date` value.
        var amzDate: String
    }

    private static let algorithmLine = "AWS4-HMAC-SHA256\n"
    private static let signedHeadersLabel = ", SignedHeaders="
    private static let signatureLabel = ", Signature="

    func compute(
        method: String,
        path: String,
        query: String?,
        headers: [(name: String, value: String)],
        payloadSHA256Hex: String,
        date: Date
    ) -> Computation {
        let amzDate = AmzDate(date)
        let context = self.context
        let sessionToken = context.canonicalSessionToken
        let query = query ?? ""

        // 1. Canonical request, written into one buffer sized by an upper bound.
        let capacity = method.utf8.count + 1 + max(1, 3 * path.utf8.count) + 1 + 4 * query.utf8.count + 2
            + SigV4Canonicalizer.canonicalHeadersBound(headers, sessionToken: sessionToken) + 1
            + payloadSHA256Hex.utf8.count
        var signedHeadersRange = 0..<0
        let canonical = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var writer = ByteWriter(buffer)
            SigV4Canonicalizer.appendMethod(method, to: &writer)
            writer.append(UInt8(ascii: "\n"))
            SigV4Canonicalizer.appendCanonicalURI(path, to: &writer)
            writer.append(UInt8(ascii: "\n"))
            if !query.isEmpty { SigV4Canonicalizer.appendCanonicalQuery(query, to: &writer) }
            writer.append(UInt8(ascii: "\n"))
            signedHeadersRange = SigV4Canonicalizer.appendCanonicalHeaders(
                headers, amzDate: amzDate, sessionToken: sessionToken, to: &writer
            )
            writer.append(UInt8(ascii: "\n"))
            writer.append(utf8: payloadSHA256Hex)
            initialized = writer.count
        }

        // 2. String to sign.
        var canonicalHasher = SHA256()
        canonical.withUnsafeBytes { canonicalHasher.update(bufferPointer: $0) }
        let canonicalDigest = canonicalHasher.finalize()
        let dateStampStart = Self.algorithmLine.utf8.count + 17
        let stringToSign = [UInt8](
            unsafeUninitializedCapacity: dateStampStart + 8 + context.scopeSuffix.count + 1 + 64
        ) { buffer, initialized in
            var writer = ByteWriter(buffer)
            writer.append(utf8: Self.algorithmLine)
            amzDate.appendTimestamp(to: &writer)
            writer.append(UInt8(ascii: "\n"))
            amzDate.appendDateStamp(to: &writer)
            writer.append(context.scopeSuffix)
            writer.append(UInt8(ascii: "\n"))
            canonicalDigest.withUnsafeBytes { writer.appendHex($0) }
            initialized = writer.count
        }

        // 3. Signature and Authorization value.
        let signature = stringToSign.withUnsafeBytes { context.keyedHMAC(for: amzDate).authenticationCode(for: $0) }

        let authorizationCount = context.authorizationPrefix.count + 8 + context.scopeSuffix.count
            + Self.signedHeadersLabel.utf8.count + signedHeadersRange.count + Self.signatureLabel.utf8.count + 64
        let authorization = String(unsafeUninitializedCapacity: authorizationCount) { buffer in
            var writer = ByteWriter(buffer)
            writer.append(context.authorizationPrefix)
            writer.append(stringToSign[dateStampStart..<(dateStampStart + 8)])
            writer.append(context.scopeSuffix)
            writer.append(utf8: Self.signedHeadersLabel)
            writer.append(canonical[signedHeadersRange])
            writer.append(utf8: Self.signatureLabel)
            signature.withUnsafeBytes { writer.appendHex($0) }
            return writer.count
        }

        return Computation(
            canonicalRequest: canonical,
            signedHeadersRange: signedHeadersRange,
            stringToSign: stringToSign,
            authorization: authorization,
            amzDate: amzDate.timestamp
        )
    }
}
