import ArgumentParser

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
}

/// The version printed by `wsk --version`.
public enum WSKVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
