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
