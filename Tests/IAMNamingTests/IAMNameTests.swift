import Foundation
import IAMNaming
import Testing

/// Rendering, fields, kinds, validation messages, JSON encoding and policy part numbers.
struct IAMNameTests {
    static let examples: [(IAMName, String)] = [
        (
            .role(org: "ACME", layer: "GenAI", subject: "UseCaseA", capability: "BedrockInvoke"),
            "ACME-GenAI-UseCaseA-BedrockInvokeRole"
        ),
        (
            .permissionPolicy(
                org: "ACME",
                layer: "GenAI",
                subject: "UseCaseA",
                provider: "Anthropic",
                permissionType: "Invoke"
            ),
            "ACME-GenAI-UseCaseA-Anthropic-InvokePolicy"
        ),
        (
            .permissionPolicy(
                org: "ACME",
                layer: "GenAI",
                subject: "Marketing",
                provider: "MultiModel",
                permissionType: "Invoke2"
            ),
            "ACME-GenAI-Marketing-MultiModel-Invoke2Policy"
        ),
        (.trustPolicy(org: "ACME", layer: "GenAI", subject: "UseCaseA"), "ACME-GenAI-UseCaseA-TrustPolicy"),
        (.identityProvider(org: "ACME", provider: "Okta"), "ACME-IdP-Okta"),
        (.taskRole(org: "ACME"), "ACME-GenAIGateway-TaskRole"),
    ]

    @Test func examplesRenderAndParse() throws {
        for (name, text) in Self.examples {
            #expect(name.rendered == text)
            #expect("\(name)" == text)
            #expect(try IAMName.parse(text) == name)
        }
    }

