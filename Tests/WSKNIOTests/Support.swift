import Foundation
import NIOCore
import NIOEmbedded
import WSKCore
@testable import WSKNIO

/// Records what a session tells its application; optionally echoes messages.
final class RecordingDelegate: WebSocketSessionDelegate, @unchecked Sendable {
    var events: [ConnectionEvent] = []
    var outcome: CloseOutcome?
    var writability: [Bool] = []
    var echoes = false

    func sessionDidOpen(_ session: WebSocketSession) {}

    func session(_ session: WebSocketSession, didReceive event: ConnectionEvent) {
        events.append(event)
        if echoes, case .message(let message) = event { session.send(message) }
    }

    func sessionDidClose(_ session: WebSocketSession, outcome: CloseOutcome) {
        self.outcome = outcome
    }

    func sessionWritabilityDidChange(_ session: WebSocketSession, isWritable: Bool) {
        writability.append(isWritable)
    }
}

/// Counts the reads that reach the front of the pipeline (what the socket would do).
final class ReadCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// A server session on an embedded channel, with a read counter in front of it.
struct EmbeddedSession {
    let channel = EmbeddedChannel()
    let counter = ReadCounter()
    let delegate = RecordingDelegate()
    let session: WebSocketSession

    init(role: Role = .server, options: SessionOptions = .init(), policy: AutoReplyPolicy = .automatic) throws {
        let connection = Connection(role: role, autoReplyPolicy: policy, randomNumberGenerator: SystemRandomNumberGenerator())
        session = WebSocketSession(
            connection: connection,
            info: SessionInfo(remoteAddress: "test", path: "/", subprotocol: nil, extensions: []),
            eventLoop: channel.eventLoop,
            options: options,
            delegate: delegate
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(session)
    }

    /// Frames a client would send (masked).
    static func clientBytes(_ messages: [OutboundMessage]) throws -> ByteBuffer {
        var client = Connection(role: .client, randomNumberGenerator: SystemRandomNumberGenerator())
        var out = ByteBuffer()
        for message in messages { try client.send(message, into: &out) }
        return out
    }

    /// Everything the session wrote, decoded as its peer would see it.
    func writtenFrames() throws -> [Frame] {
        var bytes = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&part) }
        var decoder = FrameDecoder(role: session.role.peer)
        var frames: [Frame] = []
        while let decoded = try decoder.nextFrame(from: &bytes) { frames.append(decoded.frame) }
        return frames
    }
}

/// Waits until `condition` holds, polling, for at most `timeout` seconds.
func waitUntil(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}
