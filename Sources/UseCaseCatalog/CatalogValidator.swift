import Foundation
import IAMNaming

/// The semantic rules of a catalog: field shapes, references between sections, IAM name budgets and the
/// cross-Region inference-profile geography. Every rule yields a ``Diagnostic`` naming the field, the rule and the
/// offending value; all of them are reported in one run.
public enum CatalogValidator {
    /// The capability of every use-case role: `<Org>-<Layer>-<UseCaseOrGroup>-BedrockInvokeRole`.
    public static let roleCapability = "BedrockInvoke"
    /// The permission type of every permission policy: `...-<Provider>-InvokePolicy`.
    public static let permissionType = "Invoke"

    public static func validate(_ catalog: Catalog, locations: [String: SourceLocation] = [:]) -> [Diagnostic] {
        var check = Checker(locations: locations)
        check.topLevel(catalog)
        check.identityProvider(catalog.identityProvider)
        check.gateway(catalog.gateway)
        check.modelAccounts(catalog.modelAccounts)
        check.models(catalog.models)
        check.useCases(catalog)
        check.names(catalog)
        return check.diagnostics
    }
}

private struct Checker {
    let locations: [String: SourceLocation]
    var diagnostics: [Diagnostic] = []

    mutating func fail(_ field: String, _ message: String, rule: String? = nil, value: String? = nil) {
        var location = locations[field]
        var parent = field
        while location == nil, let cut = parent.lastIndex(where: { $0 == "." || $0 == "[" }) {
            parent = String(parent[..<cut])
            location = locations[parent]
        }
        diagnostics.append(Diagnostic(location: location, field: field, message: message, rule: rule, value: value))
    }

    mutating func warn(_ field: String, _ message: String) {
        diagnostics.append(Diagnostic(severity: .warning, location: locations[field], field: field, message: message))
    }

    mutating func field(_ value: String, _ path: String, what: String) {
        if !NamingField.isValid(value) {
            fail(
                path,
                "\(what) must be letters and digits only, because it becomes a field of IAM names joined by '-'",
                rule: "[A-Za-z0-9]+",
                value: value
            )
        }
    }

    mutating func unique(_ values: [String], _ path: String, what: String, caseInsensitive: Bool = false) {
        var seen: [String: Int] = [:]
        for (index, value) in values.enumerated() {
            let key = caseInsensitive ? value.lowercased() : value
            if let first = seen[key] {
                let note = caseInsensitive && values[first] != value ? " (IAM names are case-insensitive)" : ""
                fail("\(path)[\(index)]", "duplicate \(what); it already appears at \(path)[\(first)]\(note)", rule: "unique", value: value)
            } else {
                seen[key] = index
            }
        }
    }

    mutating func regions(_ regions: [String], _ path: String) {
        if regions.isEmpty { fail(path, "list at least one Region", rule: "non-empty") }
        for (index, region) in regions.enumerated() where !AWSIdentifiers.isRegion(region) {
            fail("\(path)[\(index)]", "not a Region code; write it like us-east-1 or eu-central-1", rule: "<area>-<direction>-<n>", value: region)
        }
        unique(regions, path, what: "Region")
    }

    mutating func account(_ value: String, _ path: String) {
        if !AWSIdentifiers.isAccountID(value) {
            fail(path, "an AWS account id is exactly 12 digits; quote it in YAML (\"012345678901\") to keep leading zeros", rule: "[0-9]{12}", value: value)
        }
    }

    // MARK: Sections

    mutating func topLevel(_ catalog: Catalog) {
        field(catalog.org, "org", what: "org (OrgPrefix)")
        if let first = catalog.org.unicodeScalars.first, NamingField.isValid(catalog.org), !(first.properties.isAlphabetic) {
            fail("org", "org (OrgPrefix) must start with a letter: it begins every IAM name and Terraform resource names cannot start with a digit", rule: "[A-Za-z][A-Za-z0-9]*", value: catalog.org)
        }
        field(catalog.layer, "layer", what: "layer")
    }

