import Testing
import WSKCore

/// The client's SOCKS5 handshake (RFC 1928, RFC 1929), sans-IO.
@Suite struct SOCKS5NegotiationTests {
    /// Feeds `replies` one byte at a time, following `.send` steps; returns what was sent
    /// and the last step.
    func drive(_ negotiation: inout SOCKS5Negotiation, _ replies: [UInt8]) -> (sent: [[UInt8]], last: SOCKS5Negotiation.Step) {
        var sent: [[UInt8]] = []
        var last = SOCKS5Negotiation.Step.needMore
        for byte in replies {
            var step = negotiation.receive([byte])
            while case .send(let bytes) = step {
                sent.append(bytes)
                step = negotiation.receive([])
            }
            last = step
        }
        return (sent, last)
    }

    @Test func withoutAuthenticationByNameWithTunnelBytes() {
        var negotiation = SOCKS5Negotiation(target: .name("example.com"), port: 443, credentials: nil)
        #expect(negotiation.greeting == [5, 1, 0])
        let (sent, last) = drive(&negotiation, [5, 0, 5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90, 0x48, 0x49])
        #expect(sent == [[5, 1, 0, 3, 11] + Array("example.com".utf8) + [1, 187]])
        // Fed a byte at a time: after the reply, each byte is handed on as tunnel data.
        #expect(last == .established(leftover: [0x49]))
        #expect(negotiation.receive([1, 2]) == .established(leftover: [1, 2]))
    }

    @Test func wholeReplyAndLeftoverAtOnce() {
        var negotiation = SOCKS5Negotiation(target: .ipv4([127, 0, 0, 1]), port: 9001, credentials: nil)
        #expect(negotiation.receive([5, 0]) == .send([5, 1, 0, 1, 127, 0, 0, 1, 0x23, 0x29]))
        #expect(negotiation.receive([5, 0, 0, 4] + [UInt8](repeating: 0, count: 16) + [0, 80] + Array("hi".utf8)) == .established(leftover: Array("hi".utf8)))
    }

    @Test func usernameAndPassword() {
        var negotiation = SOCKS5Negotiation(target: .ipv6([UInt8](repeating: 0, count: 15) + [1]), port: 80, credentials: (Array("alice".utf8), Array("s3cret".utf8)))
        #expect(negotiation.greeting == [5, 2, 0, 2])
        #expect(negotiation.receive([5, 2]) == .send([1, 5] + Array("alice".utf8) + [6] + Array("s3cret".utf8)))
        #expect(negotiation.receive([1, 0]) == .send([5, 1, 0, 4] + [UInt8](repeating: 0, count: 15) + [1, 0, 80]))
        var rejected = SOCKS5Negotiation(target: .name("h"), port: 1, credentials: (Array("a".utf8), Array("b".utf8)))
        _ = rejected.receive([5, 2])
        #expect(rejected.receive([1, 1]) == .failed(.authenticationRejected))
        // Once failed, it stays failed.
        #expect(rejected.receive([5, 0]) == .failed(.malformedReply))
    }

    @Test func failures() {
        var required = SOCKS5Negotiation(target: .name("h"), port: 1, credentials: nil)
        #expect(required.receive([5, 0xFF]) == .failed(.authenticationRequired))
        var http = SOCKS5Negotiation(target: .name("h"), port: 1, credentials: nil)
        #expect(http.receive(Array("HTTP/1.1 400".utf8)) == .failed(.notSOCKS5))
        var refused = SOCKS5Negotiation(target: .name("h"), port: 1, credentials: nil)
        _ = refused.receive([5, 0])
        #expect(refused.receive([5, 5, 0, 1, 0, 0, 0, 0, 0, 0]) == .failed(.refused(5)))
        var malformed = SOCKS5Negotiation(target: .name("h"), port: 1, credentials: nil)
        _ = malformed.receive([5, 0])
        #expect(malformed.receive([5, 0, 0, 9, 0, 0]) == .failed(.malformedReply))
    }
}
