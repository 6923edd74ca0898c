import Foundation
import Testing

/// `wsk bench` against `wsk serve-echo` over loopback.
@Suite("bench")
struct BenchTests {
    struct Result: Decodable {
        struct Latency: Decodable {
            var min: Double
            var p50: Double
            var p90: Double
            var p99: Double
            var p99_9: Double
            var max: Double
        }
        var connections: Int
        var depth: Int
        var mode: String
        var rate: Double?
        var seconds: Double
        var message_size: Int
        var messages: Int
        var messages_per_second: Double
        var bytes_per_second: Double
        var errors: Int
        var behind_schedule: Int
        var latency_us: Latency
    }

    func decode(_ stdout: String) throws -> Result {
        try JSONDecoder().decode(Result.self, from: Data(stdout.utf8))
    }

    @Test func closedLoopMeasuresEchoesAndOrderedPercentiles() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "4", "-d", "3", "-s", "1KiB", "--binary", "--duration", "1", "--warmup", "0.2", "--json", "--no-progress", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try decode(run.stdout)
        #expect(result.mode == "closed-loop")
        #expect(result.connections == 4 && result.depth == 3)
        #expect(result.messages > 0)
        #expect(result.errors == 0)
        let l = result.latency_us
        #expect(l.min > 0 && l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p99_9 && l.p99_9 <= l.max)
        // serve-echo counted what bench sent: every connection closed cleanly with 1000.
        #expect(server.process.waitForOutput { _, err in err.components(separatedBy: "code=1000").count - 1 >= 4 }, "\(server.log)")
    }

    /// The `close` lines of serve-echo's JSON log, once `count` connections have closed.
    func closeEvents(_ server: EchoServerProcess, count: Int) -> [[String: Any]] {
        func closes() -> [[String: Any]] {
            server.log.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }.filter { $0["event"] as? String == "close" }
        }
        server.process.waitForOutput { _, _ in closes().count >= count }
        return closes()
    }

    @Test func fixedRateReportAgreesWithItselfAndTheServer() throws {
        let server = try EchoServerProcess(["--log-format", "json"])
        let run = try WSKProcess.run(["bench", "-c", "2", "--rate", "200", "--duration", "1", "--warmup", "0.2", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try decode(run.stdout)
        #expect(result.mode == "fixed-rate")
        #expect(result.rate == 200)
        #expect(result.connections == 2)
        #expect(result.errors == 0)
        // Sends are only skipped with 65,536 echoes outstanding, far more than this run sends.
        #expect(result.behind_schedule == 0)
        #expect(result.messages > 0)
        // The rates it reports follow from its own count and the measured window (no
        // wall-clock bounds: how many messages fit in the window depends on the machine).
        #expect(result.seconds == 1)
        #expect(result.messages_per_second == (Double(result.messages) / result.seconds).rounded(), "\(run.stdout)")
        #expect(result.bytes_per_second == (Double(result.messages * result.message_size) / result.seconds).rounded(), "\(run.stdout)")
        // Each echo it counted is one serve-echo received and sent back: per connection the
        // server echoed all it received, closed cleanly with 1000, and in total received at
        // least what bench counted (bench counts only the measured window).
        let closes = closeEvents(server, count: 2)
        #expect(closes.count == 2, "\(server.log)")
        for close in closes {
            #expect(close["code"] as? Int == 1000 && close["clean"] as? Bool == true, "\(close)")
            #expect(close["received"] as? Int == close["sent"] as? Int, "\(close)")
        }
        let received = closes.compactMap { $0["received"] as? Int }.reduce(0, +)
        #expect(received >= result.messages, "server received \(received), bench counted \(result.messages)")
    }

    @Test func humanReportAndWrongEchoes() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "1", "--duration", "0.5", "--warmup", "0", "--no-progress", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1 connection, 16 B messages, depth 1"), "\(run.stdout)")
        #expect(run.stdout.range(of: #"latency +p50 [0-9.]+ (µs|ms) +p90"#, options: .regularExpression) != nil, "\(run.stdout)")

        // A broadcast server sends every client's messages to all: echoes are not 1:1, and
        // bench says so and fails.
        let broadcast = try EchoServerProcess(["--broadcast"])
        let wrong = try WSKProcess.run(["bench", "-c", "3", "--duration", "0.5", "--warmup", "0", "--no-progress", "ws://127.0.0.1:\(broadcast.port)/"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("not an echo server"), "\(wrong.stderr)")
        // The servers live until here (their deinit kills them; a release after their last
        // use would reset the connections: "connection reset by peer").
        withExtendedLifetime((server, broadcast)) {}
    }

    @Test func requestHeadersReachTheServer() throws {
        // serve-echo refuses upgrades without the header (401), so a run only succeeds with -H.
        let server = try EchoServerProcess(["--require-header", "Authorization: Bearer t0ken"])
        let refused = try WSKProcess.run(["bench", "-c", "1", "--duration", "0.3", "--warmup", "0", "ws://127.0.0.1:\(server.port)/"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("401"), "\(refused.stderr)")
        let accepted = try WSKProcess.run(["bench", "-c", "1", "--duration", "0.3", "--warmup", "0", "-H", "Authorization: Bearer t0ken", "ws://127.0.0.1:\(server.port)/"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }

    @Test func thresholdsGateTheExitStatusAndAreReported() throws {
        let server = try EchoServerProcess()
        let url = "ws://127.0.0.1:\(server.port)/"
        let hgrm = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-\(UUID().uuidString).hgrm").path
        defer { try? FileManager.default.removeItem(atPath: hgrm) }
        // Met: exit 0, each threshold in the JSON with its measured value.
        let met = try WSKProcess.run([
            "bench", "-c", "2", "--duration", "1", "--warmup", "0.2", "--json", "--hgrm", hgrm,
            "--threshold", "p99 < 60s", "--threshold", "errors==0", "--threshold", "messages>0", url,
        ])
        #expect(met.status == 0, "\(met.stderr)\nserver log:\n\(server.log)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(met.stdout.utf8)) as? [String: Any])
        let thresholds = try #require(object["thresholds"] as? [[String: Any]])
        #expect(thresholds.map { $0["expression"] as? String } == ["p99 < 60s", "errors==0", "messages>0"])
        #expect(thresholds.allSatisfy { $0["passed"] as? Bool == true })
        #expect(thresholds[1]["value"] as? Int == 0)
        // The .hgrm file: HdrHistogram's percentile distribution, values in milliseconds.
        let distribution = try String(contentsOfFile: hgrm, encoding: .utf8)
        #expect(distribution.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)"), "\(distribution)")
        #expect(distribution.contains("#[Mean    ="), "\(distribution)")
        #expect(distribution.contains("Total count    ="), "\(distribution)")
        // Violated: exit 2 (not 1: the run itself went fine), and the report says which.
        let violated = try WSKProcess.run(["bench", "-c", "2", "--duration", "1", "--warmup", "0.2", "--threshold", "rate>=1e12", "--threshold", "p99<60s", url])
        #expect(violated.status == 2, "\(violated.stderr)")
        #expect(violated.stdout.contains("  thresholds rate>=1e12: FAILED (measured "), "\(violated.stdout)")
        #expect(violated.stdout.contains("             p99<60s: ok (measured "), "\(violated.stdout)")
        withExtendedLifetime(server) {}
    }

    @Test func aRampUpSpreadsTheConnectionsAndHandshakesAreMeasured() throws {
        let server = try EchoServerProcess()
        let run = try WSKProcess.run(["bench", "-c", "5", "--ramp-up", "0.5", "--duration", "0.5", "--warmup", "0.1", "--json", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let handshake = try #require(object["handshake_us"] as? [String: Any])
        #expect((handshake["p50"] as? Double ?? 0) > 0 && (handshake["max"] as? Double ?? 0) >= (handshake["p50"] as? Double ?? 0))
        // The server saw the five opens spread over the ramp: connection n starts n/10 s in,
        // so the last opened at least 0.35 s after the first (pacing can only add time).
        #expect(server.process.waitForOutput { _, err in err.components(separatedBy: " open ").count - 1 == 5 }, "\(server.log)")
        let times = server.log.split(separator: "\n").filter { $0.contains(" open ") }.compactMap { line -> Double? in
            // 2026-12-01T18:00:00.123Z: seconds within the day are enough here.
            let clock = line.split(separator: "T").dropFirst().first?.prefix(12) ?? ""
            let parts = clock.split(separator: ":")
            guard parts.count == 3, let h = Double(parts[0]), let m = Double(parts[1]), let sec = Double(parts[2]) else { return nil }
            return h * 3600 + m * 60 + sec
        }
        #expect(times.count == 5)
        #expect((times.max() ?? 0) - (times.min() ?? 0) >= 0.35, "\(times)")
    }

    @Test func theSVGPlotIsWellFormedAndRendersInChromium() throws {
        let server = try EchoServerProcess()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-svg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try WSKProcess.run(["bench", "-c", "2", "--duration", "1", "--warmup", "0.2", "--svg", "\(directory)/plot.svg", "ws://127.0.0.1:\(server.port)/"])
        #expect(run.status == 0, "\(run.stderr)")
        let svg = try String(contentsOfFile: "\(directory)/plot.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("wsk bench ws://127.0.0.1:\(server.port)/ — 2 connections, 16 B, depth 1"), "\(svg.prefix(400))")
        let polyline = try #require(svg.split(separator: "\n").first { $0.hasPrefix("<polyline") })
        #expect(polyline.split(separator: " ").count > 10, "a curve of several points: \(polyline)")
        let parsed = try shell("python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1]); print(\"ok\")' '\(directory)/plot.svg'")
        #expect(parsed.stdout == "ok\n", "not well-formed XML: \(parsed.stderr)")
        // Rendered by a real browser.
        let chromium = try shell("command -v chromium || command -v chromium-browser")
        guard chromium.status == 0 else {
            print("skipped rendering the plot: no chromium on this machine")
            return
        }
        let shot = try shell("timeout 60 chromium --headless --no-sandbox --disable-gpu --screenshot='\(directory)/plot.png' --window-size=900,500 'file://\(directory)/plot.svg' 2>/dev/null; stat -c %s '\(directory)/plot.png'")
        #expect((Int(shot.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 5000, "\(shot.stdout) \(shot.stderr)")
    }

    @Test func threeGeneratorsStartedTogetherMergeToTheirSum() throws {
        let server = try EchoServerProcess()
        let url = "ws://127.0.0.1:\(server.port)/"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-merge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let startAt = String(Int(Date().timeIntervalSince1970) + 2)
        let generators = try (0..<3).map { index in
            try WSKProcess(["bench", "-c", "2", "--duration", "1", "--warmup", "0.2", "--json", "--start-at", startAt, url])
        }
        var runs: [[String: Any]] = []
        for (index, generator) in generators.enumerated() {
            #expect(generator.waitForExit(timeout: 30) == 0, "\(generator.standardError)")
            try generator.standardOutput.write(toFile: "\(directory)/gen-\(index).json", atomically: true, encoding: .utf8)
            runs.append(try #require(try JSONSerialization.jsonObject(with: Data(generator.standardOutput.utf8)) as? [String: Any]))
        }
        for run in runs {
            #expect((run["latency_histogram"] as? String)?.hasPrefix("HISTF") == true)
            #expect((run["end"] as? Double ?? 0) - (run["start"] as? Double ?? 0) > 0.9)
        }
        let merged = try WSKProcess.run(["bench", "merge", "--json", "--threshold", "errors==0", "\(directory)/gen-0.json", "\(directory)/gen-1.json", "\(directory)/gen-2.json"])
        #expect(merged.status == 0, "\(merged.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any])
        let messages = runs.map { $0["messages"] as? Int ?? 0 }.reduce(0, +)
        #expect(object["messages"] as? Int == messages)
        #expect(object["connections"] as? Int == 6)
        let rate = runs.map { $0["messages_per_second"] as? Double ?? 0 }.reduce(0, +)
        #expect(object["messages_per_second"] as? Double == rate)
        // Connection counts add up, and the handshake histograms merge too.
        #expect(object["connections_open"] as? Int == 6 && object["connections_failed"] as? Int == 0, "\(merged.stdout)")
        #expect((object["handshake_histogram"] as? String)?.hasPrefix("HISTF") == true)
        let handshakeMaxima = runs.compactMap { ($0["handshake_us"] as? [String: Any])?["max"] as? Double }
        #expect((object["handshake_us"] as? [String: Any])?["max"] as? Double == handshakeMaxima.max())
        // The merged histogram holds every echo of the three runs: its max is theirs.
        let maxima = runs.compactMap { ($0["latency_us"] as? [String: Any])?["max"] as? Double }
        #expect((object["latency_us"] as? [String: Any])?["max"] as? Double == maxima.max())
        // Read by the reference Python library: the total count is the sum of the messages.
        try merged.stdout.write(toFile: "\(directory)/merged.json", atomically: true, encoding: .utf8)
        let check = try shell(
            "python3 -c 'import json,sys; from hdrh.histogram import HdrHistogram; r=json.load(open(sys.argv[1])); h=HdrHistogram.decode(r[\"latency_histogram\"]); print(h.get_total_count(), h.get_max_value())' '\(directory)/merged.json'")
        if check.status == 0 {
            let fields = check.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(fields.first == messages, "\(check.stdout)")
        } else {
            #expect(check.stderr.contains("No module named"), "the Python check failed for another reason: \(check.stderr)")
            print("skipped the Python hdrhistogram check: the package is not installed")
        }
        // An empty file (a run still going): one line, exit 1, not a crash.
        try "".write(toFile: "\(directory)/empty.json", atomically: true, encoding: .utf8)
        let empty = try WSKProcess.run(["bench", "merge", "\(directory)/gen-0.json", "\(directory)/empty.json"])
        #expect(empty.status == 1)
        #expect(empty.stderr.hasPrefix("wsk: merge: \(directory)/empty.json is empty"), "\(empty.stderr)")
        #expect(empty.stderr.split(separator: "\n").count == 1, "\(empty.stderr)")
        // Not a bench result: one line, exit 1.
        let bad = try WSKProcess.run(["bench", "merge", "/etc/hostname"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("wsk: merge: /etc/hostname is not the output of `wsk bench --json`"), "\(bad.stderr)")
    }

    @Test func unreachableServerFailsWithOneLine() throws {
        let run = try WSKProcess.run(["bench", "-c", "2", "--duration", "1", "ws://127.0.0.1:1/"])
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("wsk: 2 of 2 connections failed: "), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }

    @Test(arguments: [
        (["bench", "ws://h", "-c", "0"], "--connections"),
        (["bench", "ws://h", "-d", "0"], "--depth"),
        (["bench", "ws://h", "--rate", "-5"], "--rate"),
        (["bench", "ws://h", "--duration", "0"], "--duration"),
        (["bench", "ws://h", "--size", "lots"], "--size"),
        (["bench", "ftp://h"], "unsupported scheme"),
        (["bench", "ws://h", "--threshold", "p99<"], "--threshold 'p99<'"),
        (["bench", "ws://h", "--threshold", "p42<2ms"], "unknown metric 'p42'"),
        (["bench", "ws://h", "--threshold", "p99~2ms"], "--threshold"),
        (["bench", "ws://h", "--start-at", "tomorrow-ish"], "--start-at"),
        (["bench", "ws://h", "--connect-rate", "-1"], "--connect-rate"),
        (["bench", "ws://h", "--ramp-up", "0"], "--ramp-up"),
        (["bench", "ws://h", "--ramp-up", "1", "--connect-rate", "5"], "give one"),
    ])
    func malformedArgumentsNameTheFlag(arguments: [String], flag: String) throws {
        let result = try WSKProcess.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flag), "\(result.stderr)")
    }
}
