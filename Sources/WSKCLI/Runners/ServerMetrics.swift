import NIOConcurrencyHelpers
import NIOCore
import WSKCore

/// Connection and message counters for `/metrics`, kept per event loop so that counting a
/// message is a plain increment on the loop that handles it; a scrape sums the loops.
final class ServerMetrics: @unchecked Sendable {
    struct Counters: Sendable {
        var accepted = 0
        /// Of ``accepted``, the WebSockets opened on HTTP/2 streams (RFC 8441).
        var acceptedHTTP2 = 0
        var textReceived = 0
        var binaryReceived = 0
        var bytesReceived = 0
        var textSent = 0
        var binarySent = 0
        var bytesSent = 0
        var closesByCode: [UInt16: Int] = [:]
        /// Upstreams that could not be reached (proxy).
        var upstreamFailures = 0

        mutating func add(_ other: Counters) {
            accepted += other.accepted
            acceptedHTTP2 += other.acceptedHTTP2
            textReceived += other.textReceived
            binaryReceived += other.binaryReceived
            bytesReceived += other.bytesReceived
            textSent += other.textSent
            binarySent += other.binarySent
            bytesSent += other.bytesSent
            upstreamFailures += other.upstreamFailures
            for (code, count) in other.closesByCode { closesByCode[code, default: 0] += count }
        }
    }

    final class Box: @unchecked Sendable {
        var counters = Counters()
    }

    /// One box per loop; written only on its loop. The list itself is written once, in
    /// `prepare`, before any connection exists. A list, not a dictionary: there are as many
    /// loops as cores, and comparing a few identities costs less per message than hashing.
    private var boxes: [(id: ObjectIdentifier, loop: EventLoop, box: Box)] = []
    let refused = NIOLockedValueBox(0)

    func prepare(for group: EventLoopGroup) {
        for loop in group.makeIterator() where !boxes.contains(where: { $0.id == ObjectIdentifier(loop) }) {
            boxes.append((ObjectIdentifier(loop), loop, Box()))
        }
    }

    /// Runs `body` on the counters of `loop`; call on that loop.
    func on(_ loop: EventLoop, _ body: (inout Counters) -> Void) {
        let id = ObjectIdentifier(loop)
        for entry in boxes where entry.id == id {
            body(&entry.box.counters)
            return
        }
    }

    func countSent(_ message: Message, on loop: EventLoop) {
        on(loop) { counters in
            if message.isText {
                counters.textSent += 1
            } else {
                counters.binarySent += 1
            }
            counters.bytesSent += message.data.readableBytes
        }
    }

    /// Sums the counters by visiting each loop.
    func snapshot(on loop: EventLoop) -> EventLoopFuture<Counters> {
        let futures = boxes.map { entry in entry.loop.submit { entry.box.counters } }
        return EventLoopFuture.reduce(Counters(), futures, on: loop) { total, next in
            var total = total
            total.add(next)
            return total
        }
    }
}

extension ServerMetrics.Counters {
    /// Prometheus text exposition format 0.0.4.
    /// `proxy` adds the upstream failures.
    func prometheus(active: Int, refused: Int, proxy: Bool = false) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for sample in samples {
                lines.append("\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(sample.value)")
            }
        }
        metric("wsk_connections_accepted_total", "counter", "WebSocket connections accepted.", [("", accepted)])
        metric(
            "wsk_connections_accepted_by_http_version_total", "counter", "WebSocket connections accepted, by the HTTP version that opened them (2: RFC 8441 extended CONNECT).",
            [("version=\"1.1\"", accepted - acceptedHTTP2), ("version=\"2\"", acceptedHTTP2)])
        metric("wsk_upgrades_refused_total", "counter", "Upgrade requests refused (bad handshake, origin, header, limit).", [("", refused)])
        metric("wsk_connections_active", "gauge", "WebSocket connections open now.", [("", active)])
        metric("wsk_messages_received_total", "counter", "Messages received, by type.", [("type=\"text\"", textReceived), ("type=\"binary\"", binaryReceived)])
        metric("wsk_messages_sent_total", "counter", "Messages sent, by type.", [("type=\"text\"", textSent), ("type=\"binary\"", binarySent)])
        metric("wsk_received_bytes_total", "counter", "Message payload bytes received (after inflation).", [("", bytesReceived)])
        metric("wsk_sent_bytes_total", "counter", "Message payload bytes sent (before compression).", [("", bytesSent)])
        if proxy {
            metric("wsk_upstream_failures_total", "counter", "Upstreams that could not be reached or refused the upgrade.", [("", upstreamFailures)])
        }
        metric(
            "wsk_closes_total", "counter", "Connections closed, by close code.",
            closesByCode.sorted { $0.key < $1.key }.map { ("code=\"\($0.key)\"", $0.value) }
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
