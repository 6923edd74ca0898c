import ArgumentParser
import Foundation
import Testing

@testable import WSKCLI

/// Runs `wsk frame-dump ARGUMENTS` in process on `input` (the file or capture named in the
/// arguments is replaced by these bytes), without colour.
func frameDump(_ arguments: [String], input: [UInt8]) throws -> (output: String, summary: DumpSummary) {
    let parsed = try WSK.parseAsRoot(["frame-dump"] + arguments)
    let command = try #require(parsed as? FrameDump)
    var configuration = try command.makeConfiguration()
    configuration.source = .bytes(input)
    configuration.color = false
    let output = OutputBuffer(.memory)
    let summary = try FrameDumper(configuration: configuration, output: output).run()
    return (output.text, summary)
}

/// `frameDump` on hex text.
func frameDump(hex: String, _ arguments: [String] = []) throws -> (output: String, summary: DumpSummary) {
    try frameDump(["--hex"] + arguments, input: Array(hex.utf8))
}

/// Parses JSON lines into dictionaries.
func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
}

/// The test resources folder (`Resources/` copied into the bundle).
var resourcesURL: URL {
    Bundle.module.bundleURL.appendingPathComponent("Resources")
}

func resourceBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: resourcesURL.appendingPathComponent(path)))
}

/// The `wsk` executable built next to the test bundle, if it exists.
var wskExecutable: URL? {
    let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("wsk")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}

/// Runs the built `wsk` with `arguments`, `input` on stdin and `environment` added.
func runWSK(_ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:]) throws
    -> (status: Int32, stdout: String, stderr: String)
{
    let process = Process()
    process.executableURL = wskExecutable!
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NO_COLOR")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // 128 + signal for a crash, as a shell reports it (terminationStatus is the bare signal number).
    let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    return (status, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}
