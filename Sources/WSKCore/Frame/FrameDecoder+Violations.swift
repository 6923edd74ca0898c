/// How the decoder handles a violation: strict mode fails, inspect mode records and goes on
/// wherever the framing allows (see ``FrameDecoder/Mode``).
extension FrameDecoder {
    /// Strict: fail. Inspect: record and go on.
    mutating func report(_ reason: ProtocolViolation.Reason, at offset: Int) throws(ProtocolViolation) {
        let violation = ProtocolViolation(reason, streamOffset: offset)
        switch mode {
        case .strict:
            failure = violation
            throw violation
        case .inspect:
            violations.append(violation)
        }
    }

    /// Fails in both modes: the framing after this point cannot be followed.
    mutating func fatal(_ reason: ProtocolViolation.Reason, at offset: Int) throws(ProtocolViolation) -> Never {
        let violation = ProtocolViolation(reason, streamOffset: offset)
        failure = violation
        if mode == .inspect { violations.append(violation) }
        throw violation
    }
}
