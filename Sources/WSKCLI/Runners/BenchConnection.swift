import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WSKCore
import WSKNIO

/// One benchmark connection; every method runs on its session's event loop.
final class BenchConnection: WebSocketSessionDelegate, @unchecked Sendable {
    let plan: BenchPlan
    let recorders: [ObjectIdentifier: BenchRecorder]
    /// The message payload: ASCII letters, so the same bytes serve text and binary.
    let payload: ByteBuffer
    var recorder: BenchRecorder?
    var session: WebSocketSession?
    var sendTimes = CircularBuffer<UInt64>(initialCapacity: 16)
    var sending = false
    var stopped = false
    var timer: Scheduled<Void>?
    /// Open loop: the schedule (nanoseconds of uptime) and how many sends have come due.
    var firstSend: UInt64 = 0
    var interval: Double = 0
    var scheduled: UInt64 = 0
    /// In open-loop mode, the most messages waiting for their echo before sends are counted
    /// as behind schedule instead of queued without bound.
    static let maxInFlight = 65_536

    init(plan: BenchPlan, recorders: [ObjectIdentifier: BenchRecorder], payload: ByteBuffer) {
        self.plan = plan
        self.recorders = recorders
        self.payload = payload
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Starts sending: DEPTH messages at once (closed loop), or on a fixed schedule.
    func start(at startTime: UInt64, perConnectionRate: Double?) {
        guard let session, !stopped else { return }
        sending = true
        if let perConnectionRate {
            interval = 1e9 / perConnectionRate
            // Spread connections over one interval so they do not send in lockstep.
            firstSend = startTime + UInt64(Double.random(in: 0..<interval))
            scheduleNextSend(on: session.eventLoop)
        } else {
            for _ in 0..<plan.depth { sendOne(at: Self.now()) }
        }
    }

    var nextIntendedSend: UInt64 { firstSend + UInt64(Double(scheduled) * interval) }

    /// Open loop: a timer for the next intended send time; each firing sends every message
    /// whose time has come (a late timer catches up, and the lateness counts as latency).
    func scheduleNextSend(on loop: EventLoop) {
        timer = loop.scheduleTask(deadline: .uptimeNanoseconds(nextIntendedSend)) { [self] in
            let now = Self.now()
            while sending && nextIntendedSend <= now {
                let intended = nextIntendedSend
                scheduled += 1
                // Flow control: a server that does not take what is sent (the socket is
                // above its high water mark) puts the generator behind schedule; nothing is
                // queued beyond the channel's water marks.
                if sendTimes.count >= Self.maxInFlight || !(session?.isWritable ?? false) {
                    recorder?.totals.behindSchedule += 1
                } else {
                    sendOne(at: intended)
                }
            }
            if sending { scheduleNextSend(on: loop) }
        }
    }

    func sendOne(at time: UInt64) {
        guard let session else { return }
        sendTimes.append(time)
        session.send(opcode: plan.binary ? .binary : .text, payload: payload)
    }

    func stop() {
        sending = false
        timer?.cancel()
        stopped = true
        session?.close(code: .normalClosure)
    }

    func sessionDidOpen(_ session: WebSocketSession) {
        self.session = session
        recorder = recorders[ObjectIdentifier(session.eventLoop)]
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message): received(message)
        case .failed(let violation): recorder?.fail("protocol error: \(violation)")
        default: break
        }
    }

    func received(_ message: Message) {
        let now = Self.now()
        guard let sentAt = sendTimes.popFirst() else {
            recorder?.fail("a message arrived that was not sent (the server is not an echo server?)")
            return
        }
        if message.data.readableBytes != plan.messageSize {
            recorder?.fail("an echo of \(message.data.readableBytes) bytes for a message of \(plan.messageSize)")
        }
        recorder?.record(latencyNanoseconds: now &- sentAt, at: now)
        if sending && plan.rate == nil {
            sendOne(at: Self.now())
        }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        timer?.cancel()
        if !stopped {
            recorder?.fail("the server closed a connection: \(outcome)")
        }
        sending = false
    }
}
