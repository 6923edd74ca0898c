import WSKCore

/// The permessage-deflate parameters both ends agreed on in the opening handshake, in the
/// RFC's wire terms (`server_…`/`client_…`).
///
/// Produced by ``PerMessageDeflateNegotiator``. A parameter absent from the server's
/// response takes its RFC 7692 default: context takeover allowed, a 15-bit (32 KiB)
/// window. ``configuration(for:)`` restates them from one endpoint's point of view.
public struct PerMessageDeflateParameters: Hashable, Sendable, CustomStringConvertible {
    /// The server resets its compressor after each message (`server_no_context_takeover`).
    public var serverNoContextTakeover: Bool
    /// The client resets its compressor after each message (`client_no_context_takeover`).
    public var clientNoContextTakeover: Bool
    /// The largest window the server's compressor uses, 8...15 (`server_max_window_bits`).
    public var serverMaxWindowBits: Int
    /// The largest window the client's compressor uses, 8...15 (`client_max_window_bits`).
    public var clientMaxWindowBits: Int

    /// Creates agreed parameters; the defaults are RFC 7692's for absent parameters.
    ///
    /// - Precondition: both window sizes are in ``PerMessageDeflateOptions/validWindowBits``.
    public init(
        serverNoContextTakeover: Bool = false,
        clientNoContextTakeover: Bool = false,
        serverMaxWindowBits: Int = 15,
        clientMaxWindowBits: Int = 15
    ) {
        PerMessageDeflateOptions.checkWindowBits(serverMaxWindowBits, name: "serverMaxWindowBits")
        PerMessageDeflateOptions.checkWindowBits(clientMaxWindowBits, name: "clientMaxWindowBits")
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
        self.clientMaxWindowBits = clientMaxWindowBits
    }

    /// The same agreement seen from `role`'s side: what it compresses with and what it
    /// inflates.
    public func configuration(for role: Role) -> PerMessageDeflateConfiguration {
        PerMessageDeflateConfiguration(parameters: self, role: role)
    }

    /// For example `server_max_window_bits=10, client_no_context_takeover`.
    public var description: String {
        var parts: [String] = []
        if serverNoContextTakeover { parts.append("server_no_context_takeover") }
        if clientNoContextTakeover { parts.append("client_no_context_takeover") }
        parts.append("server_max_window_bits=\(serverMaxWindowBits)")
        parts.append("client_max_window_bits=\(clientMaxWindowBits)")
        return parts.joined(separator: ", ")
    }
}
