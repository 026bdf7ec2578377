// Benchmark for RLP (issue 2): encode and decode a 300-byte nested structure
// shaped like a signed announcement (fixed-size keys and hashes, integers,
// short strings, a nested list of roles).
import Benchmark
import RLP

/// An announcement-like record: roughly 300 bytes once encoded.
struct SampleRecord: RLPCodable, Equatable {
    var version: UInt64
    var consortium: [UInt8]
    var subject: [UInt8]          // 64-byte public key
    var endpoint: [UInt8]
    var roles: [[UInt8]]
    var lamport: UInt64
    var issuedAt: UInt64
    var policyHash: [UInt8]       // 32 bytes
    var approvedID: [UInt8]       // 32 bytes
    var signature: [UInt8]        // 65 bytes

    func encode(to writer: inout RLPWriter) {
        writer.writeList { list in
            list.write(version)
            list.write(bytes: consortium)
            list.write(bytes: subject)
            list.write(bytes: endpoint)
            list.writeList { rolesList in
                for role in roles { rolesList.write(bytes: role) }
            }
            list.write(lamport)
            list.write(issuedAt)
            list.write(bytes: policyHash)
            list.write(bytes: approvedID)
            list.write(bytes: signature)
        }
    }

    init(from reader: inout RLPReader) throws(RLPError) {
        self = try reader.readList { (list: inout RLPReader) throws(RLPError) -> SampleRecord in
            let version = try list.read(UInt64.self)
            let consortium = try list.readBytes()
            let subject = try list.readBytes(count: 64)
            let endpoint = try list.readBytes()
            let roles = try list.readList { (rolesList: inout RLPReader) throws(RLPError) -> [[UInt8]] in
                var roles: [[UInt8]] = []
                while !rolesList.isAtEnd { roles.append(try rolesList.readBytes()) }
                return roles
            }
            return SampleRecord(
                version: version, consortium: consortium, subject: subject, endpoint: endpoint,
                roles: roles, lamport: try list.read(UInt64.self), issuedAt: try list.read(UInt64.self),
                policyHash: try list.readBytes(count: 32), approvedID: try list.readBytes(count: 32),
                signature: try list.readBytes(count: 65))
        }
    }

    init(version: UInt64, consortium: [UInt8], subject: [UInt8], endpoint: [UInt8], roles: [[UInt8]],
         lamport: UInt64, issuedAt: UInt64, policyHash: [UInt8], approvedID: [UInt8], signature: [UInt8]) {
        self.version = version; self.consortium = consortium; self.subject = subject
        self.endpoint = endpoint; self.roles = roles; self.lamport = lamport
        self.issuedAt = issuedAt; self.policyHash = policyHash; self.approvedID = approvedID
        self.signature = signature
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )
    let record = SampleRecord(
        version: 1,
        consortium: Array("acme-energy-consortium-prod".utf8),
        subject: [UInt8](repeating: 0x3f, count: 64),
        endpoint: Array("enode-agent://10.0.0.5:30313".utf8),
        roles: [Array("validator".utf8), Array("org-admin".utf8), Array("observer".utf8)],
        lamport: 1_234_567,
        issuedAt: 1_764_000_000,
        policyHash: [UInt8](repeating: 0xab, count: 32),
        approvedID: [UInt8](repeating: 0xcd, count: 32),
        signature: [UInt8](repeating: 0x11, count: 65)
    )
    let encoded = RLP.encode(record)
    precondition(encoded.count >= 280 && encoded.count <= 320, "sample is \(encoded.count) bytes, not about 300")

    Benchmark("RLP encode+decode \(encoded.count) B") { benchmark in
        for _ in benchmark.scaledIterations {
            let bytes = RLP.encode(record)
            blackHole(try! RLP.decode(SampleRecord.self, from: bytes))
        }
    }
}
