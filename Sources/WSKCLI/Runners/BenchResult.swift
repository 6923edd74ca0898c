import Histogram

/// What the run measured; encoded as the `--json` output.
struct BenchResult: Codable, Equatable {
    struct Latency: Codable, Equatable {
        var min: Double
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double

        enum CodingKeys: String, CodingKey {
            case min, p50, p90, p99, p999 = "p99_9", max, mean
        }

        init(min: Double, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
            (self.min, self.p50, self.p90, self.p99, self.p999, self.max, self.mean) = (min, p50, p90, p99, p999, max, mean)
        }

        /// The figures of a round-trip histogram in microseconds.
        init(_ histogram: Histogram<UInt64>) {
            self.init(
                min: Double(histogram.min),
                p50: Double(histogram.valueAtPercentile(50)),
                p90: Double(histogram.valueAtPercentile(90)),
                p99: Double(histogram.valueAtPercentile(99)),
                p999: Double(histogram.valueAtPercentile(99.9)),
                max: Double(histogram.max),
                mean: histogram.totalCount > 0 ? (histogram.mean * 10).rounded() / 10 : 0
            )
        }
    }

    var url: String
    var connections: Int
    var messageSize: Int
    var depth: Int
    var mode: String
    var rate: Double?
    var seconds: Double
    var messages: Int
    var messagesPerSecond: Double
    var bytesPerSecond: Double
    var errors: Int
    var behindSchedule: Int
    /// Round-trip times in microseconds.
    var latencyMicroseconds: Latency
    /// The first errors, one line each (at most ten distinct ones).
    var errorDetails: [String] = []
    /// Set when the run ended early because every connection was gone.
    var endedEarly = false
    /// The --threshold checks, in the order given.
    var thresholds: [ThresholdOutcome] = []
    /// Opening handshake times (TCP connect, TLS, HTTP upgrade together), microseconds.
    var handshakeMicroseconds: Latency? = nil
    /// Each step of the opening handshake on its own: "tcp" (with name resolution),
    /// "proxy", "tls", "upgrade".
    var handshakeSteps: [String: Latency]? = nil
    /// The handshake histogram, and in HdrHistogram's compressed encoding.
    var handshakeHistogram: Histogram<UInt64>? = nil
    var handshakeHistogramEncoded: String? = nil
    /// Connections open when the measured window ended, the most open at once, the ones
    /// that failed to open, the ones the server closed or dropped, and the ones
    /// --channel-lifetime replaced.
    var connectionsOpen: Int? = nil
    var connectionsPeak: Int? = nil
    var connectionsFailed: Int? = nil
    var connectionsLost: Int? = nil
    var reconnects: Int? = nil
    /// Connections that failed to open, by step and cause.
    var failures: [Failure]? = nil
    /// --ping-interval: pings sent, pongs received in the window, their round trips.
    var pingsSent: Int? = nil
    var pongs: Int? = nil
    var pingMicroseconds: Latency? = nil
    /// The pong round trips in HdrHistogram's compressed encoding (for `bench merge`).
    var pingHistogramEncoded: String? = nil
    /// Each --stage's figures, for runs with several.
    var stages: [StageResult]? = nil
    /// The generator's peak resident memory, bytes.
    var maxRSSBytes: Int? = nil
    /// "HTTP/2" for WebSockets over HTTP/2 (--http2), with the streams on each TCP
    /// connection and the TCP connections dialled; absent for HTTP/1.1.
    var http: String? = nil
    var streamsPerConnection: Int? = nil
    var tcpConnections: Int? = nil

    struct Failure: Codable, Equatable {
        var step: String
        var reason: String
        var count: Int
    }

    struct StageResult: Codable, Equatable {
        var stage: String
        var seconds: Double
        var connections: Int
        var connectionsOpen: Int?
        var mode: String
        var rate: Double?
        var messages: Int
        var messagesPerSecond: Double
        var latencyMicroseconds: Latency?

        enum CodingKeys: String, CodingKey {
            case stage, seconds, connections, mode, rate, messages
            case connectionsOpen = "connections_open"
            case messagesPerSecond = "messages_per_second"
            case latencyMicroseconds = "latency_us"
        }
    }
    /// The round-trip histogram (microseconds), for --hgrm; not in the JSON as such.
    var histogram: Histogram<UInt64>? = nil
    /// The histogram in HdrHistogram's compressed base64 encoding (`HISTF…`).
    var histogramEncoded: String? = nil
    /// The measured window, in seconds since the Unix epoch (UTC).
    var start: Double? = nil
    var end: Double? = nil

    /// One --threshold and how the run fared against it.
    struct ThresholdOutcome: Codable, Equatable {
        var expression: String
        /// The measured value (microseconds for latencies).
        var value: Double
        var passed: Bool
    }

    enum CodingKeys: String, CodingKey {
        case url, connections, depth, mode, rate, seconds, messages, errors
        case messageSize = "message_size"
        case messagesPerSecond = "messages_per_second"
        case bytesPerSecond = "bytes_per_second"
        case behindSchedule = "behind_schedule"
        case latencyMicroseconds = "latency_us"
        case errorDetails = "error_details"
        case endedEarly = "ended_early"
        case thresholds
        case histogramEncoded = "latency_histogram"
        case start, end
        case handshakeMicroseconds = "handshake_us"
        case handshakeSteps = "handshake_steps_us"
        case handshakeHistogramEncoded = "handshake_histogram"
        case connectionsOpen = "connections_open"
        case connectionsPeak = "connections_peak"
        case connectionsFailed = "connections_failed"
        case connectionsLost = "connections_lost"
        case reconnects, failures, stages
        case pingsSent = "pings_sent"
        case pongs
        case pingMicroseconds = "ping_us"
        case pingHistogramEncoded = "ping_histogram"
        case maxRSSBytes = "max_rss_bytes"
        case http
        case streamsPerConnection = "streams_per_connection"
        case tcpConnections = "tcp_connections"
    }
}
