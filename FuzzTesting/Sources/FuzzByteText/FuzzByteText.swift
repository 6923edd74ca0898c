// frame-dump's --hex and --base64 input decoding (WSKCapture.ByteTextDecoder, which
// WSKCLI.ByteText forwards to). Two properties:
// - arbitrary text (the input after its first byte) never traps, and what decodes
//   re-encodes to plain hex / base64 that decodes to the same bytes;
// - the input's bytes written in each format people paste (plain hex, upper case,
//   0x.. lists, \x escapes, colon-separated, `xxd`, `xxd -p`, `hexdump -C` without `*`
//   line folding, CRLF line ends; base64 standard, URL-safe without padding, MIME-wrapped)
//   decode to exactly those bytes.
// The first byte picks which format (bits 0-3) and whether lines end in CRLF (bit 4).
import FuzzSupport
import WSKCapture

let digits = Array("0123456789abcdef".utf8)
func hex2(_ byte: UInt8, upper: Bool = false) -> String {
    let text = String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    return upper ? text.uppercased() : text
}
func offset(_ value: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - text.count)) + text
}
func printable(_ byte: UInt8) -> Character {
    (0x20...0x7E).contains(byte) ? Character(Unicode.Scalar(byte)) : "."
}

/// `xxd` output: offset, eight groups of two bytes, two spaces, the ASCII column.
func xxd(_ bytes: [UInt8]) -> [String] {
    stride(from: 0, to: bytes.count, by: 16).map { start in
        let line = bytes[start..<min(bytes.count, start + 16)]
        var hex = ""
        for (i, byte) in line.enumerated() {
            if i > 0 && i % 2 == 0 { hex += " " }
            hex += hex2(byte)
        }
        hex += String(repeating: " ", count: 39 - hex.count)
        return offset(start) + ": " + hex + "  " + String(line.map(printable))
    }
}

/// `hexdump -C` output (as with -v: no `*` for repeated lines), ending with the length.
func hexdumpC(_ bytes: [UInt8]) -> [String] {
    var lines = stride(from: 0, to: bytes.count, by: 16).map { start in
        let line = bytes[start..<min(bytes.count, start + 16)]
        var hex = ""
        for (i, byte) in line.enumerated() {
            hex += hex2(byte) + " "
            if i == 7 { hex += " " }
        }
        hex += String(repeating: " ", count: 49 - hex.count)
        return offset(start) + "  " + hex + " |" + String(line.map(printable)) + "|"
    }
    if !bytes.isEmpty { lines.append(offset(bytes.count)) }  // empty input: no output at all
    return lines
}

let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
func base64(_ bytes: [UInt8], url: Bool = false, padding: Bool = true) -> String {
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let a = bytes[index], b = index + 1 < bytes.count ? bytes[index + 1] : 0, c = index + 2 < bytes.count ? bytes[index + 2] : 0
        let group = [a >> 2, (a & 3) << 4 | b >> 4, (b & 15) << 2 | c >> 6, c & 63]
        let count = min(4, (bytes.count - index) * 4 / 3 + ((bytes.count - index) % 3 == 0 ? 0 : 1))
        for sextet in group.prefix(count) {
            var character = base64Alphabet[Int(sextet)]
            if url && character == UInt8(ascii: "+") { character = UInt8(ascii: "-") }
            if url && character == UInt8(ascii: "/") { character = UInt8(ascii: "_") }
            out.append(character)
        }
        if padding { out += [UInt8](repeating: UInt8(ascii: "="), count: 4 - count) }
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}

func formats(_ bytes: [UInt8], newline: String) -> [(name: String, text: String, isHex: Bool)] {
    let hexes = bytes.map { hex2($0) }
    let wrapped = stride(from: 0, to: bytes.count, by: 30).map { hexes[$0..<min(bytes.count, $0 + 30)].joined() }
    let b64 = base64(bytes)
    let mime = stride(from: 0, to: b64.utf8.count, by: 76).map { String(decoding: Array(b64.utf8)[$0..<min(b64.utf8.count, $0 + 76)], as: UTF8.self) }
    return [
        ("plain hex", hexes.joined(separator: " "), true),
        ("upper-case hex", bytes.map { hex2($0, upper: true) }.joined(), true),
        ("0x list", bytes.map { "0x" + hex2($0) }.joined(separator: ", "), true),
        ("\\x escapes", bytes.map { "\\x" + hex2($0) }.joined(), true),
        ("colon-separated", hexes.joined(separator: ":"), true),
        ("xxd", xxd(bytes).joined(separator: newline) + newline, true),
        ("xxd -p", wrapped.joined(separator: newline) + newline, true),
        ("hexdump -C", hexdumpC(bytes).joined(separator: newline) + newline, true),
        ("base64", b64, false),
        ("base64url", base64(bytes, url: true, padding: false), false),
        ("MIME base64", mime.joined(separator: newline) + newline, false),
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = inputBytes(data, size)
    guard let selector = input.first else { return 0 }
    let rest = Array(input.dropFirst())

    // Arbitrary text.
    let text = String(decoding: rest, as: UTF8.self)
    if let decoded = try? ByteTextDecoder.decodeHex(text) {
        require((try? ByteTextDecoder.decodeHex(decoded.map { hex2($0) }.joined())) == decoded, "hex re-encoding does not decode back")
    }
    if let decoded = try? ByteTextDecoder.decodeBase64(text) {
        require((try? ByteTextDecoder.decodeBase64(base64(decoded))) == decoded, "base64 re-encoding does not decode back")
    }

    // The bytes in every format.
    let all = formats(rest, newline: selector & 0x10 == 0 ? "\n" : "\r\n")
    let format = all[Int(selector & 0x0F) % all.count]
    let result: [UInt8]
    do throws(ByteTextDecoder.DecodeError) {
        result = format.isHex ? try ByteTextDecoder.decodeHex(format.text) : try ByteTextDecoder.decodeBase64(format.text)
    } catch {
        fatalError("property violated: \(format.name) text of \(rest.count) bytes does not decode: \(error)\n\(format.text)")
    }
    require(result == rest, "\(format.name) text decodes to other bytes:\nwant \(rest)\ngot  \(result)\n\(format.text)")
    return 0
}

@_cdecl("FuzzByteText_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
