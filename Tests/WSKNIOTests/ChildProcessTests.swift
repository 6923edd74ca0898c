import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WSKCore
@testable import WSKNIO

/// Collects what a program's relay delivers to the client side; thread-safe for polling.
final class CollectingEndpoint: RelayEndpoint, @unchecked Sendable {
    weak var relay: Relay?
    let state = NIOLockedValueBox((bytes: 0, messages: [Message](), outcome: CloseOutcome?.none, writable: true, paused: false))

    func deliver(_ message: Message) -> Bool {
        state.withLockedValue {
            $0.bytes += message.data.readableBytes
            $0.messages.append(message)
            return $0.writable
        }
    }

    func finish(_ close: CloseFrame) {
        state.withLockedValue { $0.outcome = CloseOutcome(code: close.code ?? .normalClosure, reason: close.reason, wasClean: true, initiatedByPeer: true) }
    }

    func terminate(_ close: CloseFrame) { finish(close) }
    func pauseReading() { state.withLockedValue { $0.paused = true } }
    func resumeReading() { state.withLockedValue { $0.paused = false } }
}

/// A program's pipes through the relay: its whole output arrives, a slow client stops it
/// (pipe backpressure), and it is reaped.
@Suite("ChildProcess and StreamEndpoint", .serialized, .timeLimit(.minutes(1)))
struct ChildProcessTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    func start(_ command: String, framing: StreamEndpoint.Framing, client: CollectingEndpoint) async throws -> (ChildProcess, Relay, StreamEndpoint) {
        let loop = Self.group.next()
        let upstream = StreamEndpoint(framing: framing)
        let relay = try await loop.submit { Relay(client: client, upstream: upstream, eventLoop: loop) }.get()
        let child = try await ChildProcess.spawn(command: command, environment: ["PATH": "/usr/bin:/bin"], eventLoop: loop) { exit in
            upstream.onEnd = { report in
                exit.whenSuccess { status in
                    report(CloseOutcome(code: status == 0 ? .normalClosure : .internalError, reason: "status \(status)", wasClean: true, initiatedByPeer: true))
                }
            }
            return upstream
        }
        try await loop.submit {
            upstream.onTerminate = { child.terminate(grace: .seconds(1)) }
            relay.upstreamDidConnect()
        }.get()
        return (child, relay, upstream)
    }

    @Test func moreOutputThanAPipeHoldsArrivesWhole() async throws {
        let client = CollectingEndpoint()
        let (child, relay, _) = try await start("head -c 1000000 /dev/zero", framing: .bytes, client: client)
        #expect(waitUntil { client.state.withLockedValue { $0.outcome != nil } })
        #expect(client.state.withLockedValue { $0.bytes } == 1_000_000)
        #expect(try await child.exitStatus.get() == 0)
        _ = relay
    }

    @Test func theLastLineArrivesWithoutANewline() async throws {
        let client = CollectingEndpoint()
        let (_, relay, _) = try await start("printf 'one\\r\\ntwo\\nthree'; exit 3", framing: .lines, client: client)
        #expect(waitUntil { client.state.withLockedValue { $0.outcome != nil } })
        let (messages, outcome) = client.state.withLockedValue { ($0.messages, $0.outcome) }
        #expect(messages.map(\.text) == ["one", "two", "three"])
        #expect(outcome?.code == .internalError)
        _ = relay
    }

    @Test func aClientThatStopsReadingStopsTheProgram() async throws {
        let client = CollectingEndpoint()
        client.state.withLockedValue { $0.writable = false }
        let (child, relay, _) = try await start("exec yes", framing: .lines, client: client)
        // The program blocks writing to a full pipe: the relay stopped reading it.
        #expect(waitUntil { Self.blockedWritingStdout(child.pid) }, "yes should block writing its stdout; wchan \(Self.wchan(child.pid))")
        let received = client.state.withLockedValue { $0.bytes }
        #expect(received < 1 << 20, "read \(received) bytes from a program nobody reads")
        // Draining resumes it.
        try await relay.eventLoop.submit {
            client.state.withLockedValue { $0.writable = true }
            relay.becameWritable(.client)
        }.get()
        // 32k one-line messages: enough to show reading resumed (a debug build relays them slowly).
        #expect(waitUntil { client.state.withLockedValue { $0.bytes } > received + (64 << 10) })
        // A client that leaves ends the program and its group, and it is reaped.
        try await relay.eventLoop.submit {
            relay.ended(.client, outcome: CloseOutcome(code: .goingAway, reason: "", wasClean: true, initiatedByPeer: true))
        }.get()
        let status = try await child.exitStatus.get()
        #expect(status == 128 + SIGTERM || status == 128 + SIGPIPE, "exit status \(status)")
        #expect(kill(child.pid, 0) != 0, "the child is reaped")
    }

    static func wchan(_ pid: pid_t) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)) ?? ""
    }

    /// Whether `pid` sleeps in a write to its stdout: the kernel's wait channel says
    /// pipe_write, or (where wchan is hidden) /proc/PID/syscall shows write(1, …).
    static func blockedWritingStdout(_ pid: pid_t) -> Bool {
        if wchan(pid).hasSuffix("pipe_write") { return true }
        let syscall = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8)) ?? ""
        return syscall.hasPrefix("1 0x1 ")
    }
}
