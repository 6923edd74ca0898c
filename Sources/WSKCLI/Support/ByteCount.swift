import ArgumentParser

/// A size in bytes from the command line: `1048576`, `64KiB`, `16MiB`, `1GiB`, `10KB`,
/// `1.5MiB` (binary units for KiB/MiB/GiB and K/M/G; decimal for KB/MB/GB).
public struct ByteCount: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    /// The number of bytes.
    public var value: Int

    /// Wraps a byte count.
    public init(_ value: Int) {
        self.value = value
    }

    public init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1024 * 1024), ("gib", 1024 * 1024 * 1024),
            ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000),
            ("k", 1024), ("m", 1024 * 1024), ("g", 1024 * 1024 * 1024), ("b", 1),
        ]
        var number = Substring(text)
        var multiplier = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let amount = Double(number), amount >= 0, amount.isFinite else { return nil }
        let bytes = amount * multiplier
        guard bytes <= Double(Int.max / 2) else { return nil }
        value = Int(bytes)
    }

    public static var defaultCompletionKind: CompletionKind { .default }

    /// `16MiB`-style when exact, otherwise the number.
    public var description: String {
        for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where value >= factor && value % factor == 0 {
            return "\(value / factor)\(suffix)"
        }
        return "\(value)"
    }
}

/// A duration in seconds from the command line: `30`, `1.5`, `500ms`, `2s`, `1m`.
public struct Seconds: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    /// The duration in seconds.
    public var value: Double

    /// Wraps a number of seconds.
    public init(_ value: Double) {
        self.value = value
    }

    public init?(argument: String) {
        var text = Substring(argument.trimmingCharacters(in: .whitespaces).lowercased())
        var multiplier = 1.0
        if text.hasSuffix("ms") {
            text = text.dropLast(2)
            multiplier = 0.001
        } else if text.hasSuffix("s") {
            text = text.dropLast()
        } else if text.hasSuffix("m") {
            text = text.dropLast()
            multiplier = 60
        }
        guard let amount = Double(text), amount >= 0, amount.isFinite, amount * multiplier < 1e9 else { return nil }
        value = amount * multiplier
    }

    /// The duration in nanoseconds.
    public var nanoseconds: Int64 { Int64(value * 1e9) }

    public var description: String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == set || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
