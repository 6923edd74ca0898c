import NIOCore

/// The 4-byte key a client XORs over every frame payload it sends (RFC 6455 §5.3).
///
/// RFC 6455 §5.3: "The masking key MUST be derived from a strong source of entropy";
/// the key must not be predictable. WSKCore never reaches for a global generator: callers
/// pass one in (``random(using:)``), so tests can seed it and `wsk` uses the system RNG.
public struct MaskingKey: Hashable, Sendable, CustomStringConvertible {
    /// The four key bytes, first byte in the most significant position (wire order).
    public let rawValue: UInt32

    /// Creates a key from its wire-order value (`0x37fa213d` is the key `37 fa 21 3d`).
    @inlinable
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Creates a key from four bytes in wire order.
    @inlinable
    public init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        self.rawValue = UInt32(b0) << 24 | UInt32(b1) << 16 | UInt32(b2) << 8 | UInt32(b3)
    }

    /// Draws a key from `generator`.
    @inlinable
    public static func random(using generator: inout some RandomNumberGenerator) -> MaskingKey {
        MaskingKey(rawValue: UInt32(truncatingIfNeeded: generator.next()))
    }

    /// The key byte at `index` (`0...3`).
    @inlinable
    public subscript(index: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: rawValue >> (24 - 8 * (index & 3)))
    }

    /// `37fa213d`.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The key replicated into a 64-bit word whose in-memory bytes are the key bytes
    /// starting at `keyOffset`, so that XOR-ing it with eight payload bytes loaded from
    /// memory masks them. Independent of the host's byte order because both 32-bit halves
    /// are identical.
    @inlinable
    func wideKey(keyOffset: Int) -> UInt64 {
        let shift = UInt32(8 * (keyOffset & 3))
        // Rotate so that the byte for payload position `keyOffset` comes first.
        let rotated = shift == 0 ? rawValue : (rawValue << shift) | (rawValue >> (32 - shift))
        let inMemoryOrder = UInt64(rotated.bigEndian)
        return inMemoryOrder | inMemoryOrder << 32
    }

    /// XORs the key over `bytes` in place.
    ///
    /// - Parameters:
    ///   - bytes: the payload bytes to mask or unmask (the operation is its own inverse).
    ///   - keyOffset: the position in the payload of `bytes[0]`; the key is rotated by
    ///     `keyOffset % 4` so that masking a payload in several pieces continues the key.
    @inlinable
    public func apply(to bytes: UnsafeMutableRawBufferPointer, keyOffset: Int = 0) {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return }
        let key = wideKey(keyOffset: keyOffset)
        var index = 0
        // 32 bytes per step: four independent unaligned 64-bit XORs.
        // Invariant: index + 32 <= count inside the loop.
        while index &+ 32 <= count {
            let p = base + index
            p.storeBytes(of: p.loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            (p + 8).storeBytes(of: (p + 8).loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            (p + 16).storeBytes(of: (p + 16).loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            (p + 24).storeBytes(of: (p + 24).loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            index &+= 32
        }
        // Invariant: index + 8 <= count inside the loop.
        while index &+ 8 <= count {
            let p = base + index
            p.storeBytes(of: p.loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            index &+= 8
        }
        // Scalar tail: fewer than 8 bytes; index is a multiple of 8, so the key position of
        // byte `index` is `keyOffset + index`, i.e. `keyOffset` modulo 4.
        var keyIndex = keyOffset
        while index < count {
            bytes[index] ^= self[keyIndex]
            keyIndex &+= 1
            index &+= 1
        }
    }

    /// Copies `source` to the start of `destination`, XOR-ing the key in the same pass: the
    /// masked (or unmasked) copy of a payload without a second pass over it.
    ///
    /// - Parameters:
    ///   - source: the bytes to copy.
    ///   - destination: at least `source.count` bytes; it must not overlap `source` unless
    ///     both start at the same address.
    ///   - keyOffset: the position in the payload of `source[0]`.
    @inlinable
    public func apply(from source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer, keyOffset: Int = 0) {
        let count = source.count
        precondition(destination.count >= count, "mask destination too small")
        guard count > 0, let from = source.baseAddress, let to = destination.baseAddress else { return }
        let key = wideKey(keyOffset: keyOffset)
        var index = 0
        // 32 bytes per step: four independent unaligned 64-bit loads, XORs and stores.
        // Invariant: index + 32 <= count inside the loop.
        while index &+ 32 <= count {
            let s = from + index
            let d = to + index
            let w0 = s.loadUnaligned(as: UInt64.self)
            let w1 = (s + 8).loadUnaligned(as: UInt64.self)
            let w2 = (s + 16).loadUnaligned(as: UInt64.self)
            let w3 = (s + 24).loadUnaligned(as: UInt64.self)
            d.storeBytes(of: w0 ^ key, as: UInt64.self)
            (d + 8).storeBytes(of: w1 ^ key, as: UInt64.self)
            (d + 16).storeBytes(of: w2 ^ key, as: UInt64.self)
            (d + 24).storeBytes(of: w3 ^ key, as: UInt64.self)
            index &+= 32
        }
        // Invariant: index + 8 <= count inside the loop.
        while index &+ 8 <= count {
            (to + index).storeBytes(of: (from + index).loadUnaligned(as: UInt64.self) ^ key, as: UInt64.self)
            index &+= 8
        }
        // Scalar tail, as in apply(to:keyOffset:).
        var keyIndex = keyOffset
        while index < count {
            destination[index] = source[index] ^ self[keyIndex]
            keyIndex &+= 1
            index &+= 1
        }
    }

    /// The byte-at-a-time reference implementation the fast path is tested against.
    func applyScalar(to bytes: UnsafeMutableRawBufferPointer, keyOffset: Int = 0) {
        for index in 0..<bytes.count {
            bytes[index] ^= self[keyOffset + index]
        }
    }
}

extension ByteBuffer {
    /// XORs `maskingKey` over the readable bytes in place (RFC 6455 §5.3).
    ///
    /// - Parameter keyOffset: the payload position of the first readable byte.
    @inlinable
    public mutating func applyMask(_ maskingKey: MaskingKey, keyOffset: Int = 0) {
        withUnsafeMutableReadableBytes { maskingKey.apply(to: $0, keyOffset: keyOffset) }
    }

    /// Appends the first `count` readable bytes of `source` (all of them when `nil`), XOR-ed
    /// with `maskingKey` as they are copied: one pass instead of a copy and a mask.
    ///
    /// - Parameter keyOffset: the payload position of `source`'s first readable byte.
    /// - Precondition: `count <= source.readableBytes`.
    @inlinable
    public mutating func writeMasked(_ source: ByteBuffer, count: Int? = nil, maskingKey: MaskingKey, keyOffset: Int = 0) {
        let count = count ?? source.readableBytes
        precondition(count >= 0 && count <= source.readableBytes, "mask count outside readable bytes")
        guard count > 0 else { return }
        _ = source.withUnsafeReadableBytes { from in
            self.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { to in
                maskingKey.apply(from: UnsafeRawBufferPointer(rebasing: from.prefix(count)), to: to, keyOffset: keyOffset)
                return count
            }
        }
    }

    /// XORs `maskingKey` over `length` bytes starting `offset` bytes past the reader index.
    ///
    /// - Precondition: `offset + length <= readableBytes`.
    @inlinable
    mutating func applyMask(_ maskingKey: MaskingKey, offset: Int, length: Int, keyOffset: Int) {
        precondition(offset >= 0 && length >= 0 && offset + length <= readableBytes, "mask range outside readable bytes")
        withUnsafeMutableReadableBytes { bytes in
            maskingKey.apply(to: UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + length)]), keyOffset: keyOffset)
        }
    }
}

/// Draws masking keys from a generator in batches: one 64-bit draw yields two keys.
///
/// RFC 6455 §5.3 requires each key to be unpredictable; the generator decides that
/// (`SystemRandomNumberGenerator` in `wsk`, a seeded one in tests).
public struct MaskingKeySource<Generator: RandomNumberGenerator> {
    @usableFromInline var generator: Generator
    @usableFromInline var spare: UInt32? = nil

    /// Wraps a generator.
    public init(_ generator: Generator) {
        self.generator = generator
    }

    /// The next key.
    @inlinable
    public mutating func next() -> MaskingKey {
        if let spare {
            self.spare = nil
            return MaskingKey(rawValue: spare)
        }
        let word = generator.next()
        spare = UInt32(truncatingIfNeeded: word >> 32)
        return MaskingKey(rawValue: UInt32(truncatingIfNeeded: word))
    }
}
