/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4), for the handshake keys.
///
/// Encoding is used for `Sec-WebSocket-Key` and `Sec-WebSocket-Accept`. Decoding exists so
/// a server can check that a client's key "when decoded, is 16 bytes in length"
/// (RFC 6455 §4.2.1), so it is strict about the alphabet and the padding.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
    )

    /// Maps an ASCII byte to its 6-bit value, or `0xFF` for a byte outside the alphabet.
    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Encodes `bytes` with padding.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
            output.append(alphabet[Int(group & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let group = UInt32(input[index]) << 16
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        case 2:
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            output.append(alphabet[Int(group >> 6 & 0x3F)])
            output.append(UInt8(ascii: "="))
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded base64, or returns `nil` if `text` is not valid base64.
    ///
    /// Rejects: a length that is not a multiple of 4, any byte outside the alphabet
    /// (including whitespace and the URL-safe `-`/`_`), `=` anywhere but the last one or
    /// two positions, and a missing `=`.
    ///
    /// - Note: Non-zero pad bits (`"EC=="` where `"EA=="` is canonical) are accepted, as
    ///   RFC 4648 §3.5 permits; NIO's test key `AQIDBAUGBwgJCgsMDQ4PEC==` has them and
    ///   rejecting it would gain nothing, since the key is only hashed as a string.
    static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLastGroup = index + 4 == input.count
            var values: [UInt8] = []
            var padding = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                if byte == UInt8(ascii: "=") {
                    // Padding may only fill positions 2 and 3 of the last group.
                    guard isLastGroup, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                // Data after padding ("ab=c") is invalid.
                guard padding == 0 else { return nil }
                let value = decodingTable[Int(byte)]
                guard value != 0xFF else { return nil }
                values.append(value)
            }
            let group =
                UInt32(values[0]) << 18 | UInt32(values[1]) << 12
                | UInt32(values.count > 2 ? values[2] : 0) << 6 | UInt32(values.count > 3 ? values[3] : 0)
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            if padding < 2 { output.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if padding < 1 { output.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return output
    }
}
