import Foundation
import Testing

@testable import WebIdentity

@Suite("STS XML and timestamps")
struct STSResponseParserTests {
    /// Captured from moto 5.2.1: fractional Expiration; no SubjectFromWebIdentityToken, Audience or Provider.
    static let motoResponse = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\
        <AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIARZPUZDIKNSZKH7TS</AccessKeyId>\
        <SecretAccessKey>e5xqTmOceQXfo0UN1RE3JLUfBQqPBjdSI59yq7DF</SecretAccessKey>\
        <SessionToken>FQoGZXIvYXdzEBYaDGoSsnCO9460bNy+NUJxosSLhIRc383hanO6ohWpb5u=</SessionToken>\
        <Expiration>2026-11-22T00:13:21.215004Z</Expiration></Credentials><AssumedRoleUser>\
        <AssumedRoleId>ARO123EXAMPLE123:s1</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/R/s1</Arn>\
        </AssumedRoleUser><PackedPolicySize>6</PackedPolicySize></AssumeRoleWithWebIdentityResult>\
        <ResponseMetadata><RequestId>Sg06WMctlAAyaCPQhxvnzDtSK2zIKFzibrdL2pLz8roESW4oJdA5</RequestId>\
        </ResponseMetadata></AssumeRoleWithWebIdentityResponse>
        """

    /// The shape of the AWS API reference example, with every optional element and pretty-printing.
    static let awsResponse = """
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
            <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <Expiration>2014-10-24T23:00:23Z</Expiration>
              <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <SourceIdentity>SourceIdentityValue</SourceIdentity>
            <Provider>www.amazon.com</Provider>
            <PackedPolicySize>4</PackedPolicySize>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    @Test("moto's answer: fractional Expiration, optional elements absent")
    func motoShape() throws {
        let result = try STSResponseParser.parseResult(Data(Self.motoResponse.utf8))
        #expect(result.credential.accessKeyId == "ASIARZPUZDIKNSZKH7TS")
        #expect(result.credential.secretAccessKey == "e5xqTmOceQXfo0UN1RE3JLUfBQqPBjdSI59yq7DF")
        #expect(result.credential.sessionToken == "FQoGZXIvYXdzEBYaDGoSsnCO9460bNy+NUJxosSLhIRc383hanO6ohWpb5u=")
        let expiration = try #require(result.credential.expiration)
        #expect(abs(expiration.timeIntervalSince1970 - 1_795_306_401.215004) < 0.000_01)
        #expect(result.subjectFromWebIdentityToken == nil)
        #expect(result.audience == nil)
        #expect(result.provider == nil)
        #expect(result.sourceIdentity == nil)
        #expect(result.packedPolicySize == 6)
        #expect(result.assumedRoleArn == "arn:aws:sts::123456789012:assumed-role/R/s1")
        #expect(result.assumedRoleId == "ARO123EXAMPLE123:s1")
        #expect(result.requestId == "Sg06WMctlAAyaCPQhxvnzDtSK2zIKFzibrdL2pLz8roESW4oJdA5")
    }

    @Test("AWS's documented answer: whole-second Expiration, every optional element")
    func awsShape() throws {
        let result = try STSResponseParser.parseResult(Data(Self.awsResponse.utf8))
        #expect(result.credential.accessKeyId == "ASgeIAIOSFODNN7EXAMPLE")
        #expect(result.credential.expiration == Date(timeIntervalSince1970: 1_414_191_623))
        #expect(result.subjectFromWebIdentityToken == "amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A")
        #expect(result.audience == "client.5498841531868486423.1548@apps.example.com")
        #expect(result.provider == "www.amazon.com")
        #expect(result.sourceIdentity == "SourceIdentityValue")
        #expect(result.packedPolicySize == 4)
        #expect(result.assumedRoleId == "AROACLKWSDQRAOEXAMPLE:app1")
        #expect(result.requestId == "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE")
    }

    @Test(
        "unusable 200 answers are rejected with the reason",
        arguments: [
            ("not xml at all", "well-formed"),
            ("<Other/>", "got Other"),
            (
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                    + "<AccessKeyId>A</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult>"
                    + "</AssumeRoleWithWebIdentityResponse>", "SessionToken"
            ),
            (
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                    + "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>"
                    + "<Expiration>tomorrow</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                    + "</AssumeRoleWithWebIdentityResponse>", "tomorrow"
            ),
        ]
    )
    func invalidResults(body: String, reason: String) {
        #expect {
            try STSResponseParser.parseResult(Data(body.utf8))
        } throws: { error in
            (error as? STSResponseParser.InvalidResult)?.reason.contains(reason) == true
        }
    }

    @Test("ErrorResponse/Error and Errors/Error documents")
    func errorDocuments() throws {
        let query = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
            <Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity &amp; more\
            </Message></Error><RequestId>req-1</RequestId></ErrorResponse>
            """
        let parsed = try #require(STSResponseParser.parseError(Data(query.utf8)))
        #expect(parsed == .init(
            type: "Sender",
            code: "AccessDenied",
            message: "Not authorized to perform sts:AssumeRoleWithWebIdentity & more",
            requestId: "req-1"
        ))
        let ec2Style = "<Response><Errors><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
            + "</Errors><RequestID>r2</RequestID></Response>"
        let second = try #require(STSResponseParser.parseError(Data(ec2Style.utf8)))
        #expect(second.code == "Throttling")
        #expect(second.message == "Rate exceeded")
        #expect(second.type == nil)
        #expect(STSResponseParser.parseError(Data("<html>Bad Gateway</html>".utf8)) == nil)
        #expect(STSResponseParser.parseError(Data()) == nil)
    }

    @Test(
        "ISO 8601 timestamps",
        arguments: [
            ("2014-10-24T23:00:23Z", 1_414_191_623.0),
            ("2026-11-21T23:05:31.091623Z", 1_795_302_331.091623),
            ("2026-11-21T23:05:31.5+01:30", 1_795_302_331.5 - 5_400),
            ("2000-02-29T00:00:00-00:00", 951_782_400.0),
            ("1970-01-01T00:00:00Z", 0.0),
        ]
    )
    func timestamps(text: String, expected: Double) throws {
        let date = try #require(ISO8601Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.000_01)
    }

    @Test(
        "malformed timestamps",
        arguments: ["", "2014-10-24", "2014-10-24T23:00:23", "2014-13-24T23:00:23Z", "2014-10-24T23:00:23.Z",
            "2014-10-24T23:00:23Zjunk", "20141024T230023Z"]
    )
    func malformedTimestamps(text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }
}
