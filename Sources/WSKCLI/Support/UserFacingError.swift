import ArgumentParser
import WSKNIO

/// A failure as the user reads it: one line naming what failed, where, and what to try,
/// printed as `wsk: WHAT: MESSAGE; HINT` with its exit status.
struct UserFacingError: PlainError {
    /// What was being done (`connect`, `listen`, `bench`, an input file).
    var what: String
    /// What went wrong, in plain words.
    var message: String
    /// What to try, if anything.
    var hint: String?
    /// The exit status.
    var exitCode: Int32

    init(_ what: String, _ message: String, hint: String? = nil, exitCode: Int32 = 1) {
        self.what = what
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    var description: String {
        "\(what): \(message)" + (hint.map { "; \($0)" } ?? "")
    }

    /// Plain words for any error: ours as they are, the libraries' mapped (no type names,
    /// errno dumps or source paths).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as any PlainError: return error.description
        default: return NetworkErrorText.describe(error)
        }
    }
}

/// An error of wsk's own whose description is already one plain sentence for the user.
protocol PlainError: Error, CustomStringConvertible {}

extension CLIError: PlainError {}
extension FrameDumper.InputError: PlainError {}

/// A subcommand run through the one run wrapper: ``execute()`` does the work; every error
/// it throws becomes one line on stderr and an exit status here, in one place. Usage
/// errors stay with ArgumentParser (status 64); an ``ExitCode`` passes through (the
/// subcommand already explained it).
///
/// ArgumentParser runs each option group's `validate()` as it parses the group, before
/// the command's own `validate()`, which therefore checks only what spans groups.
public protocol WSKCommand: AsyncParsableCommand {
    /// The subcommand's work.
    func execute() async throws
}

extension WSKCommand {
    public func run() async throws {
        do {
            try await execute()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch let error as UserFacingError {
            Diagnostics.error(error.description)
            throw ExitCode(error.exitCode)
        } catch {
            Diagnostics.error(UserFacingError.describe(error))
            throw ExitCode(1)
        }
    }
}
