import Testing

@testable import WSKCapture

/// frame-dump's hex/base64 input decoding (the format tables are in WSKCLITests'
/// FrameDumpTests; these are the fuzzer's findings, FuzzTesting/FailCases/FuzzByteText-*).
@Suite struct ByteTextDecoderTests {
    /// `printf 'ABCDEFGHIJKLMNO|ab|' | xxd`: each line's ASCII column ends in "|", which
    /// passed for hexdump -C's |ASCII| column, so the xxd offset and ASCII text were read
    /// as hex ("'G' is not a hex digit").
    @Test func xxdLinesWhoseASCIIColumnEndsInAPipe() throws {
        let text = """
            00000000: 4142 4344 4546 4748 494a 4b4c 4d4e 4f7c  ABCDEFGHIJKLMNO|
            00000010: 6162 7c                                  ab|

            """
        #expect(try ByteTextDecoder.decodeHex(text) == Array("ABCDEFGHIJKLMNO|ab|".utf8))
        // Where the ASCII column holds only hex digits, the old reading was silently wrong.
        let quiet = "00000000: 6162 6364 7c                             abcd|\n"
        #expect(try ByteTextDecoder.decodeHex(quiet) == Array("abcd|".utf8))
    }

    /// `hexdump -C` output with CR LF line ends: its last line (the length, "00000007")
    /// was decoded as four more bytes.
    @Test func hexdumpWithCRLFLineEnds() throws {
        let text = "00000000  81 05 48 65 6c 6c 6f                              |..Hello|\r\n00000007\r\n"
        #expect(try ByteTextDecoder.decodeHex(text) == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
    }

    // od -t x1 (any -A radix, with the z column), tshark -x, and the '*' line od and
    // hexdump print for repeated lines (dumps made with the real tools).
    static let sixFrames: [UInt8] = Array(repeating: [0x81, 0x05] + Array("Hello".utf8), count: 6).flatMap { $0 }

    @Test func odDumpsDecodeWhateverTheirOffsetRadix() throws {
        for dump in [Self.odHexOffsets, Self.odOctalWithZ, Self.odDecimal] {
            #expect(try ByteTextDecoder.decodeHex(dump) == Self.sixFrames, "\(dump)")
        }
    }

    @Test func repeatedLinesAreExpandedFromTheOffsets() throws {
        for dump in [Self.odRepeat, Self.odOctalRepeat, Self.hexdumpRepeat] {
            #expect(try ByteTextDecoder.decodeHex(dump) == [UInt8](repeating: 0x61, count: 48), "\(dump)")
        }
    }

    @Test func tsharkHexDumpsDecode() throws {
        let dump = "0000  81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05   ..Hello..Hello..\n0010  48 65 6c 6c 6f                                    Hello\n"
        #expect(try ByteTextDecoder.decodeHex(dump) == Array(Self.sixFrames.prefix(21)))
        // An ASCII column that looks like hex ("ab cd") is not read as bytes.
        let asciiLikeHex = "0000  61 62 20 63 64 61 62 20 63 64 61 62 20 63 64 61   ab cdab cdab cda\n0010  62 20 63 64                                       b cd\n"
        #expect(try ByteTextDecoder.decodeHex(asciiLikeHex) == Array("ab cdab cdab cdab cd".utf8))
    }

    @Test func aDumpWithALineMissingOrWordsIsRefusedNotMisread() {
        var lines = Self.odHexOffsets.split(separator: "\n")
        lines.remove(at: 1)
        #expect(throws: ByteTextDecoder.DecodeError(description: "offset 20 on line 2 does not follow the 16 bytes before it (a line missing from the dump?)")) {
            try ByteTextDecoder.decodeHex(lines.joined(separator: "\n"))
        }
        #expect(throws: ByteTextDecoder.DecodeError.self) { try ByteTextDecoder.decodeHex(Self.odWords) }
        // A '*' whose next offset is huge is refused, not expanded to a gigabyte.
        #expect(throws: ByteTextDecoder.DecodeError.self) { try ByteTextDecoder.decodeHex("0000000 00\n*\n7777777777\n") }
        // Fullwidth digits pass Character.isHexDigit but are not hex bytes: refused, no trap.
        #expect(throws: ByteTextDecoder.DecodeError.self) { try ByteTextDecoder.decodeHex("0000 ０１ ０２\n") }
        let cut = Self.hexdumpRepeat.split(separator: "\n").dropLast().joined(separator: "\n")
        #expect(throws: ByteTextDecoder.DecodeError.self) { try ByteTextDecoder.decodeHex(cut) }
    }

    static let odHexOffsets = """
000000 81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05
000010 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05 48 65
000020 6c 6c 6f 81 05 48 65 6c 6c 6f
00002a
"""

    static let odOctalWithZ = """
0000000 81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05  >..Hello..Hello..<
0000020 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05 48 65  >Hello..Hello..He<
0000040 6c 6c 6f 81 05 48 65 6c 6c 6f                    >llo..Hello<
0000052
"""

    static let odDecimal = """
0000000 81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05
0000016 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f 81 05 48 65
0000032 6c 6c 6f 81 05 48 65 6c 6c 6f
0000042
"""

    static let odRepeat = """
000000 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61
*
000030
"""

    static let odOctalRepeat = """
0000000 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61
*
0000060
"""

    static let hexdumpRepeat = """
00000000  61 61 61 61 61 61 61 61  61 61 61 61 61 61 61 61  |aaaaaaaaaaaaaaaa|
*
00000030
"""

    static let odWords = """
0000000 0581 6548 6c6c 816f 4805 6c65 6f6c 0581
0000020 6548 6c6c 816f 4805 6c65 6f6c 0581 6548
0000040 6c6c 816f 4805 6c65 6f6c
0000052
"""
}
