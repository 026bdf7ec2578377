import TestSupport
import Testing

/// A JSON value from the vector file, Sendable so vectors can be test arguments.
enum JSONValue: Sendable, Equatable, Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(key: String) -> JSONValue {
        if case let .object(object) = self { return object[key] ?? .null }
        return .null
    }

    var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    var double: Double? {
        if case let .number(value) = self { return value }
        return nil
    }

    var int: Int? { double.map { Int(exactly: $0)! } }

    var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    var isNull: Bool { self == .null }

    /// Hex string as bytes; `null` reads as no bytes.
    var bytes: [UInt8] { string.map(hexBytes) ?? [] }
}

/// One entry of `whisper-v6-vectors.json`.
struct WhisperVector: Sendable, CustomTestStringConvertible {
    let id: String
    let category: String
    let input: JSONValue
    let expected: JSONValue

    var testDescription: String { id }
}

/// `whisper-v6-vectors.json`, loaded once.
enum WhisperVectors {
    static let fileName = "whisper-v6-vectors.json"

    /// The whole file; the load error is reported by `WhisperVectorFileTests`.
    static let file: Result<(count: Int, vectors: [WhisperVector]), VectorFileError> = {
        do {
            let root = try TestVectors.decode(JSONValue.self, from: fileName)
            guard let entries = root["vectors"].array, let count = root["count"].int else {
                return .failure(VectorFileError(message: "no 'vectors' array or 'count'"))
            }
            let vectors = entries.map { entry in
                WhisperVector(id: entry["id"].string ?? "?", category: entry["category"].string ?? "?",
                              input: entry["input"], expected: entry["expected"])
            }
            return .success((count, vectors))
        } catch {
            return .failure(VectorFileError(message: "\(error)"))
        }
    }()

    static var all: [WhisperVector] { (try? file.get().vectors) ?? [] }

    /// The vectors of one category (empty if the file failed to load).
    static func category(_ name: String) -> [WhisperVector] {
        all.filter { $0.category == name }
    }
}

struct VectorFileError: Error, CustomStringConvertible {
    let message: String
    var description: String { "cannot load \(WhisperVectors.fileName): \(message)" }
}

/// Every category of the file has a runner here; the file has the 42
/// vectors its header promises.
@Suite struct WhisperVectorFileTests {
    static let categoriesWithRunners: Set<String> = [
        "topic_to_bloom", "envelope_pow", "pow_from_hash", "bytes_to_topic",
        "payload_size_field_decoding", "auto_padding_length", "ecies_concat_kdf_sha256",
        "secp256k1_ecdh_x", "secp256k1_public_key", "ecies_decrypt", "ecies_decrypt_partial",
        "secp256k1_recover", "keccak256",
    ]

    @Test func fileLoadsWithAll42Vectors() throws {
        let file = try WhisperVectors.file.get()
        #expect(file.count == 42)
        #expect(file.vectors.count == 42)
        #expect(Set(file.vectors.map(\.id)).count == 42)
    }

    @Test func everyCategoryHasARunner() throws {
        let categories = Set(try WhisperVectors.file.get().vectors.map(\.category))
        #expect(categories == Self.categoriesWithRunners)
    }
}
