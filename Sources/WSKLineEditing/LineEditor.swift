/// A line editor for the REPL: reads lines on its own thread and prints text above the
/// line being typed without breaking it.
///
/// Only ``LibEditLineEditor`` touches libedit; tests can drive the REPL with another
/// conformance.
public protocol LineEditor: AnyObject, Sendable {
    /// Starts reading. `onLine` runs on the editor's thread for each line entered, and once
    /// with `nil` at end of input (Ctrl-D); no more lines are read after that.
    func start(prompt: String, onLine: @escaping @Sendable (String?) -> Void)
    /// Prints `text` (one or more lines, without the final newline) above the prompt,
    /// keeping what the user is typing. Safe from any thread.
    func printAbove(_ text: String)
    /// Adds a line to the in-memory history (Up/Down). Safe from any thread.
    func addHistory(_ line: String)
    /// Ctrl-C: drops the line being typed, or ends input when it is empty. Safe from any
    /// thread.
    func interrupt()
    /// Prints what is queued, stops reading and restores the terminal. Waits for the
    /// editor's thread unless called on it.
    func stop()
}
