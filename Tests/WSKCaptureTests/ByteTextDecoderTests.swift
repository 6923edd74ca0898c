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
}
