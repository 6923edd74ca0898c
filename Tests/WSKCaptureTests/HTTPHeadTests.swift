import Testing

@testable import WSKCapture

@Suite struct HTTPHeadTests {
    @Test func requestHeadWithCRLF() throws {
        let text = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: WebSocket\r\nX-Long: a\r\n  b\r\n\r\n\u{81}\u{05}"
        guard case .head(let head) = HTTPHead.parse(Array(text.utf8)[...]) else {
            Issue.record("no head")
            return
        }
        #expect(head.isRequest)
        #expect(head.method == "GET")
        #expect(head.target == "/chat")
        #expect(head.version! == (1, 1))
        #expect(head.values("host") == ["example.com"])
        #expect(head.values("X-Long") == ["a b"])
        #expect(head.isWebSocketUpgrade)
        #expect(head.length == text.utf8.count - 3)  // the frame bytes U+0081 U+0005 are 3 UTF-8 bytes
    }

    /// Values are trimmed of spaces and tabs byte-wise (RFC 9110 OWS): a space before a
    /// combining mark is whitespace too (it stayed when trimming worked on Characters,
    /// which was also slow enough on long values to time out the fuzzer: 2 s for a 64 KiB
    /// head under ASan, 0.09 s now).
    @Test func valuesAreTrimmedOfWhitespaceBytes() {
        let text = "GET / HTTP/1.1\r\nA: \u{301}x \t\r\nB:\t y\u{301}  \r\n\r\n"
        guard case .head(let head) = HTTPHead.parse(Array(text.utf8)[...]) else {
            Issue.record("no head")
            return
        }
        #expect(head.values("A") == ["\u{301}x"])
        #expect(head.values("B") == ["y\u{301}"])
    }

    /// A blank folded line added a trailing space to the value, and folding onto an empty
    /// value a leading one (FuzzTesting/FailCases/FuzzHTTPHead-crash-folded-blank-line).
    @Test func foldingNeverLeavesWhitespaceAtTheEnds() {
        let text = "GET / HTTP/1.1\r\nX: one\r\n  \r\nY:\t \r\n\tb\r\n\r\n"
        guard case .head(let head) = HTTPHead.parse(Array(text.utf8)[...]) else {
            Issue.record("no head")
            return
        }
        #expect(head.values("X") == ["one"])
        #expect(head.values("Y") == ["b"])
    }

    /// A blank line that ends one byte past the limit: the whole bytes gave a head of
    /// 64 KiB + 1 while their first 64 KiB had said notHTTP, so frame-dump's answer
    /// depended on how TCP cut the stream (FuzzHTTPHead, FailCases/FuzzHTTPHead-crash-blank-line-straddles-limit).
    @Test func theHeadMustEndWithinTheLimit() {
        let start = Array("GET / HTTP/1.1\r\n".utf8)
        let end = Array("X\n\n".utf8)
        let filler = Array("F: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: HTTPHead.maxLength + 1 - start.count - end.count - 5) + [0x0D, 0x0A]
        let bytes = start + filler + end
        #expect(bytes.count == HTTPHead.maxLength + 1)
        #expect(HTTPHead.parse(bytes[..<HTTPHead.maxLength]) == .notHTTP)
        #expect(HTTPHead.parse(bytes[...]) == .notHTTP)
        // One byte shorter, the head is exactly 64 KiB and is accepted.
        let fits = start + filler.dropFirst() + end
        #expect(fits.count == HTTPHead.maxLength)
        guard case .head(let head) = HTTPHead.parse(fits[...]) else {
            Issue.record("no head")
            return
        }
        #expect(head.length == HTTPHead.maxLength)
    }

    @Test func responseHeadWithBareLF() {
        guard case .head(let head) = HTTPHead.parse(Array("HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\n\n".utf8)[...])
        else {
            Issue.record("no head")
            return
        }
        #expect(!head.isRequest)
        #expect(head.status == 101)
    }

    @Test func incompleteAndNonHTTP() {
        #expect(HTTPHead.parse(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)[...]) == .needMore)
        #expect(HTTPHead.parse([0x16, 0x03, 0x01, 0x00][...]) == .notHTTP)  // a TLS ClientHello
    }
}
