import Foundation
import TestServers
import Testing
import WebIdentity

@Suite("STSClient against moto_server")
struct STSClientMotoTests {
    @Test("AssumeRoleWithWebIdentity happy path and moto's XML shape")
    func happyPath() async throws {
        try await PythonPeerProcess.with({ try await PythonPeerProcess.startMoto() }) { moto in
            let client = STSClient(region: "us-east-1", endpoint: moto.baseURL)
            let token = WebIdentityToken(value: TestJWT.make(subject: "svc-moto"))
            let sessionName = RoleSessionName.make(useCase: "UseCase A")
            let started = Date()
            let result = try await client.assumeRoleWithWebIdentity(
                AssumeRoleWithWebIdentityRequest(
                    roleArn: "arn:aws:iam::123456789012:role/ACME-GenAI-UseCaseA-BedrockInvokeRole",
                    roleSessionName: sessionName,
                    webIdentityToken: token,
                    durationSeconds: 900,
                    policy: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
                ),
                logger: testLogger
            )
            #expect(result.credential.accessKeyId.hasPrefix("ASIA"))
            #expect(result.credential.accessKeyId.count == 20)
            #expect(result.credential.secretAccessKey.count == 40)
            #expect((result.credential.sessionToken?.count ?? 0) > 100)
            let expiration = try #require(result.credential.expiration)
            #expect(abs(expiration.timeIntervalSince(started) - 900) < 60)
            #expect(result.assumedRoleArn
                == "arn:aws:sts::123456789012:assumed-role/ACME-GenAI-UseCaseA-BedrockInvokeRole/\(sessionName)")
            #expect(result.assumedRoleId?.hasSuffix(":\(sessionName)") == true)
            #expect(result.subjectFromWebIdentityToken == nil)
            #expect(result.audience == nil)
            #expect(result.provider == nil)
            #expect(result.packedPolicySize != nil)
            #expect(result.requestId?.isEmpty == false)

            let defaultDuration = try await client.assumeRoleWithWebIdentity(
                AssumeRoleWithWebIdentityRequest(
                    roleArn: "arn:aws:iam::123456789012:role/Other",
                    roleSessionName: "second-session",
                    webIdentityToken: token
                ),
                logger: testLogger
            )
            let secondExpiration = try #require(defaultDuration.credential.expiration)
            #expect(abs(secondExpiration.timeIntervalSinceNow - 3600) < 60)
            #expect(defaultDuration.credential.accessKeyId != result.credential.accessKeyId)
        }
    }
}
