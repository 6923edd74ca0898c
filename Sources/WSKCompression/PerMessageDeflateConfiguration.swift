import WSKCore

/// The agreed permessage-deflate parameters from this endpoint's point of view:
/// `send…` governs the messages it compresses, `receive…` the messages it inflates.
///
/// A client sends with the `client_…` parameters and receives with the `server_…` ones; a
/// server the other way round (RFC 7692 §7.1.1, §7.1.2). ``PerMessageDeflate`` is built
/// from this value.
public struct PerMessageDeflateConfiguration: Hashable, Sendable {
    /// Reset the compressor after every sent message (no LZ77 window shared across them).
    public var sendNoContextTakeover: Bool
    /// The peer resets its compressor after every message, so the inflater is reset too.
    public var receiveNoContextTakeover: Bool
    /// The largest LZ77 window this endpoint's compressor may use, 8...15.
    public var sendMaxWindowBits: Int
    /// The largest LZ77 window the peer's compressor uses, 8...15. Informational: `wsk`
    /// inflates with a 15-bit window, which accepts streams made with any smaller window.
    public var receiveMaxWindowBits: Int

    /// Creates a configuration directly (tests, or both ends of an in-memory pair).
    ///
    /// - Precondition: both window sizes are in ``PerMessageDeflateOptions/validWindowBits``.
    public init(
        sendNoContextTakeover: Bool = false,
        receiveNoContextTakeover: Bool = false,
        sendMaxWindowBits: Int = 15,
        receiveMaxWindowBits: Int = 15
    ) {
        PerMessageDeflateOptions.checkWindowBits(sendMaxWindowBits, name: "sendMaxWindowBits")
        PerMessageDeflateOptions.checkWindowBits(receiveMaxWindowBits, name: "receiveMaxWindowBits")
        self.sendNoContextTakeover = sendNoContextTakeover
        self.receiveNoContextTakeover = receiveNoContextTakeover
        self.sendMaxWindowBits = sendMaxWindowBits
        self.receiveMaxWindowBits = receiveMaxWindowBits
    }

    /// Restates agreed wire parameters for `role`.
    public init(parameters: PerMessageDeflateParameters, role: Role) {
        switch role {
        case .client:
            self.init(
                sendNoContextTakeover: parameters.clientNoContextTakeover,
                receiveNoContextTakeover: parameters.serverNoContextTakeover,
                sendMaxWindowBits: parameters.clientMaxWindowBits,
                receiveMaxWindowBits: parameters.serverMaxWindowBits
            )
        case .server:
            self.init(
                sendNoContextTakeover: parameters.serverNoContextTakeover,
                receiveNoContextTakeover: parameters.clientNoContextTakeover,
                sendMaxWindowBits: parameters.serverMaxWindowBits,
                receiveMaxWindowBits: parameters.clientMaxWindowBits
            )
        }
    }
}
