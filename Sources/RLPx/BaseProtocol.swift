import RLP

/// The `p2p` base protocol (spec §9): Hello, Disconnect, Ping, Pong on ids
/// 0x00–0x0f, below every capability.
public enum BaseProtocol {
    /// The p2p version Herald advertises; 5 turns on Snappy (EIP-706).
    public static let version: UInt64 = 5
    /// Ids reserved for the base protocol (geth `baseProtocolLength`).
    public static let messageIDCount: UInt64 = 16
    /// Largest Hello payload accepted (geth: "message too big").
    public static let maxHelloSize = 2048
    /// geth reads at most this many bytes of a Disconnect payload.
    public static let maxDisconnectPayloadRead = 100

    /// Message ids of the base protocol.
    public enum MessageID {
        public static let hello: UInt64 = 0x00
        public static let disconnect: UInt64 = 0x01
        public static let ping: UInt64 = 0x02
        public static let pong: UInt64 = 0x03
    }

    /// The payload of Ping and Pong: the empty list.
    public static let emptyListPayload: [UInt8] = [0xc0]

    /// Disconnect payload: `[reason]`.
    public static func encodeDisconnect(_ reason: DisconnectReason) -> [UInt8] {
        var writer = RLPWriter()
        writer.writeList { $0.write(reason.rawValue) }
        return writer.bytes
    }

    /// Reads a Disconnect payload as geth does: `[reason]` or a bare integer,
    /// at most 100 bytes looked at; anything undecodable becomes `.invalid`.
    public static func decodeDisconnect(_ payload: some Collection<UInt8>) -> DisconnectReason {
        let bytes = Array(payload.prefix(maxDisconnectPayloadRead))
        var reader = RLPReader(bytes)
        do throws(RLPError) {
            if reader.nextIsList == true {
                let value = try reader.readList { (list: inout RLPReader) throws(RLPError) -> UInt8 in
                    let reason = try list.read(UInt8.self)
                    try list.skipRemaining()
                    return reason
                }
                return DisconnectReason(rawValue: value)
            }
            return DisconnectReason(rawValue: try reader.read(UInt8.self))
        } catch {
            return .invalid
        }
    }
}

/// The Hello message (spec §9.1), the first framed message each way.
public struct Hello: Hashable, Sendable {
    /// Highest p2p version the sender supports (5 today); never rejected.
    public var protocolVersion: UInt64
    /// Free-form client name, e.g. `Herald/0.1.0/linux-x86_64`.
    public var clientID: String
    /// Advertised capabilities.
    public var capabilities: [Capability]
    /// Legacy listening port; ignored on receipt, geth sends 0.
    public var listenPort: UInt64
    /// The sender's 64-byte static public key (checked against the handshake identity).
    public var nodeID: [UInt8]

    public init(protocolVersion: UInt64 = BaseProtocol.version, clientID: String, capabilities: [Capability], listenPort: UInt64 = 0, nodeID: [UInt8]) {
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.capabilities = capabilities
        self.listenPort = listenPort
        self.nodeID = nodeID
    }

    /// RLP payload: `[protocolVersion, clientId, [[name, version], …], listenPort, nodeId]`.
    public func encoded() -> [UInt8] {
        var writer = RLPWriter()
        writer.writeList { list in
            list.write(protocolVersion)
            list.write(bytes: Array(clientID.utf8))
            list.writeList { caps in
                for capability in capabilities {
                    caps.writeList { cap in
                        cap.write(bytes: Array(capability.name.utf8))
                        cap.write(capability.version)
                    }
                }
            }
            list.write(listenPort)
            list.write(bytes: nodeID)
        }
        return writer.bytes
    }

    /// Decodes a Hello payload; extra list elements and bytes after the list
    /// are ignored (EIP-8), the payload size is bounded by the caller.
    public init(decoding payload: some Collection<UInt8>) throws(RLPError) {
        var reader = RLPReader(Array(payload))
        self = try reader.readList { (list: inout RLPReader) throws(RLPError) -> Hello in
            let version = try list.read(UInt64.self)
            let client = try list.readBytes()
            let capabilities = try list.readList { (caps: inout RLPReader) throws(RLPError) -> [Capability] in
                var result: [Capability] = []
                while !caps.isAtEnd {
                    result.append(try caps.readList { (cap: inout RLPReader) throws(RLPError) -> Capability in
                        let name = try cap.readBytes()
                        let version = try cap.read(UInt64.self)
                        try cap.skipRemaining()
                        return Capability(name: String(decoding: name, as: UTF8.self), version: version)
                    })
                }
                return result
            }
            let port = try list.read(UInt64.self)
            let node = try list.readBytes()
            try list.skipRemaining()
            return Hello(protocolVersion: version, clientID: String(decoding: client, as: UTF8.self),
                         capabilities: capabilities, listenPort: port, nodeID: node)
        }
    }
}
