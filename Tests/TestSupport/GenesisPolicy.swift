/// The deterministic node keys and the genesis-validator policy that the
/// agent tests (in-process in HeraldAgentTests, as processes in
/// HeraldCLITests) run their nodes under. Text and bytes only: turning the
/// bytes into a secp256k1 key is the caller's.
public enum GenesisPolicy {
    /// The raw private key of test node `n` (1...65535) of key family `family`:
    /// `family` in byte 0, `n` big-endian in bytes 30 and 31, zero elsewhere.
    /// Fixtures that must not share node keys use different families.
    public static func rawNodeKey(_ n: Int, family: UInt8) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = family
        raw[30] = UInt8(n >> 8)
        raw[31] = UInt8(n & 0xff)
        return raw
    }

    /// A policy whose genesis validators are `enodes`, the i-th (from 1) named
    /// `val-i` in organisation `Oi`: self-join and self-leave are free,
    /// admission and removal need two validators' approvals, endpoints are on
    /// 127.0.0.0/8.
    public static func yaml(consortium: String, consortiumKey: String, enodes: [String],
                            retryBackoff: String = "{base: 1s, max: 2s}", giveUpAfter: String = "1h") -> String {
        var identities = ""
        for (index, enode) in enodes.enumerated() {
            let n = index + 1
            identities += "  - {name: val-\(n), organisation: O\(n), enode: \"\(enode)\", roles: [validator], genesis: true}\n"
        }
        return """
            version: 1
            consortium: {name: \(consortium), key: "\(consortiumKey)"}
            identities:
            \(identities)rules:
              self-join: true
              self-leave: true
              admission: {approvals: 2, approver-roles: [validator]}
              removal: {approvals: 2, approver-roles: [validator]}
            endpoints: {networks: [127.0.0.0/8]}
            limits: {min-validators: 1}
            delivery:
              retry-backoff: \(retryBackoff)
              give-up-after: \(giveUpAfter)
            """
    }
}
