import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ListenOptions: ParsableArguments {
    @Option(help: "Address to listen on (IPv4 or IPv6, e.g. 0.0.0.0 or ::1).")
    var host = "127.0.0.1"

    @Option(name: [.short, .long], parsing: .unconditional, help: "Port to listen on; 0 picks a free port and prints it.")
    var port = 9001

    @Option(parsing: .unconditional, help: ArgumentHelp("Event-loop threads.", valueName: "n"))
    var threads = System.coreCount

    var address: ServerListenAddress { ServerListenAddress(host: host, port: port, threads: threads) }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
    }
}
