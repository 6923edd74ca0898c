import NIOCore
import Testing
@testable import WSKCore

@Suite("Masking (RFC 6455 §5.3)")
struct MaskingKeyTests {
    /// Differential test: the fast path against the byte-at-a-time reference, for every
    /// length 0…257, key offset 0…3 and buffer misalignment 0…7.
    @Test func fastPathMatchesScalarReference() {
        let key = MaskingKey(0x37, 0xFA, 0x21, 0x3D)
        var generator = SplitMix64(seed: 42)
        let source = (0..<(257 + 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...257 {
            for keyOffset in 0...3 {
                for misalignment in 0...7 {
                    var fast = [UInt8](repeating: 0, count: length + 8)
                    var slow = fast
                    fast.replaceSubrange(misalignment..<(misalignment + length), with: source[0..<length])
                    slow.replaceSubrange(misalignment..<(misalignment + length), with: source[0..<length])
                    fast.withUnsafeMutableBytes { raw in
                        key.apply(to: UnsafeMutableRawBufferPointer(rebasing: raw[misalignment..<(misalignment + length)]), keyOffset: keyOffset)
                    }
                    slow.withUnsafeMutableBytes { raw in
                        key.applyScalar(to: UnsafeMutableRawBufferPointer(rebasing: raw[misalignment..<(misalignment + length)]), keyOffset: keyOffset)
                    }
                    #expect(fast == slow, "length \(length) keyOffset \(keyOffset) misalignment \(misalignment)")
                }
            }
        }
    }

    /// The copying form (one pass: load, XOR, store elsewhere) against the reference, for
    /// every length 0…257, key offset 0…3 and source/destination misalignments; the source
    /// is left unchanged and nothing past `length` in the destination is written.
    @Test func maskingCopyMatchesScalarReference() {
        let key = MaskingKey(0x9C, 0x01, 0xE5, 0x7A)
        var generator = SplitMix64(seed: 11)
        let source = (0..<(257 + 8)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...257 {
            for keyOffset in 0...3 {
                for (from, to) in [(0, 0), (1, 0), (0, 3), (5, 7)] {
                    var expected = Array(source[from..<(from + length)])
                    expected.withUnsafeMutableBytes { key.applyScalar(to: $0, keyOffset: keyOffset) }
                    var destination = [UInt8](repeating: 0xAB, count: length + 16)
                    source.withUnsafeBytes { raw in
                        destination.withUnsafeMutableBytes { out in
                            key.apply(
                                from: UnsafeRawBufferPointer(rebasing: raw[from..<(from + length)]),
                                to: UnsafeMutableRawBufferPointer(rebasing: out[to...]),
                                keyOffset: keyOffset
                            )
                        }
                    }
                    #expect(Array(destination[to..<(to + length)]) == expected, "length \(length) keyOffset \(keyOffset) from \(from) to \(to)")
                    #expect(destination[(to + length)...].allSatisfy { $0 == 0xAB }, "wrote past the end: length \(length)")
                    #expect(destination[..<to].allSatisfy { $0 == 0xAB })
                }
            }
        }
    }

    @Test func writeMaskedAppendsAPrefixAndContinuesTheKey() {
        let key = MaskingKey(rawValue: 0x37FA_213D)
        let hello = buffer(hex: "7f 9f 4d 51 58 ff ff")  // "Hello" masked, then two bytes not taken
        var out = ByteBuffer(string: "> ")
        out.writeMasked(hello, count: 2, maskingKey: key)
        var rest = hello
        rest.moveReaderIndex(forwardBy: 2)
        out.writeMasked(rest, count: 3, maskingKey: key, keyOffset: 2)
        #expect(out.bytes == Array("> Hello".utf8))
        #expect(hello.readableBytes == 7)  // the source is not consumed
    }

    @Test func rfcMaskedHello() {
        // RFC 6455 §5.7: "0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58" is "Hello".
        var payload = buffer(hex: "7f 9f 4d 51 58")
        payload.applyMask(MaskingKey(rawValue: 0x37FA_213D))
        #expect(payload.bytes == Array("Hello".utf8))
    }

    @Test func maskingIsAnInvolutionAndContinuesAcrossPieces() {
        let key = MaskingKey(rawValue: 0xDEAD_BEEF)
        let original = Array("The quick brown fox jumps over the lazy dog".utf8)
        var whole = ByteBuffer(bytes: original)
        whole.applyMask(key)
        var pieces = ByteBuffer(bytes: original)
        pieces.applyMask(key, offset: 0, length: 5, keyOffset: 0)
        pieces.applyMask(key, offset: 5, length: 13, keyOffset: 5)
        pieces.applyMask(key, offset: 18, length: original.count - 18, keyOffset: 18)
        #expect(whole == pieces)
        whole.applyMask(key)
        #expect(whole.bytes == original)
    }

    @Test func keySourceDrawsTwoKeysPerWord() {
        var source = MaskingKeySource(SplitMix64(seed: 7))
        var reference = SplitMix64(seed: 7)
        let word = reference.next()
        #expect(source.next().rawValue == UInt32(truncatingIfNeeded: word))
        #expect(source.next().rawValue == UInt32(truncatingIfNeeded: word >> 32))
        #expect(source.next().rawValue == UInt32(truncatingIfNeeded: reference.next()))
    }

    @Test func keyDescriptionAndBytes() {
        let key = MaskingKey(0x00, 0x0A, 0xFF, 0x01)
        #expect(key.description == "000aff01")
        #expect([key[0], key[1], key[2], key[3]] == [0x00, 0x0A, 0xFF, 0x01])
    }
}
