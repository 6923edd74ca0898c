// `wsk bench`: opens N connections, keeps DEPTH messages in flight on each (closed loop) or
// sends at a fixed total rate (open loop), and measures echo round trips. Each event loop
// owns one recorder (no locks on the hot path); they are merged at the end.
//
// Latency honesty: in closed-loop mode a slow reply delays the next send, so the histogram
// only sees the requests that were made (coordinated omission). With --rate, every message
// has an intended send time on a fixed schedule and its latency is measured from that time,
// so a stalled server shows up in the percentiles as it would to real clients.
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

struct BenchPlan: Sendable {
    var url: WebSocketURL
    var client: WebSocketClientConfiguration
    var connections: Int
    var messageSize: Int
    var depth: Int
    var binary: Bool
    var duration: Double
    var warmup: Double
    /// Messages per second over all connections (open loop), or nil for closed loop.
    var rate: Double?
    var threads: Int
    var progress: Bool
    /// Compare every byte of every echo.
    var verify = false
    /// New connections per second while connecting (--connect-rate, --ramp-up); nil: as
    /// fast as 64 concurrent handshakes allow.
    var connectRate: Double? = nil
}

/// What the connections on one event loop measured; the loops' totals are merged at the end.
struct BenchTotals: Sendable {
    /// Round-trip times in microseconds, up to an hour.
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var messages = 0
    var errors = 0
    var behindSchedule = 0
    var firstError: String?
    /// Distinct error lines, at most ``maxErrorDetails``.
    var errorDetails: [String] = []
    static let maxErrorDetails = 10

    mutating func merge(_ other: BenchTotals) {
        histogram.add(other.histogram)
        messages += other.messages
        errors += other.errors
        behindSchedule += other.behindSchedule
        firstError = firstError ?? other.firstError
        for detail in other.errorDetails where errorDetails.count < Self.maxErrorDetails && !errorDetails.contains(detail) {
            errorDetails.append(detail)
        }
    }
}

/// Counts and latencies for the connections on one event loop; used on that loop only.
final class BenchRecorder: @unchecked Sendable {
    var totals = BenchTotals()
    /// Messages received so far, including the warm-up (for progress lines).
    var received = 0
    var measureFrom: UInt64 = .max
    var measureUntil: UInt64 = .max

    func record(latencyNanoseconds: UInt64, at now: UInt64) {
        received += 1
        guard now >= measureFrom && now < measureUntil else { return }
        totals.messages += 1
        _ = totals.histogram.record(max(1, latencyNanoseconds / 1000))
    }

    /// Connections the server closed or dropped before the run ended.
    var lost = 0

    func fail(_ message: String) {
        totals.errors += 1
        if totals.firstError == nil { totals.firstError = message }
        if totals.errorDetails.count < BenchTotals.maxErrorDetails && !totals.errorDetails.contains(message) {
            totals.errorDetails.append(message)
        }
    }
}

