import NIOCore
import Testing
@testable import WSKCore

@Suite("Close codes (RFC 6455 §7.4)")
struct CloseCodeTests {
    /// Classification over the whole UInt16 range against the RFC's table.
    @Test func classificationOverWholeRange() {
        for raw in 0...Int(UInt16.max) {
            let code = CloseCode(UInt16(raw))
            let expectedCategory: CloseCode.Category
            switch raw {
            case 1000...1015: expectedCategory = .defined
            case 1016...2999: expectedCategory = .reservedForProtocol
            case 3000...3999: expectedCategory = .registered
            case 4000...4999: expectedCategory = .privateUse
            default: expectedCategory = .invalid
            }
            #expect(code.category == expectedCategory)
            let sendable = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014].contains(raw) || (3000...4999).contains(raw)
            #expect(code.mayAppearOnWire == sendable, "\(raw)")
            #expect(code.isLocalOnly == [1005, 1006, 1015].contains(raw))
        }
    }

    @Test func descriptions() {
        #expect(CloseCode.normalClosure.description == "1000 (normal closure)")
        #expect(CloseCode(4001).description == "4001 (private use)")
        #expect(CloseCode(7).description == "7")
    }

    @Test func parsesCloseFrames() throws {
        #expect(try CloseFrame.parse(payload: ByteBuffer()).get() == CloseFrame(code: nil))
        #expect(try CloseFrame.parse(payload: buffer(hex: "03 e8")).get() == CloseFrame(code: .normalClosure))
        let withReason = try CloseFrame.parse(payload: buffer(hex: "0f a0") + buffer("héllo")).get()
        #expect(withReason == CloseFrame(code: CloseCode(4000), reason: "héllo"))
        #expect(CloseFrame(code: nil).effectiveCode == .noStatusReceived)
    }

    @Test func writesCloseFramesAndRejectsBadOnes() throws {
        var out = ByteBuffer()
        try CloseFrame(code: .goingAway, reason: "bye").writePayload(into: &out)
        #expect(out.bytes == hexBytes("03 e9 62 79 65"))
        #expect(throws: UsageError.reasonWithoutCode) { try CloseFrame(code: nil, reason: "x").writePayload(into: &out) }
        #expect(throws: UsageError.closeCodeNotSendable(.abnormalClosure)) { try CloseFrame(code: .abnormalClosure).writePayload(into: &out) }
        let long = String(repeating: "a", count: 124)
        #expect(throws: UsageError.controlPayloadTooLong(126)) { try CloseFrame(code: .normalClosure, reason: long).writePayload(into: &out) }
    }
}

func + (lhs: ByteBuffer, rhs: ByteBuffer) -> ByteBuffer {
    var out = lhs
    var rhs = rhs
    out.writeBuffer(&rhs)
    return out
}
