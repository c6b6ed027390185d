import TestServers
import Testing

@testable import WebIdentity

@Suite("RoleSessionName")
struct RoleSessionNameTests {
    /// Independent of the implementation: STS's `[\w+=,.@-]{2,64}` with ASCII `\w`.
    static func matchesSTSPattern(_ name: String) -> Bool {
        name.wholeMatch(of: /[A-Za-z0-9_+=,.@\-]{2,64}/) != nil
    }

    static let alphabet: [String] = [
        "a", "Z", "0", "_", "+", "=", ",", ".", "@", "-", " ", "/", ":", "*", "é", "ß", "日", "🙂", "👩‍💻", "\u{301}",
        "\t", "\n", "\"", "'", "\\", "%", "&", "?", "#", "~", "\u{0}",
    ]

    @Test("names built from 3,000 random use cases and suffixes always satisfy STS's pattern")
    func randomUseCasesAlwaysValid() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<3_000 {
            let useCaseLength = Int.random(in: 0...200, using: &generator)
            let useCase = (0..<useCaseLength).map { _ in Self.alphabet.randomElement(using: &generator)! }.joined()
            let suffix: String?
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: suffix = nil
            case 1: suffix = (0..<Int.random(in: 0...80, using: &generator)).map { _ in
                    Self.alphabet.randomElement(using: &generator)!
                }.joined()
            default: suffix = "replica-\(Int.random(in: 0...999, using: &generator))"
            }
            let name = RoleSessionName.make(useCase: useCase, suffix: suffix)
            #expect(Self.matchesSTSPattern(name), "use case \(useCase.debugDescription) gave \(name.debugDescription)")
            #expect(RoleSessionName.isValid(name))
        }
    }

    @Test(
        "odd and long use case names",
        arguments: [
            "", "a", "UseCaseA", "Use Case A", "use/case:a", "🙂", "日本語のユースケース", String(repeating: "x", count: 64),
            String(repeating: "LongUseCaseName", count: 20), "a b c d e f g h i j k l m n o p q r s t u v w x y z",
            "\n\t", "--", "@@@",
        ]
    )
    func oddNames(useCase: String) {
        let name = RoleSessionName.make(useCase: useCase)
        #expect(Self.matchesSTSPattern(name))
        #expect(name.count <= 64 && name.count >= 2)
    }

    @Test("a valid use case is kept as the prefix and the suffix survives truncation")
    func prefixAndSuffix() {
        #expect(RoleSessionName.make(useCase: "UseCaseA", suffix: "r1") == "UseCaseA-r1")
        #expect(RoleSessionName.make(useCase: "Use Case/A", suffix: "r1") == "Use-Case-A-r1")
        let long = RoleSessionName.make(useCase: String(repeating: "u", count: 100), suffix: "abc12345")
        #expect(long.count == 64)
        #expect(long.hasSuffix("-abc12345"))
        #expect(long.hasPrefix(String(repeating: "u", count: 55)))
        let longSuffix = RoleSessionName.make(useCase: "uc", suffix: String(repeating: "s", count: 40) + "END")
        #expect(longSuffix == "uc-" + String(repeating: "s", count: 29) + "END")
    }

    @Test("random suffixes are short and differ between calls")
    func randomSuffixes() {
        let names = (0..<200).map { _ in RoleSessionName.make(useCase: "UseCaseA") }
        #expect(Set(names).count >= 195)
        for name in names {
            #expect(name.wholeMatch(of: /UseCaseA-[0-9a-f]{8}/) != nil, "\(name)")
        }
    }

    @Test("isValid rejects what STS rejects")
    func isValidRejects() {
        #expect(!RoleSessionName.isValid("a"))
        #expect(!RoleSessionName.isValid(String(repeating: "a", count: 65)))
        #expect(RoleSessionName.isValid(String(repeating: "a", count: 64)))
        #expect(!RoleSessionName.isValid("has space"))
        #expect(!RoleSessionName.isValid("é-name"))
        #expect(RoleSessionName.isValid("a_b+c=d,e.f@g-h"))
    }
}