    @Test func fieldsAreOrderedAndNamed() {
        let fields = Self.examples.map { $0.0.fields.map { "\($0.name)=\($0.value)" } }
        #expect(
            fields == [
                ["OrgPrefix=ACME", "Layer=GenAI", "UseCaseOrGroup=UseCaseA", "Capability=BedrockInvoke"],
                [
                    "OrgPrefix=ACME", "Layer=GenAI", "UseCaseOrGroup=UseCaseA", "ModelProvider=Anthropic",
                    "PermissionType=Invoke",
                ],
                [
                    "OrgPrefix=ACME", "Layer=GenAI", "UseCaseOrGroup=Marketing", "ModelProvider=MultiModel",
                    "PermissionType=Invoke2",
                ],
                ["OrgPrefix=ACME", "Layer=GenAI", "UseCaseOrGroup=UseCaseA"],
                ["OrgPrefix=ACME", "ProviderName=Okta"],
                ["OrgPrefix=ACME"],
            ]
        )
    }

    @Test func kinds() {
        #expect(
            Self.examples.map(\.0.kind.rawValue) == [
                "role", "permission_policy", "permission_policy", "trust_policy", "identity_provider", "task_role",
            ]
        )
        #expect(IAMName.Kind.allCases.map(\.partCount) == [4, 5, 4, 3, 3])
        #expect(IAMName.Kind(rawValue: "task_role") == .taskRole)
        #expect(IAMName.Kind.identityProvider.pattern == "<OrgPrefix>-IdP-<ProviderName>")
        #expect(IAMName.multiModelProvider == "MultiModel")
    }

    /// Values whose rendering would read back differently are refused by `validate`.
    @Test(arguments: [
        (
            IAMName.role(org: "ACME", layer: "Gen-AI", subject: "UseCaseA", capability: "BedrockInvoke"),
            "role 'ACME-Gen-AI-UseCaseA-BedrockInvokeRole': field Layer 'Gen-AI' has '-' but fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.role(org: "ACME", layer: "GenAI", subject: "UseCaseA", capability: ""),
            "role 'ACME-GenAI-UseCaseA-Role': field Capability is empty; fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.permissionPolicy(
                org: "ACME",
                layer: "GenAI",
                subject: "UseCaseA",
                provider: "Anthropic",
                permissionType: ""
            ),
            "permission policy 'ACME-GenAI-UseCaseA-Anthropic-Policy': field PermissionType is empty; fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.permissionPolicy(
                org: "ACME",
                layer: "GenAI",
                subject: "Use-CaseA",
                provider: "Anthropic",
                permissionType: "Invoke"
            ),
            "permission policy 'ACME-GenAI-Use-CaseA-Anthropic-InvokePolicy': field UseCaseOrGroup 'Use-CaseA' has '-' "
                + "but fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.trustPolicy(org: "", layer: "GenAI", subject: "UseCaseA"),
            "trust policy '-GenAI-UseCaseA-TrustPolicy': field OrgPrefix is empty; fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.identityProvider(org: "ACME", provider: "Ok ta"),
            "identity provider 'ACME-IdP-Ok ta': field ProviderName 'Ok ta' has ' ' (U+0020) but fields are [A-Za-z0-9]+"
        ),
        (
            IAMName.taskRole(org: "ACMÉ"),
            "task role 'ACM\\u{00C9}-GenAIGateway-TaskRole': field OrgPrefix 'ACM\\u{00C9}' has 'É' (U+00C9) "
                + "but fields are [A-Za-z0-9]+"
        ),
    ])
    func validateNamesTheBadField(name: IAMName, message: String) {
        let error = #expect(throws: NamingError.self) { try name.validate() }
        #expect(error?.description == message)
        #expect(!name.isValid)
    }

    @Test func namingFieldRule() {
        for valid in ["A", "z", "0", "UseCaseA", "Invoke2", String(repeating: "a", count: 500)] {
            #expect(NamingField.isValid(valid), "\(valid)")
            #expect(NamingField.violation(in: valid) == nil)
        }
        let invalid: [(String, String)] = [
            ("", "is empty"), ("a-b", "has '-'"), ("a_b", "has '_'"), ("a b", "has ' ' (U+0020)"),
            ("é", "has 'é' (U+00E9)"),
            ("e\u{301}", "has U+0301"), ("a\u{0}", "has U+0000"), ("Ａ", "has 'Ａ' (U+FF21)"), ("a.b", "has '.'"),
        ]
        for (value, violation) in invalid {
            #expect(!NamingField.isValid(value), "\(value)")
            #expect(NamingField.violation(in: value) == violation)
        }
    }

    @Test func jsonEncodingForNamesParse() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let role = try IAMName.parse("ACME-GenAI-UseCaseA-BedrockInvokeRole")
        #expect(
            String(decoding: try encoder.encode(role), as: UTF8.self)
                == #"{"fields":{"Capability":"BedrockInvoke","Layer":"GenAI","OrgPrefix":"ACME","UseCaseOrGroup":"UseCaseA"},"#
                + #""kind":"role","name":"ACME-GenAI-UseCaseA-BedrockInvokeRole"}"#
        )
        let provider = try IAMName.parse("ACME-IdP-Okta")
        #expect(
            String(decoding: try encoder.encode([provider]), as: UTF8.self)
                == #"[{"fields":{"OrgPrefix":"ACME","ProviderName":"Okta"},"kind":"identity_provider","name":"ACME-IdP-Okta"}]"#
        )
    }

    @Test func numberedPermissionTypes() throws {
        #expect(try IAMName.numberedPermissionType("Invoke", part: 1) == "Invoke")
        #expect(try IAMName.numberedPermissionType("Invoke", part: 2) == "Invoke2")
        #expect(try IAMName.numberedPermissionType("Invoke", part: 12) == "Invoke12")
        let parts = try ["Invoke", "Invoke2", "Invoke3", "Invoke1", "Invoke02", "Invoke0", "2"].map {
            try IAMName.parse("ACME-GenAI-UseCaseA-Anthropic-\($0)Policy").policyPart.map { "\($0.base)#\($0.part)" }
        }
        #expect(parts == ["Invoke#1", "Invoke#2", "Invoke#3", nil, nil, nil, nil])
        #expect(IAMName.taskRole(org: "ACME").policyPart == nil)
    }

    @Test(arguments: [
        (
            "S3", 2,
            "permission type 'S3' ends in a digit, so its part numbers could not be told apart from it (part 2 would be 'S32'); "
                + "use a base that ends in a letter"
        ),
        ("Invoke", 0, "policy part 0 of 'Invoke': parts are numbered from 1"),
        ("In-voke", 2, "permission type of part 2: field PermissionType 'In-voke' has '-' but fields are [A-Za-z0-9]+"),
        ("", 1, "permission type of part 1: field PermissionType is empty; fields are [A-Za-z0-9]+"),
    ])
    func numberedPermissionTypeRefusesUnreadableParts(base: String, part: Int, message: String) {
        let error = #expect(throws: NamingError.self) { try IAMName.numberedPermissionType(base, part: part) }
        #expect(error?.description == message)
    }

    @Test func caseInsensitiveCollisions() throws {
        let a = try IAMName.parse("ACME-GenAI-UseCaseA-BedrockInvokeRole")
        let b = try IAMName.parse("ACME-GenAI-usecasea-BedrockInvokeRole")
        #expect(a != b)
        #expect(a.caseInsensitiveKey == b.caseInsensitiveKey)
        #expect(a.caseInsensitiveKey == "acme-genai-usecasea-bedrockinvokerole")
    }
}
