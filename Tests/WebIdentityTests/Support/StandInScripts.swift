import Foundation

/// The Python stand-in scripts in this test target's folder (`sts_standin.py`, `oidc_standin.py`).
enum StandInScripts {
    static func url(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // WebIdentityTests
            .appendingPathComponent(name)
    }
}
