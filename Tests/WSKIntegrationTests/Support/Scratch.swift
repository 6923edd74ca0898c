import Foundation

/// One temporary directory for this test process's scratch files (inputs piped to `wsk`,
/// state directories for the REPL's history), removed when the process exits, so a test
/// run leaves nothing behind in /tmp.
let scratchDirectory: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-tests-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: scratchDirectory) }
    return path
}()

/// A fresh path inside ``scratchDirectory``.
func scratchPath(_ prefix: String) -> String {
    "\(scratchDirectory)/\(prefix)-\(UUID().uuidString)"
}
