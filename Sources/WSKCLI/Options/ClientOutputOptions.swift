import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ClientOutputOptions: ParsableArguments {
    @Flag(help: "Print the request and response heads of the handshake on stderr.")
    var showHandshake = false

    @Flag(help: "Prefix received lines with the time they arrived.")
    var timestamps = false

    @Flag(name: [.short, .long], help: "Report pings, pongs and closes on stderr.")
    var verbose = false

    @Flag(inversion: .prefixedNo, help: "Run the interactive client, or not (--no-interactive: pipe mode on a terminal). Default: interactive when stdin and stdout are terminals, without -x or --echo.")
    var interactive: Bool?

    @Flag(help: "Pipe mode: print one JSON object per line for every event (open, message, ping, pong, close, closed, error) with its time; text messages as \"text\", binary as \"base64\". Implies pipe mode.")
    var jsonl = false

    @Flag(help: "Interactive: pretty-print JSON text messages.")
    var jsonPretty = false

    @Flag(help: "Interactive: print received text as it is; by default control characters are shown as \\x1b, \\r, \\u{9b} so a server cannot drive the terminal (pipe mode is always exact).")
    var rawOutput = false

    @Flag(inversion: .prefixedNo, help: "Interactive: colour the output, or not (--no-color). Default: colour on a terminal, unless NO_COLOR is set.")
    var color: Bool?
}
