import ArgumentParser
import WSKCompression

/// permessage-deflate (RFC 7692) settings, for every subcommand that speaks WebSocket: a
/// server accepts what clients offer within them, a client offers them.
struct CompressionOptions: ParsableArguments {
    @Flag(help: "Do not use permessage-deflate (a server refuses it, a client does not offer it).")
    var noCompression = false

    @Flag(help: "server_no_context_takeover: the server resets its compressor after every message.")
    var serverNoContextTakeover = false

    @Flag(help: "client_no_context_takeover: the client resets its compressor after every message.")
    var clientNoContextTakeover = false

    @Option(help: ArgumentHelp("server_max_window_bits, 8-15: the largest LZ77 window the server compresses with.", valueName: "bits"))
    var serverMaxWindowBits: Int?

    @Option(help: ArgumentHelp("client_max_window_bits, 8-15: the largest LZ77 window the client compresses with.", valueName: "bits"))
    var clientMaxWindowBits: Int?

    @Option(help: ArgumentHelp("zlib level for outgoing messages, 0-9.", valueName: "level"))
    var compressionLevel = PerMessageDeflate.defaultCompressionLevel

    var options: PerMessageDeflateOptions? {
        guard !noCompression else { return nil }
        return PerMessageDeflateOptions(
            serverNoContextTakeover: serverNoContextTakeover,
            clientNoContextTakeover: clientNoContextTakeover,
            serverMaxWindowBits: serverMaxWindowBits,
            clientMaxWindowBits: clientMaxWindowBits
        )
    }

    func validate() throws {
        for (flag, value) in [("--server-max-window-bits", serverMaxWindowBits), ("--client-max-window-bits", clientMaxWindowBits)] {
            if let value, !(8...15).contains(value) {
                throw ValidationError("\(flag) must be between 8 and 15, got \(value)")
            }
        }
        guard (0...9).contains(compressionLevel) else {
            throw ValidationError("--compression-level must be between 0 and 9, got \(compressionLevel)")
        }
    }
}