    mutating func identityProvider(_ idp: IdentityProvider) {
        let path = "identity_provider"
        field(idp.name, "\(path).name", what: "identity_provider.name (ProviderName)")
        let issuer = idp.issuer
        if !issuer.hasPrefix("https://") {
            fail("\(path).issuer", "the issuer must be an https:// URL (IAM registers OIDC providers by https URL only)", rule: "https://host[/path]", value: issuer)
        } else {
            let rest = issuer.dropFirst("https://".count)
            let host = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            if host.isEmpty {
                fail("\(path).issuer", "the issuer URL has no host", rule: "https://host[/path]", value: issuer)
            } else if host.contains(":") {
                fail("\(path).issuer", "IAM OIDC provider URLs cannot carry a port", rule: "no port", value: issuer)
            } else if host.contains("@") {
                fail("\(path).issuer", "the issuer URL must not contain credentials", rule: "no user info", value: issuer)
            }
            if rest.contains("?") || rest.contains("#") {
                fail("\(path).issuer", "IAM OIDC provider URLs cannot carry a query or fragment", rule: "no query", value: issuer)
            }
            if rest.contains(where: { $0 == " " || !$0.isASCII }) {
                fail("\(path).issuer", "the issuer URL must be ASCII without spaces", rule: "ASCII URL", value: issuer)
            }
        }
        if issuer.count > 255 {
            fail("\(path).issuer", "IAM limits OIDC provider URLs to 255 characters; this one has \(issuer.count)", rule: "≤ 255 characters", value: issuer)
        }
        if idp.audience.isEmpty || idp.audience.count > 255 || idp.audience.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            fail("\(path).audience", "the audience (OIDC client id) must be 1-255 ASCII characters without spaces", rule: "client id, 1-255 characters", value: idp.audience)
        }
        if let subject = idp.subject, subject.isEmpty || subject.contains(where: { !$0.isASCII }) {
            fail("\(path).subject", "the pinned subject must be a non-empty ASCII string, or remove the key", rule: "non-empty ASCII", value: subject)
        }
        if let key = idp.sessionTagKey {
            if key.isEmpty || key.count > 128 || key.lowercased().hasPrefix("aws:")
                || key.wholeMatch(of: #/[A-Za-z0-9 _.:\/=+\-@]+/#) == nil
            {
                fail("\(path).session_tag_key", "a session tag key is 1-128 characters of letters, digits, spaces and _.:/=+-@, and may not start with aws:", rule: "IAM tag key", value: key)
            }
        }
        if idp.thumbprints.count > 5 {
            fail("\(path).thumbprints", "IAM accepts at most 5 thumbprints; this lists \(idp.thumbprints.count)", rule: "≤ 5")
        }
        for (index, thumbprint) in idp.thumbprints.enumerated()
        where thumbprint.count != 40 || !thumbprint.allSatisfy(\.isHexDigit) {
            fail("\(path).thumbprints[\(index)]", "a thumbprint is the SHA-1 of the certificate, 40 hex characters", rule: "[0-9a-fA-F]{40}", value: thumbprint)
        }
    }

    mutating func gateway(_ gateway: Gateway) {
        account(gateway.account, "gateway.account")
        if !AWSIdentifiers.isRegion(gateway.region) {
            fail("gateway.region", "not a Region code; write it like us-east-1", rule: "<area>-<direction>-<n>", value: gateway.region)
        }
        if gateway.logGroup.isEmpty || gateway.logGroup.count > 512 || gateway.logGroup.wholeMatch(of: #/[A-Za-z0-9._\-\/#]+/#) == nil {
            fail("gateway.log_group", "a CloudWatch log group name is 1-512 characters of letters, digits and ._-/#", rule: "[A-Za-z0-9._-/#]{1,512}", value: gateway.logGroup)
        }
        for (index, secret) in gateway.secrets.enumerated()
        where secret.isEmpty || secret.count > 512 || secret.wholeMatch(of: #/[A-Za-z0-9\/_+=.@\-]+/#) == nil {
            fail("gateway.secrets[\(index)]", "a Secrets Manager secret name is 1-512 characters of letters, digits and /_+=.@-", rule: "secret name", value: secret)
        }
        unique(gateway.secrets, "gateway.secrets", what: "secret")
    }

    mutating func modelAccounts(_ accounts: [ModelAccount]) {
        if accounts.isEmpty { fail("model_accounts", "list at least one shared-model account", rule: "non-empty") }
        for (index, item) in accounts.enumerated() {
            let path = "model_accounts[\(index)]"
            field(item.name, "\(path).name", what: "a model account name")
            account(item.account, "\(path).account")
            regions(item.regions, "\(path).regions")
        }
        unique(accounts.map(\.name), "model_accounts", what: "model account name")
        unique(accounts.map(\.account), "model_accounts", what: "account id")
    }

