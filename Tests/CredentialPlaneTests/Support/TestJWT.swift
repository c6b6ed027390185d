import Foundation

enum TestJWT {
    /// A JWT-shaped, unsigned token (moto and the STS stand-in do not verify signatures).
    static func make(
        issuer: String = "https://idp.example.com/realms/acme",
        subject: String = "svc-genai-gateway",
        audience: String = "genai-gateway",
        expiresIn: TimeInterval = 3_600
    ) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = #"{"alg":"RS256","kid":"test","typ":"JWT"}"#
        let claims =
            #"{"aud":"\#(audience)","exp":\#(now + Int(expiresIn)),"iat":\#(now),"iss":"\#(issuer)","sub":"\#(subject)"}"#
        return base64URL(Data(header.utf8)) + "." + base64URL(Data(claims.utf8)) + "."
            + base64URL(Data("signature-\(UUID().uuidString)".utf8))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
