import HTTPTypes

@testable import WSKCore

/// SplitMix64 (Steele, Lea, Flood 2014), a seeded generator so handshake keys are
/// reproducible byte for byte. Named for this folder to stay clear of other suites' helpers.
struct HandshakeSeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Lowercase hex of `bytes`, for comparing digests with published vectors.
func handshakeHex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
}

/// The fields as `(name, value)` pairs in order, so tests can compare exact output.
func handshakePairs(_ fields: HTTPFields) -> [String] {
    fields.map { "\($0.name.rawName): \($0.value)" }
}

extension HTTPFields {
    /// A valid client upgrade request (RFC 6455 §1.3's example), with a `Host` field as an
    /// HTTP/1 parser would hand it over. Tests remove or change one field at a time.
    static var validUpgradeRequest: HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .hostField, value: "server.example.com"))
        fields[.upgrade] = "websocket"
        fields[.connection] = "Upgrade"
        fields[.secWebSocketKey] = "dGhlIHNhbXBsZSBub25jZQ=="
        fields[.origin] = "http://example.com"
        fields[.secWebSocketProtocol] = "chat, superchat"
        fields[.secWebSocketVersion] = "13"
        return fields
    }
}