    mutating func models(_ models: [Model]) {
        if models.isEmpty { fail("models", "list at least one model", rule: "non-empty") }
        let modelIDs = Set(models.map(\.modelId))
        for (index, model) in models.enumerated() {
            let path = "models[\(index)]"
            if model.name.wholeMatch(of: #/[a-z0-9][a-z0-9._\-]{0,63}/#) == nil {
                fail("\(path).name", "a model's logical name is what apps send as modelId: 1-64 lower-case letters, digits and ._- starting with a letter or digit", rule: "[a-z0-9][a-z0-9._-]{0,63}", value: model.name)
            }
            if model.name == "auto" {
                fail("\(path).name", "'auto' is reserved: it asks the gateway's router to pick the model", rule: "not 'auto'", value: model.name)
            }
            if modelIDs.contains(model.name) && model.name != model.modelId {
                fail("\(path).name", "this logical name is another model's model_id, so modelId '\(model.name)' would be ambiguous", rule: "unambiguous", value: model.name)
            }
            field(model.provider, "\(path).provider", what: "provider (ModelProvider)")
            let geo = model.modelId.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
            if AWSIdentifiers.profileGeographies.contains(geo) {
                fail("\(path).model_id", "'\(model.modelId)' is an inference-profile id; put the foundation-model id here and the profile under inference_profile.id", rule: "foundation-model id", value: model.modelId)
            } else if !AWSIdentifiers.isFoundationModelID(model.modelId) {
                fail("\(path).model_id", "not a Bedrock foundation-model id; it looks like <vendor>.<model>[:N], e.g. anthropic.claude-sonnet-4-5-20250929-v1:0 or amazon.titan-text-express-v1", rule: "<vendor>.<model>[:N]", value: model.modelId)
            }
            if let profile = model.inferenceProfile {
                let profilePath = "\(path).inference_profile"
                let geography = profile.geography
                if !AWSIdentifiers.profileGeographies.contains(geography) || profile.id != "\(geography).\(model.modelId)" {
                    fail("\(profilePath).id", "an inference-profile id is <geo>.<model_id> with geo one of \(AWSIdentifiers.profileGeographies.joined(separator: ", ")); expected e.g. us.\(model.modelId)", rule: "<geo>.\(model.modelId)", value: profile.id)
                }
                regions(profile.destinationRegions, "\(profilePath).destination_regions")
                if AWSIdentifiers.profileGeographies.contains(geography) {
                    for (regionIndex, region) in profile.destinationRegions.enumerated()
                    where AWSIdentifiers.isRegion(region) && !AWSIdentifiers.geography(geography, includes: region) {
                        fail("\(profilePath).destination_regions[\(regionIndex)]", "a '\(geography)' profile does not route to \(region)", rule: "Region inside the profile's geography", value: region)
                    }
                }
            }
        }
        unique(models.map(\.name), "models", what: "model name")
        unique(models.map(\.modelId), "models", what: "model_id (give each Bedrock model one logical name)")
    }

