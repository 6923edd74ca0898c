import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server certificate names a different host than `--tls-server-name`.
struct TLSServerNameMismatch: Error, CustomStringConvertible {
    let name: String
    let certificateNames: [String]

    var description: String {
        "TLS: the server's certificate is not valid for \(name)"
            + (certificateNames.isEmpty ? "" : " (it names \(certificateNames.joined(separator: ", ")))")
    }
}

/// Checks a server certificate against a name given by the user (RFC 6125 §6): DNS
/// subject alternative names, with a wildcard only as the whole left-most label, and IP
/// address names when the name is an IP literal. The common name is not consulted (as
/// browsers do since 2017; RFC 9525 drops it).
///
/// NIOSSL's own check also accepts a certificate whose IP address name matches the
/// address connected to, whatever name was asked for; with `--tls-server-name` that would
/// accept a certificate for `127.0.0.1` when the user asked for `other.example`. So with an
/// explicit name, the client turns NIOSSL's hostname check off (the chain is still
/// verified) and runs this one instead.
enum TLSServerNameCheck {
    static func matches(_ certificate: NIOSSLCertificate, name: String) -> Bool {
        let wanted = normalise(name)
        let address = ipAddressBytes(name)
        for alternative in certificate._subjectAlternativeNames() {
            switch alternative.nameType {
            case .dnsName:
                if address == nil, dnsName(String(decoding: Array(alternative.contents), as: UTF8.self), matches: wanted) { return true }
            case .ipAddress:
                if let address, Array(alternative.contents) == address { return true }
            default:
                continue
            }
        }
        return false
    }

    /// The names a certificate is valid for, for an error message.
    static func names(in certificate: NIOSSLCertificate) -> [String] {
        var names: [String] = []
        for alternative in certificate._subjectAlternativeNames() {
            let bytes = Array(alternative.contents)
            switch alternative.nameType {
            case .dnsName: names.append(String(decoding: bytes, as: UTF8.self))
            case .ipAddress: names.append(ipAddressText(bytes))
            default: continue
            }
        }
        return names
    }

    static func normalise(_ name: String) -> String {
        var lowered = name.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        return lowered
    }

    static func dnsName(_ pattern: String, matches name: String) -> Bool {
        let pattern = normalise(pattern)
        guard !pattern.isEmpty, !name.isEmpty else { return false }
        if pattern.hasPrefix("*.") {
            // A wildcard stands for exactly one whole label, never the last two labels.
            let suffix = pattern.dropFirst(1)  // ".example.com"
            guard suffix.dropFirst().contains("."), name.hasSuffix(suffix) else { return false }
            let label = name.dropLast(suffix.count)
            return !label.isEmpty && !label.contains(".")
        }
        return pattern == name
    }

    /// The bytes of an IPv4 or IPv6 literal (brackets allowed), or nil for a DNS name.
    static func ipAddressBytes(_ name: String) -> [UInt8]? {
        var text = name
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    static func ipAddressText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if let address = try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0) { return address.ipAddress ?? "?" }
        return "?"
    }
}
