/// The pipeline names of the HTTP/1 encoder and decoder that carry the opening handshake,
/// by which ``ClientUpgradeHandler`` and ``ServerUpgradeHandler`` remove them once the
/// connection is upgraded.
enum HTTPHandlerName {
    static let encoder = "wsk.http.encoder"
    static let decoder = "wsk.http.decoder"
}
