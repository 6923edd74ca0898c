import Foundation
import Testing

/// `wsk bench`'s shapes of load beyond a fixed set of busy connections: --hold with pings,
/// --stage, --channel-lifetime, --message-rate-per-connection, --source-ip, and handshake
/// steps and failures by cause; against `wsk serve-echo` over loopback.
@Suite("bench: shapes of load", .timeLimit(.minutes(3)))
struct BenchShapesTests {
    func json(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
    }

    /// serve-echo's log lines for `event` ("open", "close").
    func lines(_ server: EchoServerProcess, _ event: String) -> [Substring] {
        server.log.split(separator: "\n").filter { $0.contains(" \(event) remote=") }
    }

    @Test func holdKeepsTheConnectionsOpenAndPingsThem() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "20", "--hold", "--ping-interval", "0.1", "--duration", "1", "--warmup", "0", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try json(run.stdout)
        #expect(result["mode"] as? String == "hold")
        #expect(result["messages"] as? Int == 0)
        #expect(result["connections_open"] as? Int == 20 && result["connections_peak"] as? Int == 20)
        #expect(result["connections_failed"] as? Int == 0 && result["connections_lost"] as? Int == 0)
        // Each connection pings about ten times in the second; pongs come back with their
        // round trips.
        let pongs = try #require(result["pongs"] as? Int)
        let pings = try #require(result["pings_sent"] as? Int)
        #expect(pongs > 20 && pongs <= pings, "\(pongs) pongs of \(pings) pings")
        let ping = try #require(result["ping_us"] as? [String: Any])
        #expect((ping["p50"] as? Double ?? 0) > 0 && (ping["max"] as? Double ?? 0) >= (ping["p50"] as? Double ?? 0))
        // The handshake by step: TCP and the upgrade (no TLS on ws://).
        let steps = try #require(result["handshake_steps_us"] as? [String: Any])
        #expect(Set(steps.keys) == ["tcp", "upgrade"], "\(steps)")
        #expect((result["handshake_histogram"] as? String)?.hasPrefix("HISTF") == true)
        #expect((result["ping_histogram"] as? String)?.hasPrefix("HISTF") == true)
        #expect((result["max_rss_bytes"] as? Int ?? 0) > 1_000_000)
        // The server held 20 connections and closed them cleanly at the end, no message sent.
        #expect(server.process.waitForOutput { _, _ in lines(server, "close").count >= 20 }, "\(server.log)")
        #expect(lines(server, "open").count == 20)
        #expect(lines(server, "close").allSatisfy { $0.contains("code=1000") }, "\(server.log)")

