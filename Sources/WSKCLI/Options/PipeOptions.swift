import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

/// What a stdin line that is not valid UTF-8 becomes (a text message must be UTF-8, RFC 6455
/// §5.6; wsk never sends altered text).
enum InvalidUTF8Policy: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Stop with the line's number and a hint.
    case refuse
    /// Send the line as a binary message, bytes exact.
    case binary
}

struct PipeOptions: ParsableArguments {
    @Flag(help: "Send stdin as binary messages (one per read; with -0, one per NUL-delimited record).")
    var binary = false

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Records are NUL-delimited instead of newline-delimited, both ways.")
    var nullDelimited = false

    @Flag(help: "Binary messages are base64 lines, both ways.")
    var base64 = false

    @Flag(help: "Binary messages are hex lines, both ways.")
    var hex = false

    @Option(help: ArgumentHelp("A stdin line that is not valid UTF-8: refuse (stop, naming the line) or binary (send it as a binary message). Text is never altered.", valueName: "refuse|binary"))
    var invalidUtf8: InvalidUTF8Policy = .refuse

    @Option(name: [.customShort("x"), .long], help: ArgumentHelp("Send this text message, then wait (repeatable; stdin is not read).", valueName: "message"))
    var execute: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Close after receiving this many messages (stdin ending does not close before that).", valueName: "n"))
    var exitAfter: Int?

    @Option(help: ArgumentHelp("Close after receiving a message that matches this regular expression (stdin ending does not close before that).", valueName: "regex"))
    var until: String?

    @Option(help: ArgumentHelp("After stdin ends (or -x messages are sent), keep receiving this long before closing (default: close at once; 2 s with -x).", valueName: "seconds"))
    var wait: Seconds?

    @Flag(help: "After stdin ends, send no close frame: wait for the server to close.")
    var waitForClose = false

    @Flag(help: "Send every received message back (a reflector); stdin is not read and the server ends the connection.")
    var echo = false

    func validate() throws {
        if base64 && hex { throw ValidationError("--base64 and --hex cannot be combined") }
        if binary && (base64 || hex) {
            throw ValidationError("--binary cannot be combined with --\(base64 ? "base64" : "hex") (raw bytes, or encoded lines: pick one)")
        }
        if let exitAfter, exitAfter < 1 { throw ValidationError("--exit-after must be at least 1, got \(exitAfter)") }
        if let until {
            do {
                _ = try Regex(until)
            } catch {
                throw ValidationError("--until: invalid regular expression: \(error)")
            }
        }
    }
}
