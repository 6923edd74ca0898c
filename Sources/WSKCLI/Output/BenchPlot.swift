import Foundation
import Histogram

/// `wsk bench --svg FILE`: latency by percentile, the HdrHistogram plotter's picture — the
/// x axis is logarithmic in 1/(1-percentile), so 90%, 99%, 99.9% … are evenly spaced and
/// the tail is as visible as the median. A self-contained SVG (no script, no fonts fetched).
enum BenchPlot {
    static let width = 900.0, height = 500.0
    static let left = 80.0, right = 30.0, top = 60.0, bottom = 60.0

    static func svg(_ result: BenchResult, histogram: Histogram<UInt64>) -> String {
        // Points (x = log10(1/(1-p)), y = ms), up to six nines.
        var points: [(x: Double, y: Double)] = []
        for step in histogram.percentiles(ticksPerHalfDistance: 5) {
            let fraction = step.percentileLevelIteratedTo / 100
            guard fraction < 1 else { break }
            points.append((log10(1 / (1 - fraction)), Double(step.value) / 1000))
        }
        points.append((max(points.last?.x ?? 0, 1) + 0.3, Double(histogram.max) / 1000))  // the maximum, at the far right
        let xMax = min(6, max(2, (points.map(\.x).max() ?? 2).rounded(.up)))
        let yMax = niceCeiling(max(points.map(\.y).max() ?? 1, 0.001) * 1.05)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ x: Double) -> Double { left + min(x, xMax) / xMax * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / yMax * plotHeight }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let mode = result.rate.map { "fixed rate \(Int($0)) msgs/s" } ?? "depth \(result.depth)"
        let title = "wsk bench \(result.url) — \(result.connections) connections, \(result.messageSize) B, \(mode), \(Seconds(result.seconds))"
        out += "<text x=\"\(Int(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        let subtitle = "\(BenchRunner.grouped(result.messagesPerSecond)) msgs/s, \(BenchRunner.grouped(Double(result.messages))) messages, \(result.errors) errors; p50 \(BenchRunner.duration(result.latencyMicroseconds.p50)), p99 \(BenchRunner.duration(result.latencyMicroseconds.p99)), max \(BenchRunner.duration(result.latencyMicroseconds.max))"
        out += "<text x=\"\(Int(width / 2))\" y=\"44\" text-anchor=\"middle\" fill=\"#555\">\(escape(subtitle))</text>\n"
        // Grid and axes.
        for nines in 0...Int(xMax) {
            let x = px(Double(nines))
            let label = nines == 0 ? "0%" : (nines == 1 ? "90%" : "99." + String(repeating: "9", count: nines - 2) + "%").replacingOccurrences(of: "99.%", with: "99%")
            out += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for tick in 0...5 {
            let value = yMax * Double(tick) / 5
            let y = py(value)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(formatMilliseconds(value))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">percentile</text>\n"
        out += "<text transform=\"translate(18 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">round-trip latency (ms)</text>\n"
        let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"#1f6fd1\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        out += "</svg>\n"
        return out
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func formatMilliseconds(_ value: Double) -> String {
        value >= 10 || value == 0 ? String(format: "%.0f", value) : (value >= 1 ? String(format: "%.1f", value) : String(format: "%.2f", value))
    }

    /// 1, 2 or 5 times a power of ten, at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        let power = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 5.0, 10.0] where factor * power >= value { return factor * power }
        return 10 * power
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
