import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ServerTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM certificate chain; serve wss:// (needs --tls-key).", valueName: "file"), completion: .file())
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"), completion: .file())
    var tlsKey: String?

    @Option(help: ArgumentHelp("PEM CA bundle; require client certificates signed by it.", valueName: "file"), completion: .file())
    var tlsClientCa: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key must be given together")
        }
        if tlsClientCa != nil && tlsCert == nil {
            throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key")
        }
    }
}

struct ClientTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PEM CA bundle to trust instead of the system store.", valueName: "file"), completion: .file())
    var cacert: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not verify the server's certificate.")
    var insecure = false

    @Option(help: ArgumentHelp("PEM client certificate.", valueName: "file"), completion: .file())
    var cert: String?

    @Option(help: ArgumentHelp("PEM private key for --cert.", valueName: "file"), completion: .file())
    var key: String?

    @Option(help: ArgumentHelp("Server name for SNI and certificate checks, instead of the URL's host.", valueName: "name"))
    var tlsServerName: String?

    func validate() throws {
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key must be given together") }
        for (flag, path) in [("--cacert", cacert), ("--cert", cert), ("--key", key)] {
            if let path, !FileManager.default.isReadableFile(atPath: path) {
                throw ValidationError("\(flag): cannot read '\(path)'")
            }
        }
    }

    func configuration() throws -> WebSocketClientConfiguration.TLS {
        try TLSFiles.clientConfiguration(caFile: cacert, insecure: insecure, certificateFile: cert, keyFile: key)
    }
}

/// Which HTTP versions a listening server speaks (serve-echo, proxy).
struct ServerHTTPVersionOptions: ParsableArguments {
    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "--http2: also accept HTTP/2 without TLS (h2c with prior knowledge) beside HTTP/1.1; --no-http2: HTTP/1.1 only. WebSockets over HTTP/2 use extended CONNECT (RFC 8441). Default: HTTP/2 on TLS (ALPN h2), HTTP/1.1 on cleartext."
        )
    )
    var http2: Bool? = nil

    /// HTTP/2 by ALPN on TLS unless --no-http2.
    var overTLS: Bool { http2 ?? true }
    /// h2c on cleartext only with --http2.
    var cleartext: Bool { http2 ?? false }
}
