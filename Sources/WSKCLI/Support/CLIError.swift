import ArgumentParser

/// A failure a subcommand reports in one line, with its exit code.
enum CLIError: Error, CustomStringConvertible {
    /// Exit 1 with a message.
    case failure(String)

    var description: String {
        switch self {
        case .failure(let message): return message
        }
    }
}
