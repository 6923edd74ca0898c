import WSKCore

/// A short view of a message for log lines: the start of a text, or the first bytes of a
/// binary message in hex.
enum MessagePreview {
    static func text(_ message: Message) -> String {
        let limit = 64
        if message.opcode == .text {
            let text = message.text
            return text.count > limit ? String(text.prefix(limit)) + "…" : text
        }
        let bytes = Array(message.data.readableBytesView.prefix(32))
        return ByteText.hex(bytes) + (message.data.readableBytes > 32 ? "…" : "")
    }
}