        // Two hold runs merge: connections and pongs add up, the pong histograms merge.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-hold-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let second = try WSKProcess.run(["bench", "-c", "5", "--hold", "--ping-interval", "0.1", "--duration", "0.5", "--warmup", "0", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(second.status == 0, "\(second.stderr)")
        try run.stdout.write(toFile: "\(directory)/a.json", atomically: true, encoding: .utf8)
        try second.stdout.write(toFile: "\(directory)/b.json", atomically: true, encoding: .utf8)
        let merged = try WSKProcess.run(["bench", "merge", "--json", "\(directory)/a.json", "\(directory)/b.json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let both = try json(merged.stdout)
        let secondResult = try json(second.stdout)
        #expect(both["connections_open"] as? Int == 25, "\(merged.stdout)")
        #expect(both["pongs"] as? Int == pongs + (secondResult["pongs"] as? Int ?? -1), "\(merged.stdout)")
        let maxima = [ping["max"] as? Double ?? 0, (secondResult["ping_us"] as? [String: Any])?["max"] as? Double ?? 0]
        #expect((both["ping_us"] as? [String: Any])?["max"] as? Double == maxima.max(), "\(merged.stdout)")

        // The text report says the same.
        let text = try WSKProcess.run(["bench", "-c", "3", "--hold", "--ping-interval", "0.1", "--duration", "0.5", "--warmup", "0", "ws://127.0.0.1:\(server.port)/"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("3 connections, held open, 0.5s measured"), "\(text.stdout)")
        #expect(text.stdout.contains("  connections 3 open at the end (peak 3, 0 failed to open, 0 lost)"), "\(text.stdout)")
        #expect(text.stdout.range(of: #"\n  pings +p50 [0-9.]+ (µs|ms) "#, options: .regularExpression) != nil, "\(text.stdout)")
        #expect(!text.stdout.contains("  messages "), "\(text.stdout)")
    }

    @Test func aServerAtItsLimitRefusesTheRestAndTheFailuresAreCountedByCause() throws {
        // Eight handshakes at once against a limit of five: the server admits exactly five
        // (on two event loops), the rest get 503 and are counted, not retried.
        let server = try EchoServerProcess(["--max-connections", "5"])
        let url = "ws://127.0.0.1:\(server.port)/"
        let run = try WSKProcess.run(["bench", "-c", "8", "--hold", "--duration", "0.5", "--warmup", "0", "--json", url])
        #expect(run.status == 1, "failed connections are errors: \(run.stderr)")
        let result = try json(run.stdout)
        #expect(result["connections_open"] as? Int == 5 && result["connections_peak"] as? Int == 5, "\(run.stdout)")
        #expect(result["connections_failed"] as? Int == 3)
        #expect(result["errors"] as? Int == 3)
        let failures = try #require(result["failures"] as? [[String: Any]])
        #expect(failures.count == 1, "\(failures)")
        #expect(failures.first?["step"] as? String == "upgrade")
        #expect(failures.first?["count"] as? Int == 3)
        #expect((failures.first?["reason"] as? String)?.contains("HTTP 503") == true, "\(failures)")
        // Thresholds gate a capacity test: what it held and what failed.
        #expect(server.process.waitForOutput { _, _ in lines(server, "close").count >= 5 }, "\(server.log)")
        let met = try WSKProcess.run(["bench", "-c", "8", "--hold", "--duration", "0.5", "--warmup", "0", "--threshold", "connections>=5", "--threshold", "errors<=3", url])
        #expect(met.status == 0, "\(met.stdout)\(met.stderr)")
        #expect(met.stdout.contains("  failures   3 × upgrade: handshake refused: HTTP 503"), "\(met.stdout)")
        #expect(server.process.waitForOutput { _, _ in lines(server, "close").count >= 10 }, "\(server.log)")
        let short = try WSKProcess.run(["bench", "-c", "8", "--hold", "--duration", "0.5", "--warmup", "0", "--threshold", "connections>=8", url])
        #expect(short.status == 2, "\(short.stdout)\(short.stderr)")
        #expect(short.stdout.contains("  thresholds connections>=8: FAILED (measured 5)"), "\(short.stdout)")
    }

    @Test func stagesChangeTheConnectionsAndTheLoad() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run([
            "bench", "--stage", "0.6s:2c", "--stage", "0.6s:5c:rate=200", "--stage", "0.6s:1c:hold", "--warmup", "0.2", "--json",
            "ws://127.0.0.1:\(server.port)/",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try json(run.stdout)
        #expect(result["mode"] as? String == "staged")
        #expect(result["connections"] as? Int == 5, "the most any stage keeps open")
        #expect(result["seconds"] as? Double == 1.8)
        let stages = try #require(result["stages"] as? [[String: Any]])
        #expect(stages.map { $0["stage"] as? String } == ["0.6s:2c:depth=1", "0.6s:5c:rate=200", "0.6s:1c:hold"])
        #expect(stages.map { $0["connections_open"] as? Int } == [2, 5, 1], "\(stages)")
        #expect(stages.map { $0["mode"] as? String } == ["closed-loop", "fixed-rate", "hold"])
        #expect(stages[1]["rate"] as? Double == 200)
        let messages = stages.map { $0["messages"] as? Int ?? -1 }
        #expect(messages[0] > 0 && messages[1] > 0, "\(stages)")
        // The stages split the run's messages between them.
        #expect(messages.reduce(0, +) == result["messages"] as? Int, "\(stages)")
        // Closed loop with depth 1 on two connections sends far more than 200 msgs/s on a
        // machine that runs this; the fixed-rate stage stays near its schedule.
        #expect((stages[1]["messages"] as? Int ?? 0) <= 200, "\(stages[1])")
        // The server saw five connections in all (two, then three more), each closed
        // cleanly: four when the last stage needed one, the last one at the end.
        #expect(server.process.waitForOutput { _, _ in lines(server, "close").count >= 5 }, "\(server.log)")
        #expect(lines(server, "open").count == 5)
        #expect(lines(server, "close").allSatisfy { $0.contains("code=1000") }, "\(server.log)")
    }

    @Test func aChannelLifetimeReplacesEachConnection() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "2", "--channel-lifetime", "0.2", "--duration", "1", "--warmup", "0", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try json(run.stdout)
        let reconnects = try #require(result["reconnects"] as? Int)
        #expect(reconnects >= 4, "two connections living 0.2 s each over a second: \(run.stdout)")
        #expect(result["errors"] as? Int == 0 && result["connections_lost"] as? Int == 0)
        #expect((result["messages"] as? Int ?? 0) > 0)
        #expect(server.process.waitForOutput { _, _ in lines(server, "close").count >= 2 + reconnects }, "\(server.log)")
        #expect(lines(server, "open").count >= 2 + reconnects)
        #expect(lines(server, "close").allSatisfy { $0.contains("code=1000") }, "\(server.log)")
    }

    @Test func aRatePerConnectionAddsUpToTheTotal() throws {
        let server = try EchoServerProcess(["--log-format", "json"])
        let run = try WSKProcess.run(["bench", "-c", "3", "--message-rate-per-connection", "40", "--duration", "1", "--warmup", "0.2", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try json(run.stdout)
        #expect(result["mode"] as? String == "fixed-rate")
        #expect(result["rate"] as? Double == 120)
        let messages = try #require(result["messages"] as? Int)
        #expect(messages > 0 && messages <= 120 + 3, "a schedule of 40/s on each of 3 connections over 1 s: \(messages)")
        withExtendedLifetime(server) {}
    }

    @Test func sourceAddressesSpreadTheConnections() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "4", "--source-ip", "127.0.0.2,127.0.0.3", "--duration", "0.3", "--warmup", "0", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(server.process.waitForOutput { _, _ in lines(server, "open").count == 4 }, "\(server.log)")
        let opens = lines(server, "open")
        #expect(opens.filter { $0.contains("remote=127.0.0.2:") }.count == 2, "\(opens)")
        #expect(opens.filter { $0.contains("remote=127.0.0.3:") }.count == 2, "\(opens)")
        // An address that is not this machine's: one line, naming the flag.
        let foreign = try WSKProcess.run(["bench", "-c", "1", "--source-ip", "192.0.2.1", "--duration", "0.3", "ws://127.0.0.1:\(server.port)/"])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("--source-ip"), "\(foreign.stderr)")
        #expect(foreign.stderr.split(separator: "\n").count == 1, "\(foreign.stderr)")
    }

    @Test func tlsIsItsOwnStepOfTheHandshake() throws {
        let pki = try TestPKI()
        let server = try EchoServerProcess(["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let run = try WSKProcess.run(["bench", "-c", "2", "--cacert", pki.path("ca.pem"), "--duration", "0.3", "--warmup", "0", "--json", "wss://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)\nserver log:\n\(server.log)")
        let steps = try #require(try json(run.stdout)["handshake_steps_us"] as? [String: [String: Any]])
        #expect(Set(steps.keys) == ["tcp", "tls", "upgrade"], "\(steps)")
        #expect((steps["tls"]?["p50"] as? Double ?? 0) > 0)
        // A certificate it cannot verify fails at the TLS step.
        let untrusted = try WSKProcess.run(["bench", "-c", "2", "--hold", "--duration", "0.3", "--warmup", "0", "--json", "wss://127.0.0.1:\(server.port)/"])
        #expect(untrusted.status == 1)
        #expect(untrusted.stderr.contains("2 of 2 connections failed: ") && untrusted.stderr.contains("certificate verify failed"), "\(untrusted.stderr)")
        withExtendedLifetime((server, pki)) {}
    }

    @Test func neitherSideFillsItsDescriptorTable() throws {
        // Each side keeps 64 descriptors free (a full table aborts the process): serve-echo
        // with `ulimit -n 200` holds 136 connections and closes the rest at once; bench with
        // `ulimit -n 150` opens at most 86 and counts the rest as failures, saying why.
        // (`ulimit -n` sets the hard limit too: wsk raises its soft limit to the hard one.)
        let run = try shell("""
            (ulimit -n 200; exec WSK serve-echo --port 0 --threads 1 2>/tmp/wsk-fd-server-$$.log > /tmp/wsk-fd-port-$$) & server=$!
            for i in $(seq 100); do grep -q listening /tmp/wsk-fd-port-$$ 2>/dev/null && break; sleep 0.05; done
            port=$(sed 's/.*://' /tmp/wsk-fd-port-$$)
            (ulimit -n 150; WSK bench -c 120 --hold --duration 0.5 --warmup 0 --connect-timeout 3 --json ws://127.0.0.1:$port/) > /tmp/wsk-fd-bench-$$.json
            (ulimit -n 400; WSK bench -c 160 --hold --duration 0.5 --warmup 0 --connect-timeout 3 --json ws://127.0.0.1:$port/) > /tmp/wsk-fd-bench2-$$.json
            kill $server; wait $server
            cat /tmp/wsk-fd-bench-$$.json; echo; cat /tmp/wsk-fd-bench2-$$.json; echo; grep -c 'open-file limit' /tmp/wsk-fd-server-$$.log
            rm -f /tmp/wsk-fd-*-$$*
            """, timeout: 90)
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(run.stdout)\(run.stderr)")
        guard lines.count == 3 else { return }
        let limited = try json(String(lines[0]))
        #expect(limited["connections_open"] as? Int == 86, "\(lines[0])")
        let failures = try #require(limited["failures"] as? [[String: Any]])
        #expect(failures.first?["count"] as? Int == 34, "\(failures)")
        #expect((failures.first?["reason"] as? String)?.contains("this process may hold 86 connections (ulimit -n 150") == true, "\(failures)")
        // The server held 136 and closed the other 24 of the second run at once.
        let second = try json(String(lines[1]))
        #expect(second["connections_open"] as? Int == 136, "\(lines[1])")
        #expect(second["connections_failed"] as? Int == 24, "\(lines[1])")
        #expect(Int(lines[2]) == 24, "the server logged each refusal: \(lines[2])")
    }

    @Test(arguments: [
        (["bench", "ws://h", "--stage", "1s"], "--stage '1s'"),
        (["bench", "ws://h", "--stage", "1s:0c"], "at least one stage needs connections"),
        (["bench", "ws://h", "--source-ip", "nowhere"], "--source-ip: 'nowhere' is not an IP address"),
        (["bench", "ws://h", "--hold", "--rate", "5"], "give one"),
        (["bench", "ws://h", "--message-rate-per-connection", "0"], "--message-rate-per-connection"),
        (["bench", "ws://h", "--ping-interval", "0"], "--ping-interval"),
        (["bench", "ws://h", "--channel-lifetime", "0"], "--channel-lifetime"),
        (["bench", "ws://h", "--threshold", "connections>=lots"], "--threshold 'connections>=lots'"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], flag: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }
}
