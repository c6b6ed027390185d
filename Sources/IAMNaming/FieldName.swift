/// The names of the fields, as the convention and ``IAMName/fields`` spell them.
enum FieldName {
    static let org = "OrgPrefix"
    static let layer = "Layer"
    static let subject = "UseCaseOrGroup"
    static let capability = "Capability"
    static let modelProvider = "ModelProvider"
    static let permissionType = "PermissionType"
    static let providerName = "ProviderName"
}
