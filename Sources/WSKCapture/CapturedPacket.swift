/// One packet from a capture file: its link-layer bytes and when it was captured.
public struct CapturedPacket: Hashable, Sendable {
    /// The packet's position in the file, from 1 (as Wireshark numbers frames).
    public var number: Int
    /// The link-layer header type of the interface it was captured on.
    public var linkType: LinkType
    /// Capture time in nanoseconds since the Unix epoch; `nil` when the file's timestamp
    /// cannot be represented (a corrupt or hostile capture), marked invalid rather than
    /// trusted.
    public var timestampNanoseconds: Int64?
    /// The captured bytes (possibly fewer than were on the wire, if the snap length cut them).
    public var data: ArraySlice<UInt8>
    /// The packet's length on the wire; more than `data.count` when the capture's snap
    /// length cut it.
    public var originalLength: Int

    /// Whether the capture kept less of the packet than was on the wire.
    public var isCut: Bool { originalLength > data.count }

    /// Creates a packet.
    public init(number: Int, linkType: LinkType, timestampNanoseconds: Int64?, data: ArraySlice<UInt8>, originalLength: Int? = nil) {
        self.number = number
        self.linkType = linkType
        self.timestampNanoseconds = timestampNanoseconds
        self.data = data
        self.originalLength = max(originalLength ?? data.count, data.count)
    }
}
