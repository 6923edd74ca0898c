import ArgumentParser
import Foundation
import WSKNIO

/// The root `wsk` command. Subcommands are registered here once they work end to end.
public struct WSK: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "wsk",
        abstract: "A command-line WebSocket toolkit.",
        discussion: """
            wsk speaks RFC 6455 WebSocket and RFC 7692 permessage-deflate, as a strict \
            codec shared by every subcommand.

            Exit codes: 0 success; 1 failure; 64 usage error (a malformed argument).
            Each subcommand documents its own (wsk help SUBCOMMAND, man wsk.SUBCOMMAND).

            EXAMPLES:
              wsk serve-echo --port 9001                   # echo server
              wsk connect ws://127.0.0.1:9001/             # REPL on a terminal
              echo hi | wsk connect ws://127.0.0.1:9001/   # pipe tool
              wsk proxy -p 9002 -v ws://127.0.0.1:9001/    # relay, log messages
              wsk bench -c 100 -d 8 ws://127.0.0.1:9001/   # load, percentiles
              wsk frame-dump --pcap capture.pcapng         # decode, find faults
            """,
        version: WSKVersion.current,
        subcommands: [ServeEcho.self, Connect.self, Proxy.self, Bench.self, FrameDump.self]
    )

    public init() {}

    /// Runs wsk; `wsk help NAME` with an unknown NAME is a usage error (exit 64), not the
    /// general help with status 0.
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        if arguments.count >= 2, arguments[0] == "help", !arguments[1].hasPrefix("-") {
            let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
            if !names.contains(arguments[1]) {
                FileOutput.writeAll(Array("Error: unknown subcommand '\(arguments[1])'; subcommands: \(names.joined(separator: ", "))\n".utf8), to: 2)
                Foundation.exit(64)
            }
        }
        raiseOpenFileLimit()
        TypeMetadataWarmup.run()
        await main(arguments)
    }

    /// Servers and load tests hold a descriptor per connection: the soft limit on open
    /// files (often 1024) is raised to the hard limit, as Go and nginx do.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// The version printed by `wsk --version`.
public enum WSKVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
