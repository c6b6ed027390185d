/// A name that follows the ACME IAM naming convention, kept as its fields.
///
/// Every name is a fixed sequence of fields (`[A-Za-z0-9]+`, see ``NamingField``) and fixed markers,
/// joined by `-`:
///
/// | Kind | Pattern |
/// |---|---|
/// | role | `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role` |
/// | permission policy | `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<ModelProvider>-<PermissionType>Policy` |
/// | trust policy document id | `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-TrustPolicy` |
/// | OIDC provider (`Name` tag) | `<OrgPrefix>-IdP-<ProviderName>` |
/// | gateway ECS task role | `<OrgPrefix>-GenAIGateway-TaskRole` |
///
/// ``rendered`` turns the fields into the name and ``parse(_:)`` turns a name back into its fields.
/// For every value that passes ``validate()``, `try IAMName.parse(x.rendered) == x`, and a string parses
/// only if it is the rendering of such a value, so the convention has exactly one reading of every name.
///
/// ```swift
/// let role = IAMName.role(org: "ACME", layer: "GenAI", subject: "UseCaseA", capability: "BedrockInvoke")
/// try role.validate()
/// print(role)                                    // ACME-GenAI-UseCaseA-BedrockInvokeRole
/// let same = try IAMName.parse("ACME-GenAI-UseCaseA-BedrockInvokeRole")
/// assert(same == role)
/// ```
public enum IAMName: Sendable, Hashable, CustomStringConvertible {
    /// A role in a shared-model account: `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role`.
    ///
    /// `capability` is the part before the `Role` suffix, for example `BedrockInvoke`.
    case role(org: String, layer: String, subject: String, capability: String)
    /// A permission policy: `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<ModelProvider>-<PermissionType>Policy`.
    ///
    /// `provider` is a model provider such as `Anthropic`, or ``multiModelProvider`` for a policy that spans
    /// providers. `permissionType` is the part before the `Policy` suffix, for example `Invoke`; the parts
    /// of a policy split for size are numbered with ``numberedPermissionType(_:part:)`` (`Invoke`,
    /// `Invoke2`, `Invoke3`).
    case permissionPolicy(org: String, layer: String, subject: String, provider: String, permissionType: String)
    /// The id of a role's trust policy document: `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-TrustPolicy`.
    case trustPolicy(org: String, layer: String, subject: String)
    /// An IAM OIDC identity provider: `<OrgPrefix>-IdP-<ProviderName>`.
    ///
    /// IAM OIDC providers have no name (their ARN ends in the issuer's host and path), so this name is
    /// only the provider's `Name` tag and the Terraform resource name.
    case identityProvider(org: String, provider: String)
    /// The gateway's ECS task role in the central account: `<OrgPrefix>-GenAIGateway-TaskRole`.
    case taskRole(org: String)

    /// The `ModelProvider` of a permission policy that spans several model providers.
    public static let multiModelProvider = "MultiModel"

    /// The separator between the parts of a name.
    public static let separator: Character = "-"

    /// The name, for example `ACME-GenAI-UseCaseA-BedrockInvokeRole`.
    ///
    /// Rendering never fails; call ``validate()`` to check that the fields are well formed and the
    /// name fits IAM's limit.
    public var rendered: String {
        switch self {
        case .role(let org, let layer, let subject, let capability):
            return "\(org)-\(layer)-\(subject)-\(capability)\(Marker.roleSuffix)"
        case .permissionPolicy(let org, let layer, let subject, let provider, let permissionType):
            return "\(org)-\(layer)-\(subject)-\(provider)-\(permissionType)\(Marker.policySuffix)"
        case .trustPolicy(let org, let layer, let subject):
            return "\(org)-\(layer)-\(subject)-\(Marker.trustPolicy)"
        case .identityProvider(let org, let provider):
            return "\(org)-\(Marker.identityProvider)-\(provider)"
        case .taskRole(let org):
            return "\(org)-\(Marker.gateway)-\(Marker.taskRole)"
        }
    }

    /// The rendered name; the same as ``rendered``.
    public var description: String { rendered }

    /// Which kind of name this is.
    public var kind: Kind {
        switch self {
        case .role: return .role
        case .permissionPolicy: return .permissionPolicy
        case .trustPolicy: return .trustPolicy
        case .identityProvider: return .identityProvider
        case .taskRole: return .taskRole
        }
    }

    /// IAM's maximum length for this name: 64 for roles (use-case roles and the task role), 128 for
    /// permission policies, `nil` for names that are not IAM names (a trust policy document id, an
    /// OIDC provider's `Name` tag).
    public var iamLimit: Int? {
        switch self {
        case .role, .taskRole: return Self.roleNameLimit
        case .permissionPolicy: return Self.policyNameLimit
        case .trustPolicy, .identityProvider: return nil
        }
    }

    /// IAM's maximum role-name length.
    public static let roleNameLimit = 64
    /// IAM's maximum managed or inline policy-name length.
    public static let policyNameLimit = 128

    /// The fields in the order they appear in the name, each with its name in the convention
    /// (`OrgPrefix`, `Layer`, `UseCaseOrGroup`, `Capability`, `ModelProvider`, `PermissionType`,
    /// `ProviderName`). Markers (`Role`, `Policy`, `TrustPolicy`, `IdP`, `GenAIGateway`, `TaskRole`)
    /// are not fields.
    public var fields: [(name: String, value: String)] {
        switch self {
        case .role(let org, let layer, let subject, let capability):
            return [
                (FieldName.org, org), (FieldName.layer, layer), (FieldName.subject, subject),
                (FieldName.capability, capability),
            ]
        case .permissionPolicy(let org, let layer, let subject, let provider, let permissionType):
            return [
                (FieldName.org, org), (FieldName.layer, layer), (FieldName.subject, subject),
                (FieldName.modelProvider, provider), (FieldName.permissionType, permissionType),
            ]
        case .trustPolicy(let org, let layer, let subject):
            return [(FieldName.org, org), (FieldName.layer, layer), (FieldName.subject, subject)]
        case .identityProvider(let org, let provider):
            return [(FieldName.org, org), (FieldName.providerName, provider)]
        case .taskRole(let org):
            return [(FieldName.org, org)]
        }
    }

    /// The key under which IAM compares this name: IAM role and policy names are unique per account
    /// regardless of case, so two names with equal keys collide in IAM.
    public var caseInsensitiveKey: String {
        String(decoding: rendered.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
