import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct LoggingOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Log every message, not just connections.")
    var verbose = false

    @Option(help: ArgumentHelp("Log line format: text or json.", valueName: "format"))
    var logFormat: EventLog.Format = .text
}

extension EventLog.Format: ExpressibleByArgument {}
