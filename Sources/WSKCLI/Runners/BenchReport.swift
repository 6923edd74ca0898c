// The human-readable bench report, and the figures it shows.
import Foundation

extension BenchRunner {
    /// 1234567 → "1,234,567".
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    /// Microseconds as a short human figure: 850 µs, 1.24 ms, 2.1 s.
    static func duration(_ microseconds: Double) -> String {
        if microseconds < 1000 { return String(format: "%.0f µs", microseconds) }
        if microseconds < 1_000_000 { return String(format: "%.2f ms", microseconds / 1000) }
        return String(format: "%.2f s", microseconds / 1_000_000)
    }

    static func latencyText(_ l: BenchResult.Latency) -> String {
        "p50 \(duration(l.p50))  p90 \(duration(l.p90))  p99 \(duration(l.p99))  p99.9 \(duration(l.p999))  max \(duration(l.max))"
    }

    static func bytes(_ perSecond: Double) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var value = perSecond
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return String(format: "%.1f %@/s", value, units[unit])
    }

    /// The human-readable report.
    static func report(_ result: BenchResult) -> String {
        let l = result.latencyMicroseconds
        let plural = result.connections == 1 ? "" : "s"
        let load: String
        switch result.mode {
        case "hold": load = "held open"
        case "staged": load = "\(result.stages?.count ?? 0) stages"
        default: load = result.rate.map { "fixed rate \(grouped($0)) msgs/s" } ?? "depth \(result.depth)"
        }
        var lines = [
            "wsk bench \(result.url): \(grouped(Double(result.connections))) connection\(plural), "
                + (result.mode == "hold" ? "" : "\(result.messageSize) B messages, ") + load + ", \(Seconds(result.seconds)) measured"
        ]
        if let http = result.http {
            let per = result.streamsPerConnection ?? 1
            lines.append("  \(http)     \(per) WebSocket stream\(per == 1 ? "" : "s") per TCP connection, \(grouped(Double(result.tcpConnections ?? 0))) TCP connections dialled")
        }
        if result.mode != "hold" || result.messages > 0 {
            lines.append("  messages   \(grouped(Double(result.messages)))  (\(grouped(result.messagesPerSecond)) msgs/s, \(bytes(result.bytesPerSecond)) each way)")
            lines.append("  latency    " + latencyText(l))
        }
        if let pings = result.pingsSent {
            let none = (result.pongs ?? 0) > 0 ? "round trips not merged (a run without ping_histogram)" : "no pong in the measured window"
            lines.append("  pings      " + (result.pingMicroseconds.map(latencyText) ?? none)
                + "  (\(grouped(Double(result.pongs ?? 0))) pongs, \(grouped(Double(pings))) pings sent)")
        }
        if let open = result.connectionsOpen {
            var counts = ["peak \(grouped(Double(result.connectionsPeak ?? open)))", "\(grouped(Double(result.connectionsFailed ?? 0))) failed to open", "\(grouped(Double(result.connectionsLost ?? 0))) lost"]
            if let reconnects = result.reconnects, reconnects > 0 { counts.append("\(grouped(Double(reconnects))) replaced (--channel-lifetime)") }
            lines.append("  connections \(grouped(Double(open))) open at the end (" + counts.joined(separator: ", ") + ")")
        }
        lines.append("  handshake  " + (result.handshakeMicroseconds.map { "p50 \(duration($0.p50))  p99 \(duration($0.p99))  max \(duration($0.max))" } ?? "-"))
        if let steps = result.handshakeSteps {
            for step in ["tcp", "proxy", "tls", "upgrade"] {
                guard let figures = steps[step] else { continue }
                let name = step == "tcp" ? "TCP" : step == "tls" ? "TLS" : step
                lines.append("    " + name.padding(toLength: 9, withPad: " ", startingAt: 0) + "p50 \(duration(figures.p50))  p99 \(duration(figures.p99))  max \(duration(figures.max))")
            }
        }
        for (index, failure) in (result.failures ?? []).enumerated() {
            lines.append((index == 0 ? "  failures   " : "             ") + "\(grouped(Double(failure.count))) × \(failure.step): \(failure.reason)")
        }
        for (index, stage) in (result.stages ?? []).enumerated() {
            var text = (index == 0 ? "  stages     " : "             ") + "\(index + 1). \(stage.stage): "
            text += stage.connectionsOpen.map { "\(grouped(Double($0))) open, " } ?? ""
            text += stage.mode == "hold" ? "held" : "\(grouped(stage.messagesPerSecond)) msgs/s"
            if let latency = stage.latencyMicroseconds { text += ", p50 \(duration(latency.p50))  p99 \(duration(latency.p99))" }
            lines.append(text)
        }
        lines.append("  errors     \(result.errors)" + (result.behindSchedule > 0 ? "  (\(grouped(Double(result.behindSchedule))) sends skipped: the server fell behind the rate)" : ""))
        if result.messages == 0 && result.mode != "hold" { lines.append("  no echo arrived in the measured window") }
        if let rss = result.maxRSSBytes, rss > 0 {
            lines.append(String(format: "  memory     %.1f MiB peak RSS (this generator)", Double(rss) / 1_048_576))
        }
        for (index, threshold) in result.thresholds.enumerated() {
            let shown = ["errors", "messages", "rate", "connections"].contains(where: threshold.expression.hasPrefix)
                ? grouped(threshold.value) : duration(threshold.value)
            lines.append((index == 0 ? "  thresholds " : "             ") + "\(threshold.expression): \(threshold.passed ? "ok" : "FAILED") (measured \(shown))")
        }
        return lines.joined(separator: "\n")
    }
}
