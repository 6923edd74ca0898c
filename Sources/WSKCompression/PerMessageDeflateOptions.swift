/// What this endpoint asks for when negotiating permessage-deflate (RFC 7692 §7.1).
///
/// The four fields carry the RFC's parameter names (`server_…`/`client_…`), because they
/// are what goes on the wire; the same value serves a client building its offer and a
/// server choosing its response. ``PerMessageDeflateNegotiator`` turns them into the
/// agreed ``PerMessageDeflateParameters``.
///
/// Window sizes are base-2 logarithms in ``validWindowBits`` (8...15: 256 bytes to 32 KiB).
///
/// - Note: `wsk` always inflates with a 32 KiB window (it accepts any peer window), so the
///   window a peer is asked to use only saves the peer's memory, never ours.
public struct PerMessageDeflateOptions: Hashable, Sendable {
    /// The window sizes RFC 7692 §7.1.2 allows: "a decimal integer value without leading
    /// zeroes between 8 to 15 inclusive".
    public static let validWindowBits: ClosedRange<Int> = 8...15

    /// `server_no_context_takeover`: the server resets its compressor after every message.
    ///
    /// A client sets it to ask for this (the server must then confirm it, RFC 7692
    /// §7.1.1.1); a server sets it to impose it. Costs compression ratio, saves the server
    /// a window per connection between messages. Default `false`.
    public var serverNoContextTakeover: Bool

    /// `client_no_context_takeover`: the client resets its compressor after every message.
    ///
    /// A client sets it to announce that it will do so whatever the server answers
    /// (RFC 7692 §7.1.1.2); a server sets it to impose it. Default `false`.
    public var clientNoContextTakeover: Bool

    /// `server_max_window_bits`: the largest LZ77 window the server's compressor may use.
    ///
    /// A client sets it to limit the server (the server must answer with the same or a
    /// smaller value, RFC 7692 §7.1.2.1); a server sets it to cap its own window. `nil`
    /// (the default) asks for no limit, that is 15.
    ///
    /// - Precondition: `nil` or in ``validWindowBits``.
    public var serverMaxWindowBits: Int?

    /// `client_max_window_bits`: the largest LZ77 window the client's compressor may use.
    ///
    /// A client sets it to promise a limit (sent as `client_max_window_bits=N`); a server
    /// sets it to ask for one, which it can only do when the client's offer carries the
    /// parameter (RFC 7692 §7.1.2.2). `nil` (the default) asks for no limit.
    ///
    /// - Precondition: `nil` or in ``validWindowBits``.
    public var clientMaxWindowBits: Int?

    /// Whether a client's offer carries `client_max_window_bits` even when
    /// ``clientMaxWindowBits`` is `nil`, in its value-less form (RFC 7692 §7.1.2.2).
    ///
    /// It tells the server that this client can limit its compressor's window, which lets
    /// a memory-conscious server accept the offer with a small window. `wsk`'s compressor
    /// honours every window from 8 to 15, so this defaults to `true`; turn it off only for
    /// servers that reject the value-less form. Ignored by servers.
    public var offersClientMaxWindowBits: Bool

    /// Creates options; every parameter defaults to "not requested".
    ///
    /// - Precondition: window bits are `nil` or in ``validWindowBits``.
    public init(
        serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int? = nil,
        clientMaxWindowBits: Int? = nil,
        offersClientMaxWindowBits: Bool = true
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
        self.offersClientMaxWindowBits = offersClientMaxWindowBits
        self.checkPreconditions()
    }

    /// Traps on window bits outside ``validWindowBits``: options come from this side's
    /// code or command line, which must validate them first.
    func checkPreconditions() {
        if let bits = serverMaxWindowBits { Self.checkWindowBits(bits, name: "serverMaxWindowBits") }
        if let bits = clientMaxWindowBits { Self.checkWindowBits(bits, name: "clientMaxWindowBits") }
    }

    /// Traps unless `bits` is in ``validWindowBits``; `name` is the parameter named in the
    /// message. For window sizes given in code: those read from a peer are checked by
    /// ``PerMessageDeflateNegotiator`` and fail the negotiation instead.
    static func checkWindowBits(_ bits: Int, name: String) {
        precondition(validWindowBits.contains(bits), "\(name) must be in 8...15, got \(bits)")
    }
}
