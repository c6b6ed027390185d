import IAMNaming
import Testing

/// Malformed names and the exact reason `parse` gives for each.
struct ParseErrorTests {
    static let role = "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role"
    static let permission = "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<ModelProvider>-<PermissionType>Policy"
    static let trust = "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-TrustPolicy"
    static let idp = "<OrgPrefix>-IdP-<ProviderName>"
    static let task = "<OrgPrefix>-GenAIGateway-TaskRole"
    static let threeParts =
        "3 parts, so an identity provider (\(idp)) or the gateway task role (\(task)), but the middle part"
    static let fourParts = "4 parts, so a role (\(role)) or a trust policy (\(trust)), but the last part"
    static let fiveParts = "5 parts, so a permission policy (\(permission)), but the last part"
    static let caseNote = "; markers are case-sensitive (IdP, GenAIGateway, TaskRole, TrustPolicy, Role, Policy)"
    static let allKinds =
        "; a role has 4 parts (\(role)); a permission policy has 5 parts (\(permission)); a trust policy has 4 parts "
        + "(\(trust)); an identity provider has 3 parts (\(idp)); the gateway task role has 3 parts (\(task))"
    static let fourAndFiveKinds =
        "; a role has 4 parts (\(role)); a permission policy has 5 parts (\(permission)); a trust policy has 4 parts "
        + "(\(trust))"

