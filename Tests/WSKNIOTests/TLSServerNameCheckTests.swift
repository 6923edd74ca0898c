import Testing
@testable import WSKNIO

@Suite("TLS server name matching (RFC 6125 §6.4)")
struct TLSServerNameCheckTests {
    @Test(arguments: [
        ("localhost", "localhost", true),
        ("LocalHost", "localhost", true),
        ("example.com.", "example.com", true),
        ("*.example.com", "api.example.com", true),
        ("*.example.com", "a.b.example.com", false),
        ("*.example.com", "example.com", false),
        ("*.com", "example.com", false),
        ("api.example.com", "web.example.com", false),
        ("", "example.com", false),
    ])
    func dnsNames(pattern: String, name: String, matches: Bool) {
        #expect(TLSServerNameCheck.dnsName(pattern, matches: TLSServerNameCheck.normalise(name)) == matches)
    }

    @Test func ipLiterals() {
        #expect(TLSServerNameCheck.ipAddressBytes("127.0.0.1") == [127, 0, 0, 1])
        #expect(TLSServerNameCheck.ipAddressBytes("[::1]")?.count == 16)
        #expect(TLSServerNameCheck.ipAddressBytes("localhost") == nil)
        #expect(TLSServerNameCheck.ipAddressText([10, 0, 0, 1]) == "10.0.0.1")
    }
}
