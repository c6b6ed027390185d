/// IAM and STS quotas the generator enforces itself (moto and most offline tools enforce none of them).
/// Sources: botocore's IAM/STS models and the IAM quotas table; see AWS-FACTS §2.
public enum IAMLimits {
    public static let roleName = 64
    public static let policyName = 128
    /// Managed policy document, characters without whitespace.
    public static let managedPolicySize = 6_144
    /// Role trust policy, default quota.
    public static let trustPolicySize = 2_048
    /// Managed policies attached to one role, default quota.
    public static let managedPoliciesPerRole = 10
    /// Inline session policy passed to AssumeRoleWithWebIdentity, plaintext characters.
    public static let sessionPolicySize = 2_048

    /// Policy text may hold only tab, line feed, carriage return and U+0020–U+00FF.
    public static func firstDisallowedCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            !(scalar == "\t" || scalar == "\n" || scalar == "\r" || (scalar.value >= 0x20 && scalar.value <= 0xFF))
        }
    }
}
