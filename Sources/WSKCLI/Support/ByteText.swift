import Foundation
import WSKCapture

/// The one hex and base64 codec of the CLI: bytes to text, and text back to bytes,
/// tolerant of the ways people paste them. Decoding lives in WSKCapture's
/// ``ByteTextDecoder`` (no dependencies, so it can be fuzzed); these forward to it.
public enum ByteText {
    /// Why text did not decode; the message names the position.
    public typealias DecodeError = ByteTextDecoder.DecodeError

    /// Lower-case hex, two digits a byte, no separators.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 with padding.
    public static func base64(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Decodes hex text; see ``ByteTextDecoder/decodeHex(_:)``.
    public static func decodeHex(_ text: String) throws(DecodeError) -> [UInt8] {
        try ByteTextDecoder.decodeHex(text)
    }

    /// Decodes base64 (standard or URL alphabet, padding optional, whitespace ignored).
    public static func decodeBase64(_ text: String) throws(DecodeError) -> [UInt8] {
        try ByteTextDecoder.decodeBase64(text)
    }
}
