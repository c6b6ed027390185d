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
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
        return String(self[first...last])
    }
}
