// What a bench run does (BenchPlan, its stages), and what each event loop counts while it
// runs (BenchRecorder, merged into BenchTotals at the end).
import Histogram
import NIOCore
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
    /// WebSockets over HTTP/2 (--http2), this many on each TCP connection
    /// (--streams-per-connection).
    var http2 = false
    var streamsPerConnection = 1

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
