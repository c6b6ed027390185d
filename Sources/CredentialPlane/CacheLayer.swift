/// Where a credential handed out by the broker came from.
public enum CacheLayer: String, Sendable, Hashable, CaseIterable {
    /// The in-process cache.
    case l1
    /// The shared, encrypted cache (Redis).
    case l2
    /// A fresh `AssumeRoleWithWebIdentity` call (made by this request or by one it waited for).
    case sts
}
