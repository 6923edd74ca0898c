import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct UpgradeCheckOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An Origin allowed to connect (repeatable); others get HTTP 403.", valueName: "origin"))
    var allowOrigin: [String] = []

    @Option(help: ArgumentHelp("A header every upgrade request must carry, 'Name: value' (repeatable); else HTTP 401.", valueName: "header"))
    var requireHeader: [String] = []

    var requiredHeaders: [(name: String, value: String)] {
        requireHeader.compactMap { Self.split($0) }
    }

    static func split(_ header: String) -> (name: String, value: String)? {
        guard let colon = header.firstIndex(of: ":") else { return nil }
        let name = header[..<colon].trimmingCharacters(in: .whitespaces)
        let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_!#$%&'*+.^`|~".contains($0) }) else { return nil }
        return (name, value)
    }

    func validate() throws {
        for header in requireHeader where Self.split(header) == nil {
            throw ValidationError("--require-header expects 'Name: value', got '\(header)'")
        }
    }
}
