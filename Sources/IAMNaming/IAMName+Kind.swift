extension IAMName {
    /// The kinds of names in the convention.
    ///
    /// The raw values (`role`, `permission_policy`, `trust_policy`, `identity_provider`, `task_role`)
    /// are the `kind` strings of JSON output.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role`
        case role = "role"
        /// `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<ModelProvider>-<PermissionType>Policy`
        case permissionPolicy = "permission_policy"
        /// `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-TrustPolicy`
        case trustPolicy = "trust_policy"
        /// `<OrgPrefix>-IdP-<ProviderName>`
        case identityProvider = "identity_provider"
        /// `<OrgPrefix>-GenAIGateway-TaskRole`
        case taskRole = "task_role"

        /// The raw value, for example `permission_policy`.
        public var description: String { rawValue }

        /// The kind in words, for messages: `role`, `permission policy`, `trust policy`,
        /// `identity provider`, `task role`.
        public var label: String {
            switch self {
            case .role: return "role"
            case .permissionPolicy: return "permission policy"
            case .trustPolicy: return "trust policy"
            case .identityProvider: return "identity provider"
            case .taskRole: return "task role"
            }
        }

        /// The pattern of this kind of name, for example
        /// `<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role`.
        public var pattern: String {
            switch self {
            case .role: return "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<Capability>Role"
            case .permissionPolicy:
                return "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-<ModelProvider>-<PermissionType>Policy"
            case .trustPolicy: return "<OrgPrefix>-<Layer>-<UseCaseOrGroup>-TrustPolicy"
            case .identityProvider: return "<OrgPrefix>-IdP-<ProviderName>"
            case .taskRole: return "<OrgPrefix>-GenAIGateway-TaskRole"
            }
        }

        /// How many `-`-separated parts a name of this kind has.
        public var partCount: Int {
            switch self {
            case .identityProvider, .taskRole: return 3
            case .role, .trustPolicy: return 4
            case .permissionPolicy: return 5
            }
        }

        /// The label with its article, for messages ("a role", "an identity provider", "the gateway task role").
        var withArticle: String {
            switch self {
            case .identityProvider: return "an identity provider"
            case .taskRole: return "the gateway task role"
            default: return "a \(label)"
            }
        }
    }
}
