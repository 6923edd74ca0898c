/// A streaming UTF-8 validator whose state carries across chunks and fragments.
///
/// RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that
/// the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
/// WebSocket Connection_." Feeding bytes as they arrive finds the first invalid byte at
/// once (fail fast), even inside a fragment, rather than at the end of the message.
///
/// Validation follows Unicode Table 3-7 (well-formed byte sequences): no overlong forms,
/// no surrogates (U+D800–U+DFFF), nothing above U+10FFFF. Runs of ASCII are checked
/// eight bytes per step.
public struct UTF8Validator: Hashable, Sendable {
    // States: what the validator expects next.
    @usableFromInline static let accept: UInt8 = 0
    @usableFromInline static let need1: UInt8 = 1  // one 80..BF
    @usableFromInline static let need2: UInt8 = 2  // two 80..BF
    @usableFromInline static let need3: UInt8 = 3  // three 80..BF
    @usableFromInline static let afterE0: UInt8 = 4  // A0..BF, then need1
    @usableFromInline static let afterED: UInt8 = 5  // 80..9F, then need1
    @usableFromInline static let afterF0: UInt8 = 6  // 90..BF, then need2
    @usableFromInline static let afterF4: UInt8 = 7  // 80..8F, then need2
    @usableFromInline static let reject: UInt8 = 8

    @usableFromInline var state: UInt8 = UTF8Validator.accept

    /// Creates a validator at the start of a message.
    public init() {}

    /// Whether the bytes so far end on a character boundary (a complete message must).
    @inlinable
    public var isComplete: Bool { state == Self.accept }

    /// Whether an invalid byte has been seen; once failed, the validator stays failed.
    @inlinable
    public var hasFailed: Bool { state == Self.reject }

    /// Forgets everything: ready for a new message.
    @inlinable
    public mutating func reset() { state = Self.accept }

    /// Feeds the next bytes.
    ///
    /// - Returns: `nil` if every byte can still start or continue valid UTF-8, or the
    ///   index in `bytes` of the first byte that cannot.
    @inlinable
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Int? {
        if state == Self.reject { return 0 }
        let count = bytes.count
        var index = 0
        var state = self.state
        while index < count {
            if state == Self.accept {
                // ASCII fast path: eight bytes per step while no byte has its high bit set.
                // Requires index + 8 <= count.
                while index &+ 8 <= count {
                    let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    index &+= 8
                }
                if index >= count { break }
            }
            let byte = bytes[index]
            if state == Self.accept && byte >= 0xC2 && index &+ 4 <= count {
                // Multi-byte fast path: a whole sequence is in range (index + 4 <= count), so
                // check it in one go instead of one state transition per byte.
                let b1 = bytes[index &+ 1]
                if byte <= 0xDF {
                    if b1 & 0xC0 == 0x80 {
                        index &+= 2
                        continue
                    }
                } else if byte <= 0xEF {
                    let b2 = bytes[index &+ 2]
                    let secondOK: Bool
                    switch byte {
                    case 0xE0: secondOK = b1 >= 0xA0 && b1 <= 0xBF  // no overlongs
                    case 0xED: secondOK = b1 >= 0x80 && b1 <= 0x9F  // no surrogates
                    default: secondOK = b1 & 0xC0 == 0x80
                    }
                    if secondOK && b2 & 0xC0 == 0x80 {
                        index &+= 3
                        continue
                    }
                } else if byte <= 0xF4 {
                    let b2 = bytes[index &+ 2]
                    let b3 = bytes[index &+ 3]
                    let secondOK: Bool
                    switch byte {
                    case 0xF0: secondOK = b1 >= 0x90 && b1 <= 0xBF  // no overlongs
                    case 0xF4: secondOK = b1 >= 0x80 && b1 <= 0x8F  // nothing above U+10FFFF
                    default: secondOK = b1 & 0xC0 == 0x80
                    }
                    if secondOK && b2 & 0xC0 == 0x80 && b3 & 0xC0 == 0x80 {
                        index &+= 4
                        continue
                    }
                }
                // Not a complete valid sequence: fall through to the state machine, which
                // finds the exact failing byte.
            }
            state = Self.step(state, byte)
            if state == Self.reject {
                self.state = state
                return index
            }
            index &+= 1
        }
        self.state = state
        return nil
    }

    /// Feeds the next bytes; `true` if no invalid byte was found.
    @inlinable
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        consume(bytes) == nil
    }

    /// Feeds a byte sequence; `true` if no invalid byte was found.
    @inlinable
    public mutating func validate<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if let handled = bytes.withContiguousStorageIfAvailable({ consume(UnsafeRawBufferPointer($0)) }) {
            return handled == nil
        }
        for byte in bytes {
            state = Self.step(state, byte)
            if state == Self.reject { return false }
        }
        return true
    }

    /// Validates a complete message.
    @inlinable
    public static func isValid<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isComplete
    }

    /// One transition of the state machine (Unicode Table 3-7).
    @inlinable
    static func step(_ state: UInt8, _ byte: UInt8) -> UInt8 {
        switch state {
        case accept:
            switch byte {
            case 0x00...0x7F: return accept
            case 0xC2...0xDF: return need1
            case 0xE0: return afterE0
            case 0xE1...0xEC, 0xEE...0xEF: return need2
            case 0xED: return afterED
            case 0xF0: return afterF0
            case 0xF1...0xF3: return need3
            case 0xF4: return afterF4
            default: return reject  // 80..C1 (continuation or overlong lead), F5..FF
            }
        case need1:
            return byte & 0xC0 == 0x80 ? accept : reject
        case need2:
            return byte & 0xC0 == 0x80 ? need1 : reject
        case need3:
            return byte & 0xC0 == 0x80 ? need2 : reject
        case afterE0:
            return (0xA0...0xBF).contains(byte) ? need1 : reject
        case afterED:
            return (0x80...0x9F).contains(byte) ? need1 : reject
        case afterF0:
            return (0x90...0xBF).contains(byte) ? need2 : reject
        case afterF4:
            return (0x80...0x8F).contains(byte) ? need2 : reject
        default:
            return reject
        }
    }
}
