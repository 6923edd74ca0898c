#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL

/// Why a TLS file could not be used: one sentence naming the flag, the file and the cause.
public struct TLSFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Builds TLS contexts from PEM files; every failure names the flag and the file.
public enum TLSFiles {
    /// A server context from a PEM certificate chain and private key (`--tls-cert`,
    /// `--tls-key`), optionally requiring client certificates signed by the CAs in
    /// `clientCAFile` (`--tls-client-ca`).
    /// With `http2`, ALPN offers `h2` and `http/1.1` (see
    /// ``WebSocketServerConfiguration/acceptsHTTP2OverTLS``).
    public static func serverContext(certificateFile: String, keyFile: String, clientCAFile: String? = nil, http2: Bool = false) throws -> NIOSSLContext {
        let chain = try certificates("--tls-cert", certificateFile)
        let key = try privateKey("--tls-key", keyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if http2 { configuration.applicationProtocols = ["h2", "http/1.1"] }
        if let clientCAFile {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(try certificates("--tls-client-ca", clientCAFile))
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFileError(description: "--tls-key \(keyFile) does not match the certificate in --tls-cert \(certificateFile) (or one is damaged)")
        }
    }

    /// A client configuration: the system trust store, or the CAs in `caFile` (`--cacert`);
    /// no verification when `insecure`; a client certificate when `certificateFile` and
    /// `keyFile` are given (`--cert`, `--key`).
    public static func clientConfiguration(
        caFile: String?,
        insecure: Bool,
        certificateFile: String?,
        keyFile: String?
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure { configuration.certificateVerification = .none }
        if let caFile { configuration.trustRoots = .certificates(try certificates("--cacert", caFile)) }
        if let certificateFile, let keyFile {
            configuration.certificateChain = try certificates("--cert", certificateFile).map { .certificate($0) }
            configuration.privateKey = .privateKey(try privateKey("--key", keyFile))
        }
        return configuration
    }

    static func certificates(_ flag: String, _ path: String) throws -> [NIOSSLCertificate] {
        try readable(flag, path)
        let loaded: [NIOSSLCertificate]
        do {
            loaded = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw TLSFileError(description: "\(flag) \(path): not a PEM certificate file")
        }
        guard !loaded.isEmpty else { throw TLSFileError(description: "\(flag) \(path): no certificate in the file") }
        return loaded
    }

    static func privateKey(_ flag: String, _ path: String) throws -> NIOSSLPrivateKey {
        try readable(flag, path)
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw TLSFileError(description: "\(flag) \(path): not a PEM private key (or it is encrypted)")
        }
    }

    static func readable(_ flag: String, _ path: String) throws {
        guard access(path, R_OK) == 0 else {
            throw TLSFileError(description: "\(flag) \(path): \(NetworkErrorText.errnoText(errno))")
        }
    }
}
