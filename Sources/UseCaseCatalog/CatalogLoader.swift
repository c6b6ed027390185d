import Foundation
import Yams

/// Reads `policies/catalog.yaml` into a ``Catalog``, recording where every value came from.
///
/// Structural problems (a missing key, an unknown key, a list where a mapping belongs) are collected, not thrown one
/// at a time, so a platform engineer sees every mistake of a file in one run. Semantic rules live in
/// ``CatalogValidator``; ``CatalogLoader/load(path:)`` runs both.
public enum CatalogLoader {
    /// Loads, validates and returns the catalog at `path`, or throws a ``CatalogError`` listing every problem.
    public static func load(path: String) throws(CatalogError) -> Catalog {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CatalogError(diagnostics: [
                Diagnostic(
                    location: nil,
                    field: "catalog",
                    message: "cannot read the catalog file '\(path)': \(error.localizedDescription)"
                        + "; pass --catalog with the path of policies/catalog.yaml"
                )
            ])
        }
        return try load(yaml: text, file: path)
    }

    /// Parses and validates catalog text. `file` names the source in diagnostics.
    public static func load(yaml: String, file: String) throws(CatalogError) -> Catalog {
        let parsed = parse(yaml: yaml, file: file)
        var diagnostics = parsed.diagnostics
        if var catalog = parsed.catalog {
            catalog.locations = parsed.locations
            diagnostics += CatalogValidator.validate(catalog, locations: parsed.locations)
            if !diagnostics.contains(where: { $0.severity == .error }) { return catalog }
        }
        throw CatalogError(diagnostics: diagnostics)
    }

    /// The result of parsing alone: the catalog when its shape was complete, every structural diagnostic, and the
    /// location of each field path (e.g. `use_cases[1].models[0]`).
    public struct ParseResult: Sendable {
        public var catalog: Catalog?
        public var diagnostics: [Diagnostic]
        public var locations: [String: SourceLocation]
    }

    /// Parses catalog text without the semantic checks.
    public static func parse(yaml: String, file: String) -> ParseResult {
        let reader = YAMLReader(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                reader.error(nil, "catalog", "the catalog file is empty; start from the example policies/catalog.yaml")
                return ParseResult(catalog: nil, diagnostics: reader.diagnostics, locations: reader.locations)
            }
            root = node
        } catch let error as YamlError {
            reader.yamlError(error)
            return ParseResult(catalog: nil, diagnostics: reader.diagnostics, locations: reader.locations)
        } catch {
            reader.error(nil, "catalog", "the catalog is not valid YAML: \(error)")
            return ParseResult(catalog: nil, diagnostics: reader.diagnostics, locations: reader.locations)
        }
        let catalog = reader.catalog(root)
        return ParseResult(catalog: catalog, diagnostics: reader.diagnostics, locations: reader.locations)
    }
}

/// Walks the YAML node tree with typed accessors that record diagnostics instead of throwing.
final class YAMLReader {
    let file: String
    var diagnostics: [Diagnostic] = []
    var locations: [String: SourceLocation] = [:]

    init(file: String) {
        self.file = file
    }

    func location(_ node: Node?) -> SourceLocation? {
        guard let mark = node?.mark else { return nil }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func error(_ node: Node?, _ field: String, _ message: String, rule: String? = nil, value: String? = nil) {
        diagnostics.append(
            Diagnostic(location: location(node), field: field, message: message, rule: rule, value: value)
        )
    }

    func yamlError(_ error: YamlError) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            diagnostics.append(
                Diagnostic(
                    location: SourceLocation(file: file, line: mark.line, column: mark.column),
                    field: "catalog",
                    message: "the catalog is not valid YAML: \(problem)"
                )
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            diagnostics.append(
                Diagnostic(
                    location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                    field: "catalog",
                    message: "duplicate key\(duplicates.count == 1 ? "" : "s") \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping; each key may appear once",
                    rule: "unique keys"
                )
            )
        default:
            diagnostics.append(
                Diagnostic(location: nil, field: "catalog", message: "the catalog is not valid YAML: \(error)")
            )
        }
    }

    // MARK: Typed accessors

