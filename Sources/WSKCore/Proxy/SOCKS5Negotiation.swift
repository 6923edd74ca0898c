/// The client's side of a SOCKS5 handshake (RFC 1928, with username/password
/// authentication per RFC 1929), sans-IO: it says what to send and reads the proxy's
/// replies, whichever way they are cut. `wsk`'s SOCKS5 tunnel feeds it the bytes it reads;
/// FuzzTesting's FuzzSOCKS5 target checks it.
///
/// ```swift
/// var negotiation = SOCKS5Negotiation(target: .name("example.com"), port: 443, credentials: nil)
/// write(negotiation.greeting)
/// loop: while true {
///     switch negotiation.receive(readSomeBytes()) {
///     case .needMore: continue
///     case .send(let bytes): write(bytes)            // then call receive([]) again
///     case .established(let leftover): break loop   // leftover: the tunnel's first bytes
///     case .failed(let failure): throw failure
///     }
/// }
/// ```
public struct SOCKS5Negotiation: Sendable {
    /// Where the tunnel goes.
    public enum Target: Hashable, Sendable {
        /// An IPv4 address, 4 bytes in network order.
        case ipv4([UInt8])
        /// An IPv6 address, 16 bytes in network order.
        case ipv6([UInt8])
        /// A host name the proxy resolves (`socks5h://`), at most 255 bytes.
        case name(String)
    }

    /// What the caller does next.
    public enum Step: Hashable, Sendable {
        /// Read more bytes from the proxy.
        case needMore
        /// Write these bytes to the proxy, then call ``receive(_:)`` again (with no bytes:
        /// some may already be waiting).
        case send([UInt8])
        /// The tunnel is open; `leftover` are the first bytes from the far end.
        case established(leftover: [UInt8])
        /// The handshake failed; close the connection.
        case failed(Failure)
    }

    /// Why a SOCKS5 handshake failed.
    public enum Failure: Error, Hashable, Sendable {
        /// The reply is not SOCKS5 (an HTTP proxy, say).
        case notSOCKS5
        /// The proxy wants a username and password and none were given (or it offered no
        /// method we have).
        case authenticationRequired
        /// The proxy refused the username and password.
        case authenticationRejected
        /// The proxy could not open the tunnel: RFC 1928 §6's reply code.
        case refused(UInt8)
        /// A reply that breaks RFC 1928 (a bad version or address type).
        case malformedReply
    }

    enum State: Hashable, Sendable {
        case greeting, authentication, request, established, failed
    }

    let target: Target
    let port: UInt16
    let credentials: (user: [UInt8], password: [UInt8])?
    var state = State.greeting
    var buffer: [UInt8] = []

    /// - Parameters:
    ///   - credentials: username and password (each at most 255 bytes; longer ones are cut).
    public init(target: Target, port: UInt16, credentials: (user: [UInt8], password: [UInt8])?) {
        self.target = target
        self.port = port
        self.credentials = credentials.map { (Array($0.user.prefix(255)), Array($0.password.prefix(255))) }
    }

    /// The first message: version 5 and the methods offered ("no authentication", and
    /// username/password when there are credentials).
    public var greeting: [UInt8] {
        credentials == nil ? [0x05, 0x01, 0x00] : [0x05, 0x02, 0x00, 0x02]
    }

    /// Takes bytes read from the proxy and says what to do.
    public mutating func receive(_ bytes: some Collection<UInt8>) -> Step {
        switch state {
        case .established:
            // Everything after the reply belongs to the tunnel.
            let leftover = buffer + bytes
            buffer = []
            return .established(leftover: leftover)
        case .failed:
            return .failed(.malformedReply)
        case .greeting, .authentication, .request:
            buffer.append(contentsOf: bytes)
        }
        switch state {
        case .greeting:
            guard buffer.count >= 2 else { return .needMore }
            let reply = take(2)
            guard reply[0] == 0x05 else { return fail(.notSOCKS5) }
            switch reply[1] {
            case 0x00:
                state = .request
                return .send(request)
            case 0x02 where credentials != nil:
                state = .authentication
                let (user, password) = credentials!
                return .send([0x01, UInt8(user.count)] + user + [UInt8(password.count)] + password)
            default:
                return fail(.authenticationRequired)
            }
        case .authentication:
            guard buffer.count >= 2 else { return .needMore }
            let reply = take(2)
            // RFC 1929 §2: a STATUS of 0 is success; the version byte is 1.
            guard reply[0] == 0x01 else { return fail(.malformedReply) }
            guard reply[1] == 0x00 else { return fail(.authenticationRejected) }
            state = .request
            return .send(request)
        case .request:
            // VER REP RSV ATYP BND.ADDR BND.PORT
            guard buffer.count >= 5 else {
                if let first = buffer.first, first != 0x05 { return fail(.malformedReply) }
                return .needMore
            }
            guard buffer[0] == 0x05 else { return fail(.malformedReply) }
            guard buffer[1] == 0x00 else { return fail(.refused(buffer[1])) }
            let addressLength: Int
            switch buffer[3] {
            case 0x01: addressLength = 4
            case 0x04: addressLength = 16
            case 0x03: addressLength = 1 + Int(buffer[4])
            default: return fail(.malformedReply)
            }
            let length = 4 + addressLength + 2
            guard buffer.count >= length else { return .needMore }
            _ = take(length)
            state = .established
            let leftover = buffer
            buffer = []
            return .established(leftover: leftover)
        case .established, .failed:
            return .failed(.malformedReply)  // handled above
        }
    }

    /// The CONNECT request (RFC 1928 §4).
    var request: [UInt8] {
        var bytes: [UInt8] = [0x05, 0x01, 0x00]
        switch target {
        case .ipv4(let address): bytes += [0x01] + address.prefix(4)
        case .ipv6(let address): bytes += [0x04] + address.prefix(16)
        case .name(let name):
            let encoded = Array(name.utf8.prefix(255))
            bytes += [0x03, UInt8(encoded.count)] + encoded
        }
        return bytes + [UInt8(port >> 8), UInt8(port & 0xFF)]
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let head = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return head
    }

    mutating func fail(_ failure: Failure) -> Step {
        state = .failed
        buffer = []
        return .failed(failure)
    }
}
