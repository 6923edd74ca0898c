/// Limits and behaviour shared by the decoder and the connection.
///
/// Every limit has a documented default and is checked before the bytes it guards are
/// buffered, so a peer cannot make `wsk` allocate more than the limit.
public struct WebSocketConfiguration: Hashable, Sendable {
    /// The largest frame payload, in bytes, accepted from the peer.
    ///
    /// Checked as soon as a frame header is parsed, before any payload is buffered, so a
    /// peer cannot make the decoder allocate more than this. Exceeding it fails the
    /// connection with ``CloseCode/messageTooBig`` (1009). RFC 6455 allows 2⁶³−1; `wsk`
    /// defaults to 16 MiB, which is also tungstenite's default.
    public var maxFrameSize: Int = 16 * 1024 * 1024

    /// The largest message, in bytes, accepted from the peer: the sum of its fragments'
    /// payloads, or its inflated size when compressed.
    ///
    /// Checked at each fragment's header (and during inflation), before the payload is
    /// buffered. Exceeding it fails the connection with 1009. Default 16 MiB.
    public var maxMessageSize: Int = 16 * 1024 * 1024

    /// Whether to require the shortest encoding of payload lengths.
    ///
    /// RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
    /// On by default; some lax peers send padded lengths, and this lets users accept them.
    public var requireMinimalLengths: Bool = true

    /// Whether each data frame is reported as it completes (a ``Message`` with
    /// ``Message/isFinal`` false, or opcode ``Opcode/continuation``) instead of whole
    /// messages: a relay keeps the sender's fragment boundaries. The rules (sequence, size
    /// limit, UTF-8, inflation) apply as for whole messages. Off by default.
    public var deliversFragments: Bool = false

    /// Creates the default configuration.
    public init() {}

    /// Creates a configuration with both size limits set.
    public init(maxFrameSize: Int, maxMessageSize: Int) {
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
    }
}