    /// The pairs of a mapping, after checking that every key is known and every required key is present.
    func mapping(_ node: Node?, _ path: String, keys: [String], required: [String]) -> [String: Node]? {
        guard let node else { return nil }
        locations[path] = location(node)
        guard case .mapping(let mapping) = node else {
            error(node, path, "expected a mapping with keys \(required.joined(separator: ", ")), found \(kind(node))")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                error(keyNode, path, "mapping keys must be plain words")
                continue
            }
            let name = key.string
            guard keys.contains(name) else {
                var message = "unknown key '\(name)'"
                if let suggestion = Self.closest(to: name, in: keys) { message += "; did you mean '\(suggestion)'?" }
                message += " Allowed keys: \(keys.joined(separator: ", "))"
                error(keyNode, path.isEmpty ? name : "\(path).\(name)", message, rule: "known keys only", value: name)
                continue
            }
            result[name] = valueNode
            locations[path.isEmpty ? name : "\(path).\(name)"] = location(valueNode)
        }
        for key in required where result[key] == nil {
            error(node, path.isEmpty ? key : "\(path).\(key)", "missing required key '\(key)'", rule: "required")
        }
        return result
    }

    func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        locations[path] = location(node)
        guard case .scalar(let scalar) = node else {
            error(node, path, "expected a single value, found \(kind(node))")
            return nil
        }
        if scalar.tag == Tag(.null) && scalar.style == .plain {
            error(node, path, "expected a value, found nothing (null)")
            return nil
        }
        return scalar.string
    }

    func double(_ node: Node?, _ path: String) -> Double? {
        guard let text = string(node, path) else { return nil }
        guard let value = Double(text), value.isFinite else {
            error(node, path, "expected a number", value: text)
            return nil
        }
        return value
    }

    func sequence(_ node: Node?, _ path: String) -> [Node]? {
        guard let node else { return nil }
        locations[path] = location(node)
        guard case .sequence(let sequence) = node else {
            error(node, path, "expected a list, found \(kind(node)); write [a, b] or one '- item' per line")
            return nil
        }
        for (index, item) in sequence.enumerated() { locations["\(path)[\(index)]"] = location(item) }
        return Array(sequence)
    }

    func strings(_ node: Node?, _ path: String) -> [String]? {
        guard let items = sequence(node, path) else { return nil }
        var values: [String] = []
        var complete = true
        for (index, item) in items.enumerated() {
            if let value = string(item, "\(path)[\(index)]") { values.append(value) } else { complete = false }
        }
        return complete ? values : nil
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "the value '\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    // MARK: Catalog structure

    func catalog(_ root: Node) -> Catalog? {
        let keys = ["org", "layer", "identity_provider", "gateway", "model_accounts", "models", "use_cases"]
        guard let top = mapping(root, "", keys: keys, required: keys) else { return nil }
        let org = string(top["org"], "org")
        let layer = string(top["layer"], "layer")
        let idp = identityProvider(top["identity_provider"])
        let gateway = gateway(top["gateway"])
        let accounts = list(top["model_accounts"], "model_accounts", modelAccount)
        let models = list(top["models"], "models", model)
        let useCases = list(top["use_cases"], "use_cases", useCase)
        guard let org, let layer, let idp, let gateway, let accounts, let models, let useCases else { return nil }
        return Catalog(
            org: org,
            layer: layer,
            identityProvider: idp,
            gateway: gateway,
            modelAccounts: accounts,
            models: models,
            useCases: useCases,
            sourceFile: file
        )
    }

    func list<T>(_ node: Node?, _ path: String, _ element: (Node, String) -> T?) -> [T]? {
        guard let items = sequence(node, path) else { return nil }
        var values: [T] = []
        var complete = true
        for (index, item) in items.enumerated() {
            if let value = element(item, "\(path)[\(index)]") { values.append(value) } else { complete = false }
        }
        return complete ? values : nil
    }

    func identityProvider(_ node: Node?) -> IdentityProvider? {
        let path = "identity_provider"
        guard
            let map = mapping(
                node,
                path,
                keys: ["name", "issuer", "audience", "subject", "session_tag_key", "thumbprints"],
                required: ["name", "issuer", "audience"]
            )
        else { return nil }
        let name = string(map["name"], "\(path).name")
        let issuer = string(map["issuer"], "\(path).issuer")
        let audience = string(map["audience"], "\(path).audience")
        let subject = map["subject"].flatMap { string($0, "\(path).subject") }
        let tagKey = map["session_tag_key"].flatMap { string($0, "\(path).session_tag_key") }
        let thumbprints = map["thumbprints"].flatMap { strings($0, "\(path).thumbprints") } ?? []
        guard let name, let issuer, let audience else { return nil }
        return IdentityProvider(
            name: name,
            issuer: issuer,
            audience: audience,
            subject: subject,
            sessionTagKey: tagKey,
            thumbprints: thumbprints
        )
    }

    func gateway(_ node: Node?) -> Gateway? {
        let path = "gateway"
        guard
            let map = mapping(
                node,
                path,
                keys: ["account", "region", "log_group", "secrets"],
                required: ["account", "region"]
            )
        else { return nil }
        let account = string(map["account"], "\(path).account")
        let region = string(map["region"], "\(path).region")
        let logGroup = map["log_group"].flatMap { string($0, "\(path).log_group") }
        let secrets = map["secrets"].flatMap { strings($0, "\(path).secrets") }
        guard let account, let region else { return nil }
        return Gateway(
            account: account,
            region: region,
            logGroup: logGroup ?? "/ecs/genai-gateway",
            secrets: secrets ?? []
        )
    }

    func modelAccount(_ node: Node, _ path: String) -> ModelAccount? {
        guard
            let map = mapping(node, path, keys: ["name", "account", "regions"], required: ["name", "account", "regions"])
        else { return nil }
        let name = string(map["name"], "\(path).name")
        let account = string(map["account"], "\(path).account")
        let regions = strings(map["regions"], "\(path).regions")
        guard let name, let account, let regions else { return nil }
        return ModelAccount(name: name, account: account, regions: regions)
    }

    func model(_ node: Node, _ path: String) -> Model? {
        guard
            let map = mapping(
                node,
                path,
                keys: ["name", "provider", "model_id", "tier", "inference_profile"],
                required: ["name", "provider", "model_id", "tier"]
            )
        else { return nil }
        let name = string(map["name"], "\(path).name")
        let provider = string(map["provider"], "\(path).provider")
        let modelId = string(map["model_id"], "\(path).model_id")
        var tier: ModelTier?
        if let text = string(map["tier"], "\(path).tier") {
            tier = ModelTier(rawValue: text)
            if tier == nil {
                error(map["tier"], "\(path).tier", "unknown tier; use simple or complex", rule: "simple | complex", value: text)
            }
        }
        var profile: InferenceProfile?
        var profileComplete = true
        if let profileNode = map["inference_profile"] {
            let profilePath = "\(path).inference_profile"
            if let profileMap = mapping(
                profileNode,
                profilePath,
                keys: ["id", "destination_regions"],
                required: ["id", "destination_regions"]
            ), let id = string(profileMap["id"], "\(profilePath).id"),
                let regions = strings(profileMap["destination_regions"], "\(profilePath).destination_regions")
            {
                profile = InferenceProfile(id: id, destinationRegions: regions)
            } else {
                profileComplete = false
            }
        }
        guard let name, let provider, let modelId, let tier, profileComplete else { return nil }
        return Model(name: name, provider: provider, modelId: modelId, tier: tier, inferenceProfile: profile)
    }

    func useCase(_ node: Node, _ path: String) -> UseCase? {
        guard
            let map = mapping(
                node,
                path,
                keys: ["id", "role_group", "idp_groups", "accounts", "models", "routing"],
                required: ["id", "idp_groups", "accounts", "models"]
            )
        else { return nil }
        let id = string(map["id"], "\(path).id")
        let roleGroup = map["role_group"].flatMap { string($0, "\(path).role_group") }
        let groups = strings(map["idp_groups"], "\(path).idp_groups")
        let accounts = strings(map["accounts"], "\(path).accounts")
        let models = strings(map["models"], "\(path).models")
        var routing: Routing?
        var routingComplete = true
        if let routingNode = map["routing"] {
            routing = self.routing(routingNode, "\(path).routing")
            routingComplete = routing != nil
        }
        guard let id, let groups, let accounts, let models, routingComplete else { return nil }
        return UseCase(id: id, roleGroup: roleGroup, idpGroups: groups, accounts: accounts, models: models, routing: routing)
    }

    func routing(_ node: Node, _ path: String) -> Routing? {
        guard
            let map = mapping(node, path, keys: ["simple", "complex", "thresholds"], required: ["simple", "complex"])
        else { return nil }
        let simple = string(map["simple"], "\(path).simple")
        let complex = string(map["complex"], "\(path).complex")
        var thresholds: [String: Double] = [:]
        var complete = true
        if let thresholdNode = map["thresholds"] {
            if case .mapping(let pairs) = thresholdNode {
                locations["\(path).thresholds"] = location(thresholdNode)
                for (keyNode, valueNode) in pairs {
                    let key = keyNode.scalar?.string ?? ""
                    locations["\(path).thresholds.\(key)"] = location(valueNode)
                    if let value = double(valueNode, "\(path).thresholds.\(key)") {
                        thresholds[key] = value
                    } else {
                        complete = false
                    }
                }
            } else {
                error(thresholdNode, "\(path).thresholds", "expected a mapping of threshold names to numbers")
                complete = false
            }
        }
        guard let simple, let complex, complete else { return nil }
        return Routing(simple: simple, complex: complex, thresholds: thresholds)
    }
}
