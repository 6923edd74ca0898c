import Histogram
import Testing

@testable import WSKCLI

/// HdrHistogram's compressed V2 encoding, as the reference libraries write and read it.
@Suite struct HistogramCodecTests {
    static let recorded: [(value: UInt64, count: UInt64)] = [
        (1, 1), (2, 5), (3, 1), (100, 2), (1000, 1), (2047, 3), (2048, 1), (5000, 1), (65535, 2), (123_456, 1), (3_600_000_000, 1),
    ]
    /// The same values recorded and encoded by the Python `hdrhistogram` package (0.10.8):
    /// `HdrHistogram(1, 3600000000, 3)`, `record_value(v, c)` for each, `encode()`.
    static let fromPython = "HISTFAAAADt4nJNpmSzMwMAgzQABzFCaEURcm7yEwf4DVICJi2k/I0srH9NqATamg8JM221YJvIxXX7DyAQAG3sK/Q=="

    static func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for (value, count) in recorded { _ = histogram.record(value, count: count) }
        return histogram
    }

    @Test func whatPythonEncodedDecodesToTheSameCounts() throws {
        let decoded = try HistogramCodec.decode(Self.fromPython)
        #expect(decoded.totalCount == 19)
        for (value, count) in Self.recorded {
            #expect(decoded.countForValue(value) == count, "value \(value)")
        }
        #expect(decoded == Self.histogram())
    }

    @Test func encodeThenDecodeIsIdentity() throws {
        let original = Self.histogram()
        #expect(try HistogramCodec.decode(HistogramCodec.encode(original)) == original)
        let empty = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        #expect(try HistogramCodec.decode(HistogramCodec.encode(empty)) == empty)
    }

    @Test func damagedDataIsRefusedNotTrusted() {
        #expect(throws: HistogramCodec.DecodeError.self) { try HistogramCodec.decode("not base64 at all") }
        #expect(throws: HistogramCodec.DecodeError.self) { try HistogramCodec.decode(String(Self.fromPython.dropLast(8)) + "AAAAAAA=") }
        #expect(throws: HistogramCodec.DecodeError.self) { try HistogramCodec.decode("HISTFAAAAAA=") }
    }
}
