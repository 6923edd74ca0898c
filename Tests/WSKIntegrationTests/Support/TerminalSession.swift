import Foundation

/// A program running in a real pseudo-terminal: a detached tmux session on its own tmux
/// server socket. Keys go in with `send-keys`, the screen comes back with `capture-pane`.
final class TerminalSession: @unchecked Sendable {
    let socket = "wsk-test-\(UUID().uuidString.prefix(8))"
    let exitMarker = "WSK-EXIT="

    /// Starts `command` (a shell command line) in a 120x40 terminal. The shell prints
    /// `WSK-EXIT=<status>` when the command ends, and the pane stays for capturing.
    init(_ command: String, environment: [String: String] = [:]) throws {
        var exports = ""
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            exports += "export \(key)='\(value)'; "
        }
        let script = "\(exports)\(command); echo \(exitMarker)$?; sleep 120"
        let quoted = script.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "$", with: "\\$")
        // The tmux server outlives this call and would hold a stdout pipe open: no capture.
        try tmux(["new-session", "-d", "-s", "main", "-x", "120", "-y", "40", "bash --noprofile --norc -c \"\(quoted)\""], capture: false)
    }

    /// Types `text` literally (no key names).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", "main", "-l", text])
    }

    /// Presses keys by tmux name: `Enter`, `Up`, `C-c`, `C-d`, `Tab`.
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", "main"] + keys)
    }

    /// Resizes the terminal (the program gets SIGWINCH).
    func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", "main", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// The visible screen, trailing blank lines dropped.
    func screen() -> String {
        let output = (try? tmux(["capture-pane", "-t", "main", "-p"])) ?? ""
        return output.replacingOccurrences(of: "\\n+$", with: "", options: .regularExpression)
    }

    /// Waits until the screen satisfies `predicate`; returns the last screen either way.
    @discardableResult
    func waitForScreen(timeout: Double = 10, _ predicate: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if predicate(last) { return (true, last) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (false, last)
    }

    /// Waits for the command to end and returns its exit status.
    func waitForExit(timeout: Double = 10) -> Int32? {
        let (ok, screen) = waitForScreen(timeout: timeout) { $0.contains(exitMarker) }
        guard ok, let range = screen.range(of: exitMarker) else { return nil }
        return Int32(screen[range.upperBound...].prefix { $0.isNumber })
    }

    /// Runs tmux with posix_spawn and waitpid (Foundation's Process can hang waiting for
    /// a tmux client whose server it spawned); stdout goes through a temporary file.
    @discardableResult
    func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tmux-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let argv = ["tmux", "-L", socket, "-f", "/dev/null"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The tmux server daemonizes and outlives this call: it must not inherit the test
        // runner's other descriptors (a pipe's write end kept open there means another
        // test's child never sees end of file on its stdin).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for descriptor in open where descriptor > 2 && fcntl(descriptor, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, nil, &cArguments, environ) == 0 else {
            throw TestFailure("cannot run tmux (is it installed?)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { status = 0; break }  // reaped elsewhere: assume success
        }
        if status != 0 {
            throw TestFailure("tmux \(arguments.first ?? "") failed with status \(status)")
        }
        return capture ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
    }

    deinit {
        _ = try? tmux(["kill-server"], capture: false)
    }
}