    mutating func useCases(_ catalog: Catalog) {
        let useCases = catalog.useCases
        if useCases.isEmpty { fail("use_cases", "list at least one use case", rule: "non-empty") }
        let accountNames = catalog.modelAccounts.map(\.name)
        let modelNames = catalog.models.map(\.name)
        for (index, useCase) in useCases.enumerated() {
            let path = "use_cases[\(index)]"
            field(useCase.id, "\(path).id", what: "a use case id")
            field(useCase.roleGroup, "\(path).role_group", what: "a role group")
            if useCase.idpGroups.isEmpty {
                fail("\(path).idp_groups", "list at least one IdP group; callers must belong to one of them", rule: "non-empty")
            }
            for (groupIndex, group) in useCase.idpGroups.enumerated() where group.trimmingCharacters(in: .whitespaces).isEmpty {
                fail("\(path).idp_groups[\(groupIndex)]", "an IdP group name cannot be empty", rule: "non-empty", value: group)
            }
            unique(useCase.idpGroups, "\(path).idp_groups", what: "IdP group")
            if useCase.accounts.isEmpty { fail("\(path).accounts", "list at least one model account", rule: "non-empty") }
            for (accountIndex, name) in useCase.accounts.enumerated() where !accountNames.contains(name) {
                fail("\(path).accounts[\(accountIndex)]", "unknown model account; known: \(accountNames.joined(separator: ", "))", rule: "must name an entry of model_accounts", value: name)
            }
            unique(useCase.accounts, "\(path).accounts", what: "account")
            if useCase.models.isEmpty { fail("\(path).models", "list at least one model", rule: "non-empty") }
            for (modelIndex, name) in useCase.models.enumerated() where !modelNames.contains(name) {
                fail("\(path).models[\(modelIndex)]", "unknown model; known: \(modelNames.joined(separator: ", "))", rule: "must name an entry of models", value: name)
            }
            unique(useCase.models, "\(path).models", what: "model")
            if let routing = useCase.routing {
                for (key, name) in [("simple", routing.simple), ("complex", routing.complex)] where !useCase.models.contains(name) {
                    fail("\(path).routing.\(key)", "the \(key) route must be one of this use case's models: \(useCase.models.joined(separator: ", "))", rule: "a model of the use case", value: name)
                }
                if let simple = catalog.model(named: routing.simple), simple.tier != .simple {
                    warn("\(path).routing.simple", "routes simple requests to '\(simple.name)', whose tier is \(simple.tier.rawValue)")
                }
            }
            // A profile can only be invoked from Regions inside its geography.
            for accountName in useCase.accounts {
                guard let account = catalog.modelAccount(named: accountName) else { continue }
                for modelName in useCase.models {
                    guard let model = catalog.model(named: modelName), let profile = model.inferenceProfile,
                        AWSIdentifiers.profileGeographies.contains(profile.geography)
                    else { continue }
                    if !account.regions.contains(where: { AWSIdentifiers.geography(profile.geography, includes: $0) }) {
                        fail("\(path).models", "model '\(model.name)' is served through the '\(profile.geography)' profile \(profile.id), which cannot be invoked from any Region of account \(account.name) (\(account.regions.joined(separator: ", "))); add a Region of that geography to the account or use another account", rule: "profile geography reachable from the account", value: model.name)
                    }
                }
            }
        }
        unique(useCases.map(\.id), "use_cases", what: "use case id", caseInsensitive: true)
        // Role groups become role names, which IAM compares case-insensitively.
        var groupSpelling: [String: (String, Int)] = [:]
        var seenIDs: Set<String> = []
        for (index, useCase) in useCases.enumerated() {
            // A duplicate id was reported above; its default role group would only repeat that error.
            guard seenIDs.insert(useCase.id.lowercased()).inserted else { continue }
            let key = useCase.roleGroup.lowercased()
            if let (spelling, first) = groupSpelling[key], spelling != useCase.roleGroup {
                fail("use_cases[\(index)].role_group", "role group '\(useCase.roleGroup)' differs only in case from '\(spelling)' (use_cases[\(first)]); IAM role names are case-insensitive, so spell them the same", rule: "case-insensitively unique", value: useCase.roleGroup)
            } else if groupSpelling[key] == nil {
                groupSpelling[key] = (useCase.roleGroup, index)
            }
        }
    }

    mutating func names(_ catalog: Catalog) {
        var seenGroups: Set<String> = []
        // Names built from malformed fields were already reported field by field.
        guard NamingField.isValid(catalog.org), NamingField.isValid(catalog.layer) else { return }
        for (index, useCase) in catalog.useCases.enumerated() where seenGroups.insert(useCase.roleGroup).inserted {
            guard NamingField.isValid(useCase.roleGroup) else { continue }
            let members = catalog.useCases.filter { $0.roleGroup == useCase.roleGroup }.map(\.id)
            let who = members.count > 1 ? "role group \(useCase.roleGroup) (use cases \(members.joined(separator: ", ")))" : "use case \(useCase.id)"
            let role = IAMName.role(org: catalog.org, layer: catalog.layer, subject: useCase.roleGroup, capability: CatalogValidator.roleCapability)
            if let problem = Self.check(role) {
                fail("use_cases[\(index)].\(useCase.roleGroup == useCase.id ? "id" : "role_group")", "the role name for \(who) does not fit IAM: \(problem)", rule: "role name ≤ 64 characters", value: role.rendered)
            }
            let providers = Set(useCase.models.compactMap { catalog.model(named: $0)?.provider })
            for provider in providers.sorted() {
                let policy = IAMName.permissionPolicy(org: catalog.org, layer: catalog.layer, subject: useCase.roleGroup, provider: provider, permissionType: CatalogValidator.permissionType + "10")
                if let problem = Self.check(policy) {
                    fail("use_cases[\(index)].models", "the policy name for \(who) and provider \(provider) does not fit IAM: \(problem)", rule: "policy name ≤ 128 characters", value: policy.rendered)
                }
            }
        }
        if let problem = Self.check(.taskRole(org: catalog.org)) {
            fail("org", "the gateway task role name does not fit IAM: \(problem)", rule: "role name ≤ 64 characters", value: catalog.org)
        }
    }

    static func check(_ name: IAMName) -> String? {
        do {
            try name.validate()
            return nil
        } catch {
            return error.description
        }
    }
}
