import NIOSSL

extension RedisConfiguration {
    /// TLS settings for `rediss://` connections.
    ///
    /// The defaults verify the server certificate against the system trust roots and its name against the URL's
    /// host, which is what ElastiCache with in-transit encryption needs. For a private CA, give its PEM file:
    ///
    /// ```swift
    /// let tls = RedisConfiguration.TLSOptions(caFile: "/etc/redis/ca.pem")
    /// let configuration = try RedisConfiguration(url: "rediss://cache.internal:6380", tls: tls)
    /// ```
    public struct TLSOptions: Sendable, Hashable {
        /// A PEM file with the CA certificates to trust instead of the system trust roots.
        public var caFile: String?
        /// PEM text with the CA certificates to trust (for example, from a secret store); used when `caFile` is
        /// `nil`. With neither, the system trust roots are used.
        public var caPEM: String?
        /// Whether to verify the server's certificate chain and name. Turning this off makes the connection
        /// open to interception; use it only against a local test server.
        public var verifyPeer: Bool
        /// The name sent in SNI and checked against the certificate; `nil` uses the URL's host (for an IP
        /// address, no SNI is sent and the certificate must list the IP address).
        public var serverName: String?
        /// A PEM certificate chain presented to servers that require client certificates
        /// (`tls-auth-clients yes`); needs `privateKeyFile`.
        public var certificateChainFile: String?
        /// The PEM private key for `certificateChainFile`.
        public var privateKeyFile: String?

        /// Creates TLS settings.
        ///
        /// - Parameters:
        ///   - caFile: PEM file of trusted CAs; `nil` for the system trust roots (or `caPEM`).
        ///   - caPEM: PEM text of trusted CAs, used when `caFile` is `nil`.
        ///   - verifyPeer: Verify the server certificate and name (default `true`).
        ///   - serverName: Name for SNI and verification; `nil` uses the URL's host.
        ///   - certificateChainFile: Client certificate chain (PEM), for mutual TLS.
        ///   - privateKeyFile: Client private key (PEM), for mutual TLS.
        public init(
            caFile: String? = nil,
            caPEM: String? = nil,
            verifyPeer: Bool = true,
            serverName: String? = nil,
            certificateChainFile: String? = nil,
            privateKeyFile: String? = nil
        ) {
            self.caFile = caFile
            self.caPEM = caPEM
            self.verifyPeer = verifyPeer
            self.serverName = serverName
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
        }

        /// Builds the swift-nio-ssl context. Reads the files named here, so call it once per pool.
        func makeSSLContext() throws(RedisError) -> NIOSSLContext {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = self.verifyPeer ? .fullVerification : .none
            if let caFile = self.caFile {
                let certificates = try Self.load("the CA file '\(caFile)'") {
                    try NIOSSLCertificate.fromPEMFile(caFile)
                }
                guard !certificates.isEmpty else {
                    throw RedisError.tlsConfiguration("the CA file '\(caFile)' holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            } else if let caPEM = self.caPEM {
                let certificates = try Self.load("the CA PEM text") {
                    try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8))
                }
                guard !certificates.isEmpty else {
                    throw RedisError.tlsConfiguration("the CA PEM text holds no certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            }
            switch (self.certificateChainFile, self.privateKeyFile) {
            case (nil, nil):
                break
            case (let chain?, let key?):
                let certificates = try Self.load("the client certificate file '\(chain)'") {
                    try NIOSSLCertificate.fromPEMFile(chain)
                }
                configuration.certificateChain = certificates.map { .certificate($0) }
                configuration.privateKey = .privateKey(
                    try Self.load("the private key file '\(key)'") { try NIOSSLPrivateKey(file: key, format: .pem) }
                )
            default:
                throw RedisError.tlsConfiguration("a client certificate chain and a private key must be given together")
            }
            return try Self.load("the TLS configuration") { try NIOSSLContext(configuration: configuration) }
        }

        private static func load<T>(_ what: String, _ body: () throws -> T) throws(RedisError) -> T {
            do {
                return try body()
            } catch {
                throw RedisError.tlsConfiguration("\(what) could not be loaded (\(error))")
            }
        }
    }
}
