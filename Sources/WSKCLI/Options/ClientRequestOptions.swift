import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ClientRequestOptions: ParsableArguments {
    @Option(name: [.customShort("H"), .long], help: ArgumentHelp("Extra request header, 'Name: value' (repeatable).", valueName: "header"))
    var header: [String] = []

    @Option(help: ArgumentHelp("Subprotocol to offer, most preferred first (repeatable).", valueName: "name"))
    var subprotocol: [String] = []

    @Option(help: ArgumentHelp("Origin header to send.", valueName: "origin"))
    var origin: String?

    @Option(help: ArgumentHelp("Basic authentication, user:password.", valueName: "user:password"))
    var auth: String?

    var headerPairs: [(name: String, value: String)] {
        header.compactMap { UpgradeCheckOptions.split($0) }
    }

    func validate() throws {
        for value in header where UpgradeCheckOptions.split(value) == nil {
            throw ValidationError("--header expects 'Name: value', got '\(value)'")
        }
        if let auth, !auth.contains(":") {
            throw ValidationError("--auth expects user:password")
        }
    }
}

extension WebSocketURL {
    /// The `<url>` argument, or a usage error naming it.
    init(argument text: String) throws {
        do {
            self = try WebSocketURL(parsing: text)
        } catch {
            throw ValidationError("<url>: \(error)")
        }
    }
}
