import Foundation
import NIOCore
import Testing
import WSKCore

/// `wsk bench` tells the truth when the server misbehaves: a run whose connections are all
/// closed ends with a partial report, changed or unsolicited echoes are errors, and -s is the
/// payload size only.
@Suite("bench: honest results", .serialized, .timeLimit(.minutes(2)))
struct BenchHonestyTests {
    struct Report: Decodable {
        var seconds: Double
        var messages: Int
        var errors: Int
        var error_details: [String]
        var ended_early: Bool
    }

    func report(_ stdout: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(stdout.utf8))
    }

    /// An echo server that misbehaves after `echoes` messages, as `mode` says.
    func server(_ mode: String, echoes: Int = 50) throws -> ScriptedServer<Int> {
        try ScriptedServer { peer -> Int in
            try peer.acceptHandshake()
            var count = 0
            while let message = try peer.nextMessage(timeout: 10) {
                count += 1
                var data = message.data
                switch mode {
                case "close" where count == echoes:
                    try peer.send(.close(CloseFrame(code: .goingAway, reason: "bye")))
                    _ = try peer.eventsUntilClosed()
                    return count
                case "corrupt" where count > echoes:
                    // Same length, same first and last bytes: only --verify sees it.
                    data.setInteger(UInt8(ascii: "#"), at: data.readerIndex + data.readableBytes / 2 + 8)
                case "extra" where count > echoes:
                    try peer.send(Message(opcode: message.opcode, data: data).isText ? .text(message.text) : .binary(data))
                default:
                    break
                }
                try peer.send(message.isText ? .text(String(buffer: data)) : .binary(data))
            }
            return count
        }
    }

    @Test func aRunWhoseConnectionsAreAllClosedEndsWithAPartialReport() throws {
        let upstream = try server("close")
        let run = try WSKProcess.run(["bench", "-c", "1", "--duration", "20", "--warmup", "0", "--json", "ws://127.0.0.1:\(upstream.port)/"])
        #expect(run.status == 1, "\(run.stderr)")
        let result = try report(run.stdout)
        #expect(result.ended_early)
        #expect(result.seconds < 20, "the report covers only the part measured: \(result.seconds)")
        #expect(result.messages <= 50)
        #expect(result.error_details.contains { $0.contains("closed a connection") && $0.contains("1001") }, "\(result.error_details)")
        #expect(run.stderr.contains("every connection was closed"), "\(run.stderr)")
    }

    @Test func changedBytesAreErrorsWithVerify() throws {
        let upstream = try server("corrupt", echoes: 20)
        let run = try WSKProcess.run(["bench", "-c", "1", "-s", "64", "--duration", "0.5", "--warmup", "0", "--verify", "--json", "ws://127.0.0.1:\(upstream.port)/"])
        #expect(run.status == 1, "\(run.stderr)")
        let result = try report(run.stdout)
        #expect(result.errors > 0)
        #expect(result.error_details.contains { $0.contains("bytes differ") }, "\(result.error_details)")
    }

    @Test func unsolicitedMessagesAreErrorsAndDoNotInflateTheCount() throws {
        let upstream = try server("extra", echoes: 10)
        let run = try WSKProcess.run(["bench", "-c", "1", "--duration", "0.5", "--warmup", "0", "--json", "ws://127.0.0.1:\(upstream.port)/"])
        #expect(run.status == 1, "\(run.stderr)")
        let result = try report(run.stdout)
        #expect(result.errors > 0)
        #expect(result.error_details.contains { $0.contains("not sent") }, "\(result.error_details)")
        // Every echo counted answers one message sent: the server saw at least as many.
        let seen = try upstream.outcomes(count: 1).first ?? 0
        #expect(result.messages <= seen, "\(result.messages) counted, \(seen) sent")
    }

    @Test(arguments: ["0", "1", "16"])
    func sizeIsThePayloadOnlyEvenWithCompression(size: String) throws {
        // -s 0 / -s 1 with --compression used to become the client's frame limit: compressed
        // frames and the server's close frame broke it.
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "2", "-s", size, "--compression", "--duration", "0.5", "--warmup", "0", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try report(run.stdout)
        #expect(result.errors == 0)
        #expect(result.messages > 0)
    }
}
