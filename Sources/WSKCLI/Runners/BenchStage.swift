import ArgumentParser

/// One stage of a bench run (`--stage 30s:1000c:rate=20000`): for DURATION, keep N
/// connections open and put this load on them. A run without --stage is one stage made of
/// -c, --duration and the load flags.
struct BenchStage: Sendable, Equatable, CustomStringConvertible {
    /// What each open connection does.
    enum Load: Sendable, Equatable {
        /// Closed loop: this many messages in flight per connection.
        case depth(Int)
        /// Open loop: this many messages per second over all the stage's connections.
        case rate(Double)
        /// Open loop: this many messages per second on each connection.
        case ratePerConnection(Double)
        /// No messages: the connections are opened and held (pings only, if asked for).
        case hold

        var mode: String {
            switch self {
            case .depth: return "closed-loop"
            case .rate, .ratePerConnection: return "fixed-rate"
            case .hold: return "hold"
            }
        }
    }

    var duration: Double
    var connections: Int
    var load: Load

    /// Each connection's send rate in an open-loop stage.
    var perConnectionRate: Double? {
        switch load {
        case .rate(let total): return total / Double(max(1, connections))
        case .ratePerConnection(let rate): return rate
        default: return nil
        }
    }

    /// Messages per second over all connections, when the stage has a fixed rate.
    var totalRate: Double? {
        switch load {
        case .rate(let total): return total
        case .ratePerConnection(let rate): return rate * Double(connections)
        default: return nil
        }
    }

    var description: String {
        var text = "\(Seconds(duration)):\(connections)c"
        switch load {
        case .depth(let depth): text += ":depth=\(depth)"
        case .rate(let rate): text += ":rate=\(BenchRunner.plain(rate))"
        case .ratePerConnection(let rate): text += ":rate-per-connection=\(BenchRunner.plain(rate))"
        case .hold: text += ":hold"
        }
        return text
    }

    /// Parses `30s:1000c`, `60s:5000c:rate=20000`, `1m:200:depth=4`, `5m:20000c:hold`,
    /// `10s:100c:rate-per-connection=5`; a stage without a load takes `defaultLoad`.
    init(parsing text: String, defaultLoad: Load) throws {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        func invalid(_ why: String) -> ValidationError {
            ValidationError("--stage '\(text)': \(why); expected DURATION:CONNECTIONS[:rate=N|:rate-per-connection=N|:depth=N|:hold], e.g. 30s:1000c:rate=20000")
        }
        guard fields.count >= 2 else { throw invalid("too few fields") }
        guard let duration = Seconds(argument: fields[0]), duration.value > 0 else { throw invalid("'\(fields[0])' is not a duration such as 30s, 500ms or 2m") }
        let count = fields[1].lowercased().hasSuffix("c") ? String(fields[1].dropLast()) : fields[1]
        guard let connections = Int(count), (0...100_000).contains(connections) else { throw invalid("'\(fields[1])' is not a number of connections (0 to 100000) such as 1000c") }
        var load: Load?
        for field in fields.dropFirst(2) {
            let parts = field.split(separator: "=", maxSplits: 1).map { String($0).lowercased() }
            let value = parts.count == 2 ? Double(parts[1]) : nil
            let newLoad: Load
            switch (parts[0], value) {
            case ("hold", nil) where parts.count == 1:
                newLoad = .hold
            case ("rate", let value?) where value > 0 && value <= 100_000_000:
                newLoad = .rate(value)
            case ("rate-per-connection", let value?) where value > 0 && value <= 1_000_000:
                newLoad = .ratePerConnection(value)
            case ("depth", let value?) where value >= 1 && value <= 10_000 && value == value.rounded():
                newLoad = .depth(Int(value))
            default:
                throw invalid("'\(field)' is not a load")
            }
            guard load == nil else { throw invalid("give one load per stage") }
            load = newLoad
        }
        self.duration = duration.value
        self.connections = connections
        self.load = load ?? defaultLoad
    }

    init(duration: Double, connections: Int, load: Load) {
        self.duration = duration
        self.connections = connections
        self.load = load
    }
}
