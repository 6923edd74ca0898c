import Testing

@testable import WSKCore

@Suite("AcceptKey")
struct AcceptKeyTests {
    @Test(arguments: [
        // RFC 6455 §1.3.
        ("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        // swift-nio's WebSocket upgrader tests.
        ("AQIDBAUGBwgJCgsMDQ4PEC==", "OfS0wDaT5NoxF2gqm7Zj2YtetzM="),
    ])
    func publishedVector(key: String, accept: String) {
        #expect(AcceptKey.compute(forKey: key) == accept)
    }

    /// RFC 6455 §4.1: leading and trailing whitespace around the key is ignored.
    @Test func ignoresSurroundingWhitespace() {
        #expect(AcceptKey.compute(forKey: " \tdGhlIHNhbXBsZSBub25jZQ== ") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func guidIsRFC6455() {
        #expect(AcceptKey.guid == "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    }
}
