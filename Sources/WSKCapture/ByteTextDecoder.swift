/// Hex and base64 text back to bytes, tolerant of the ways people paste them: the input
/// decoding of `wsk frame-dump --hex/--base64` (and the REPL's `/hex`, `/base64`), kept here,
/// beside the capture readers, so it has no dependencies and can be fuzzed
/// (FuzzTesting's FuzzByteText). `WSKCLI.ByteText` forwards to it.
///
/// Hex accepts spaces, tabs, newlines, colons, commas and dashes between bytes, `0x` and
/// `\x` prefixes, and the output of `xxd` (offset column and ASCII column dropped),
/// `xxd -p`, `hexdump -C`, `od -t x1` (any `-A` radix, `z` column too) and `tshark -x`;
/// the `*` line od and hexdump print for repeated lines is expanded from the offsets.
/// `od -x` and plain `od` (16-bit words in host byte order) are refused with what to use. Base64 accepts both alphabets (`+/` and `-_`), whitespace
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
        if let bytes = try decodeOffsetDump(text) { return bytes }
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

    /// One line of a dump with an offset column: `od -t x1` ("0000000 81 05 …", an
    /// optional "  >ASCII<"), `tshark -x` ("0000  81 05 …   ASCII"), or hexdump -C
    /// ("00000000  81 05 …  |ASCII|"); a line holding only an offset, or `*`.
    enum DumpLine {
        case bytes(offset: Int, [UInt8])
        case offsetOnly(Int)
        case repeatMark
    }

    /// The most bytes `*` lines may expand a dump to (a hostile offset must not make the
    /// decoder allocate without bound).
    static let maxExpandedDump = 256 << 20

    /// Whether `character` is an ASCII hex digit (Character.isHexDigit also accepts the
    /// fullwidth forms, which UInt8(_:radix:) does not).
    static func isASCIIHex(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return (0x30...0x39).contains(ascii) || (0x41...0x46).contains(ascii) || (0x61...0x66).contains(ascii)
    }

    /// Decodes a dump whose first line starts with a zero offset, or returns `nil` for
    /// any other text (then read as plain hex, xxd or hexdump -C).
    static func decodeOffsetDump(_ text: String) throws(DecodeError) -> [UInt8]? {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.hasSuffix("\r") ? $0.dropLast() : $0[...] }
            .filter { !$0.allSatisfy(\.isWhitespace) }
        guard let first = lines.first else { return nil }
        let firstToken = first.prefix { !$0.isWhitespace }
        // A dump starts at offset zero: "0000" (tshark), "000000" (od -A x/d), "0000000" (od).
        guard firstToken.count >= 4, firstToken.count <= 10, firstToken.allSatisfy({ $0 == "0" }),
            first.count > firstToken.count
        else { return nil }
        let rest = first.dropFirst(firstToken.count)
        let tokens = rest.split(separator: " ", omittingEmptySubsequences: true)
        // od -x prints 4-digit words, plain od 6-digit octal words: host-order 16-bit
        // words, not bytes in order.
        if let word = tokens.first, (word.count == 4 || word.count == 6), word.allSatisfy(Self.isASCIIHex) {
            throw DecodeError(description: "this looks like od word output (od -x or plain od): 16-bit words in host byte order, not bytes; use od -A x -t x1, xxd or hexdump -C")
        }
        guard tokens.first.map({ $0.count == 2 && $0.allSatisfy(Self.isASCIIHex) }) == true else { return nil }
        // The offsets' radix: tshark's is hex; od's octal by default, hex or decimal with
        // -A; hexdump -C's hex. The first radix whose offsets add up wins.
        // Tried in order of likelihood, so an error names the likeliest reading: seven
        // digits is od's default (octal); six od -A x, eight hexdump -C.
        let isTshark = rest.hasPrefix("  ") && !rest.hasPrefix("   ") && firstToken.count == 4
        let radixes = isTshark ? [16] : (firstToken.count == 7 ? [8, 10, 16] : [16, 10, 8])
        var firstError: DecodeError? = nil
        for radix in radixes {
            do {
                // tshark -x's ASCII column has no delimiter: only the 16 byte columns
                // (after the offset and two spaces) are hex.
                return try decodeOffsetDump(lines, radix: radix, hexColumns: isTshark ? 2 + 16 * 3 : nil)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError!
    }

    static func decodeOffsetDump(_ lines: [Substring], radix: Int, hexColumns: Int?) throws(DecodeError) -> [UInt8] {
        var parsed: [DumpLine] = []
        for (number, line) in lines.enumerated() {
            parsed.append(try dumpLine(line, radix: radix, number: number + 1, hexColumns: hexColumns))
        }
        // Expand "*": the previous line repeats up to the next line's offset.
        var bytes: [UInt8] = []
        var previous: [UInt8] = []
        var pendingRepeat = false
        for (index, entry) in parsed.enumerated() {
            let offset: Int
            let lineBytes: [UInt8]
            switch entry {
            case .repeatMark:
                pendingRepeat = true
                continue
            case .bytes(let at, let found):
                (offset, lineBytes) = (at, found)
            case .offsetOnly(let at):
                (offset, lineBytes) = (at, [])
            }
            if pendingRepeat {
                guard !previous.isEmpty, offset >= bytes.count, (offset - bytes.count) % previous.count == 0 else {
                    throw DecodeError(description: "a '*' line (repeated lines) does not fit the offsets around it (line \(index + 1))")
                }
                guard offset <= Self.maxExpandedDump else {
                    throw DecodeError(description: "the '*' line on line \(index) would expand the dump to \(offset) bytes, more than \(Self.maxExpandedDump)")
                }
                for _ in 0..<((offset - bytes.count) / previous.count) { bytes += previous }
                pendingRepeat = false
            }
            guard offset == bytes.count else {
                throw DecodeError(description: "offset \(String(offset, radix: radix)) on line \(index + 1) does not follow the \(bytes.count) bytes before it (a line missing from the dump?)")
            }
            bytes += lineBytes
            if !lineBytes.isEmpty { previous = lineBytes }
        }
        if pendingRepeat {
            throw DecodeError(description: "the dump ends with '*' (repeated lines) and no final offset: how many repeats is unknown")
        }
        return bytes
    }

    static func dumpLine(_ line: Substring, radix: Int, number: Int, hexColumns: Int? = nil) throws(DecodeError) -> DumpLine {
        let trimmed = line.drop { $0 == " " }
        if trimmed == "*" { return .repeatMark }
        let token = trimmed.prefix { !$0.isWhitespace }
        guard let offset = Int(token, radix: radix) else {
            throw DecodeError(description: "line \(number) does not start with an offset like the first line's")
        }
        var rest = trimmed.dropFirst(token.count)
        if let hexColumns { rest = rest.prefix(hexColumns) }
        if rest.allSatisfy(\.isWhitespace) { return .offsetOnly(offset) }
        // Drop the ASCII column: "  >…<" (od -t x1z), "  |…|" (hexdump -C), or anything
        // after the byte groups (tshark -x).
        var bytes: [UInt8] = []
        while bytes.count < 16 {  // every one of these dumps has at most 16 bytes a line
            rest = rest.drop { $0 == " " }
            guard rest.count >= 2 else { break }
            let pair = rest.prefix(2)
            let after = rest.dropFirst(2)
            guard pair.allSatisfy(Self.isASCIIHex), after.first.map({ $0 == " " }) ?? true else { break }
            bytes.append(UInt8(pair, radix: 16)!)
            // Two or more spaces end the groups in tshark -x and od z output; hexdump -C
            // has a double space in the middle, so keep going while a pair follows.
            rest = after
        }
        return .bytes(offset: offset, bytes)
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
