import Foundation

/// A throwaway PKI made with the `openssl` CLI at test time: a CA, a server certificate for the names
/// `localhost` and `redis.test` (no IP address), and a client certificate, all signed by that CA; plus an
/// unrelated second CA.
public struct TestCertificates: Sendable {
    public struct GenerationError: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public var caCertificate: String { self.path("ca.crt") }
    public var serverCertificate: String { self.path("server.crt") }
    public var serverKey: String { self.path("server.key") }
    public var clientCertificate: String { self.path("client.crt") }
    public var clientKey: String { self.path("client.key") }
    /// A CA that signed nothing here: trusting it must make verification fail.
    public var otherCACertificate: String { self.path("other-ca.crt") }

    public static func generate() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("test-pki-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try await certificates.makeCA(named: "ca", commonName: "Gateway Test CA")
        try await certificates.makeCA(named: "other-ca", commonName: "Unrelated Test CA")
        try await certificates.makeLeaf(
            named: "server",
            commonName: "localhost",
            extensions: "subjectAltName=DNS:localhost,DNS:redis.test\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        )
        try await certificates.makeLeaf(
            named: "client",
            commonName: "gateway-client",
            extensions: "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=clientAuth\n"
        )
        return certificates
    }

    public func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }

    private func path(_ name: String) -> String {
        self.directory.appendingPathComponent(name).path
    }

    private func makeCA(named name: String, commonName: String) async throws {
        try await Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", self.path("\(name).key"), "-out", self.path("\(name).crt"), "-days", "2",
            "-subj", "/CN=\(commonName)",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeLeaf(named name: String, commonName: String, extensions: String) async throws {
        try await Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", self.path("\(name).key"), "-out", self.path("\(name).csr"), "-subj", "/CN=\(commonName)",
        ])
        try extensions.write(toFile: self.path("\(name).ext"), atomically: true, encoding: .utf8)
        try await Self.openssl([
            "x509", "-req", "-in", self.path("\(name).csr"), "-CA", self.caCertificate,
            "-CAkey", self.path("ca.key"), "-CAcreateserial", "-out", self.path("\(name).crt"), "-days", "2",
            "-extfile", self.path("\(name).ext"),
        ])
    }

    private static func openssl(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errorPipe
        do {
            try process.run()
        } catch {
            throw GenerationError(description: "could not run /usr/bin/openssl: \(error)")
        }
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        let errorOutput = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw GenerationError(
                description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed "
                    + "(status \(process.terminationStatus)): \(errorOutput)"
            )
        }
    }
}
