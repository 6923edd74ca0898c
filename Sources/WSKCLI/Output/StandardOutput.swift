import Foundation

/// Unbuffered line output to stdout: each line is written with one `write(2)`, so a
/// reader on a pipe sees it at once.
enum StandardOutput {
    static func writeLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
