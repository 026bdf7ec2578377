import RLP

/// What an agent decided about one announcement, with a reason a human can
/// act on. Policy evaluation returns a decision; it throws only for
/// malformed input.
public enum PolicyDecision: Hashable, Sendable, CustomStringConvertible {
    /// The announcement takes effect (or, for an approve, counts).
    case accepted
    /// Waiting for approvals; `reason` says how many, from whom, and who has approved.
    case pending(reason: String)
    /// Refused; `code` for machines, `reason` for people.
    case rejected(code: RejectionCode, reason: String)

    /// `accepted`, `pending: …` or `rejected: …`.
    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case .pending(let reason): return "pending: \(reason)"
        case .rejected(_, let reason): return "rejected: \(reason)"
        }
    }

    /// The decision as acks carry it (no free text).
    public var ackDecision: AckDecision {
        switch self {
        case .accepted: return .accepted
        case .pending: return .pending
        case .rejected(let code, _): return .rejected(code)
        }
    }

    /// The rejection a receipt check produced.
    public init(_ error: AnnouncementError) {
        self = .rejected(code: error.code, reason: error.description)
    }
}

extension PolicyDecision: RLPEncodable {
    /// `[status, code, reason]`: status 1 accepted, 2 pending, 3 rejected; code 0 unless rejected.
    public func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            switch self {
            case .accepted:
                list.write(UInt8(1)); list.write(UInt16(0)); list.write(bytes: [UInt8]())
            case .pending(let reason):
                list.write(UInt8(2)); list.write(UInt16(0)); list.write(bytes: reason.utf8)
            case .rejected(let code, let reason):
                list.write(UInt8(3)); list.write(code.rawValue); list.write(bytes: reason.utf8)
            }
        }
    }
}

extension PolicyDecision: RLPDecodable {
    /// Reads `[status, code, reason]`; an unknown status or code is a wrong-length error at the field.
    public init(from reader: inout RLPReader) throws(RLPError) {
        self = try reader.readList { list throws(RLPError) in
            let statusOffset = list.offset
            let status = try list.read(UInt8.self)
            let codeOffset = list.offset
            let code = try list.read(UInt16.self)
            let reason = try list.read(String.self)
            switch status {
            case 1: return .accepted
            case 2: return .pending(reason: reason)
            case 3:
                guard let rejection = RejectionCode(rawValue: code) else {
                    throw .integerTooLarge(offset: codeOffset, maxBytes: 2)
                }
                return .rejected(code: rejection, reason: reason)
            default:
                throw .integerTooLarge(offset: statusOffset, maxBytes: 1)
            }
        }
    }
}
