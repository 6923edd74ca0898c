// The HTTP head parser frame-dump uses on captured TCP streams (WSKCapture.HTTPHead).
// frame-dump parses the bytes of a stream again each time more arrive, so the answer
// must not depend on how the stream was cut into segments. Properties:
// - never traps;
// - a head's length is within the bytes and at most maxLength, its start line contains
//   "HTTP/", its field names have no ':', values no leading/trailing space or tab, and no
//   line break anywhere;
// - decisions are final: every prefix of the bytes gives `.needMore` or the same answer
//   as the whole; once `.head` or `.notHTTP`, more bytes never change the answer (the
//   prefixes tried are the split points the first byte picks, plus the head's end).
// The first byte also picks (bits 6 and 7 both set) padding: filler header lines are inserted after the
// input's first line so the input reaches the 64 KiB limit, where the search stops.
import FuzzSupport
import WSKCapture

func check(_ head: HTTPHead, in bytes: ArraySlice<UInt8>) {
    require(head.length > 0 && head.length <= bytes.count, "head length \(head.length) outside the \(bytes.count) bytes")
    require(head.length <= HTTPHead.maxLength, "a head of \(head.length) bytes, over maxLength")
    let tail = Array(bytes[(bytes.startIndex + head.length - 2)..<(bytes.startIndex + head.length)])
    require(tail == [0x0A, 0x0A] || tail == [0x0D, 0x0A], "the head does not end with a blank line: \(tail)")
    require(head.startLine.contains("HTTP/"), "start line without HTTP/: \(head.startLine)")
    for field in head.fields {
        require(!field.name.contains(":"), "a field name with ':': \(field.name)")
        require(!field.name.utf8.contains(0x0A) && !field.value.utf8.contains(0x0A), "a line break inside a field")
        require(field.value.utf8.first != 0x20 && field.value.utf8.first != 0x09, "a value with leading whitespace")
        require(field.value.utf8.last != 0x20 && field.value.utf8.last != 0x09, "a value with trailing whitespace")
    }
}

func describe(_ result: HTTPHead.ParseResult) -> String {
    switch result {
    case .needMore: return "needMore"
    case .notHTTP: return "notHTTP"
    case .head(let head): return "head(\(head.length) bytes, \(head.fields.count) fields)"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = inputBytes(data, size)
    guard let selector = input.first else { return 0 }
    var bytes = Array(input.dropFirst())
    let padded = selector & 0xC0 == 0xC0
    if padded {
        // Pad to near the limit with one long header line after the first line.
        let firstLine = (bytes.firstIndex(of: 0x0A).map { $0 + 1 }) ?? bytes.count
        // 64-byte lines "X-Filler: aaa...\r\n", the last one shortened to land near the limit.
        // The input then ends between 8 bytes before the limit and 7 after it.
        let room = max(0, HTTPHead.maxLength - bytes.count + Int(selector & 0x0F) - 8)
        var filler: [UInt8] = []
        let line = Array("X-Filler: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 52) + [0x0D, 0x0A]
        while filler.count + line.count <= room { filler += line }
        if room - filler.count >= 12 {
            filler += Array("X-Filler: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: room - filler.count - 12) + [0x0D, 0x0A]
        }
        bytes.insert(contentsOf: filler, at: firstLine)
    }
    let whole = HTTPHead.parse(bytes[...])
    if case .head(let head) = whole { check(head, in: bytes[...]) }

    // Prefixes: the split points, and around the end of the head and the limit.
    var cuts = Set<Int>()
    var position = 0
    // At most 8 split points (each prefix is parsed again, as frame-dump does); 2 when
    // padded, where the interesting cuts are the limit's, added below.
    for piece in split(bytes[...], seed: selector, maxPiece: pieceSizes[Int(selector & 0x0F)] * (padded ? 64 : 1)).prefix(padded ? 2 : 8) {
        position += piece.readableBytes
        cuts.insert(position)
    }
    if case .head(let head) = whole { cuts.formUnion([head.length - 1, head.length, head.length + 1]) }
    cuts.formUnion([HTTPHead.maxLength - 1, HTTPHead.maxLength, HTTPHead.maxLength + 1])
    var previous: HTTPHead.ParseResult = .needMore
    for cut in cuts.sorted() where cut >= 0 && cut <= bytes.count {
        let result = HTTPHead.parse(bytes[..<cut])
        if case .head(let head) = result { check(head, in: bytes[..<cut]) }
        if case .needMore = previous {} else {
            require(result == previous, "the answer changed as bytes arrived: \(describe(previous)) with fewer bytes, \(describe(result)) with \(cut)")
        }
        if case .needMore = result {} else {
            require(result == whole, "a prefix of \(cut) bytes says \(describe(result)), all \(bytes.count) say \(describe(whole))")
        }
        previous = result
    }
    if let head = HTTPHead.parse(bytes[...]).headValue {
        _ = (head.isRequest, head.method, head.target, head.status, head.version, head.isWebSocketUpgrade, head.values("Upgrade"))
    }
    return 0
}

extension HTTPHead.ParseResult {
    var headValue: HTTPHead? {
        if case .head(let head) = self { return head }
        return nil
    }
}

@_cdecl("FuzzHTTPHead_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzDriver(argc, argv, fuzzOne)
}
