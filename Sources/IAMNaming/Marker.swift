/// The fixed words of the convention.
enum Marker {
    static let roleSuffix = "Role"
    static let policySuffix = "Policy"
    static let trustPolicy = "TrustPolicy"
    static let identityProvider = "IdP"
    static let gateway = "GenAIGateway"
    static let taskRole = "TaskRole"
}
