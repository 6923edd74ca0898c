// Microbenchmarks for the codec's hot paths. Run in a release build:
//
//   swift run -c release wsk-microbench            # all
//   swift run -c release wsk-microbench mask utf8  # some
//
// Prints one line per figure. Each figure is the best of several timed rounds, so a
// busy machine skews it less. Not a test: nothing here asserts on time.
import NIOCore
import WSKCore

@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Runs `body` (which processes `bytesPerRun` bytes or `itemsPerRun` items) until about
/// `budget` has passed, in rounds; returns the best seconds per run.
func measure(budget: Duration = .milliseconds(400), rounds: Int = 5, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    // Warm up and size a round to ~budget/rounds.
    var iterations = 1
    while true {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        if elapsed > budget / (rounds * 4) || iterations > 1 << 24 { break }
        iterations *= 2
    }
    var best = Double.infinity
    for _ in 0..<rounds {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = min(best, seconds / Double(iterations))
    }
    return best
}

func format(_ value: Double, _ digits: Int = 2) -> String {
    var scaled = (value * pow10(digits)).rounded() / pow10(digits)
    if scaled == -0.0 { scaled = 0 }
    let text = "\(scaled)"
    return text
}

func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }

func sizeName(_ bytes: Int) -> String {
    if bytes >= 1 << 20 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10 { return "\(bytes >> 10) KiB" }
    return "\(bytes) B"
}

func report(_ name: String, _ value: String) {
    let padded = name + String(repeating: " ", count: max(1, 44 - name.count))
    print(padded + value)
}

func benchMask() {
    let key = MaskingKey(rawValue: 0x37FA_213D)
    for size in [16, 125, 1024, 64 * 1024, 1 << 20] {
        for misalignment in [0, 3] {
            var storage = [UInt8](repeating: 0x5A, count: size + 8)
            let seconds = storage.withUnsafeMutableBytes { raw -> Double in
                let region = UnsafeMutableRawBufferPointer(rebasing: raw[misalignment..<(misalignment + size)])
                return measure { key.apply(to: region, keyOffset: 1) }
            }
            blackHole(storage)
            report("unmask \(sizeName(size))\(misalignment == 0 ? "" : " misaligned")", "\(format(Double(size) / seconds / 1e9)) GB/s")
        }
    }
}

func benchDecode() {
    // 100k small frames (16-byte binary payloads), masked as from a client, decoded by a
    // server; and unmasked, decoded by a client (isolates the masking cost).
    let count = 100_000
    for role in [Role.server, .client] {
        var wire = ByteBuffer()
        var generator = SystemRandomNumberGenerator()
        let payload = ByteBuffer(repeating: 0x61, count: 16)
        for _ in 0..<count {
            let key: MaskingKey? = role == .server ? MaskingKey.random(using: &generator) : nil
            FrameEncoder.encode(opcode: .binary, maskingKey: key, payload: payload, into: &wire)
        }
        let seconds = measure(rounds: 3) {
            var decoder = FrameDecoder(role: role)
            var input = wire
            var frames = 0
            while let frame = try! decoder.nextFrame(from: &input) {
                frames &+= frame.frame.payload.readableBytes
            }
            blackHole(frames)
        }
        let label = role == .server ? "decode 100k masked 16 B frames (server)" : "decode 100k unmasked 16 B frames (client)"
        report(label, "\(format(Double(count) / seconds / 1e6)) M frames/s")
    }
    // The same through the whole Connection engine (events included).
    var wire = ByteBuffer()
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<count {
        FrameEncoder.encode(opcode: .text, maskingKey: MaskingKey.random(using: &generator), payload: ByteBuffer(string: "0123456789abcdef"), into: &wire)
    }
    let seconds = measure(rounds: 3) {
        var connection = Connection(role: .server, randomNumberGenerator: SystemRandomNumberGenerator())
        var input = wire
        connection.receive(&input)
        var messages = 0
        var replies = ByteBuffer()
        while let event = connection.nextEvent(replyingInto: &replies) {
            if case .message = event { messages &+= 1 }
        }
        blackHole(messages)
    }
    report("connection: 100k masked 16 B text messages", "\(format(Double(count) / seconds / 1e6)) M msgs/s")

    // One 16 MiB masked frame arriving in 64 KiB reads (the slow path: collected piece by
    // piece). Linear in the frame's size: each piece is unmasked once into the collected
    // buffer, nothing before it is copied again.
    var large = ByteBuffer()
    FrameEncoder.encode(opcode: .binary, maskingKey: MaskingKey(rawValue: 0x1234_5678), payload: ByteBuffer(repeating: 0x62, count: 16 << 20), into: &large)
    let largeSeconds = measure(rounds: 3) {
        var decoder = FrameDecoder(role: .server, configuration: WebSocketConfiguration(maxFrameSize: 32 << 20, maxMessageSize: 32 << 20))
        var rest = large
        var bytes = 0
        while rest.readableBytes > 0 {
            var piece = rest.readSlice(length: min(64 << 10, rest.readableBytes))!
            if let frame = try! decoder.nextFrame(from: &piece) { bytes &+= frame.frame.payload.readableBytes }
        }
        blackHole(bytes)
    }
    report("decode one 16 MiB masked frame in 64 KiB pieces", "\(format(Double(large.readableBytes) / largeSeconds / 1e9)) GB/s")
}

func benchUTF8() {
    let size = 1 << 20
    let ascii = [UInt8]((0..<size).map { UInt8(0x20 + $0 % 95) })
    let sample = Array("Hello-µ@ßöäüàá-UTF-8!! κόσμε 日本語 🎉 ".utf8)
    let mixed = [UInt8]((0..<size).map { sample[$0 % sample.count] })
    let cut = mixed.prefix { _ in true }
    for (name, bytes) in [("ascii", ascii), ("mixed", Array(cut))] {
        let seconds = bytes.withUnsafeBytes { raw -> Double in
            measure {
                var validator = UTF8Validator()
                blackHole(validator.consume(raw))
            }
        }
        report("utf-8 validate 1 MiB \(name)", "\(format(Double(bytes.count) / seconds / 1e9)) GB/s")
    }
}

let all = ["mask", "decode", "utf8", "deflate"]
let selected = CommandLine.arguments.dropFirst().isEmpty ? all : Array(CommandLine.arguments.dropFirst())
#if DEBUG
print("warning: debug build; run `swift run -c release wsk-microbench` for real figures")
#endif
for name in selected {
    switch name {
    case "mask": benchMask()
    case "decode": benchDecode()
    case "utf8": benchUTF8()
    case "deflate": benchDeflate()
    default: print("unknown benchmark \(name); choose from \(all.joined(separator: ", "))")
    }
}
