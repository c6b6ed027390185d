/// Whether a caller may use a use case: its groups claim must contain one of the use case's IdP groups.
public enum Authorizer {
    /// - Throws: 403 `AccessDeniedException` naming the use case and the groups that would allow it; the caller's
    ///   own groups and token are never echoed.
    public static func authorize(callerGroups: some Sequence<String>, for useCase: UseCasePolicy) throws(GatewayError) {
        for group in callerGroups where useCase.groupSet.contains(group) { return }
        throw .accessDenied(
            "you are not allowed to use use case \(useCase.id): it requires membership in one of the IdP groups \(useCase.idpGroups.joined(separator: ", ")); ask your identity administrator to add you to one",
            reason: "group_denied"
        )
    }
}
