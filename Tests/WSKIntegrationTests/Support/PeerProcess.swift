import Foundation

/// Whether to skip the tests that need a program from another project (Python
/// `websockets`, Node `ws`, Chromium): `WSK_SKIP_INTEROP=1`, for a development machine
/// without them. Only those tests may use it; everything else runs against `wsk` itself or
/// a server scripted in Swift (``ScriptedServer``), so it always runs.
let skipForeignPeers = ProcessInfo.processInfo.environment["WSK_SKIP_INTEROP"] == "1"

/// A program from another project (a Python or Node WebSocket peer) that prints its port on
/// its first line.
final class PeerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stderr: OutputCollector
    private let input = Pipe()

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Peers")

    init(_ interpreter: String, _ script: String, _ arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, Self.directory.appendingPathComponent(script).path] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Held open for the peer's life: the peer scripts exit when their stdin ends, so a
        // peer outlives neither this object nor the test process (a signal alone left
        // dozens of Python peers running after the suite).
        process.standardInput = input
        stderr = OutputCollector(err)
        try process.run()
        var line = Data()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)) else {
            process.terminate()
            throw TestFailure("\(script) did not print a port: \(String(decoding: line, as: UTF8.self)); stderr: \(stderr.text)")
        }
        self.port = port
    }

    var standardError: String { stderr.text }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}

/// Runs a shell pipeline with `wsk` on PATH-free absolute path substituted for `WSK`.
func shell(_ script: String, environment: [String: String] = [:], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script.replacingOccurrences(of: "WSK ", with: "'\(Binary.wsk.path)' ")]
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for key in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"] {
        env.removeValue(forKey: key)
    }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let stdout = OutputCollector(out)
    let stderr = OutputCollector(err)
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    guard waitUntilExited(process, deadline: deadline) else {
        process.terminate()
        throw TestFailure("timed out: \(script)")
    }
    // All output is in once every writer (the shell and what it started) has closed the pipes.
    guard stdout.waitForEnd(deadline: deadline), stderr.waitForEnd(deadline: deadline) else {
        throw TestFailure("output still open after the shell exited: \(script)")
    }
    return (process.shellStatus, stdout.text, stderr.text)
}
