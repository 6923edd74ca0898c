import ArgumentParser
import Foundation
import WSKNIO

// The option groups shared by several subcommands, turned into WSKNIO configurations in one
// place (serve-echo and proxy listen alike; connect, bench and proxy's upstream dial alike).

extension WebSocketServerConfiguration {
    /// A server configuration from serve-echo's and proxy's option groups.
    init(limits: ServerLimitOptions, compression: CompressionOptions, checks: UpgradeCheckOptions, tls: ServerTLSOptions, http2: ServerHTTPVersionOptions) throws {
        self.init()
        self.limits.maxFrameSize = limits.maxFrameSize.value
        self.limits.maxMessageSize = limits.maxMessageSize.value
        maxConnections = limits.maxConnections
        handshakeTimeout = .nanoseconds(limits.handshakeTimeout.nanoseconds)
        idleTimeout = limits.idleTimeout.map { .nanoseconds($0.nanoseconds) }
        maxBackpressure = limits.maxBackpressure.value
        self.compression = compression.options
        compressionLevel = compression.compressionLevel
        acceptsHTTP2OverTLS = http2.overTLS
        acceptsH2C = http2.cleartext
        allowedOrigins = checks.allowOrigin
        requiredHeaders = checks.requiredHeaders
        if let certificate = tls.tlsCert, let key = tls.tlsKey {
            do {
                self.tls = try TLSFiles.serverContext(certificateFile: certificate, keyFile: key, clientCAFile: tls.tlsClientCa, http2: http2.overTLS)
            } catch {
                throw ValidationError(UserFacingError.describe(error))
            }
        }
    }
}

extension ClientRequestOptions {
    /// Applies -H, --subprotocol, --origin and --auth (or the URL's user:password).
    func apply(to configuration: inout WebSocketClientConfiguration, url: WebSocketURL) {
        configuration.subprotocols = subprotocol
        configuration.origin = origin
        configuration.headers = headerPairs
        // URL userinfo is percent-encoded (RFC 3986 §3.2.1): ws://alice:s3cr%40t@host/ is the
        // password s3cr@t.
        if let auth = auth ?? url.userInfo.map({ $0.removingPercentEncoding ?? $0 }) {
            configuration.headers.append(("Authorization", "Basic " + Data(auth.utf8).base64EncodedString()))
        }
    }
}

extension ClientTLSOptions {
    /// Applies --cacert, --insecure, --cert/--key and --tls-server-name.
    func apply(to configuration: inout WebSocketClientConfiguration) throws {
        configuration.tlsServerName = tlsServerName
        do {
            configuration.tls = try self.configuration()
        } catch {
            throw ValidationError(UserFacingError.describe(error))
        }
    }
}
