import GatewayCore
import HTTPTypes
import Testing

@Suite struct UseCaseSelectionTests {
    @Test func fromTheHeaderThePathOrBothWhenTheyAgree() throws {
        let policy = try CatalogFixture.policy()
        #expect(try UseCaseSelection.select(header: "UseCaseA", pathUseCaseID: nil, in: policy).id == "UseCaseA")
        #expect(try UseCaseSelection.select(header: nil, pathUseCaseID: "UseCaseB", in: policy).id == "UseCaseB")
        #expect(try UseCaseSelection.select(header: " MarketingEmail\t", pathUseCaseID: "MarketingEmail", in: policy).id == "MarketingEmail")
        var headers = HTTPFields()
        headers[.useCaseID] = "MarketingSocial"
        headers.append(HTTPField(name: .useCaseID, value: "MarketingSocial"))
        #expect(try UseCaseSelection.select(headers: headers, pathUseCaseID: nil, in: policy).id == "MarketingSocial")
    }

    @Test func headerAndPathDisagreeing() throws {
        let policy = try CatalogFixture.policy()
        let error = try gatewayError { () throws(GatewayError) in
            try UseCaseSelection.select(header: "UseCaseA", pathUseCaseID: "UseCaseB", in: policy)
        }
        #expect(error.status == 400)
        #expect(error.errorType == "ValidationException")
        #expect(
            error.message
                == "the X-Use-Case-Id header names use case 'UseCaseA' but the path prefix /use-cases/UseCaseB/ names 'UseCaseB'; name one use case, in either place"
        )
    }

    @Test func severalDifferentHeaders() throws {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .useCaseID, value: "UseCaseA"))
        headers.append(HTTPField(name: .useCaseID, value: "UseCaseB"))
        let policy = try CatalogFixture.policy()
        let error = try gatewayError { () throws(GatewayError) in
            try UseCaseSelection.select(headers: headers, pathUseCaseID: nil, in: policy)
        }
        #expect(error.status == 400)
        #expect(error.shortDescription == "use_case_mismatch")
    }

    @Test func noUseCaseNamed() throws {
        let policy = try CatalogFixture.policy()
        let error = try gatewayError { () throws(GatewayError) in
            try UseCaseSelection.select(headers: HTTPFields(), pathUseCaseID: nil, in: policy)
        }
        #expect(error.status == 400)
        #expect(error.errorType == "ValidationException")
        #expect(
            error.message
                == "no use case named; send the X-Use-Case-Id header or use the endpoint URL https://<gateway>/use-cases/<use case id>"
        )
    }

    @Test(arguments: [("Nope", nil), (nil, "usecasea"), ("UseCaseC", "UseCaseC")] as [(String?, String?)])
    func unknownUseCase(header: String?, path: String?) throws {
        let policy = try CatalogFixture.policy()
        let error = try gatewayError { () throws(GatewayError) in
            try UseCaseSelection.select(header: header, pathUseCaseID: path, in: policy)
        }
        #expect(error.status == 403)
        #expect(error.errorType == "AccessDeniedException")
        #expect(error.message == "unknown use case '\(header ?? path ?? "")'; use the id the catalog gives your use case (ids are case-sensitive)")
    }

    @Test(arguments: ["", "   ", "Use Case", "UseCase;A", String(repeating: "A", count: 129)])
    func malformedHeader(value: String) throws {
        let policy = try CatalogFixture.policy()
        let error = try gatewayError { () throws(GatewayError) in
            try UseCaseSelection.select(header: value, pathUseCaseID: nil, in: policy)
        }
        #expect(error.status == 400)
        #expect(error.message.contains("the X-Use-Case-Id header"))
    }

    @Test func fullChainChecksUseCaseBeforeGroupsBeforeModel() throws {
        let policy = try CatalogFixture.policy()
        let path = try BedrockRequestPath(parsing: "/use-cases/UseCaseB/model/gpt-4o/converse")
        // Mismatch wins over everything else.
        let mismatch = try gatewayError { () throws(GatewayError) in
            try policy.authorize(path: path, useCaseHeader: "UseCaseA", callerGroups: [String]())
        }
        #expect(mismatch.shortDescription == "use_case_mismatch")
        // Then groups, before the model is looked at.
        let groups = try gatewayError { () throws(GatewayError) in
            try policy.authorize(path: path, useCaseHeader: nil, callerGroups: ["genai-usecase-a"])
        }
        #expect(groups.shortDescription == "group_denied")
        let model = try gatewayError { () throws(GatewayError) in
            try policy.authorize(path: path, useCaseHeader: "UseCaseB", callerGroups: ["genai-admins"])
        }
        #expect(model.shortDescription == "model_not_allowed")
        #expect(model.message.contains("titan-text-express, claude-3-haiku (or 'auto')"))
    }
}

@Suite struct AuthorizerTests {
    @Test(arguments: [
        ("UseCaseA", ["genai-usecase-a"]),
        ("UseCaseB", ["other", "genai-admins"]),
        ("UseCaseB", ["genai-usecase-b"]),
        ("MarketingSocial", ["genai-social"]),
    ])
    func memberOfOneGroupIsAllowed(useCase: String, groups: [String]) throws {
        let policy = try #require(try CatalogFixture.policy().useCase(id: useCase))
        try Authorizer.authorize(callerGroups: groups, for: policy)
    }

    @Test(arguments: [[], ["genai-usecase-b", "secret-project-x"], ["GENAI-USECASE-A"], ["genai-usecase-a "]])
    func otherGroupsAreDeniedWithoutEchoingThem(groups: [String]) throws {
        let policy = try #require(try CatalogFixture.policy().useCase(id: "UseCaseA"))
        let error = try gatewayError { () throws(GatewayError) in try Authorizer.authorize(callerGroups: groups, for: policy) }
        #expect(error.status == 403)
        #expect(error.errorType == "AccessDeniedException")
        #expect(error.shortDescription == "group_denied")
        #expect(
            error.message
                == "you are not allowed to use use case UseCaseA: it requires membership in one of the IdP groups genai-usecase-a; ask your identity administrator to add you to one"
        )
        #expect(!error.message.contains("secret-project-x"))
    }

    @Test func namesEveryRequiredGroup() throws {
        let policy = try #require(try CatalogFixture.policy().useCase(id: "UseCaseB"))
        let error = try gatewayError { () throws(GatewayError) in try Authorizer.authorize(callerGroups: ["genai-usecase-a"], for: policy) }
        #expect(error.message.contains("one of the IdP groups genai-usecase-b, genai-admins;"))
    }
}
