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
        pool.http2?.closeAll()

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
        if let http2 = pool.http2 {
            result.http = "HTTP/2"
            result.streamsPerConnection = plan.streamsPerConnection
            result.tcpConnections = http2.dialled
        }
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
}
