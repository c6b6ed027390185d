import IAMNaming
import PropertyBased
import Testing

/// `parse(render(x)) == x` for every valid `x`, `render(parse(s)) == s` for every parsable `s`, and
/// exactly one reading of every name.
struct RoundTripPropertyTests {
    /// Checks one valid value: it validates, renders to the one reading of the reference grammar, and
    /// parses back to itself.
    private func expectRoundTrip(_ name: IAMName, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(throws: Never.self, sourceLocation: sourceLocation) { try name.validate() }
        #expect(ReferenceGrammar.readings(of: name.rendered) == [name], sourceLocation: sourceLocation)
        #expect(try IAMName.parse(name.rendered) == name, sourceLocation: sourceLocation)
        #expect(name.description == name.rendered, sourceLocation: sourceLocation)
    }

    /// Checks a value with valid fields of any length: if it fits, it round-trips; if not, `parse` of its
    /// rendering fails with the same over-limit error as `validate`.
    private func expectRoundTripOrOverflow(_ name: IAMName, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let limit = name.iamLimit ?? Int.max
        if name.rendered.count <= limit {
            try expectRoundTrip(name, sourceLocation: sourceLocation)
        } else {
            let validateError = #expect(throws: NamingError.self, sourceLocation: sourceLocation) {
                try name.validate()
            }
            let parseError = #expect(throws: NamingError.self, sourceLocation: sourceLocation) {
                try IAMName.parse(name.rendered)
            }
            #expect(validateError != nil && validateError == parseError, sourceLocation: sourceLocation)
            #expect(validateError?.isOverLimit == true, sourceLocation: sourceLocation)
        }
    }

    @Test func rolesRoundTrip() async {
        let f = Generators.fittingField
        await propertyCheck(count: 400, input: f, f, f, f) { org, layer, subject, capability in
            try expectRoundTrip(.role(org: org, layer: layer, subject: subject, capability: capability))
        }
    }

    @Test func permissionPoliciesRoundTrip() async {
        let f = Generators.fittingField
        await propertyCheck(count: 400, input: f, f, f, f, f) { org, layer, subject, provider, permissionType in
            try expectRoundTrip(
                .permissionPolicy(
                    org: org,
                    layer: layer,
                    subject: subject,
                    provider: provider,
                    permissionType: permissionType
                )
            )
        }
    }

    @Test func trustPoliciesRoundTrip() async {
        let f = Generators.anyField
        await propertyCheck(count: 300, input: f, f, f) { org, layer, subject in
            try expectRoundTrip(.trustPolicy(org: org, layer: layer, subject: subject))
        }
    }

    @Test func identityProvidersRoundTrip() async {
        let f = Generators.anyField
        await propertyCheck(count: 300, input: f, f) { org, provider in
            try expectRoundTrip(.identityProvider(org: org, provider: provider))
        }
    }

    @Test func taskRolesRoundTrip() async {
        await propertyCheck(
            count: 300,
            input: Gen<String>.oneOf(Generators.edgeField, Gen.letterOrNumber.string(of: 1...42))
        ) {
            org in
            try expectRoundTrip(.taskRole(org: org))
        }
    }

    @Test func longRolesRoundTripOrOverflow() async {
        let f = Generators.anyField
        await propertyCheck(count: 400, input: f, f, f, f) { org, layer, subject, capability in
            try expectRoundTripOrOverflow(.role(org: org, layer: layer, subject: subject, capability: capability))
        }
    }

    @Test func longPermissionPoliciesRoundTripOrOverflow() async {
        let f = Generators.anyField
        await propertyCheck(count: 400, input: f, f, f, f, f) { org, layer, subject, provider, permissionType in
            try expectRoundTripOrOverflow(
                .permissionPolicy(
                    org: org,
                    layer: layer,
                    subject: subject,
                    provider: provider,
                    permissionType: permissionType
                )
            )
        }
    }

    @Test func longTaskRolesRoundTripOrOverflow() async {
        await propertyCheck(count: 200, input: Gen.letterOrNumber.string(of: 30...60)) { org in
            try expectRoundTripOrOverflow(.taskRole(org: org))
        }
    }

    /// The other direction, against the reference grammar: a name-like string parses exactly when it has
    /// one reading that fits IAM, into that reading, and renders back to the same string.
    @Test func parseAgreesWithReferenceGrammar() async {
        var parsedKinds: [IAMName.Kind: Int] = [:]
        var rejected = 0
        await propertyCheck(count: 1500, input: Generators.nameLike) { text in
            let readings = ReferenceGrammar.readings(of: text)
            #expect(readings.count <= 1, "\(text) has \(readings.count) readings: \(readings)")
            let parsed = try? IAMName.parse(text)
            if let reading = readings.first, ReferenceGrammar.fitsIAM(reading) {
                #expect(parsed == reading)
                #expect(parsed?.rendered == text)
            } else {
                #expect(parsed == nil, "\(text) parsed as \(String(describing: parsed))")
            }
            if let parsed { parsedKinds[parsed.kind, default: 0] += 1 } else { rejected += 1 }
        }
        // The generator must exercise both outcomes and every kind, or the agreement above says little.
        #expect(rejected > 300, "only \(rejected) of 1500 strings were rejected")
        for kind in IAMName.Kind.allCases {
            #expect(
                parsedKinds[kind, default: 0] >= 20,
                "only \(parsedKinds[kind, default: 0]) strings parsed as \(kind)"
            )
        }
    }

    /// A field with one character no field allows makes `validate` fail and name that field.
    @Test func validateRejectsBadCharacterInAnyField() async {
        let bad = Gen<String?>.element(of: ["-", "_", " ", ".", "é", "\n", "+", "=", ",", "@"]).map { $0! }
        await propertyCheck(count: 300, input: Generators.shortField, bad, Gen.int(in: 0...4), Gen.int(in: 0...12)) {
            field,
            badCharacter,
            which,
            position in
            var fields = ["ACME", "GenAI", "UseCaseA", "Anthropic", "Invoke"]
            let index = field.index(field.startIndex, offsetBy: min(position, field.count))
            var corrupted = field
            corrupted.insert(contentsOf: badCharacter, at: index)
            fields[which] = corrupted
            let name = IAMName.permissionPolicy(
                org: fields[0],
                layer: fields[1],
                subject: fields[2],
                provider: fields[3],
                permissionType: fields[4]
            )
            let error = #expect(throws: NamingError.self) { try name.validate() }
            let fieldName = ["OrgPrefix", "Layer", "UseCaseOrGroup", "ModelProvider", "PermissionType"][which]
            #expect(error?.description.contains("field \(fieldName) ") == true, "\(String(describing: error))")
            #expect(error?.shortDescription == "invalid_field")
        }
    }

    /// Numbered permission types read back into their base and part number.
    @Test func policyPartsRoundTrip() async {
        let base = zip(Gen.letterOrNumber.string(of: 0...10), Gen.letter).map { $0 + String($1) }
        await propertyCheck(count: 300, input: base, Gen.int(in: 1...1000)) { base, part in
            let permissionType = try IAMName.numberedPermissionType(base, part: part)
            let name = try IAMName.parse("ACME-GenAI-UseCaseA-Anthropic-\(permissionType)Policy")
            #expect(name.policyPart?.base == base)
            #expect(name.policyPart?.part == part)
        }
    }

    /// Names differing only in case collide in IAM; names of different kinds never do.
    @Test func caseInsensitiveKeysSeparateKinds() async {
        let f = Generators.fittingField
        await propertyCheck(count: 300, input: f, f, f, f) { a, b, c, d in
            let names: [IAMName] = [
                .role(org: a, layer: b, subject: c, capability: d),
                .permissionPolicy(org: a, layer: b, subject: c, provider: d, permissionType: a),
                .trustPolicy(org: a, layer: b, subject: c),
                .identityProvider(org: a, provider: b),
                .taskRole(org: a),
            ]
            #expect(Set(names.map(\.caseInsensitiveKey)).count == names.count)
            for name in names {
                #expect(name.caseInsensitiveKey == name.rendered.lowercased())
            }
        }
    }
}
