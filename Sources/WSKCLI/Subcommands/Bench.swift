import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

/// `wsk bench`: `run` (the default: `wsk bench URL`) and `merge`.
public struct Bench: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a WebSocket echo server: throughput and round-trip latency percentiles.",
        discussion: """
            `wsk bench URL …` runs a load test (the `run` subcommand, the default); \
            `wsk bench merge A.json B.json …` merges the --json results of several generators.

            EXAMPLES:
              wsk bench -c 100 -s 16KiB -d 8 --duration 10 ws://127.0.0.1:9001/
              wsk bench --json --start-at 1796150000 ws://server:9001/ > gen-a.json
              wsk bench merge gen-a.json gen-b.json
            """,
        subcommands: [BenchRun.self, BenchMerge.self],
        defaultSubcommand: BenchRun.self
    )

    public init() {}
}

/// `wsk bench [run] URL`: a load generator for echo servers with honest latency percentiles.
public struct BenchRun: WSKCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load-test a WebSocket echo server (the default: `wsk bench URL`).",
        discussion: """
            Opens the connections, then keeps --depth messages in flight on each (closed \
            loop: a message is sent as soon as an echo arrives), or with --rate sends at a \
            fixed total rate (open loop). Each echo's round trip goes into an HdrHistogram; \
            the first --warmup seconds are not counted.

            Closed-loop percentiles only see the messages the generator managed to send: when \
            the server stalls, the generator stalls with it (coordinated omission). With \
            --rate, latency is measured from each message's scheduled send time, so a stall \
            shows up as clients on a schedule would see it. Pick a rate below the closed-loop \
            throughput.

            Compression is off unless --compression is given. Progress goes to stderr on a \
            terminal; the report goes to stdout (--json for one JSON object).

            --json carries the round-trip histogram in HdrHistogram's compressed encoding \
            ("latency_histogram", readable by the HdrHistogram libraries) and the measured \
            window ("start", "end", Unix seconds): `wsk bench merge` adds the runs of several \
            generators exactly.

            --hold sends no messages: it opens -c connections and keeps them for --duration \
            (pinging them with --ping-interval), to measure how many the server takes. \
            --stage DURATION:CONNECTIONS[:LOAD] (repeatable) runs stages one after another, \
            each with its number of connections and load (rate=N, rate-per-connection=N, \
            depth=N or hold). A connection that fails to open is counted by step (tcp, \
            proxy, tls, upgrade) and cause, not retried within its stage; the run goes on \
            unless none opened.

            EXIT STATUS: 0 the run completed without errors and met every --threshold; 1 a \
            connection failed to open or was dropped, an echo was wrong, or no connection \
            opened; 2 a --threshold was violated; 64 a malformed argument.

            EXAMPLES:
              wsk bench ws://127.0.0.1:9001/
              wsk bench -c 100 -s 16KiB -d 8 --duration 10 ws://127.0.0.1:9001/
              wsk bench -c 50 --rate 20000 --duration 30 --json ws://127.0.0.1:9001/ > run.json
              wsk bench -c 100 --threshold 'p99<2ms' --threshold 'errors==0' ws://127.0.0.1:9001/
              wsk bench -c 20000 --hold --ping-interval 5 --duration 60 ws://127.0.0.1:9001/
              wsk bench --stage 30s:1000c --stage 60s:5000c:rate=20000 ws://127.0.0.1:9001/
              wsk bench merge gen-a.json gen-b.json
            """
    )

    @Argument(help: ArgumentHelp("The echo server, ws://HOST[:PORT][/PATH] or wss://…", valueName: "url"))
    var url: String

    @Option(name: [.customShort("c"), .long], parsing: .unconditional, help: ArgumentHelp("Connections to open.", valueName: "n"))
    var connections = 10

    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("Message payload size (16, 1KiB, 64KiB…).", valueName: "bytes"))
    var size = ByteCount(16)

    @Option(name: [.customShort("d"), .long], parsing: .unconditional, help: ArgumentHelp("Messages in flight per connection (closed loop).", valueName: "n"))
    var depth = 1

    @Option(name: [.customShort("r"), .long], parsing: .unconditional, help: ArgumentHelp("Send at this many messages per second in total (open loop) instead of --depth.", valueName: "msgs/s"))
    var rate: Double?

    @Option(name: [.customShort("t"), .long], parsing: .unconditional, help: ArgumentHelp("Seconds to measure.", valueName: "seconds"))
    var duration = Seconds(10)

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds to run before measuring.", valueName: "seconds"))
    var warmup = Seconds(1)

    @Flag(help: "Send binary messages (default: text).")
    var binary = false

    @Flag(help: "Offer permessage-deflate (default: off, to measure the transport).")
    var compression = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Open connections at this many per second (default: as fast as 64 handshakes in flight allow).", valueName: "n"))
    var connectRate: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Spread the connections' opening over this many seconds (--connect-rate = connections / seconds).", valueName: "seconds"))
    var rampUp: Seconds?

    @Option(parsing: .unconditional, help: ArgumentHelp("Send this many messages per second on each connection (open loop; many slow clients) instead of --depth.", valueName: "msgs/s"))
    var messageRatePerConnection: Double?

    @Flag(help: "Send no messages: open the connections and hold them for --duration (with --ping-interval, ping them), to measure how many the server takes.")
    var hold = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Ping every connection this often; the pongs' round trips are reported (ping_us).", valueName: "seconds"))
    var pingInterval: Seconds?

    @Option(parsing: .unconditional, help: ArgumentHelp("Close each connection after this long and open a new one in its place.", valueName: "seconds"))
    var channelLifetime: Seconds?

    @Option(help: ArgumentHelp("Local addresses to connect from, in turn, comma-separated (127.0.0.2,127.0.0.3): each gives another ~28,000 local ports.", valueName: "addresses"))
    var sourceIp: String?

    @Option(help: ArgumentHelp("A stage DURATION:CONNECTIONS[:LOAD] (repeatable; run in order): LOAD is rate=N (msgs/s in total), rate-per-connection=N, depth=N or hold; without it, the load flags'. Replaces -c and --duration.", valueName: "stage"))
    var stage: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds a connection may take to open (TCP, TLS and the upgrade) before it counts as failed.", valueName: "seconds"))
    var connectTimeout = Seconds(10)

    @Option(help: ArgumentHelp("Connect through this proxy: http://[user:pass@]host:port, socks5://… or socks5h://… (environment variables are not read).", valueName: "url"))
    var proxy: String?

    @Flag(help: "Open the WebSockets on HTTP/2 streams (RFC 8441 extended CONNECT): h2c on ws://, ALPN h2 on wss://. A server that does not allow it fails the connections.")
    var http2 = false

    @Option(parsing: .unconditional, help: ArgumentHelp("With --http2 (implied): this many WebSockets on each TCP connection (1-256; the server's SETTINGS_MAX_CONCURRENT_STREAMS may be lower).", valueName: "n"))
    var streamsPerConnection: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Event-loop threads.", valueName: "n"))
    var threads = System.coreCount

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("A pass/fail condition, METRIC OP VALUE (repeatable): p50, p90, p99, p99.9, max, mean, min (with us, ms or s), errors, rate (msgs/s), messages, connections (open at the end); OP is <, <=, >, >=, == or !=. A violated one exits 2.", valueName: "condition"))
    var threshold: [String] = []

    @Option(help: ArgumentHelp("Also write the round-trip latency distribution in HdrHistogram's percentile text format (.hgrm, values in milliseconds) to this file.", valueName: "file"), completion: .file())
    var hgrm: String?

    @Option(help: ArgumentHelp("Also write a latency-by-percentile plot (self-contained SVG, log scale like HdrHistogram's plotter) to this file.", valueName: "file"), completion: .file())
    var svg: String?

    @Option(help: ArgumentHelp("Wait until this time before connecting (Unix seconds, or an RFC 3339 time such as 2026-12-01T18:00:00Z), so generators on several hosts start together.", valueName: "time"))
    var startAt: String?

    @Flag(help: "Compare every byte of every echo (default: the length, the sequence number at its start and its last byte).")
    var verify = false

    @Flag(inversion: .prefixedNo, help: "Show progress on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @OptionGroup(title: "Request")
    var request: ClientRequestOptions

    @OptionGroup(title: "TLS (wss://)")
    var tls: ClientTLSOptions

    public init() {}

    public func validate() throws {
        _ = try WebSocketURL(argument: url)
        guard (1...100_000).contains(connections) else { throw ValidationError("--connections must be between 1 and 100000, got \(connections)") }
        guard (0...(64 << 20)).contains(size.value) else { throw ValidationError("--size must be at most 64 MiB, got \(size)") }
        guard (1...10_000).contains(depth) else { throw ValidationError("--depth must be between 1 and 10000, got \(depth)") }
        if let rate, !(rate > 0 && rate <= 100_000_000) { throw ValidationError("--rate must be a positive number of messages per second, got \(rate)") }
        guard duration.value > 0 else { throw ValidationError("--duration must be more than 0 seconds") }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
        for text in threshold { _ = try BenchThreshold(parsing: text) }
        if let connectRate, !(connectRate > 0 && connectRate <= 1_000_000) { throw ValidationError("--connect-rate must be a positive number of connections per second, got \(connectRate)") }
        if let rampUp, !(rampUp.value > 0) { throw ValidationError("--ramp-up must be more than 0 seconds") }
        if connectRate != nil && rampUp != nil { throw ValidationError("--connect-rate and --ramp-up say the same thing: give one") }
        if let startAt { _ = try Self.startTime(startAt) }
        if let messageRatePerConnection, !(messageRatePerConnection > 0 && messageRatePerConnection <= 1_000_000) {
            throw ValidationError("--message-rate-per-connection must be a positive number of messages per second, got \(messageRatePerConnection)")
        }
        if [rate != nil, messageRatePerConnection != nil, hold].filter({ $0 }).count > 1 {
            throw ValidationError("--rate, --message-rate-per-connection and --hold are different loads: give one")
        }
        if let streamsPerConnection, !(1...256).contains(streamsPerConnection) {
            throw ValidationError("--streams-per-connection must be between 1 and 256, got \(streamsPerConnection)")
        }
        guard connectTimeout.value > 0 else { throw ValidationError("--connect-timeout must be more than 0 seconds") }
        if let pingInterval, !(pingInterval.value >= 0.001) { throw ValidationError("--ping-interval must be at least 1ms") }
        if let channelLifetime, !(channelLifetime.value >= 0.01) { throw ValidationError("--channel-lifetime must be at least 10ms") }
        _ = try sourceAddresses()
        if let proxy { _ = try ClientConnectionOptions.parseProxy(proxy, flag: "--proxy") }
        let stages = try plannedStages()
        if stages.allSatisfy({ $0.connections == 0 }) { throw ValidationError("--stage: at least one stage needs connections") }
    }

    /// --source-ip as socket addresses (port 0: the kernel picks one per connection).
    func sourceAddresses() throws -> [SocketAddress] {
        guard let sourceIp else { return [] }
        let items = sourceIp.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty else { throw ValidationError("--source-ip: give one or more IP addresses, comma-separated") }
        return try items.map { item in
            do {
                return try SocketAddress(ipAddress: item, port: 0)
            } catch {
                throw ValidationError("--source-ip: '\(item)' is not an IP address")
            }
        }
    }

    /// The load the flags ask for.
    var load: BenchStage.Load {
        if hold { return .hold }
        if let rate { return .rate(rate) }
        if let messageRatePerConnection { return .ratePerConnection(messageRatePerConnection) }
        return .depth(depth)
    }

    /// --stage, or the one stage -c and --duration make.
    func plannedStages() throws -> [BenchStage] {
        if stage.isEmpty { return [BenchStage(duration: duration.value, connections: connections, load: load)] }
        return try stage.map { try BenchStage(parsing: $0, defaultLoad: load) }
    }

    /// `--start-at`: Unix seconds or RFC 3339; at most a day ahead.
    static func startTime(_ text: String) throws -> Date {
        let date: Date
        if let seconds = Double(text), seconds.isFinite {
            date = Date(timeIntervalSince1970: seconds)
        } else {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            guard let parsed = formatter.date(from: text) ?? plain.date(from: text) else {
                throw ValidationError("--start-at '\(text)': expected Unix seconds or an RFC 3339 time like 2026-12-01T18:00:00Z")
            }
            date = parsed
        }
        guard date.timeIntervalSinceNow < 86_400 else {
            throw ValidationError("--start-at '\(text)' is more than a day ahead")
        }
        return date
    }

    public func execute() async throws {
        let target = try WebSocketURL(argument: url)
        let thresholds = try threshold.map { try BenchThreshold(parsing: $0) }
        if let startAt {
            let wait = try Self.startTime(startAt).timeIntervalSinceNow
            if wait > 0 {
                if progress ?? Terminal.isTTY(2) { Diagnostics.note("starting at \(startAt) (in \(String(format: "%.1f", wait)) s)") }
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
        var client = WebSocketClientConfiguration()
        // -s is the payload size only; what the server may send back is limited generously
        // (a close frame, a compressed frame and an echo all fit).
        client.limits.maxMessageSize = max(size.value, 16 << 20)
        client.limits.maxFrameSize = max(size.value, 16 << 20)
        client.compression = compression ? PerMessageDeflateOptions() : nil
        client.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        client.proxy = try proxy.map { try ClientConnectionOptions.parseProxy($0, flag: "--proxy") }
        request.apply(to: &client, url: target)
        try tls.apply(to: &client)
        let stages = try plannedStages()
        let plan = BenchPlan(
            url: target,
            client: client,
            messageSize: size.value,
            binary: binary,
            warmup: warmup.value,
            stages: stages,
            threads: threads,
            progress: progress ?? Terminal.isTTY(2),
            verify: verify,
            connectRate: connectRate ?? rampUp.map { Double(stages[0].connections) / $0.value },
            pingInterval: pingInterval?.value,
            sourceAddresses: try sourceAddresses(),
            channelLifetime: channelLifetime?.value,
            http2: http2 || streamsPerConnection != nil,
            streamsPerConnection: streamsPerConnection ?? 1
        )
        var result = try await BenchRunner.run(plan)
        result.thresholds = thresholds.map { $0.check(result) }
        if let hgrm {
            var text = ""
            // HdrHistogram's plotters read values in milliseconds; ours are microseconds.
            result.histogram?.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
            do {
                try text.write(toFile: hgrm, atomically: true, encoding: .utf8)
            } catch {
                throw UserFacingError("--hgrm", "cannot write \(hgrm): \(UserFacingError.describe(error))")
            }
        }
        if let svg, let histogram = result.histogram {
            do {
                try BenchPlot.svg(result, histogram: histogram).write(toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                throw UserFacingError("--svg", "cannot write \(svg): \(UserFacingError.describe(error))")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(result)
            FileOutput.writeAll(Array(data) + [0x0A], to: 1)
        } else {
            FileOutput.writeAll(Array((BenchRunner.report(result) + "\n").utf8), to: 1)
        }
        // 1: the run itself failed (every connection gone, nothing measured, or errors no
        // threshold speaks for); 2: it ran, and a threshold was violated.
        if result.endedEarly || (result.messages == 0 && !plan.holdsOnly) {
            throw ExitCode(1)
        }
        if result.thresholds.contains(where: { !$0.passed }) {
            throw ExitCode(2)
        }
        if result.errors > 0 && !thresholds.contains(where: { $0.metric == .errors }) {
            throw ExitCode(1)
        }
    }
}
