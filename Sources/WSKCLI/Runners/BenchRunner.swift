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
    var messageSize: Int
    var binary: Bool
    var warmup: Double
    /// What the run does, in order; a run without --stage has one.
    var stages: [BenchStage]
    var threads: Int
    var progress: Bool
    /// Compare every byte of every echo.
    var verify = false
    /// New connections per second while connecting (--connect-rate, --ramp-up); nil: as
    /// fast as 64 concurrent handshakes allow.
    var connectRate: Double? = nil
    /// Seconds between pings on every connection (--ping-interval).
    var pingInterval: Double? = nil
    /// Local addresses to connect from, in turn (--source-ip).
    var sourceAddresses: [SocketAddress] = []
    /// Seconds after which each connection is closed and replaced (--channel-lifetime).
    var channelLifetime: Double? = nil

    /// The most connections any stage keeps open.
    var connections: Int { stages.map(\.connections).max() ?? 0 }
    /// The measured time: every stage.
    var duration: Double { stages.reduce(0) { $0 + $1.duration } }
    /// Whether no stage sends messages.
    var holdsOnly: Bool { stages.allSatisfy { $0.load == .hold } }
}

/// What the connections on one event loop measured; the loops' totals are merged at the end.
struct BenchTotals: Sendable {
    /// Round-trip times in microseconds, up to an hour.
    var histogram = newHistogram()
    /// Ping round trips (--ping-interval), microseconds.
    var pingHistogram = newHistogram()
    var messages = 0
    var errors = 0
    var behindSchedule = 0
    var pingsSent = 0
    /// Per stage (runs with several): messages and round trips.
    var stageMessages: [Int] = []
    var stageHistograms: [Histogram<UInt64>] = []
    var firstError: String?
    /// Distinct error lines, at most ``maxErrorDetails``.
    var errorDetails: [String] = []
    static let maxErrorDetails = 10

    static func newHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    init(stages: Int = 0) {
        if stages > 1 {
            stageMessages = Array(repeating: 0, count: stages)
            stageHistograms = Array(repeating: Self.newHistogram(), count: stages)
        }
    }

    mutating func merge(_ other: BenchTotals) {
        histogram.add(other.histogram)
        pingHistogram.add(other.pingHistogram)
        messages += other.messages
        errors += other.errors
        behindSchedule += other.behindSchedule
        pingsSent += other.pingsSent
        if stageMessages.isEmpty {
            stageMessages = other.stageMessages
            stageHistograms = other.stageHistograms
        } else {
            for index in other.stageMessages.indices {
                stageMessages[index] += other.stageMessages[index]
                stageHistograms[index].add(other.stageHistograms[index])
            }
        }
        firstError = firstError ?? other.firstError
        for detail in other.errorDetails where errorDetails.count < Self.maxErrorDetails && !errorDetails.contains(detail) {
            errorDetails.append(detail)
        }
    }

    mutating func fail(_ message: String) {
        errors += 1
        if firstError == nil { firstError = message }
        if errorDetails.count < Self.maxErrorDetails && !errorDetails.contains(message) {
            errorDetails.append(message)
        }
    }
}

/// Counts and latencies for the connections on one event loop; used on that loop only.
final class BenchRecorder: @unchecked Sendable {
    var totals: BenchTotals
    /// Messages received so far, including the warm-up (for progress lines).
    var received = 0
    var measureFrom: UInt64 = .max
    var measureUntil: UInt64 = .max
    /// Where each stage ends (uptime nanoseconds), for runs with several.
    var stageEnds: [UInt64] = []

    init(stages: Int) {
        totals = BenchTotals(stages: stages)
    }

    var pingsSent: Int {
        get { totals.pingsSent }
        set { totals.pingsSent = newValue }
    }

    func record(latencyNanoseconds: UInt64, at now: UInt64) {
        received += 1
        guard now >= measureFrom && now < measureUntil else { return }
        totals.messages += 1
        let microseconds = max(1, latencyNanoseconds / 1000)
        _ = totals.histogram.record(microseconds)
        if !stageEnds.isEmpty, let stage = stageEnds.firstIndex(where: { now < $0 }) {
            totals.stageMessages[stage] += 1
            _ = totals.stageHistograms[stage].record(microseconds)
        }
    }

    func isMeasuring(at now: UInt64) -> Bool { now >= measureFrom && now < measureUntil }

    /// When this loop learned the measured window: a ping sent before then was not
    /// counted as sent, even if its time falls in the window (the window is set on each
    /// loop after the run's start time is taken).
    var windowKnownSince: UInt64 = .max

    /// A pong's round trip, counted when its ping was counted as sent.
    func recordPing(sentAt: UInt64, at now: UInt64) {
        guard sentAt >= windowKnownSince && isMeasuring(at: sentAt) && now < measureUntil else { return }
        _ = totals.pingHistogram.record(max(1, (now &- sentAt) / 1000))
    }

