/// Why a capture file could not be read.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One plain sentence.
    public var message: String

    /// Creates an error with a sentence.
    public init(_ message: String) {
        self.message = message
    }

    /// The sentence.
    public var description: String { message }
}
