import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the network and TLS libraries as a user reads them: a few plain words (`connection
/// refused`, `timed out`, `certificate verify failed`), never a library type name, errno
/// dump or source path. The one place such errors become text.
public enum NetworkErrorText {
    /// Plain words for `error`.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as WebSocketClientError:
            return error.description
        case let error as WebSocketURL.URLError:
            return error.description
        case let error as ChildProcess.SpawnError:
            return error.description
        case let error as TLSFileError:
            return error.description
        case let error as TLSServerNameMismatch:
            return error.description + "; check --tls-server-name, or use --insecure"
        case let error as IOError:
            return errnoText(error.errnoCode)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve the host name" }
            return "cannot connect"
        case let error as SocketAddressError:
            if case .unknown = error { return "cannot resolve the host name" }
            return "invalid address"
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed: return "the connection was closed"
            default: return "connection error"
            }
        case let error as NIOSSLError:
            return tlsText(String(describing: error))
        case let error as BoringSSLError:
            return tlsText(String(describing: error))
        case let error as NIOSSLExtraError:
            if error == .failedToValidateHostname {
                return "TLS: the certificate is not valid for this host name; use --tls-server-name NAME, or --insecure"
            }
            return tlsText(String(describing: error))
        default:
            return "unexpected failure"
        }
    }

    /// The C library's message for an errno value, lower-cased (`connection refused`).
    public static func errnoText(_ code: Int32) -> String {
        if code == EMFILE || code == ENFILE {
            return "too many open files; raise the limit (ulimit -n)"
        }
        guard let text = strerror(code) else { return "system error \(code)" }
        return String(cString: text).lowercased()
    }

    /// TLS failures by what they mean to the user, with what to try.
    static func tlsText(_ detail: String) -> String {
        let upper = detail.uppercased()
        if upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("CERTIFICATE VERIFY FAILED") {
            return "TLS: certificate verify failed (untrusted, expired or for another name); use --cacert or --insecure"
        }
        if upper.contains("WRONG_VERSION_NUMBER") || upper.contains("PACKET_LENGTH_TOO_LONG") || upper.contains("HTTP_REQUEST") {
            return "TLS: the other side does not speak TLS (a plain ws:// port?)"
        }
        if upper.contains("NO_SHARED_CIPHER") || upper.contains("UNSUPPORTED_PROTOCOL") || upper.contains("VERSION") {
            return "TLS: no protocol version or cipher in common"
        }
        if upper.contains("UNEXPECTEDEOF") || upper.contains("UNCLEAN") {
            return "TLS: the connection closed during the TLS handshake"
        }
        return "TLS: handshake failed"
    }
}
