import Foundation
import Logging
import Synchronization
import WebIdentity

/// A wall clock the test moves by hand.
final class ManualClock: WebIdentityClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    func now() -> Date {
        current.withLock { $0 }
    }

    func set(_ date: Date) {
        current.withLock { $0 = date }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Records the retry delays ``STSRetryPolicy`` asks for, without waiting.
final class SleepRecorder: Sendable {
    private let delays = Mutex<[Duration]>([])

    var recorded: [Duration] { delays.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in self.delays.withLock { $0.append(duration) } }
    }
}

enum TestJWT {
    /// A JWT-shaped token (unsigned: moto and the STS stand-in do not verify signatures).
    static func make(
        issuer: String = "https://idp.example.com/realms/acme",
        subject: String = "svc-genai-gateway",
        audience: Any = "genai-gateway",
        expiresIn: TimeInterval = 3600
    ) -> String {
        let now = Date().timeIntervalSince1970
        let header: [String: Any] = ["alg": "RS256", "typ": "JWT", "kid": "test"]
        let claims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": audience, "iat": Int(now), "exp": Int(now + expiresIn),
        ]
        return segment(header) + "." + segment(claims) + "."
            + Data("signature-\(UUID().uuidString)".utf8).base64URL
    }

    static func segment(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return data.base64URL
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

let testLogger = Logger(label: "webidentity-tests", factory: { _ in SwiftLogNoOpLogHandler() })
