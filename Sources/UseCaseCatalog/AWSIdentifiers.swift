/// Shapes of the AWS identifiers a catalog holds, and the ARNs built from them.
public enum AWSIdentifiers {
    /// A 12-digit account id.
    public static func isAccountID(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A Region code such as `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
    public static func isRegion(_ text: String) -> Bool {
        text.wholeMatch(of: #/[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}/#) != nil
    }

    /// The ARN partition of a Region.
    public static func partition(forRegion region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    /// Geography prefixes of system-defined cross-Region inference profiles.
    public static let profileGeographies = ["us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"]

    /// Whether a profile of `geography` can be invoked from (has its source in) `region`.
    public static func geography(_ geography: String, includes region: String) -> Bool {
        switch geography {
        case "us": return region.hasPrefix("us-") && !region.hasPrefix("us-gov-")
        case "us-gov": return region.hasPrefix("us-gov-")
        case "eu": return region.hasPrefix("eu-")
        case "apac": return region.hasPrefix("ap-")
        case "jp": return region == "ap-northeast-1" || region == "ap-northeast-3"
        case "au": return region == "ap-southeast-2" || region == "ap-southeast-4"
        case "ca": return region.hasPrefix("ca-")
        case "global": return !region.hasPrefix("cn-") && !region.hasPrefix("us-gov-")
        default: return false
        }
    }

    /// A Bedrock foundation-model id: `<vendor>.<name>` with an optional `:N` (and `:Nk` context) suffix.
    /// Dated (`anthropic.claude-3-haiku-20240307-v1:0`) and undated (`anthropic.claude-sonnet-4-6`) ids are accepted.
    public static func isFoundationModelID(_ text: String) -> Bool {
        text.count <= 200
            && text.wholeMatch(of: #/[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]([a-z0-9.\-]*[a-z0-9])?(:[0-9]+(:[0-9]+[km])?)?/#)
                != nil
    }

    /// `arn:<partition>:bedrock:<region>::foundation-model/<id>`: foundation-model ARNs have an empty account field.
    public static func foundationModelARN(region: String, modelID: String) -> String {
        "arn:\(partition(forRegion: region)):bedrock:\(region)::foundation-model/\(modelID)"
    }

    /// `arn:<partition>:bedrock:<region>:<account>:inference-profile/<id>`.
    public static func inferenceProfileARN(region: String, account: String, profileID: String) -> String {
        "arn:\(partition(forRegion: region)):bedrock:\(region):\(account):inference-profile/\(profileID)"
    }

    public static func roleARN(partition: String = "aws", account: String, name: String, path: String = "/") -> String {
        "arn:\(partition):iam::\(account):role\(path)\(name)"
    }

    public static func oidcProviderARN(partition: String = "aws", account: String, hostPath: String) -> String {
        "arn:\(partition):iam::\(account):oidc-provider/\(hostPath)"
    }
}
