import ArgumentParser
import Foundation

/// A pass/fail condition on a bench result (`--threshold 'p99<2ms'`), k6 style: a violated
/// one makes `wsk bench` exit 2, distinct from 1 (the run itself failed).
struct BenchThreshold: Equatable, Sendable, CustomStringConvertible {
    enum Metric: String, CaseIterable, Sendable {
        case min, p50, p90, p99, p999 = "p99.9", max, mean
        case errors, rate, messages, connections

        var isLatency: Bool { ![.errors, .rate, .messages, .connections].contains(self) }
    }

    enum Comparison: String, CaseIterable, Sendable {
        // Two-character operators first, so "<=" is not read as "<".
        case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">"

        func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: return value < limit
            case .lessOrEqual: return value <= limit
            case .greater: return value > limit
            case .greaterOrEqual: return value >= limit
            case .equal: return value == limit
            case .notEqual: return value != limit
            }
        }
    }

    var text: String
    var metric: Metric
    var comparison: Comparison
    /// The limit; microseconds for latencies.
    var limit: Double

    var description: String { text }

    /// Parses `p99<2ms`, `p99.9 <= 850us`, `errors==0`, `rate>=50000`.
    init(parsing text: String) throws {
        self.text = text
        let compact = text.filter { !$0.isWhitespace }
        guard let comparison = Comparison.allCases.first(where: { compact.contains($0.rawValue) }),
            let range = compact.range(of: comparison.rawValue)
        else {
            throw ValidationError("--threshold '\(text)': expected METRIC OP VALUE, e.g. 'p99<2ms', 'errors==0', 'rate>=50000'")
        }
        let name = String(compact[..<range.lowerBound]).lowercased()
        guard let metric = Metric(rawValue: name == "p999" ? "p99.9" : name) else {
            throw ValidationError("--threshold '\(text)': unknown metric '\(name)'; use \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var value = String(compact[range.upperBound...]).lowercased()
        var scale = 1.0
        if metric.isLatency {
            for (suffix, factor) in [("us", 1.0), ("µs", 1.0), ("ms", 1000.0), ("s", 1_000_000.0)] where value.hasSuffix(suffix) {
                value = String(value.dropLast(suffix.count))
                scale = factor
                break
            }
        }
        guard let number = Double(value), number.isFinite, number >= 0 else {
            throw ValidationError("--threshold '\(text)': '\(compact[range.upperBound...])' is not a number\(metric.isLatency ? " with a unit (us, ms, s)" : "")")
        }
        self.metric = metric
        self.comparison = comparison
        self.limit = number * scale
    }

    /// The measured value this threshold looks at.
    func value(in result: BenchResult) -> Double {
        let latency = result.latencyMicroseconds
        switch metric {
        case .min: return latency.min
        case .p50: return latency.p50
        case .p90: return latency.p90
        case .p99: return latency.p99
        case .p999: return latency.p999
        case .max: return latency.max
        case .mean: return latency.mean
        case .errors: return Double(result.errors)
        case .rate: return result.messagesPerSecond
        case .messages: return Double(result.messages)
        case .connections: return Double(result.connectionsOpen ?? result.connections)
        }
    }

    func check(_ result: BenchResult) -> BenchResult.ThresholdOutcome {
        let value = value(in: result)
        return BenchResult.ThresholdOutcome(expression: text, value: value, passed: comparison.holds(value, limit))
    }
}
