import Foundation

/// The REPL's persistent history: one line per entry in `$XDG_STATE_HOME/wsk/history`
/// (default `~/.local/state/wsk/history`), the last ``limit`` entries kept.
struct REPLHistory: Sendable {
    let path: String
    var limit = 1000

    /// The history file for this environment, or nil without `XDG_STATE_HOME` and `HOME`.
    static func defaultPath(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/wsk/history"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.local/state/wsk/history"
        }
        return nil
    }

    /// The saved entries, oldest first (at most ``limit``; the file is trimmed to that).
    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if lines.count > limit {
            lines.removeFirst(lines.count - limit)
            try? Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        return lines
    }

    /// Appends one entry; failures (read-only home, …) are reported once by the caller.
    func append(_ line: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw CLIError.failure("cannot create \(path)")
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }
}
