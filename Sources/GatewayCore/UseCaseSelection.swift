import HTTPTypes

/// Which use case a request runs under: named by the `X-Use-Case-Id` header, the `/use-cases/{useCaseId}` path
/// prefix, or both when they agree.
public enum UseCaseSelection {
    /// Selects the use case from the header value (nil when absent) and the path prefix's id (nil when absent).
    ///
    /// - Throws: 400 `ValidationException` when neither names one, when they disagree or when the header is malformed;
    ///   403 `AccessDeniedException` when the catalog has no such use case.
    public static func select(header: String?, pathUseCaseID: String?, in policy: GatewayPolicy) throws(GatewayError) -> UseCasePolicy {
        let fromHeader = try header.map { value throws(GatewayError) in
            let trimmed = value.trimmingHTTPWhitespace()
            try BedrockRequestPath.checkUseCaseID(trimmed, source: "the X-Use-Case-Id header")
            return trimmed
        }
        let id: String
        switch (fromHeader, pathUseCaseID) {
        case (let header?, let path?) where header != path:
            throw .validation(
                "the X-Use-Case-Id header names use case '\(header)' but the path prefix /use-cases/\(path)/ names '\(path)'; name one use case, in either place",
                reason: "use_case_mismatch"
            )
        case (let header?, _): id = header
        case (nil, let path?): id = path
        case (nil, nil):
            throw .validation(
                "no use case named; send the X-Use-Case-Id header or use the endpoint URL https://<gateway>/use-cases/<use case id>",
                reason: "use_case_missing"
            )
        }
        guard let useCase = policy.useCase(id: id) else {
            throw .accessDenied(
                "unknown use case '\(id)'; use the id the catalog gives your use case (ids are case-sensitive)",
                reason: "unknown_use_case"
            )
        }
        return useCase
    }

    /// Selects the use case from request headers (every `X-Use-Case-Id` field must agree) and the path prefix.
    public static func select(headers: HTTPFields, pathUseCaseID: String?, in policy: GatewayPolicy) throws(GatewayError) -> UseCasePolicy {
        let values = headers[values: .useCaseID]
        var header: String?
        for value in values {
            let trimmed = value.trimmingHTTPWhitespace()
            if let first = header, first != trimmed {
                throw .validation(
                    "the request has several X-Use-Case-Id headers naming different use cases; send one",
                    reason: "use_case_mismatch"
                )
            }
            header = trimmed
        }
        return try select(header: header, pathUseCaseID: pathUseCaseID, in: policy)
    }
}

extension HTTPField.Name {
    /// `x-use-case-id`: the use case a request runs under.
    public static let useCaseID = HTTPField.Name("x-use-case-id")!
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingHTTPWhitespace() -> String {
        let utf8 = self.utf8
        guard let content = utf8.rangeWithoutHTTPWhitespace() else { return "" }
        if content.lowerBound == utf8.startIndex && content.upperBound == utf8.index(before: utf8.endIndex) { return self }
        return String(self[content])
    }
}

extension BidirectionalCollection<UInt8> {
    /// The bytes between leading and trailing spaces and tabs (HTTP's optional whitespace); nil when that is all.
    func rangeWithoutHTTPWhitespace() -> ClosedRange<Index>? {
        let isContent = { (byte: UInt8) in byte != 0x20 && byte != 0x09 }
        guard let first = firstIndex(where: isContent), let last = lastIndex(where: isContent) else { return nil }
        return first...last
    }
}