    func fail(_ message: String) {
        totals.fail(message)
    }
}

enum BenchRunner {
    static func run(_ plan: BenchPlan) async throws -> BenchResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: plan.threads)
        defer { Task.detached { try? await group.shutdownGracefully() } }
        var recorders: [ObjectIdentifier: BenchRecorder] = [:]
        for loop in group.makeIterator() {
            recorders[ObjectIdentifier(loop)] = BenchRecorder(stages: plan.stages.count)
        }
        let payloadBytes = (0..<plan.messageSize).map { UInt8(truncatingIfNeeded: 0x61 + $0 % 26) }
        let pool = BenchPool(plan: plan, group: group, recorders: recorders, payload: ByteBuffer(bytes: payloadBytes))

        // Open the first stage's connections (paced by --connect-rate), then start.
        pool.enter(plan.stages[0], started: false)
        let connector = Task { await pool.runConnector() }
        defer { connector.cancel() }
        var lastProgress = Date()
        while !pool.settled {
            try? await Task.sleep(nanoseconds: 2_000_000)
            if plan.progress && Date().timeIntervalSince(lastProgress) >= 1 {
                lastProgress = Date()
                let (open, connecting, failed) = pool.state.withLockedValue { ($0.open.count, $0.connecting.count, $0.failed) }
                FileOutput.writeAll(Array("\r\u{1B}[2Kwsk bench: connecting, \(grouped(Double(open)))/\(grouped(Double(plan.stages[0].connections))) open, \(connecting) in progress, \(grouped(Double(failed))) failed".utf8), to: 2)
            }
        }
        if pool.openCount == 0 && plan.stages[0].connections > 0 {
            let (failed, first) = pool.state.withLockedValue { state in
                (state.failed, state.failureOrder.first.map { String($0.split(separator: "\t", maxSplits: 1).last ?? "") })
            }
            _ = pool.finish()
            throw CLIError.failure("\(failed) of \(plan.stages[0].connections) connections failed: \(first ?? "no connection opened")")
        }

        // Run: warm-up, then the stages, one after another, in the measured window.
        let wallStart = Date().timeIntervalSince1970
        let start = BenchConnection.now()
        let measureFrom = start + UInt64(plan.warmup * 1e9)
        let measureUntil = measureFrom + UInt64(plan.duration * 1e9)
        var stageEnds: [UInt64] = []
        var end = measureFrom
        for stage in plan.stages {
            end += UInt64(stage.duration * 1e9)
            stageEnds.append(end)
        }
        let frozenStageEnds = plan.stages.count > 1 ? stageEnds : []
        for loop in group.makeIterator() {
            let recorder = recorders[ObjectIdentifier(loop)]!
            try await loop.submit {
                recorder.measureFrom = measureFrom
                recorder.measureUntil = measureUntil
                recorder.stageEnds = frozenStageEnds
                recorder.windowKnownSince = BenchConnection.now()
            }.get()
        }
        pool.enter(plan.stages[0], started: true, newStage: false)

        let total = plan.warmup + plan.duration
        var stageIndex = 0
        var previous = 0
        var elapsed = 0.0
        var endedEarly = false
        var stageOpen: [Int] = []
        while elapsed < total {
            let step = min(1.0, total - elapsed)
            // Wake every 100 ms (or at a stage's end): a run whose connections are all gone
            // ends now, with a partial report, instead of measuring nothing for the rest.
            var slept = 0.0
            while slept < step - 1e-9 {
                var slice = min(0.1, step - slept)
                if stageIndex < plan.stages.count - 1 {
                    let untilStageEnd = Double(stageEnds[stageIndex]) / 1e9 - Double(BenchConnection.now()) / 1e9
                    slice = max(0.001, min(slice, untilStageEnd))
                }
                try? await Task.sleep(nanoseconds: UInt64(slice * 1e9))
                slept += slice
                if stageIndex < plan.stages.count - 1 && BenchConnection.now() >= stageEnds[stageIndex] {
                    stageOpen.append(pool.openCount)
                    stageIndex += 1
                    pool.enter(plan.stages[stageIndex], started: true)
                }
                if pool.exhausted {
                    endedEarly = true
                    break
                }
            }
            elapsed = Double(BenchConnection.now() - start) / 1e9
            if endedEarly { break }
            if plan.progress {
                let received = try await sum(group, recorders) { $0.received }
                let phase = elapsed <= plan.warmup ? " (warm-up)" : (plan.stages.count > 1 ? " (stage \(stageIndex + 1)/\(plan.stages.count))" : "")
                let rate = plan.holdsOnly ? "" : "  \(grouped(Double(received - previous) / step)) msgs/s"
                FileOutput.writeAll(Array(String(format: "\r\u{1B}[2Kwsk bench: %.0f/%.0f s  %@ open%@%@", min(elapsed, total), total, grouped(Double(pool.openCount)), rate, phase).utf8), to: 2)
                previous = received
            }
        }
        if plan.progress { FileOutput.writeAll(Array("\r\u{1B}[2K".utf8), to: 2) }
        let openAtEnd = pool.openCount
        stageOpen.append(openAtEnd)

        // Stop sending, close every connection, and give the closes a moment.
        let closes = pool.finish()
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
            let recorder = recorders[ObjectIdentifier(loop)]!
            totals.merge(try await loop.submit { recorder.totals }.get())
        }
        let connectionState = pool.state.withLockedValue { $0 }
        // Connections that failed to open are errors too (each cause once in the details).
        for key in connectionState.failureOrder {
            let parts = key.split(separator: "\t", maxSplits: 1).map(String.init)
            let count = connectionState.failures[key] ?? 0
            for _ in 0..<count { totals.fail("\(parts[0]): \(parts.count > 1 ? parts[1] : "")") }
        }
        if let firstError = totals.firstError {
            Diagnostics.error(firstError)
        }
        if endedEarly {
            Diagnostics.error("every connection was closed after \(String(format: "%.1f", elapsed)) s: the report covers that part only")
        }
        // The window actually measured (shorter when the run ended early).
        let measured = max(0.001, min(plan.duration, elapsed - plan.warmup))
        let seconds = endedEarly ? measured : plan.duration
        let histogram = totals.histogram
        let first = plan.stages[0]
        let rates = plan.stages.map(\.totalRate)
        var result = BenchResult(
            url: plan.url.description,
            connections: plan.connections,
            messageSize: plan.messageSize,
            depth: { if case .depth(let depth) = first.load { return depth }; return 0 }(),
            mode: Set(plan.stages.map(\.load.mode)).count == 1 ? first.load.mode : "staged",
            rate: rates.count == 1 ? rates[0] : nil,
            seconds: ((endedEarly ? measured : plan.duration) * 1000).rounded() / 1000,
            messages: totals.messages,
            messagesPerSecond: (Double(totals.messages) / seconds).rounded(),
            bytesPerSecond: (Double(totals.messages * plan.messageSize) / seconds).rounded(),
            errors: totals.errors,
            behindSchedule: totals.behindSchedule,
            latencyMicroseconds: BenchResult.Latency(histogram),
            errorDetails: totals.errorDetails,
            endedEarly: endedEarly
        )
        result.histogram = histogram
        result.histogramEncoded = HistogramCodec.encode(histogram)
        if connectionState.handshake.totalCount > 0 {
            result.handshakeMicroseconds = BenchResult.Latency(connectionState.handshake)
            result.handshakeHistogram = connectionState.handshake
            result.handshakeHistogramEncoded = HistogramCodec.encode(connectionState.handshake)
            var steps: [String: BenchResult.Latency] = [:]
            for (step, stepHistogram) in connectionState.steps { steps[step.rawValue] = BenchResult.Latency(stepHistogram) }
            result.handshakeSteps = steps
        }
        result.connectionsOpen = openAtEnd
        result.connectionsPeak = connectionState.peak
        result.connectionsFailed = connectionState.failed
        result.connectionsLost = connectionState.lost
        result.reconnects = connectionState.reconnects
        result.failures = connectionState.failureOrder.map { key in
            let parts = key.split(separator: "\t", maxSplits: 1).map(String.init)
            return BenchResult.Failure(step: parts[0], reason: parts.count > 1 ? parts[1] : "", count: connectionState.failures[key] ?? 0)
        }
        if plan.pingInterval != nil {
            result.pingsSent = totals.pingsSent
            result.pongs = Int(totals.pingHistogram.totalCount)
            if totals.pingHistogram.totalCount > 0 {
                result.pingMicroseconds = BenchResult.Latency(totals.pingHistogram)
                result.pingHistogramEncoded = HistogramCodec.encode(totals.pingHistogram)
            }
        }
        if plan.stages.count > 1 {
            result.stages = plan.stages.enumerated().map { index, stage in
                let messages = totals.stageMessages[index]
                return BenchResult.StageResult(
                    stage: stage.description,
                    seconds: stage.duration,
                    connections: stage.connections,
                    connectionsOpen: index < stageOpen.count ? stageOpen[index] : nil,
                    mode: stage.load.mode,
                    rate: stage.totalRate,
                    messages: messages,
                    messagesPerSecond: (Double(messages) / stage.duration).rounded(),
                    latencyMicroseconds: messages > 0 ? BenchResult.Latency(totals.stageHistograms[index]) : nil
                )
            }
        }
        result.maxRSSBytes = Self.maxResidentBytes()
        result.start = ((wallStart + plan.warmup) * 1000).rounded() / 1000
        result.end = ((wallStart + plan.warmup + seconds) * 1000).rounded() / 1000
        return result
    }

    /// The generator's peak resident memory (getrusage), bytes.
    static func maxResidentBytes() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
    }

    /// A number without a needless ".0": 20000, 2.5.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
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
