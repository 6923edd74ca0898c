import NIOCore
import WSKCompression
import WSKCore

/// permessage-deflate throughput on a stream of 64 distinct JSON-like 16 KiB messages,
/// window 15, level 6, with and without context takeover.
func benchDeflate() {
    let messages: [ByteBuffer] = (0..<64).map { message in
        var text = ""
        var index = message * 1000
        while text.utf8.count < 16 * 1024 {
            text += "{\"id\":\(index),\"name\":\"user-\((index &* 7919) % 10007)\",\"score\":\((index &* 31) % 977)},"
            index += 1
        }
        return ByteBuffer(string: text)
    }
    let totalBytes = messages.reduce(0) { $0 + $1.readableBytes }
    for noContextTakeover in [false, true] {
        let parameters = PerMessageDeflateParameters(serverNoContextTakeover: noContextTakeover)
        let label = noContextTakeover ? "no context takeover" : "context takeover"
        var compressed: [ByteBuffer] = []
        let deflateSeconds = measure(rounds: 3) {
            let sender = PerMessageDeflate(parameters: parameters, role: .server)
            compressed = messages.map { sender.encode($0)! }
        }
        let compressedBytes = compressed.reduce(0) { $0 + $1.readableBytes }
        let ratio = Double(totalBytes) / Double(compressedBytes)
        report("deflate 16 KiB JSON, \(label) (\(format(ratio, 1))x)", "\(format(Double(totalBytes) / deflateSeconds / 1e6, 1)) MB/s")
        var output = ByteBuffer()
        let inflateSeconds = measure(rounds: 3) {
            let receiver = PerMessageDeflate(parameters: parameters, role: .client)
            for message in compressed {
                output.clear()
                try! receiver.decode(message, isFinal: true, into: &output, limit: 1 << 20)
            }
        }
        report("inflate 16 KiB JSON, \(label)", "\(format(Double(totalBytes) / inflateSeconds / 1e6, 1)) MB/s")
    }
}
