import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

/// The connections of a bench run: keeps the stage's number open (opening more at
/// --connect-rate, closing extras, replacing the ones --channel-lifetime retires), puts the
/// stage's load on them, and counts handshakes and failures by step and cause.
final class BenchPool: @unchecked Sendable {
    /// What a connection that just opened does.
    enum Opened { case close, wait, start(BenchStage.Load, perConnectionRate: Double?) }

    struct State {
        /// Connections the current stage wants open.
        var target = 0
        /// Connections that failed to open or were lost during this stage: not replaced
        /// until the next stage (a server that refuses does not get a reconnect storm).
        var shortfall = 0
        var open: [ObjectIdentifier: BenchConnection] = [:]
        var connecting: Set<ObjectIdentifier> = []
        var attempts = 0
        /// The stage's load, or nil before the run starts (connections wait).
        var load: BenchStage.Load? = nil
        var perConnectionRate: Double? = nil
        var finished = false
        var peak = 0
        var failed = 0
        var lost = 0
        var reconnects = 0
        /// Failures by "step\treason", in first-seen order.
        var failures: [String: Int] = [:]
        var failureOrder: [String] = []
        var handshake = BenchTotals.newHistogram()
        var steps: [ConnectTimings.Step: Histogram<UInt64>] = [:]
        /// The connector, waiting while no connection is needed (see ``wakeConnector()``).
        var idleConnector: CheckedContinuation<Void, Never>? = nil

        var needed: Int { target - shortfall - open.count - connecting.count }
    }

    let plan: BenchPlan
    let group: EventLoopGroup
    let recorders: [ObjectIdentifier: BenchRecorder]
    let payload: ByteBuffer
    let state = NIOLockedValueBox(State())
    /// With --http2: the connections the WebSockets share.
    let http2: BenchHTTP2Connections?
    /// The slot of each WebSocket's HTTP/2 connection, until it closes.
    let http2Slots = NIOLockedValueBox([ObjectIdentifier: Int]())
    /// At most this many handshakes at a time.
    static let concurrentHandshakes = 64

    init(plan: BenchPlan, group: EventLoopGroup, recorders: [ObjectIdentifier: BenchRecorder], payload: ByteBuffer) {
        self.plan = plan
        self.group = group
        self.recorders = recorders
        self.payload = payload
        self.http2 = plan.http2 ? BenchHTTP2Connections(streamsPerConnection: plan.streamsPerConnection) : nil
    }

    // MARK: - Connections' events (on their event loops)

    func opened(_ connection: BenchConnection) -> Opened {
        defer { wakeConnector() }
        return state.withLockedValue { state in
            let id = ObjectIdentifier(connection)
            state.connecting.remove(id)
            if state.finished || state.open.count >= state.target { return .close }
            state.open[id] = connection
            state.peak = max(state.peak, state.open.count)
            guard let load = state.load else { return .wait }
            return .start(load, perConnectionRate: state.perConnectionRate)
        }
    }

    func closed(_ connection: BenchConnection, lost: Bool, retired: Bool) {
        if let http2, let slot = http2Slots.withLockedValue({ $0.removeValue(forKey: ObjectIdentifier(connection)) }) {
            http2.release(slot, failed: lost)
        }
        defer { wakeConnector() }
        state.withLockedValue { state in
            guard state.open.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
            if lost {
                state.lost += 1
                state.shortfall += 1
            } else if retired {
                state.reconnects += 1
            }
        }
    }

    // MARK: - Opening connections

    /// Opens connections while the stage wants more, paced by --connect-rate and at most
    /// ``concurrentHandshakes`` at a time, until ``finish()``.
    func runConnector() async {
        let interval = plan.connectRate.map { 1e9 / $0 } ?? 0
        let capacity = DescriptorBudget.connections
        var nextAllowed = Double(BenchConnection.now())
        while true {
            let now = Double(BenchConnection.now())
            var launches: [(BenchConnection, Int)] = []
            let finished = state.withLockedValue { state -> Bool in
                guard !state.finished else { return true }
                // Beyond what the open-file limit allows, a connection is not attempted:
                // it fails here (a full descriptor table would abort the process).
                while state.needed > 0 && state.open.count + state.connecting.count >= capacity {
                    let key = "tcp\ttoo many open files: this process may hold \(capacity) connections (ulimit -n \(DescriptorBudget.openFileLimit), less \(DescriptorBudget.reserve) kept free); raise the limit, or run more generators and merge their results"
                    if state.failures[key] == nil { state.failureOrder.append(key) }
                    state.failures[key, default: 0] += 1
                    state.failed += 1
                    state.shortfall += 1
                }
                var room = min(state.needed, Self.concurrentHandshakes - state.connecting.count, capacity - state.open.count - state.connecting.count)
                if state.needed <= 0 { nextAllowed = max(nextAllowed, now) }
                while room > 0 && nextAllowed <= now {
                    let connection = BenchConnection(plan: plan, pool: self, payload: payload)
                    state.connecting.insert(ObjectIdentifier(connection))
                    launches.append((connection, state.attempts))
                    state.attempts += 1
                    room -= 1
                    nextAllowed += interval
                }
                return false
            }
            if finished { return }
            for (connection, index) in launches {
                Task { await self.connect(connection, index: index) }
            }
            if launches.isEmpty, await waitWhileNoneNeeded() { continue }
            // Paced by --connect-rate or the handshake limit: look again in a millisecond.
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
    }

    /// While the stage has every connection it wants (open or opening), the connector
    /// sleeps until an event changes that instead of waking every millisecond for the whole
    /// run (a thousand wake-ups a second on the generator's cores). Returns whether it
    /// waited.
    func waitWhileNoneNeeded() async -> Bool {
        guard state.withLockedValue({ !$0.finished && $0.needed <= 0 }) else { return false }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLockedValue { state -> Bool in
                if state.finished || state.needed > 0 { return true }
                state.idleConnector = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        return true
    }

    /// Wakes the waiting connector: called after every change of the connections wanted,
    /// open or opening (it checks again, and waits again when nothing is needed).
    func wakeConnector() {
        let waiting = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.idleConnector = nil }
            return state.idleConnector
        }
        waiting?.resume()
    }

