/// Parses `Sec-WebSocket-Extensions` header values (RFC 6455 §9.1).
///
/// ```
/// extension-list = 1#extension
/// extension      = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// ```
/// Optional whitespace is allowed around `,`, `;` and `=`. RFC 6455 §9.1 also requires a
/// quoted-string value to be a valid token once unquoted; that rule is left to each
/// extension's negotiator, which sees the unquoted value.
public enum ExtensionHeaderParser {
    /// Why a header value did not parse.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// A sentence naming the problem.
        public var message: String
        /// The byte offset in the header value where parsing stopped.
        public var offset: Int

        /// `message at byte offset`.
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Parses one or more header values (several header lines are concatenated as a list).
    ///
    /// - Returns: the offers in order. Empty list elements (`a, , b`) are skipped, as
    ///   RFC 7230 §7 permits.
    /// - Throws: ``ParseError`` for a missing token, a bad character or an unterminated
    ///   quoted string.
    public static func parse(_ values: [String]) throws(ParseError) -> [WebSocketExtensionOffer] {
        var offers: [WebSocketExtensionOffer] = []
        for value in values {
            offers += try parse(value)
        }
        return offers
    }

    /// Parses a single header value.
    public static func parse(_ value: String) throws(ParseError) -> [WebSocketExtensionOffer] {
        var scanner = Scanner(bytes: Array(value.utf8))
        var offers: [WebSocketExtensionOffer] = []
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            if scanner.peek == UInt8(ascii: ",") {
                scanner.index += 1
                continue
            }
            let name = try scanner.token(what: "extension name")
            var offer = WebSocketExtensionOffer(name: name)
            scanner.skipWhitespace()
            while scanner.peek == UInt8(ascii: ";") {
                scanner.index += 1
                scanner.skipWhitespace()
                let parameterName = try scanner.token(what: "parameter name")
                scanner.skipWhitespace()
                var parameterValue: String? = nil
                if scanner.peek == UInt8(ascii: "=") {
                    scanner.index += 1
                    scanner.skipWhitespace()
                    if scanner.peek == UInt8(ascii: "\"") {
                        parameterValue = try scanner.quotedString()
                    } else {
                        parameterValue = try scanner.token(what: "parameter value")
                    }
                    scanner.skipWhitespace()
                }
                offer.parameters.append(.init(name: parameterName, value: parameterValue))
            }
            offers.append(offer)
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            guard scanner.peek == UInt8(ascii: ",") else {
                throw ParseError(message: "expected ',' or ';'", offset: scanner.index)
            }
            scanner.index += 1
        }
        return offers
    }

    /// Whether `text` is a non-empty RFC 7230 token.
    public static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    /// `text` as an RFC 7230 quoted-string. Works on UTF-8 code units: a `"` followed by a
    /// combining mark is one Character but still a quote byte that must be escaped.
    public static func quote(_ text: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(text.utf8.count + 2)
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        // RFC 7230 §3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
        //                        / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        }

        mutating func token(what: String) throws(ParseError) -> String {
            let start = index
            while let byte = peek, ExtensionHeaderParser.isTokenByte(byte) { index += 1 }
            guard index > start else { throw ParseError(message: "expected \(what)", offset: index) }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func quotedString() throws(ParseError) -> String {
            let start = index
            index += 1  // opening quote
            var out: [UInt8] = []
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    // RFC 7230 §3.2.6: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ).
                    guard let escaped = peek else { break }
                    if (escaped < 0x20 && escaped != UInt8(ascii: "\t")) || escaped == 0x7F {
                        throw ParseError(message: "control character after a backslash in quoted string", offset: index)
                    }
                    out.append(escaped)
                    index += 1
                case 0x00..<0x20 where byte != UInt8(ascii: "\t"), 0x7F:
                    throw ParseError(message: "control character in quoted string", offset: index - 1)
                default:
                    out.append(byte)
                }
            }
            throw ParseError(message: "unterminated quoted string", offset: start)
        }
    }
}
