import Foundation
import Testing

/// The `wsk` binary built next to this test bundle.
enum Binary {
    static var wsk: URL {
        // The test bundle lives in .build/<triple>/debug/ next to the executables.
        let bundle = Bundle.main.bundleURL
        let candidates = [
            bundle.deletingLastPathComponent().appendingPathComponent("wsk"),
            bundle.appendingPathComponent("wsk"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wsk"),
        ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        // Fall back to the package's debug build folder.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/wsk")
    }
}

/// A running `wsk` process: its stdout lines, stderr and exit status.
final class WSKProcess: @unchecked Sendable {
    let process = Process()
    private let stdout: OutputCollector
    private let stderr: OutputCollector
    /// The write end of stdin, when the process was started with `standardInput: true`.
    let input: FileHandle?

    /// Starts `wsk` with `arguments`; stdin is /dev/null unless `standardInput` is true (then
    /// write with ``write(_:)`` and end it with ``closeInput()``).
    init(_ arguments: [String], environment: [String: String] = [:], standardInput: Bool = false) throws {
        process.executableURL = Binary.wsk
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if standardInput {
            // A wsk that exited early must make a write fail (EPIPE), not kill the test runner.
            _ = Glibc.signal(SIGPIPE, SIG_IGN)
            let pipe = Pipe()
            process.standardInput = pipe
            input = pipe.fileHandleForWriting
        } else {
            process.standardInput = FileHandle.nullDevice
            input = nil
        }
        stdout = OutputCollector(out)
        stderr = OutputCollector(err)
        try process.run()
    }

    var standardOutput: String { stdout.text }
    var standardError: String { stderr.text }

    /// Writes `text` to the process's stdin.
    func write(_ text: String) throws {
        try input?.write(contentsOf: Data(text.utf8))
    }

    /// Ends the process's stdin.
    func closeInput() throws {
        try input?.close()
    }

    /// Waits until `predicate` holds for stdout+stderr, or the timeout passes. Once the
    /// process has exited, the predicate is tried once more on all of its output.
    @discardableResult
    func waitForOutput(timeout: Double = 10, _ predicate: (String, String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if predicate(standardOutput, standardError) { return true }
            if !process.isRunning {
                stdout.waitForEnd(deadline: deadline)
                stderr.waitForEnd(deadline: deadline)
                return predicate(standardOutput, standardError)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for exit and for all of its output; returns the status, or nil on timeout
    /// (then kills it).
    func waitForExit(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        guard waitUntilExited(process, deadline: deadline) else {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        // All output is in once the pipes reach end of file.
        stdout.waitForEnd(deadline: deadline)
        stderr.waitForEnd(deadline: deadline)
        return process.shellStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs `wsk` to completion and returns (status, stdout, stderr).
    static func run(_ arguments: [String], timeout: Double = 30) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = try WSKProcess(arguments)
        let status = process.waitForExit(timeout: timeout) ?? -1
        return (status, process.standardOutput, process.standardError)
    }
}

/// A `wsk serve-echo` on a free port.
final class EchoServerProcess: @unchecked Sendable {
    let process: WSKProcess
    let port: Int
    let scheme: String

    init(_ arguments: [String] = []) throws {
        process = try WSKProcess(["serve-echo", "--port", "0", "--threads", "2"] + arguments)
        var found: (String, Int)? = nil
        process.waitForOutput(timeout: 15) { out, _ in
            guard let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else { return false }
            let url = line.dropFirst("listening on ".count)
            guard let colon = url.lastIndex(of: ":"), let port = Int(url[url.index(after: colon)...]) else { return false }
            found = (String(url.prefix { $0 != ":" }), port)
            return true
        }
        guard let found else {
            throw TestFailure("serve-echo did not print its port; stderr: \(process.standardError)")
        }
        scheme = found.0
        port = found.1
    }

    var log: String { process.standardError }

    /// Waits until serve-echo has logged `event` ("open", "close") for `client`, which it
    /// names by its address (`remote=127.0.0.1:<client's port>`).
    func waitForLog(_ event: String, client: RawClient, timeout: Double = 10) -> Bool {
        let needle = " \(event) remote=127.0.0.1:\(client.localPort) "
        return process.waitForOutput(timeout: timeout) { _, err in err.contains(needle) }
    }

    func stop() -> Int32? {
        process.signal(SIGTERM)
        return process.waitForExit(timeout: 10)
    }

    deinit {
        if process.process.isRunning { process.signal(SIGKILL) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