    static let cases: [(name: String, message: String)] = [
        ("", "'': the name is empty; expected one of \(role), \(permission), \(trust), \(idp), \(task)"),
        // Fields
        (
            "ACME-GenAI-Use_CaseA-BedrockInvokeRole",
            "'ACME-GenAI-Use_CaseA-BedrockInvokeRole': field UseCaseOrGroup 'Use_CaseA' has '_' but fields are [A-Za-z0-9]+"
        ),
        (
            "ACME-GenAI-UseCaseA-Bedrock.InvokeRole",
            "'ACME-GenAI-UseCaseA-Bedrock.InvokeRole': field Capability 'Bedrock.Invoke' has '.' but fields are [A-Za-z0-9]+"
        ),
        (
            "ACME-GenAI-UseCaseA-Anthropic+X-InvokePolicy",
            "'ACME-GenAI-UseCaseA-Anthropic+X-InvokePolicy': field ModelProvider 'Anthropic+X' has '+' but fields are [A-Za-z0-9]+"
        ),
        (
            "ACME-GenAI-UseCäseA-TrustPolicy",
            "'ACME-GenAI-UseC\\u{00E4}seA-TrustPolicy': field UseCaseOrGroup 'UseC\\u{00E4}seA' has 'ä' (U+00E4) but fields are [A-Za-z0-9]+"
        ),
        (
            "ACME-IdP-Ok\nta",
            "'ACME-IdP-Ok\\u{000A}ta': field ProviderName 'Ok\\u{000A}ta' has U+000A but fields are [A-Za-z0-9]+"
        ),
        (
            "A@CME-GenAIGateway-TaskRole",
            "'A@CME-GenAIGateway-TaskRole': field OrgPrefix 'A@CME' has '@' but fields are [A-Za-z0-9]+"
        ),
        ("ACME-GenAI-UseCaseA-Role", "'ACME-GenAI-UseCaseA-Role': field Capability is empty; fields are [A-Za-z0-9]+"),
        (
            "ACME-GenAI-UseCaseA-Anthropic-Policy",
            "'ACME-GenAI-UseCaseA-Anthropic-Policy': field PermissionType is empty; fields are [A-Za-z0-9]+"
        ),
        (
            "ACME--UseCaseA-BedrockInvokeRole",
            "'ACME--UseCaseA-BedrockInvokeRole': field Layer is empty; fields are [A-Za-z0-9]+"
        ),
        (
            "-GenAI-UseCaseA-TrustPolicy",
            "'-GenAI-UseCaseA-TrustPolicy': field OrgPrefix is empty; fields are [A-Za-z0-9]+"
        ),
        ("ACME-IdP-", "'ACME-IdP-': field ProviderName is empty; fields are [A-Za-z0-9]+"),
        ("-GenAIGateway-TaskRole", "'-GenAIGateway-TaskRole': field OrgPrefix is empty; fields are [A-Za-z0-9]+"),
        // Part counts
        ("ACMEGenAI", "'ACMEGenAI': 1 part; names have 3 to 5 parts separated by '-'\(allKinds)"),
        ("-", "'-': 2 parts; names have 3 to 5 parts separated by '-'\(allKinds)"),
        (
            "ACME-TaskRole",
            "'ACME-TaskRole': 2 parts; names have 3 to 5 parts separated by '-'; the gateway task role has 3 parts (\(task)); "
                + "a role has 4 parts (\(role))"
        ),
        (
            "ACME-GenAI-UseCaseA-Anthropic-Extra-InvokePolicy",
            "'ACME-GenAI-UseCaseA-Anthropic-Extra-InvokePolicy': 6 parts; names have 3 to 5 parts separated by '-'; "
                + "a permission policy has 5 parts (\(permission))"
        ),
        (
            "ACME-GenAI-UseCaseA-Anthropic-Invoke-Policy",
            "'ACME-GenAI-UseCaseA-Anthropic-Invoke-Policy': 6 parts; names have 3 to 5 parts separated by '-'; "
                + "a permission policy has 5 parts (\(permission))"
        ),
        (
            "ACME-GenAI-UseCaseA-X-TrustPolicy-Y-BedrockInvokeRole",
            "'ACME-GenAI-UseCaseA-X-TrustPolicy-Y-BedrockInvokeRole': 7 parts; names have 3 to 5 parts separated by '-'; "
                + "a role has 4 parts (\(role))"
        ),
        // Three parts
        (
            "ACME-GenAI-UseCaseA",
            "'ACME-GenAI-UseCaseA': \(threeParts) 'GenAI' is neither 'IdP' nor 'GenAIGateway'\(fourAndFiveKinds)"
        ),
        (
            "ACME-GenAI-InvokePolicy",
            "'ACME-GenAI-InvokePolicy': \(threeParts) 'GenAI' is neither 'IdP' nor 'GenAIGateway'; "
                + "a permission policy has 5 parts (\(permission))"
        ),
        (
            "ACME-GenAI-BedrockInvokeRole",
            "'ACME-GenAI-BedrockInvokeRole': \(threeParts) 'GenAI' is neither 'IdP' nor 'GenAIGateway'; a role has 4 parts (\(role))"
        ),
        (
            "ACME-idp-Okta",
            "'ACME-idp-Okta': \(threeParts) 'idp' is neither 'IdP' nor 'GenAIGateway'\(fourAndFiveKinds)\(caseNote)"
        ),
        (
            "ACME-GenAIGateway-Task",
            "'ACME-GenAIGateway-Task': 3 parts with 'GenAIGateway' in the middle make the gateway task role (\(task)), "
                + "but the last part is 'Task', not 'TaskRole'"
        ),
        (
            "ACME-GenAIGateway-taskrole",
            "'ACME-GenAIGateway-taskrole': 3 parts with 'GenAIGateway' in the middle make the gateway task role (\(task)), "
                + "but the last part is 'taskrole', not 'TaskRole'\(caseNote)"
        ),
        (
            "ACME-genaigateway-TaskRole",
            "'ACME-genaigateway-TaskRole': \(threeParts) 'genaigateway' is neither 'IdP' nor 'GenAIGateway'; "
                + "a role has 4 parts (\(role))\(caseNote)"
        ),
        (
            "ACME_GenAI-UseCaseA-BedrockInvokeRole",
            "'ACME_GenAI-UseCaseA-BedrockInvokeRole': \(threeParts) 'UseCaseA' is neither 'IdP' nor 'GenAIGateway'; "
                + "a role has 4 parts (\(role)); the name also has '_', which no field allows (fields are [A-Za-z0-9]+ joined by '-')"
        ),
        // Four parts
        (
            "ACME-GenAI-UseCaseA-InvokePolicy",
            "'ACME-GenAI-UseCaseA-InvokePolicy': \(fourParts) 'InvokePolicy' neither ends in 'Role' nor is 'TrustPolicy'; "
                + "a permission policy has 5 parts (\(permission))"
        ),
        (
            "ACME-GenAI-UseCaseA-Invoke",
            "'ACME-GenAI-UseCaseA-Invoke': \(fourParts) 'Invoke' neither ends in 'Role' nor is 'TrustPolicy'"
        ),
        (
            "ACME-GenAI-UseCaseA-BedrockInvokerole",
            "'ACME-GenAI-UseCaseA-BedrockInvokerole': \(fourParts) 'BedrockInvokerole' neither ends in 'Role' nor is "
                + "'TrustPolicy'\(caseNote)"
        ),
        (
            "ACME-GenAI-UseCaseA-Trustpolicy",
            "'ACME-GenAI-UseCaseA-Trustpolicy': \(fourParts) 'Trustpolicy' neither ends in 'Role' nor is "
                + "'TrustPolicy'\(caseNote)"
        ),
        (
            "ACME-GenAI-UseCaseA-BedrockInvokeRole ",
            "'ACME-GenAI-UseCaseA-BedrockInvokeRole ': \(fourParts) 'BedrockInvokeRole ' neither ends in 'Role' nor is "
                + "'TrustPolicy'; the name also has ' ' (U+0020), which no field allows (fields are [A-Za-z0-9]+ joined by '-')"
        ),
        (
            "ACME-GenAIGateway-TaskRole-Extra",
            "'ACME-GenAIGateway-TaskRole-Extra': \(fourParts) 'Extra' neither ends in 'Role' nor is 'TrustPolicy'; "
                + "the gateway task role has 3 parts (\(task))"
        ),
        (
            "ACME-IdP-Okta-Extra",
            "'ACME-IdP-Okta-Extra': \(fourParts) 'Extra' neither ends in 'Role' nor is 'TrustPolicy'; "
                + "an identity provider has 3 parts (\(idp))"
        ),
        // Five parts
        (
            "ACME-GenAI-UseCaseA-Anthropic-Invoke",
            "'ACME-GenAI-UseCaseA-Anthropic-Invoke': \(fiveParts) 'Invoke' does not end in 'Policy'"
        ),
        (
            "ACME-GenAI-UseCaseA-Anthropic-Invokepolicy",
            "'ACME-GenAI-UseCaseA-Anthropic-Invokepolicy': \(fiveParts) 'Invokepolicy' does not end in 'Policy'\(caseNote)"
        ),
        (
            "ACME-GenAI-UseCaseA-Anthropic-BedrockInvokeRole",
            "'ACME-GenAI-UseCaseA-Anthropic-BedrockInvokeRole': \(fiveParts) 'BedrockInvokeRole' does not end in 'Policy'; "
                + "a role has 4 parts (\(role))"
        ),
        // Limits
        (
            "ACME-GenAI-" + String(repeating: "U", count: 42) + "-BedrockInvokeRole",
            "role name ACME-GenAI-\(String(repeating: "U", count: 42))-BedrockInvokeRole is 71 characters, 7 over IAM's "
                + "64-character limit; shorten OrgPrefix, Layer, UseCaseOrGroup or Capability"
        ),
    ]

    @Test(arguments: cases)
    func malformedNameIsRefusedWithExactReason(name: String, message: String) {
        let error = #expect(throws: NamingError.self) { try IAMName.parse(name) }
        #expect(error?.description == message)
    }

    @Test(arguments: [
        ("", "empty_name"),
        ("ACME-GenAI-UseCaseA", "shape"),
        ("ACME-GenAI-Use_CaseA-BedrockInvokeRole", "invalid_field"),
        ("ACME-GenAI-" + String(repeating: "U", count: 36) + "-BedrockInvokeRole", "too_long"),
    ])
    func shortDescriptionIsAStableCategory(name: String, category: String) throws {
        let error = try #require(throws: NamingError.self) { try IAMName.parse(name) }
        #expect(error.shortDescription == category)
        #expect(error.isOverLimit == (category == "too_long"))
    }
}
