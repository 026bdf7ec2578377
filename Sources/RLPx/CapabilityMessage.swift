/// A message of a shared capability, as the layer above sees it: the id is
/// relative to the capability (offsets are RLPx's business), the payload is
/// the RLP message data, uncompressed.
public struct CapabilityMessage: Hashable, Sendable {
    /// Capability name, e.g. `shh`.
    public var capability: String
    /// Message id within the capability (0 = the capability's first message).
    public var id: UInt64
    /// RLP-encoded message data.
    public var payload: [UInt8]

    public init(capability: String, id: UInt64, payload: [UInt8]) {
        self.capability = capability
        self.id = id
        self.payload = payload
    }
}

/// One frame's content on the wire side of the codec: the absolute message
/// id and the (possibly compressed) message data.
package struct RLPxFrame: Hashable, Sendable {
    package var messageID: UInt64
    package var payload: [UInt8]

    package init(messageID: UInt64, payload: [UInt8]) {
        self.messageID = messageID
        self.payload = payload
    }
}
