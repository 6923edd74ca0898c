import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ServerLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Largest message accepted (sum of fragments, or inflated size); larger ones close with 1009.", valueName: "bytes"))
    var maxMessageSize = ByteCount(16 << 20)

    @Option(help: ArgumentHelp("Largest frame payload accepted; larger ones close with 1009.", valueName: "bytes"))
    var maxFrameSize = ByteCount(16 << 20)

    @Option(help: ArgumentHelp("Most concurrent WebSocket clients; further upgrades get HTTP 503.", valueName: "n"))
    var maxConnections = 100_000

    @Option(help: ArgumentHelp("Seconds a client has to send its upgrade request.", valueName: "seconds"))
    var handshakeTimeout = Seconds(10)

    @Option(help: ArgumentHelp("Ping a client silent this long; close it (1001) if still silent as long again.", valueName: "seconds"))
    var idleTimeout: Seconds?

    @Option(help: ArgumentHelp("Bytes queued for a client that does not read before it is closed with 1008.", valueName: "bytes"))
    var maxBackpressure = ByteCount(16 << 20)

    func validate() throws {
        guard maxMessageSize.value >= 1 else { throw ValidationError("--max-message-size must be at least 1 byte") }
        guard maxFrameSize.value >= 1 else { throw ValidationError("--max-frame-size must be at least 1 byte") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, got \(maxConnections)") }
        guard handshakeTimeout.value > 0 else { throw ValidationError("--handshake-timeout must be more than 0 seconds") }
        if let idleTimeout, idleTimeout.value <= 0 { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        guard maxBackpressure.value >= 1024 else { throw ValidationError("--max-backpressure must be at least 1KiB") }
    }
}