    func connect(_ connection: BenchConnection, index: Int) async {
        var configuration = plan.client
        if !plan.sourceAddresses.isEmpty {
            configuration.localAddress = plan.sourceAddresses[index % plan.sourceAddresses.count]
        }
        let timings = ConnectTimings()
        do {
            if let http2 {
                try await openStream(connection, on: http2, configuration: configuration, timings: timings)
            } else {
                _ = try await WebSocketClient.connect(to: plan.url, configuration: configuration, group: group, delegate: connection, timings: timings)
            }
            let durations = timings.durations
            let total = durations.values.reduce(0, +)
            state.withLockedValue { state in
                _ = state.handshake.record(max(1, total / 1000))
                for (step, nanoseconds) in durations {
                    _ = state.steps[step, default: BenchTotals.newHistogram()].record(max(1, nanoseconds / 1000))
                }
            }
        } catch {
            let step = timings.failedStep(secure: plan.url.isSecure, proxied: plan.client.proxy != nil)
            let key = "\(step.rawValue)\t\(reason(error))"
            state.withLockedValue { state in
                if state.connecting.remove(ObjectIdentifier(connection)) != nil {
                    state.failed += 1
                    state.shortfall += 1
                }
                if state.failures[key] == nil { state.failureOrder.append(key) }
                state.failures[key, default: 0] += 1
            }
            wakeConnector()
        }
    }

    /// Opens `connection`'s WebSocket on a stream of a shared HTTP/2 connection. The stream
    /// that dials the connection times every step; the others time their stream's opening
    /// (the extended CONNECT) as the upgrade.
    func openStream(_ connection: BenchConnection, on http2: BenchHTTP2Connections, configuration: WebSocketClientConfiguration, timings: ConnectTimings) async throws {
        let url = plan.url
        let group = self.group
        let (slot, dialling, isNew) = http2.acquire {
            try await WebSocketClient.connectHTTP2(to: url, configuration: configuration, group: group, timings: timings)
        }
        do {
            let shared = try await dialling.value
            if !isNew { timings.start() }
            _ = try await shared.openWebSocket(configuration: configuration, delegate: connection)
            timings.finish(.upgrade)
            http2Slots.withLockedValue { $0[ObjectIdentifier(connection)] = slot }
        } catch {
            http2.release(slot, failed: true)
            throw error
        }
    }

    /// A failure as a user reads it, with what to try for the two that load tests hit.
    func reason(_ error: Error) -> String {
        let text = UserFacingError.describe(error)
        if text.hasSuffix("cannot assign requested address") {
            return text + (plan.sourceAddresses.isEmpty
                ? " (out of local ports: spread the connections with --source-ip 127.0.0.2,127.0.0.3,…)"
                : " (is every --source-ip an address of this machine? or out of local ports: add more)")
        }
        return text
    }

    // MARK: - The runner's controls

    /// Sets the number of connections to keep open and, once the run has started, the
    /// load on them; closes the connections beyond the new number. A new stage forgets the
    /// last one's shortfall (it tries its number again); starting the first one does not.
    func enter(_ stage: BenchStage, started: Bool, newStage: Bool = true) {
        var extras: [BenchConnection] = []
        var keep: [BenchConnection] = []
        let (load, rate) = state.withLockedValue { state -> (BenchStage.Load?, Double?) in
            state.target = stage.connections
            if newStage { state.shortfall = 0 }
            if started {
                state.load = stage.load
                state.perConnectionRate = stage.perConnectionRate
            }
            let excess = state.open.count - stage.connections
            if excess > 0 {
                for (id, connection) in state.open.prefix(excess) {
                    state.open.removeValue(forKey: id)
                    extras.append(connection)
                }
            }
            keep = Array(state.open.values)
            return (state.load, state.perConnectionRate)
        }
        wakeConnector()
        for connection in extras {
            connection.session?.eventLoop.execute { connection.stop() }
        }
        if let load {
            for connection in keep {
                connection.session?.eventLoop.execute { connection.apply(load, perConnectionRate: rate) }
            }
        }
    }

    /// Whether the stage's connections have all opened or failed (the initial fill).
    var settled: Bool {
        state.withLockedValue { $0.needed <= 0 && $0.connecting.isEmpty }
    }

    /// Whether every connection is gone and none is coming (the run can end early).
    var exhausted: Bool {
        state.withLockedValue { $0.target > 0 && $0.open.isEmpty && $0.connecting.isEmpty && $0.needed <= 0 }
    }

    var openCount: Int { state.withLockedValue { $0.open.count } }

    /// Stops opening connections and closes every open one; the future completes when
    /// they have all closed.
    func finish() -> [EventLoopFuture<Void>] {
        let connections = state.withLockedValue { state -> [BenchConnection] in
            state.finished = true
            return Array(state.open.values)
        }
        wakeConnector()
        let closing = connections.compactMap { connection in
            connection.session.map { session in
                session.eventLoop.flatSubmit {
                    connection.stop()
                    return session.closeFuture
                }
            }
        }
        if let http2 {
            let loop = closing.first?.eventLoop ?? group.next()
            // The HTTP/2 connections go once their streams have closed.
            EventLoopFuture.andAllComplete(closing, on: loop).whenComplete { _ in http2.closeAll() }
        }
        return closing
    }
}
