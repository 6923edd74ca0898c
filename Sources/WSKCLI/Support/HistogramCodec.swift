import Foundation
import Histogram
import WSKCompression

/// HdrHistogram's standard compressed encoding (V2: big-endian header, ZigZag LEB128 counts
/// with zero runs, zlib, base64 — the `HISTF…` strings the Java, Python and Go libraries
/// read and write), for `wsk bench --json` and `wsk bench merge`.
///
/// Only wsk's own histogram shape is handled: lowest discernible value 1, values in
/// microseconds, 1 to 5 significant digits.
enum HistogramCodec {
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static let encodingCookie: UInt32 = 0x1C84_9303 | 0x10
    static let compressedCookie: UInt32 = 0x1C84_9304 | 0x10

    /// The layout of the counts array, as HdrHistogram computes it for a lowest
    /// discernible value of 1.
    struct Layout {
        let subBucketHalfCountMagnitude: Int
        var subBucketHalfCount: Int { 1 << subBucketHalfCountMagnitude }
        var subBucketCount: Int { 1 << (subBucketHalfCountMagnitude + 1) }

        init(significantDigits: Int) {
            let largestSingleUnit = 2 * Int(pow(10, Double(significantDigits)))
            let magnitude = Int(ceil(log2(Double(largestSingleUnit))))
            subBucketHalfCountMagnitude = max(magnitude, 1) - 1
        }

        func index(of value: UInt64) -> Int {
            // bucket = how far the value's top bit is above the sub-bucket range.
            let mask = UInt64(subBucketCount - 1)
            let bucket = (64 - (subBucketHalfCountMagnitude + 1)) - (value | mask).leadingZeroBitCount
            let subBucket = Int(value >> UInt64(bucket))
            return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
        }

        func value(at index: Int) -> UInt64 {
            var bucket = (index >> subBucketHalfCountMagnitude) - 1
            var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
            if bucket < 0 {
                subBucket -= subBucketHalfCount
                bucket = 0
            }
            return UInt64(subBucket) << UInt64(bucket)
        }
    }

    /// The base64 `HISTF…` string of `histogram`.
    static func encode(_ histogram: Histogram<UInt64>) -> String {
        let digits = Int(histogram.numberOfSignificantValueDigits.rawValue)
        let layout = Layout(significantDigits: digits)
        var counts: [Int: UInt64] = [:]
        var last = -1
        for item in histogram.recordedValues() where item.count > 0 {
            let index = layout.index(of: item.value)
            counts[index, default: 0] += UInt64(item.count)
            last = Swift.max(last, index)
        }
        var payload: [UInt8] = []
        var index = 0
        while index <= last {
            let count = counts[index] ?? 0
            if count == 0 {
                var zeros = 1
                while index + zeros <= last && (counts[index + zeros] ?? 0) == 0 { zeros += 1 }
                putZigZag(zeros > 1 ? -Int64(zeros) : 0, into: &payload)
                index += zeros
            } else {
                putZigZag(Int64(count), into: &payload)
                index += 1
            }
        }
        var plain: [UInt8] = []
        put32(encodingCookie, into: &plain)
        put32(UInt32(payload.count), into: &plain)
        put32(0, into: &plain)  // normalizing index offset
        put32(UInt32(digits), into: &plain)
        put64(histogram.lowestDiscernibleValue, into: &plain)
        put64(histogram.highestTrackableValue, into: &plain)
        put64((1.0).bitPattern, into: &plain)  // integer-to-double conversion ratio
        plain += payload
        let compressed = ZlibData.compress(plain)
        var wrapped: [UInt8] = []
        put32(compressedCookie, into: &wrapped)
        put32(UInt32(compressed.count), into: &wrapped)
        wrapped += compressed
        return Data(wrapped).base64EncodedString()
    }

    /// The histogram of a `HISTF…` string (microseconds, up to an hour).
    static func decode(_ text: String) throws(DecodeError) -> Histogram<UInt64> {
        guard let data = Data(base64Encoded: text), data.count >= 8 else { throw DecodeError(description: "not base64 HdrHistogram data") }
        let wrapped = [UInt8](data)
        guard get32(wrapped, 0) == compressedCookie else { throw DecodeError(description: "not a compressed V2 HdrHistogram (cookie)") }
        let length = Int(get32(wrapped, 4))
        guard length == wrapped.count - 8 else { throw DecodeError(description: "compressed length does not match") }
        let plain: [UInt8]
        do {
            plain = try ZlibData.decompress(Array(wrapped[8...]), limit: 64 << 20)
        } catch {
            throw DecodeError(description: "histogram data: \(error)")
        }
        guard plain.count >= 40, get32(plain, 0) == encodingCookie else { throw DecodeError(description: "not a V2 HdrHistogram encoding (cookie)") }
        let payloadLength = Int(get32(plain, 4))
        let digits = Int(get32(plain, 12))
        guard get32(plain, 8) == 0, (1...5).contains(digits), get64(plain, 16) == 1, payloadLength == plain.count - 40 else {
            throw DecodeError(description: "an HdrHistogram shape wsk does not write (offset, digits, lowest value)")
        }
        let highest = get64(plain, 24)
        guard highest >= 2 else { throw DecodeError(description: "bad highest trackable value") }
        let layout = Layout(significantDigits: digits)
        var histogram = Histogram<UInt64>(
            highestTrackableValue: highest, numberOfSignificantValueDigits: SignificantDigits(rawValue: Int8(digits)) ?? .three)
        var offset = 40
        var index = 0
        while offset < plain.count {
            let (value, next) = try getZigZag(plain, offset)
            offset = next
            if value < 0 {
                guard value > -Int64(1 << 40) else { throw DecodeError(description: "bad zero run") }
                index += Int(-value)
            } else {
                if value > 0 {
                    let recorded = layout.value(at: index)
                    guard recorded <= highest, histogram.record(recorded, count: UInt64(value)) else {
                        throw DecodeError(description: "a value beyond the histogram's range")
                    }
                }
                index += 1
            }
        }
        return histogram
    }

    static func putZigZag(_ value: Int64, into out: inout [UInt8]) {
        var bits = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        repeat {
            let byte = UInt8(bits & 0x7F)
            bits >>= 7
            out.append(bits == 0 ? byte : byte | 0x80)
        } while bits != 0
    }

    static func getZigZag(_ bytes: [UInt8], _ start: Int) throws(DecodeError) -> (Int64, Int) {
        var bits: UInt64 = 0
        var shift: UInt64 = 0
        var offset = start
        while true {
            guard offset < bytes.count, shift < 64 else { throw DecodeError(description: "a count is cut short") }
            let byte = bytes[offset]
            offset += 1
            bits |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return (Int64(bitPattern: bits >> 1) ^ -Int64(bitPattern: bits & 1), offset)
    }

    static func put32(_ value: UInt32, into out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func put64(_ value: UInt64, into out: inout [UInt8]) {
        put32(UInt32(value >> 32), into: &out)
        put32(UInt32(value & 0xFFFF_FFFF), into: &out)
    }

    static func get32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func get64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        UInt64(get32(bytes, at)) << 32 | UInt64(get32(bytes, at + 4))
    }
}
