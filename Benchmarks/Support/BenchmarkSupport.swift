// What the agent benchmarks (AgentDelivery, AgentMemory) share: deterministic
// node keys and a genesis-validator policy over them, polling with a
// deadline, and the fixture of the running benchmark kept for its teardown.
import Foundation
import HeraldCrypto

/// A benchmark's setup or measurement failed; `description` says what.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Node keys 1, 2, … of one benchmark, their enode URLs and a policy listing them.
///
/// Each benchmark has a `family` of its own (the keys' first byte), so that
/// two benchmarks never share node keys.
public struct BenchmarkNodes: Sendable {
    public let family: UInt8

    public init(family: UInt8) { self.family = family }

    /// Node key `n` (1...65535): `family` in byte 0, `n` big-endian in bytes 30 and 31, zero elsewhere.
    public func key(_ n: Int) -> Secp256k1.PrivateKey {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = family
        raw[30] = UInt8(n >> 8)
        raw[31] = UInt8(n & 0xff)
        return try! Secp256k1.PrivateKey(rawRepresentation: raw)
    }

    /// Node `n`'s own (Ethereum) enode URL, not its agent's.
    public func nodeEnode(_ n: Int) -> String {
        "enode://\(Hex.encode(key(n).publicKey.rawRepresentation))@127.0.0.1:\(30300 + n)"
    }

    /// A policy listing nodes 1...count as genesis validators: self-join and
    /// self-leave are free, admission and removal need two validators'
    /// approvals, endpoints are on 127.0.0.0/8, retries 1–2 s apart.
    public func policy(_ count: Int) -> String {
        var identities = ""
        for n in 1...count {
            identities += "  - {name: val-\(n), organisation: O\(n), enode: \"\(nodeEnode(n))\", roles: [validator], genesis: true}\n"
        }
        return """
            version: 1
            consortium: {name: herald-bench, key: "file:unused"}
            identities:
            \(identities)rules:
              self-join: true
              self-leave: true
              admission: {approvals: 2, approver-roles: [validator]}
              removal: {approvals: 2, approver-roles: [validator]}
            endpoints: {networks: [127.0.0.0/8]}
            limits: {min-validators: 1}
            delivery:
              retry-backoff: {base: 1s, max: 2s}
              give-up-after: 1h
            """
    }
}

/// Polls `condition` every 20 ms until it yields a value; throws ``BenchmarkFailure`` after `limit`.
public func eventually<T: Sendable>(_ what: String, within limit: Duration = .seconds(30),
                                    _ condition: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let value = try await condition() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw BenchmarkFailure(description: "timed out waiting for \(what)")
}

/// The fixture (mesh, cluster) of the benchmark running now, set by its
/// setup and taken by its teardown.
public final class CurrentFixture<Fixture: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var fixture: Fixture?

    public init() {}

    public func set(_ fixture: Fixture?) { lock.withLock { self.fixture = fixture } }

    public func take() -> Fixture? { lock.withLock { defer { fixture = nil }; return fixture } }
}
