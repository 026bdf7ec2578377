import Foundation

/// Locates the upstream test vectors kept verbatim in `Tests/TestVectors/`
/// (sources in that folder's README.md) and decodes them.
public enum TestVectors {
    /// `Tests/TestVectors/`, found from this file's own path so that tests run
    /// from any working directory.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // TestSupport/
        .deletingLastPathComponent()   // Tests/
        .appendingPathComponent("TestVectors", isDirectory: true)

    /// The raw bytes of one vector file, e.g. `"rlptest.json"`.
    public static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// One vector file decoded into a `Decodable` model.
    public static func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }

    /// One vector file as untyped JSON (for files whose shape varies per entry).
    public static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(name), options: [.fragmentsAllowed])
    }
}

/// Hex as the vector files spell it: optional `0x`, either case, possibly empty.
public func hexBytes(_ string: String) -> [UInt8] {
    var s = Substring(string)
    if s.hasPrefix("0x") || s.hasPrefix("0X") { s = s.dropFirst(2) }
    precondition(s.count % 2 == 0, "odd-length hex in a test vector: \(string)")
    var out: [UInt8] = []
    out.reserveCapacity(s.count / 2)
    var index = s.startIndex
    while index < s.endIndex {
        let next = s.index(index, offsetBy: 2)
        guard let byte = UInt8(s[index..<next], radix: 16) else {
            preconditionFailure("bad hex in a test vector: \(string)")
        }
        out.append(byte)
        index = next
    }
    return out
}

/// Lowercase hex without prefix, for comparing against vector strings.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return byte < 16 ? "0" + digits : digits
    }.joined()
}
