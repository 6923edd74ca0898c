import Testing
@testable import WSKCore

@Suite("Streaming UTF-8 validation (RFC 6455 §8.1, Unicode Table 3-7)")
struct UTF8ValidatorTests {
    static let valid: [[UInt8]] = [
        [], Array("Hello-µ@ßöäüàá-UTF-8!!".utf8), [0x7F], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80],
        [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
        [0xF4, 0x8F, 0xBF, 0xBF], Array("κόσμε".utf8),
    ]
    static let invalid: [[UInt8]] = [
        [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xC2, 0x41], [0xE2, 0x82, 0x41],
        Array("abcdefgh".utf8) + [0xFF] + Array("ijklmnop".utf8),
    ]

    @Test(arguments: valid)
    func acceptsValid(_ bytes: [UInt8]) {
        #expect(UTF8Validator.isValid(bytes))
    }

    @Test(arguments: invalid)
    func rejectsInvalid(_ bytes: [UInt8]) {
        #expect(!UTF8Validator.isValid(bytes))
    }

    @Test func incompleteSequenceIsNotComplete() {
        var validator = UTF8Validator()
        let first = validator.validate([0xF0, 0x90])
        #expect(first)
        #expect(!validator.isComplete)
        let second = validator.validate([0x80, 0x80])
        #expect(second)
        #expect(validator.isComplete)
    }

    @Test func reportsIndexOfFirstBadByte() {
        var validator = UTF8Validator()
        let bytes: [UInt8] = Array("0123456789abcdef".utf8) + [0xC3, 0xA9, 0xC3, 0x28]
        let index = bytes.withUnsafeBytes { validator.consume($0) }
        #expect(index == 19)
        #expect(validator.hasFailed)
    }

    /// Differential test against the standard library's decoder, over random byte strings
    /// biased towards UTF-8-like bytes, split at a random point.
    @Test func agreesWithStandardLibrary() {
        var generator = SplitMix64(seed: 2024)
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x90, 0x8F, 0xC0, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            let split = Int.random(in: 0...length, using: &generator)
            var validator = UTF8Validator()
            let ok = validator.validate(bytes[..<split]) && validator.validate(bytes[split...]) && validator.isComplete
            #expect(ok == expected, "\(bytes)")
        }
    }
}
