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
}
