import Testing

@testable import WSKCore

@Suite("Base64")
struct Base64Tests {
    // RFC 4648 §10.
    static let vectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func encodesRFC4648Vector(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
    }

    @Test(arguments: vectors)
    func decodesRFC4648Vector(plain: String, encoded: String) {
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func encodesAllByteValues() {
        #expect(Base64.encode([0xFB, 0xFF, 0xBF]) == "+/+/")
        #expect(Base64.decode("+/+/") == [0xFB, 0xFF, 0xBF])
    }

    @Test func roundTripsEveryLengthUpTo64() {
        var generator = HandshakeSeededGenerator(seed: 64)
        for count in 0...64 {
            let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes, "length \(count)")
        }
    }

    @Test(arguments: [
        "Zm9",  // length not a multiple of 4
        "Zm9vY",  // length not a multiple of 4
        "Zm9v=",  // stray padding
        "Zg===",  // three pad characters
        "Z===",  // padding in position 1
        "====",  // nothing but padding
        "Zg=a",  // data after padding
        "Zg==Zm9v",  // padding before the last group
        "Zm 9",  // whitespace
        "Zm9-",  // URL-safe alphabet
        "Zm9_",  // URL-safe alphabet
        "Zm9!",  // not in the alphabet
        "Zm9é",  // non-ASCII
    ])
    func rejectsInvalidInput(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    /// RFC 4648 §3.5 lets a decoder accept non-zero pad bits; NIO's test key has them.
    @Test func acceptsNonZeroPadBits() {
        #expect(Base64.decode("AQIDBAUGBwgJCgsMDQ4PEC==") == Array(1...16))
    }
}
