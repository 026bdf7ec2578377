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

/// A vector file's field was missing or of another type than the test expected.
public struct TestVectorError: Error, CustomStringConvertible {
    public let description: String
}

extension TestVectors {
    /// A nested section of an untyped vector file, e.g.
    /// `section(of: "rlpx-eip8-vectors.json", "eip8_handshake", "keys")`.
    public static func section(of file: String, _ path: String...) throws -> [String: Any] {
        try section(of: file, path: path)
    }

    /// ``section(of:_:)`` with the path as an array.
    public static func section(of file: String, path: [String]) throws -> [String: Any] {
        var node: Any = try json(file)
        for key in path {
            guard let next = (node as? [String: Any])?[key] else {
                throw TestVectorError(description: "\(file): missing section \(path.joined(separator: "."))")
            }
            node = next
        }
        guard let section = node as? [String: Any] else {
            throw TestVectorError(description: "\(file): \(path.joined(separator: ".")) is not an object")
        }
        return section
    }
}

/// Typed reads of one JSON object of a vector file.
extension Dictionary where Key == String, Value == Any {
    public func string(_ key: String) throws -> String { try field(key) }
    public func bytes(_ key: String) throws -> [UInt8] { hexBytes(try string(key)) }
    public func int(_ key: String) throws -> Int { try field(key) }
    public func dict(_ key: String) throws -> [String: Any] { try field(key) }
    public func list(_ key: String) throws -> [[String: Any]] { try field(key) }

    private func field<T>(_ key: String) throws -> T {
        guard let value = self[key] as? T else {
            throw TestVectorError(description: "vector field '\(key)' is missing or not a \(T.self)")
        }
        return value
    }
}
