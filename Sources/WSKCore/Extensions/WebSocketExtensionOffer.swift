/// One element of a `Sec-WebSocket-Extensions` header: an extension name and its
/// parameters (RFC 6455 §9.1).
///
/// The same type describes a client's offer and a server's response.
public struct WebSocketExtensionOffer: Hashable, Sendable, CustomStringConvertible {
    /// One `name[=value]` parameter. `value` is `nil` for a value-less parameter such as
    /// `client_max_window_bits` in a client's offer (RFC 7692 §7.1.2.2).
    public struct Parameter: Hashable, Sendable {
        /// The parameter name, as sent (compare case-insensitively).
        public var name: String
        /// The value with any quoting removed, or `nil` if none was given.
        public var value: String?

        /// Creates a parameter.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The extension token, for example `permessage-deflate`.
    public var name: String
    /// The parameters in the order they were given.
    public var parameters: [Parameter]

    /// Creates an offer.
    public init(name: String, parameters: [Parameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// The header-element form, for example `permessage-deflate; client_max_window_bits`.
    /// Values that are not tokens are quoted.
    public var description: String {
        var text = name
        for parameter in parameters {
            text += "; " + parameter.name
            if let value = parameter.value {
                text += "=" + (ExtensionHeaderParser.isToken(value) ? value : ExtensionHeaderParser.quote(value))
            }
        }
        return text
    }

    /// Renders several offers as one header value, comma-separated.
    public static func headerValue(_ offers: [WebSocketExtensionOffer]) -> String {
        offers.map(\.description).joined(separator: ", ")
    }
}
