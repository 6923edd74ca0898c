import NIOSSL

/// Builds TLS contexts from PEM files.
public enum TLSFiles {
    /// A server context from a PEM certificate chain and private key, optionally requiring
    /// client certificates signed by the CAs in `clientCAFile`.
    public static func serverContext(certificateFile: String, keyFile: String, clientCAFile: String? = nil) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if let clientCAFile {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .file(clientCAFile)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// A client configuration: the system trust store, or the CAs in `caFile`; no
    /// verification when `insecure`; a client certificate when `certificateFile` and
    /// `keyFile` are given.
    public static func clientConfiguration(
        caFile: String?,
        insecure: Bool,
        certificateFile: String?,
        keyFile: String?
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure { configuration.certificateVerification = .none }
        if let caFile { configuration.trustRoots = .file(caFile) }
        if let certificateFile, let keyFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        return configuration
    }
}
