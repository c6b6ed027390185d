import IAMNaming
import Testing

/// IAM's name limits at and just past each boundary, and the role-name budget arithmetic.
struct LimitTests {
    private static func role(subjectLength: Int) -> IAMName {
        .role(
            org: "ACME",
            layer: "GenAI",
            subject: String(repeating: "U", count: subjectLength),
            capability: "BedrockInvoke"
        )
    }

    private static func policy(subjectLength: Int) -> IAMName {
        .permissionPolicy(
            org: "ACME",
            layer: "GenAI",
            subject: String(repeating: "U", count: subjectLength),
            provider: "Anthropic",
            permissionType: "Invoke"
        )
    }

    /// Checks that `name` is exactly `length` characters, validates, and parses back.
    private func expectFits(_ name: IAMName, length: Int) throws {
        #expect(name.rendered.count == length)
        try name.validate()
        #expect(try IAMName.parse(name.rendered) == name)
    }

    /// Checks that `name` is exactly `length` characters and that `validate` and `parse` both refuse it
    /// with `message`.
    private func expectOverflow(_ name: IAMName, length: Int, message: String) {
        #expect(name.rendered.count == length)
        let validateError = #expect(throws: NamingError.self) { try name.validate() }
        #expect(validateError?.description == message)
        let parseError = #expect(throws: NamingError.self) { try IAMName.parse(name.rendered) }
        #expect(parseError?.description == message)
        #expect(parseError?.isOverLimit == true)
    }

    @Test func roleNameAt64Fits() throws {
        try expectFits(Self.role(subjectLength: 35), length: 64)
    }

    @Test func roleNameAt65IsOneOver() {
        let name = Self.role(subjectLength: 36)
        expectOverflow(
            name,
            length: 65,
            message: "role name \(name.rendered) is 65 characters, 1 over IAM's 64-character limit; "
                + "shorten OrgPrefix, Layer, UseCaseOrGroup or Capability"
        )
    }

    @Test func roleNameAt71IsSevenOver() {
        let name = Self.role(subjectLength: 42)
        expectOverflow(
            name,
            length: 71,
            message:
                "role name ACME-GenAI-UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU-BedrockInvokeRole is 71 characters, "
                + "7 over IAM's 64-character limit; shorten OrgPrefix, Layer, UseCaseOrGroup or Capability"
        )
    }

    @Test func taskRoleNameAt64FitsAnd65IsOver() throws {
        try expectFits(.taskRole(org: String(repeating: "A", count: 42)), length: 64)
        let name = IAMName.taskRole(org: String(repeating: "A", count: 43))
        expectOverflow(
            name,
            length: 65,
            message:
                "task role name \(name.rendered) is 65 characters, 1 over IAM's 64-character limit; shorten OrgPrefix"
        )
    }

    @Test func policyNameAt128Fits() throws {
        try expectFits(Self.policy(subjectLength: 94), length: 128)
    }

    @Test func policyNameAt129IsOneOver() {
        let name = Self.policy(subjectLength: 95)
        expectOverflow(
            name,
            length: 129,
            message: "permission policy name \(name.rendered) is 129 characters, 1 over IAM's 128-character limit; "
                + "shorten OrgPrefix, Layer, UseCaseOrGroup, ModelProvider or PermissionType"
        )
    }

    /// Trust policy ids and OIDC provider tags are not IAM names, so IAM's name limits do not apply.
    @Test func trustPolicyIdsAndProviderTagsHaveNoIAMLimit() throws {
        let long = String(repeating: "X", count: 200)
        let names: [IAMName] = [
            .trustPolicy(org: "ACME", layer: "GenAI", subject: long),
            .identityProvider(org: "ACME", provider: long),
        ]
        for name in names {
            #expect(name.iamLimit == nil)
            #expect(name.rendered.count > 128)
            #expect(try IAMName.parse(name.rendered) == name)
        }
    }

    @Test func limitsByKind() {
        #expect(Self.role(subjectLength: 1).iamLimit == 64)
        #expect(IAMName.taskRole(org: "ACME").iamLimit == 64)
        #expect(Self.policy(subjectLength: 1).iamLimit == 128)
        #expect(IAMName.trustPolicy(org: "ACME", layer: "GenAI", subject: "UseCaseA").iamLimit == nil)
        #expect(IAMName.identityProvider(org: "ACME", provider: "Okta").iamLimit == nil)
    }

    @Test func budgetOfTheExampleRole() {
        let budget = roleNameBudget(org: "ACME", layer: "GenAI", subject: "UseCaseA", capability: "BedrockInvoke")
        #expect(budget.length == 37)
        #expect(budget.length == "ACME-GenAI-UseCaseA-BedrockInvokeRole".count)
        #expect(budget.fits)
        #expect(budget.remaining == 27)
        #expect(budget.overflow == 0)
        #expect(budget.maxSubjectLength == 35)
        #expect(
            budget.description
                == "4 (OrgPrefix) + 5 (Layer) + 8 (UseCaseOrGroup) + 13 (Capability) + 4 (\"Role\") + 3 (separators) = 37 ≤ 64"
        )
    }

    @Test func budgetAtAndPastTheLimit() {
        let atLimit = roleNameBudget(
            org: "ACME",
            layer: "GenAI",
            subject: String(repeating: "U", count: 35),
            capability: "BedrockInvoke"
        )
        #expect(atLimit.length == 64 && atLimit.fits && atLimit.remaining == 0 && atLimit.overflow == 0)

        let over = roleNameBudget(
            org: "ACME",
            layer: "GenAI",
            subject: String(repeating: "U", count: 42),
            capability: "BedrockInvoke"
        )
        #expect(over.length == 71)
        #expect(!over.fits)
        #expect(over.overflow == 7)
        #expect(over.remaining == -7)
        #expect(over.maxSubjectLength == 35)
        #expect(
            over.description
                == "4 (OrgPrefix) + 5 (Layer) + 42 (UseCaseOrGroup) + 13 (Capability) + 4 (\"Role\") + 3 (separators) = 71 > 64 (7 over)"
        )
    }

    /// The budget agrees with the rendered role and with `validate` for every field length.
    @Test(arguments: 1...70)
    func budgetAgreesWithValidate(subjectLength: Int) {
        let name = Self.role(subjectLength: subjectLength)
        let budget = roleNameBudget(
            org: "ACME",
            layer: "GenAI",
            subject: String(repeating: "U", count: subjectLength),
            capability: "BedrockInvoke"
        )
        #expect(budget.length == name.rendered.count)
        #expect(budget.fits == name.isValid)
        #expect(budget.fits == (subjectLength <= budget.maxSubjectLength))
    }
}
