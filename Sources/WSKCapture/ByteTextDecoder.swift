/// Hex and base64 text back to bytes, tolerant of the ways people paste them: the input
/// decoding of `wsk frame-dump --hex/--base64` (and the REPL's `/hex`, `/base64`), kept here,
/// beside the capture readers, so it has no dependencies and can be fuzzed
/// (FuzzTesting's FuzzByteText). `WSKCLI.ByteText` forwards to it.
///
/// Hex accepts spaces, tabs, newlines, colons, commas and dashes between bytes, `0x` and
/// `\x` prefixes, and the output of `xxd` (offset column and ASCII column dropped),
/// `xxd -p` and `hexdump -C`. Base64 accepts both alphabets (`+/` and `-_`), whitespace
/// and missing padding.
public enum ByteTextDecoder {
    /// Why text did not decode; the message names the position.
    public struct DecodeError: Error, Hashable, Sendable, CustomStringConvertible {
        /// One sentence.
        public var description: String

        /// Creates an error with a sentence.
        public init(description: String) {
            self.description = description
        }
    }

    /// Decodes hex text.
    public static func decodeHex(_ text: String) throws(DecodeError) -> [UInt8] {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        var sawHexdump = false
        // Split on unicode scalars: as Characters, CR LF is one element and would not split.
        for (lineNumber, rawLine) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            // hexdump -C ends with a line holding only the final offset (CR LF line ends too).
            let bare = line.last == "\r" ? line.dropLast() : line
            if sawHexdump && bare.count >= 7 && bare.allSatisfy(\.isHexDigit) {
                continue
            }
            // xxd is recognised first: its ASCII column may end in "|" (a 0x7c byte), which
            // would otherwise pass for hexdump -C's |ASCII| column.
            if let colon = line.firstIndex(of: ":"),
                line[..<colon].count >= 4,
                line[..<colon].drop(while: { $0 == " " }).allSatisfy(\.isHexDigit),
                line[line.index(after: colon)...].first == " "
            {
                // xxd: "00000000: 8105 4865 6c6c 6f  ..Hello": offset, then groups, then two
                // spaces and the ASCII column.
                line = line[line.index(after: colon)...].dropFirst()
                var index = line.startIndex
                while index < line.endIndex {
                    let next = line.index(after: index)
                    if line[index] == " " && next < line.endIndex && line[next] == " " {
                        line = line[..<index]
                        break
                    }
                    index = next
                }
            } else if let bar = line.firstIndex(of: "|"), line.last == "|" || line.hasSuffix("|\r") {
                // hexdump -C: "00000000  81 05 48 65  |..He|": drop the |ASCII| column and offset.
                sawHexdump = true
                line = line[..<bar]
                if let offsetEnd = line.firstIndex(of: " "), line[..<offsetEnd].count >= 7,
                    line[..<offsetEnd].allSatisfy(\.isHexDigit)
                {
                    line = line[offsetEnd...]
                }
            }
            var iterator = line.utf8.makeIterator()
            var previous: UInt8 = 0
            var column = 0
            while let byte = iterator.next() {
                column += 1
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                    UInt8(ascii: "A")...UInt8(ascii: "F"):
                    digits.append(byte)
                case UInt8(ascii: "x"), UInt8(ascii: "X"):
                    // "0x" / "\x" prefix: drop the 0 already taken.
                    if previous == UInt8(ascii: "0"), digits.last == UInt8(ascii: "0") {
                        digits.removeLast()
                    } else if previous != UInt8(ascii: "\\") {
                        throw DecodeError(description: "'x' is not a hex digit (line \(lineNumber + 1), column \(column))")
                    }
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ":"),
                    UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "\\"), UInt8(ascii: ";"):
                    // A separator must fall between bytes, not inside one.
                    if digits.count % 2 != 0 && byte != UInt8(ascii: "\\") {
                        throw DecodeError(description: "odd number of hex digits before a separator (line \(lineNumber + 1), column \(column))")
                    }
                default:
                    let shown = String(decoding: [byte], as: UTF8.self)
                    throw DecodeError(description: "'\(shown)' is not a hex digit (line \(lineNumber + 1), column \(column))")
                }
                previous = byte
            }
        }
        guard digits.count % 2 == 0 else { throw DecodeError(description: "odd number of hex digits (\(digits.count))") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            bytes.append(value(digits[index]) << 4 | value(digits[index + 1]))
            index += 2
        }
        return bytes
    }

    static func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return digit - UInt8(ascii: "A") + 10
        }
    }

    /// Decodes base64 (standard or URL alphabet, padding optional, whitespace ignored).
    public static func decodeBase64(_ text: String) throws(DecodeError) -> [UInt8] {
        var sextets: [UInt8] = []
        sextets.reserveCapacity(text.utf8.count)
        var padding = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): sextets.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): sextets.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sextets.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): sextets.append(62)
            case UInt8(ascii: "/"), UInt8(ascii: "_"): sextets.append(63)
            case UInt8(ascii: "="): padding += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): continue
            default:
                let shown = String(decoding: [byte], as: UTF8.self)
                throw DecodeError(description: "'\(shown)' is not a base64 character (offset \(index))")
            }
            if padding > 0 && byte != UInt8(ascii: "=") {
                throw DecodeError(description: "base64 data continues after '=' padding (offset \(index))")
            }
        }
        guard sextets.count % 4 != 1 else { throw DecodeError(description: "base64 text has a dangling character") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sextets.count * 3 / 4)
        var index = 0
        while index + 1 < sextets.count {
            let a = sextets[index], b = sextets[index + 1]
            bytes.append(a << 2 | b >> 4)
            if index + 2 < sextets.count {
                let c = sextets[index + 2]
                bytes.append(b << 4 | c >> 2)
                if index + 3 < sextets.count { bytes.append(c << 6 | sextets[index + 3]) }
            }
            index += 4
        }
        return bytes
    }
}