enum BenchRunner {
    static func run(_ plan: BenchPlan) async throws -> BenchResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        defer { Task.detached { try? await group.shutdownGracefully() } }
        var recorders: [ObjectIdentifier: BenchRecorder] = [:]
        for loop in group.makeIterator() {
            recorders[ObjectIdentifier(loop)] = BenchRecorder()
        }
        let payloadBytes = (0..<plan.messageSize).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) }
        let payload = ByteBuffer(bytes: payloadBytes)

        // Connect, at most 64 handshakes at a time.
        let connections = (0..<plan.connections).map { _ in
            BenchConnection(plan: plan, recorders: recorders, payload: payload)
        }
        let frozenRecorders = recorders
        let failures = NIOLockedValueBox<[String]>([])
        let handshakes = NIOLockedValueBox(Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))
        let connectStart = Date()
        await withTaskGroup(of: Void.self) { tasks in
            var next = 0
            func add() async {
                guard next < connections.count else { return }
                if let rate = plan.connectRate {
                    // Paced: connection n starts n/rate seconds after the first.
                    let due = Double(next) / rate - Date().timeIntervalSince(connectStart)
                    if due > 0 { try? await Task.sleep(nanoseconds: UInt64(due * 1e9)) }
                }
                let connection = connections[next]
                next += 1
                tasks.addTask {
                    let began = BenchConnection.now()
                    do {
                        _ = try await WebSocketClient.connect(to: plan.url, configuration: plan.client, group: group, delegate: connection)
                        let took = max(1, (BenchConnection.now() - began) / 1000)
                        handshakes.withLockedValue { _ = $0.record(took) }
                    } catch {
                        failures.withLockedValue { $0.append(UserFacingError.describe(error)) }
                    }
                }
            }
            for _ in 0..<min(64, connections.count) { await add() }
            while await tasks.next() != nil { await add() }
        }
        if let first = failures.withLockedValue({ $0.first }) {
            let count = failures.withLockedValue { $0.count }
            for connection in connections { connection.session?.eventLoop.execute { connection.stop() } }
            throw CLIError.failure("\(count) of \(plan.connections) connections failed: \(first)")
        }

        // Run: warm-up, then the measured window.
        let wallStart = Date().timeIntervalSince1970
        let start = BenchConnection.now()
        let measureFrom = start + UInt64(plan.warmup * 1e9)
        let measureUntil = measureFrom + UInt64(plan.duration * 1e9)
        for loop in group.makeIterator() {
            let recorder = frozenRecorders[ObjectIdentifier(loop)]!
            try await loop.submit {
                recorder.measureFrom = measureFrom
                recorder.measureUntil = measureUntil
            }.get()
        }
        let perConnectionRate = plan.rate.map { $0 / Double(plan.connections) }
        for connection in connections {
            connection.session?.eventLoop.execute { connection.start(at: start, perConnectionRate: perConnectionRate) }
        }

        let total = plan.warmup + plan.duration
        var previous = 0
        var elapsed = 0.0
        var endedEarly = false
        while elapsed < total {
            let step = min(1.0, total - elapsed)
            // Wake every 100 ms: a run whose connections are all gone ends now, with a
            // partial report, instead of measuring nothing for the rest of the time.
            var slept = 0.0
            while slept < step - 1e-9 {
                let slice = min(0.1, step - slept)
                try? await Task.sleep(nanoseconds: UInt64(slice * 1e9))
                slept += slice
                if try await sum(group, frozenRecorders, { $0.lost }) >= plan.connections {
                    endedEarly = true
                    break
                }
            }
            elapsed += slept
            if endedEarly { break }
            if plan.progress {
                let received = try await sum(group, frozenRecorders) { $0.received }
                let phase = elapsed <= plan.warmup ? " (warm-up)" : ""
                FileOutput.writeAll(Array(String(format: "\r\u{1B}[2Kwsk bench: %.0f/%.0f s  %@ msgs/s%@", elapsed, total, Self.grouped(Double(received - previous) / step), phase).utf8), to: 2)
                previous = received
            }
        }
        if plan.progress { FileOutput.writeAll(Array("\r\u{1B}[2K".utf8), to: 2) }

        // Stop sending, close every connection, and give the closes a moment.
        let closes = connections.compactMap { connection in
            connection.session.map { session in
                session.eventLoop.flatSubmit {
                    connection.stop()
                    return session.closeFuture
                }
            }
        }
        let loop = group.next()
        let done = loop.makePromise(of: Void.self)
        let finished = NIOLockedValueBox(false)
        // Whichever comes first completes `done`: every close, or two seconds.
        let complete: @Sendable () -> Void = {
            if finished.withLockedValue({ done in defer { done = true }; return !done }) {
                done.succeed(())
            }
        }
        EventLoopFuture.andAllComplete(closes, on: loop).whenComplete { _ in complete() }
        loop.scheduleTask(in: .seconds(2)) { complete() }
        try? await done.futureResult.get()

        var totals = BenchTotals()
        for loop in group.makeIterator() {
            let recorder = frozenRecorders[ObjectIdentifier(loop)]!
            totals.merge(try await loop.submit { recorder.totals }.get())
        }
        if let firstError = totals.firstError {
            Diagnostics.error(firstError)
        }
        if endedEarly {
            Diagnostics.error("every connection was closed after \(String(format: "%.1f", elapsed)) s: the report covers that part only")
        }
        // The window actually measured (shorter when the run ended early).
        let measured = max(0.001, min(plan.duration, elapsed - plan.warmup))
        let histogram = totals.histogram
        let latency = BenchResult.Latency(histogram)
        var result = BenchResult(
            url: plan.url.description,
            connections: plan.connections,
            messageSize: plan.messageSize,
            depth: plan.depth,
            mode: plan.rate == nil ? "closed-loop" : "fixed-rate",
            rate: plan.rate,
            seconds: endedEarly ? (measured * 1000).rounded() / 1000 : plan.duration,
            messages: totals.messages,
            messagesPerSecond: (Double(totals.messages) / (endedEarly ? measured : plan.duration)).rounded(),
            bytesPerSecond: (Double(totals.messages * plan.messageSize) / (endedEarly ? measured : plan.duration)).rounded(),
            errors: totals.errors,
            behindSchedule: totals.behindSchedule,
            latencyMicroseconds: latency,
            errorDetails: totals.errorDetails,
            endedEarly: endedEarly
        )
        result.histogram = histogram
        result.histogramEncoded = HistogramCodec.encode(histogram)
        result.handshakeMicroseconds = BenchResult.Latency(handshakes.withLockedValue { $0 })
        result.start = ((wallStart + plan.warmup) * 1000).rounded() / 1000
        result.end = ((wallStart + plan.warmup + (endedEarly ? measured : plan.duration)) * 1000).rounded() / 1000
        return result
    }

    static func sum(_ group: EventLoopGroup, _ recorders: [ObjectIdentifier: BenchRecorder], _ value: @escaping @Sendable (BenchRecorder) -> Int) async throws -> Int {
        var total = 0
        for loop in group.makeIterator() {
            let recorder = recorders[ObjectIdentifier(loop)]!
            total += try await loop.submit { value(recorder) }.get()
        }
        return total
    }

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
        var lines = [
            "wsk bench \(result.url): \(result.connections) connection\(result.connections == 1 ? "" : "s"), \(result.messageSize) B messages, "
                + (result.rate.map { "fixed rate \(grouped($0)) msgs/s" } ?? "depth \(result.depth)") + ", \(Seconds(result.seconds)) measured",
            "  messages   \(grouped(Double(result.messages)))  (\(grouped(result.messagesPerSecond)) msgs/s, \(bytes(result.bytesPerSecond)) each way)",
            "  latency    p50 \(duration(l.p50))  p90 \(duration(l.p90))  p99 \(duration(l.p99))  p99.9 \(duration(l.p999))  max \(duration(l.max))",
            "  handshake  " + (result.handshakeMicroseconds.map { "p50 \(duration($0.p50))  p99 \(duration($0.p99))  max \(duration($0.max))  (TCP, TLS and upgrade, per connection)" } ?? "-"),
            "  errors     \(result.errors)" + (result.behindSchedule > 0 ? "  (\(grouped(Double(result.behindSchedule))) sends skipped: the server fell behind the rate)" : ""),
        ]
        if result.messages == 0 { lines.append("  no echo arrived in the measured window") }
        for (index, threshold) in result.thresholds.enumerated() {
            let shown = threshold.expression.hasPrefix("errors") || threshold.expression.hasPrefix("messages") || threshold.expression.hasPrefix("rate")
                ? grouped(threshold.value) : duration(threshold.value)
            lines.append((index == 0 ? "  thresholds " : "             ") + "\(threshold.expression): \(threshold.passed ? "ok" : "FAILED") (measured \(shown))")
        }
        return lines.joined(separator: "\n")
    }
}
