import Foundation
import Logging
import Synchronization
import WebIdentity

/// A token source that returns one fixed, JWT-shaped workload token and counts how often it was asked.
final class FixedTokenSource: WebIdentityTokenSource {
    let token: WebIdentityToken
    private let requests = Mutex(0)

    init(subject: String = "svc-genai-gateway") {
        token = WebIdentityToken(value: TestJWT.make(subject: subject))
    }

    var isPerCaller: Bool { false }

    var requestCount: Int { requests.withLock { $0 } }

    func token(for context: TokenRequestContext, logger: Logger) async throws -> WebIdentityToken {
        requests.withLock { $0 += 1 }
        return token
    }
}
