/// Computes the `Sec-WebSocket-Accept` value a server returns for a client's
/// `Sec-WebSocket-Key` (RFC 6455 §1.3, §4.2.2).
///
/// The accept value is `base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))`. It
/// proves to the client that the server understood a WebSocket handshake rather than, say,
/// replaying a cached response; it is not an authentication mechanism.
public enum AcceptKey {
    /// The GUID appended to the key before hashing (RFC 6455 §1.3).
    public static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The accept value for `key`.
    ///
    /// RFC 6455 §4.2.2: the key is used "as a string, not base64-decoded", with any leading
    /// and trailing whitespace removed, so this hashes the key's characters exactly as
    /// they appear in the header value.
    ///
    /// - Parameter key: the client's `Sec-WebSocket-Key` value, for example
    ///   `dGhlIHNhbXBsZSBub25jZQ==`.
    /// - Returns: the base64 accept value, for example `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`.
    public static func compute(forKey key: String) -> String {
        var hasher = SHA1()
        hasher.update(HeaderValue.trimmingWhitespace(key).utf8)
        hasher.update(guid.utf8)
        return Base64.encode(hasher.finalize())
    }
}
