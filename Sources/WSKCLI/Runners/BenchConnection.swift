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
    let pool: BenchPool
    /// The message payload: ASCII letters, so the same bytes serve text and binary.
    let payload: ByteBuffer
    /// This connection's own copy of the payload, whose sequence number is rewritten in
    /// place for each message: sending copies it into the frame at once, so nothing else
    /// holds it and the write needs no copy (a shared payload cost an allocation per
    /// message).
    var message: ByteBuffer
    var recorder: BenchRecorder?
    var session: WebSocketSession?
    var sendTimes = CircularBuffer<UInt64>(initialCapacity: 16)
    /// Whether messages go out (a stage with a load), and closed loop's messages in flight.
    var sending = false
    var depth = 0
    /// Set once the generator closes this connection (the run ended, a stage needs fewer
    /// connections, or --channel-lifetime retired it): its close is not a loss.
    var stopped = false
    var retired = false
    var timer: Scheduled<Void>?
    var pingTimer: RepeatedTask?
    var lifetimeTimer: Scheduled<Void>?
    /// Open loop: the schedule (nanoseconds of uptime) and how many sends have come due;
    /// an interval of 0 is closed loop.
    var firstSend: UInt64 = 0
    var interval: Double = 0
    var scheduled: UInt64 = 0
    /// In open-loop mode, the most messages waiting for their echo before sends are counted
    /// as behind schedule instead of queued without bound.
    static let maxInFlight = 65_536
    /// Messages of at least this size carry a sequence number (16 hex digits) at their
    /// start, so a lost, reordered, duplicated or unsolicited message is told from an echo.
    static let sequenceLength = 16
    var nextSequence: UInt64 = 0
    var expectedSequence: UInt64 = 0

    init(plan: BenchPlan, pool: BenchPool, payload: ByteBuffer) {
        self.plan = plan
        self.pool = pool
        self.payload = payload
        self.message = ByteBuffer(bytes: payload.readableBytesView)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Puts a stage's load on this connection: DEPTH messages in flight (closed loop),
    /// sends on a fixed schedule (open loop), or none (hold). Messages in flight stay
    /// counted when the load changes.
    func apply(_ load: BenchStage.Load, perConnectionRate: Double?) {
        guard let session, !stopped else { return }
        timer?.cancel()
        timer = nil
        switch load {
        case .hold:
            sending = false
        case .depth(let depth):
            sending = true
            interval = 0
            self.depth = depth
            let now = Self.now()
            while sendTimes.count < depth { sendOne(at: now) }
        case .rate, .ratePerConnection:
            guard let perConnectionRate else { return }
            sending = true
            interval = 1e9 / perConnectionRate
            scheduled = 0
            // Spread connections over one interval so they do not send in lockstep.
            firstSend = Self.now() + UInt64(Double.random(in: 0..<interval))
            scheduleNextSend(on: session.eventLoop)
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
        if plan.messageSize >= Self.sequenceLength {
            let sequence = nextSequence
            message.withUnsafeMutableReadableBytes { Self.writeSequence(sequence, into: $0) }
            nextSequence &+= 1
        }
        session.send(opcode: plan.binary ? .binary : .text, payload: message)
    }

    /// Writes `value` as 16 lower-case hex digits at the start of `bytes` (no allocation;
    /// digits computed, not looked up in a global table, whose lazy initialisation check
    /// and retain showed per message in a profile).
    static func writeSequence(_ value: UInt64, into bytes: UnsafeMutableRawBufferPointer) {
        var rest = value
        for index in stride(from: sequenceLength - 1, through: 0, by: -1) {
            let digit = UInt8(truncatingIfNeeded: rest & 0xF)
            bytes[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit
            rest >>= 4
        }
    }

    /// The sequence number at the start of `bytes`, if it is 16 hex digits.
    static func readSequence(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var value: UInt64 = 0
        for index in 0..<sequenceLength {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// Whether an echo is the message sent: its length and, when it carries one, its
    /// sequence number; the last byte (or, with --verify, every byte) against the payload.
    enum Check { case echo, corrupted(String), unsolicited }

    func check(_ data: ByteBuffer) -> Check {
        guard data.readableBytes == plan.messageSize else {
            return sendTimes.isEmpty ? .unsolicited : .corrupted("an echo of \(data.readableBytes) bytes for a message of \(plan.messageSize)")
        }
        var start = 0
        if plan.messageSize >= Self.sequenceLength {
            let sequence = data.withUnsafeReadableBytes { Self.readSequence($0) }
            guard sequence == expectedSequence else { return .unsolicited }
            start = Self.sequenceLength
        }
        let length = plan.messageSize - start
        guard length > 0 else { return .echo }
        if plan.verify {
            let same = data.getSlice(at: data.readerIndex + start, length: length) == payload.getSlice(at: payload.readerIndex + start, length: length)
            return same ? .echo : .corrupted("an echo whose bytes differ from the message sent")
        }
        let last = plan.messageSize - 1
        let same = data.getInteger(at: data.readerIndex + last, as: UInt8.self) == payload.getInteger(at: payload.readerIndex + last, as: UInt8.self)
        return same ? .echo : .corrupted("an echo whose bytes differ from the message sent")
    }

    func cancelTimers() {
        timer?.cancel()
        pingTimer?.cancel()
        lifetimeTimer?.cancel()
        timer = nil
        pingTimer = nil
        lifetimeTimer = nil
    }

    /// Closes the connection (1000); its close is not counted as a loss.
    func stop() {
        sending = false
        stopped = true
        cancelTimers()
        session?.close(code: .normalClosure)
    }

    func sessionDidOpen(_ session: WebSocketSession) {
        self.session = session
        recorder = pool.recorders[ObjectIdentifier(session.eventLoop)]
        let loop = session.eventLoop
        if let every = plan.pingInterval {
            // Pings carry their send time; the pong's round trip goes into the ping histogram.
            let nanoseconds = Int64(every * 1e9)
            pingTimer = loop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64.random(in: 0..<max(1, nanoseconds))), delay: .nanoseconds(nanoseconds)) { [self] _ in
                let sent = Self.now()
                var data = ByteBuffer()
                data.writeInteger(sent)
                self.session?.send(.ping(data))
                if let recorder, recorder.isMeasuring(at: sent) { recorder.pingsSent += 1 }
            }
        }
        if let lifetime = plan.channelLifetime {
            lifetimeTimer = loop.scheduleTask(in: .nanoseconds(Int64(lifetime * 1e9))) { [self] in
                retired = true
                stop()
            }
        }
        switch pool.opened(self) {
        case .close: stop()
        case .wait: break
        case .start(let load, let rate): apply(load, perConnectionRate: rate)
        }
    }

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        switch event {
        case .message(let message): received(message)
        case .pong(let data):
            guard data.readableBytes == 8, let sent = data.getInteger(at: data.readerIndex, as: UInt64.self) else { return }
            let now = Self.now()
            recorder?.recordPing(sentAt: sent, at: now)
        case .failed(let violation): recorder?.fail("protocol error: \(violation)")
        default: break
        }
    }

    func received(_ message: Message) {
        let now = Self.now()
        let verdict = sendTimes.isEmpty ? .unsolicited : check(message.data)
        if case .unsolicited = verdict {
            // Not an echo of what is in flight: an error, and it does not count as one.
            recorder?.fail("a message arrived that was not sent, or out of order (the server is not an echo server?)")
            return
        }
        let sentAt = sendTimes.removeFirst()
        expectedSequence &+= 1
        if case .corrupted(let why) = verdict { recorder?.fail(why) }
        recorder?.record(latencyNanoseconds: now &- sentAt, at: now)
        if sending && interval == 0 && sendTimes.count < depth {
            sendOne(at: now)  // the clock read for the echo's latency: one read per message
        }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        cancelTimers()
        if !stopped {
            recorder?.fail("the server closed a connection: \(outcome)")
        }
        sending = false
        pool.closed(self, lost: !stopped, retired: retired)
    }
}
