import NIOCore

/// Writes frames in wire format (RFC 6455 §5.2).
///
/// The encoder checks nothing about the protocol: it writes what it is given, reserved
/// opcodes and bits included, so that tools can craft invalid frames on purpose. Rules
/// for ordinary sending live in ``Connection``.
public enum FrameEncoder {
    /// The size of the header for a payload of `payloadLength` bytes: 2, 4 or 10 bytes,
    /// plus 4 when masked. Always the minimal length encoding (RFC 6455 §5.2).
    @inlinable
    public static func headerLength(payloadLength: Int, masked: Bool) -> Int {
        let base: Int
        if payloadLength <= 125 {
            base = 2
        } else if payloadLength <= 0xFFFF {
            base = 4
        } else {
            base = 10
        }
        return masked ? base + 4 : base
    }

    /// Writes a frame header.
    @inlinable
    public static func writeHeader(
        isFinal: Bool,
        reservedBits: ReservedBits,
        opcode: Opcode,
        payloadLength: Int,
        maskingKey: MaskingKey?,
        into buffer: inout ByteBuffer
    ) {
        let headerLength = headerLength(payloadLength: payloadLength, masked: maskingKey != nil)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: headerLength) { out in
            writeHeader(
                isFinal: isFinal,
                reservedBits: reservedBits,
                opcode: opcode,
                payloadLength: payloadLength,
                maskingKey: maskingKey,
                to: out
            )
        }
    }

    /// Writes a header into raw memory and returns its length.
    ///
    /// - Precondition: `out.count >= headerLength(payloadLength:masked:)`.
    @inlinable
    @discardableResult
    static func writeHeader(
        isFinal: Bool,
        reservedBits: ReservedBits,
        opcode: Opcode,
        payloadLength: Int,
        maskingKey: MaskingKey?,
        to out: UnsafeMutableRawBufferPointer
    ) -> Int {
        precondition(payloadLength >= 0, "negative payload length")
        out[0] = (isFinal ? 0x80 : 0) | reservedBits.rawValue | opcode.rawValue
        let maskBit: UInt8 = maskingKey == nil ? 0 : 0x80
        var index: Int
        if payloadLength <= 125 {
            out[1] = maskBit | UInt8(payloadLength)
            index = 2
        } else if payloadLength <= 0xFFFF {
            out[1] = maskBit | 126
            out[2] = UInt8(truncatingIfNeeded: payloadLength >> 8)
            out[3] = UInt8(truncatingIfNeeded: payloadLength)
            index = 4
        } else {
            out[1] = maskBit | 127
            let length = UInt64(payloadLength)
            for shift in 0..<8 {
                out[2 + shift] = UInt8(truncatingIfNeeded: length >> (56 - 8 * UInt64(shift)))
            }
            index = 10
        }
        if let maskingKey {
            out[index] = maskingKey[0]
            out[index + 1] = maskingKey[1]
            out[index + 2] = maskingKey[2]
            out[index + 3] = maskingKey[3]
            index += 4
        }
        return index
    }

    /// Appends a whole frame (header, then payload masked with the frame's key) to `output`.
    @inlinable
    public static func encode(_ frame: Frame, into output: inout ByteBuffer) {
        encode(
            isFinal: frame.isFinal,
            reservedBits: frame.reservedBits,
            opcode: frame.opcode,
            maskingKey: frame.maskingKey,
            payload: frame.payload,
            into: &output
        )
    }

    /// Appends a whole frame to `output`, masking the copied payload when a key is given.
    @inlinable
    public static func encode(
        isFinal: Bool = true,
        reservedBits: ReservedBits = [],
        opcode: Opcode,
        maskingKey: MaskingKey?,
        payload: ByteBuffer,
        into output: inout ByteBuffer
    ) {
        let length = payload.readableBytes
        let headerLength = headerLength(payloadLength: length, masked: maskingKey != nil)
        output.reserveCapacity(minimumWritableBytes: headerLength + length)
        writeHeader(
            isFinal: isFinal,
            reservedBits: reservedBits,
            opcode: opcode,
            payloadLength: length,
            maskingKey: maskingKey,
            into: &output
        )
        if let maskingKey {
            output.writeMasked(payload, maskingKey: maskingKey)
        } else {
            output.writeImmutableBuffer(payload)
        }
    }
}
