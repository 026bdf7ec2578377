import Foundation
import HeraldCrypto
import Testing
import TestSupport

@Suite("NodeKeyFile")
struct NodeKeyFileTests {
    /// EIP-8 static key B, as geth would store it.
    static let keyHex = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

    /// A fresh directory, removed after `body`.
    static func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("herald-nodekey-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("write then read returns the key; the file is 64 lowercase hex characters, mode 0600")
    func roundTrip() throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            let key = Secp256k1.PrivateKey()
            try NodeKeyFile.write(key, to: path)
            #expect(try NodeKeyFile.read(from: path) == key)
            let contents = try String(contentsOfFile: path, encoding: .utf8)
            #expect(contents == Hex.encode(key.rawRepresentation))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // Overwriting replaces the key atomically and keeps 0600.
            let second = Secp256k1.PrivateKey()
            try NodeKeyFile.write(second, to: path)
            #expect(try NodeKeyFile.read(from: path) == second)
            let again = try FileManager.default.attributesOfItem(atPath: path)
            #expect((again[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // No temporary files are left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["nodekey"])
        }
    }

    @Test("geth-written files and trailing line breaks are accepted",
          arguments: ["", "\n", "\r\n", "\n\n"])
    func lineEndings(suffix: String) throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            try Self.write(Self.keyHex + suffix, to: path)
            #expect(try NodeKeyFile.read(from: path).rawRepresentation == hexBytes(Self.keyHex))
            try Self.write(Self.keyHex.uppercased() + suffix, to: path)
            #expect(try NodeKeyFile.read(from: path).rawRepresentation == hexBytes(Self.keyHex))
        }
    }

    @Test("a missing file is named")
    func missing() throws {
        try Self.withDirectory { directory in
            let path = directory + "/absent"
            #expect(throws: NodeKeyFileError.notFound(path: path)) { try NodeKeyFile.read(from: path) }
            #expect(NodeKeyFileError.notFound(path: path).description == "node key file \(path) does not exist")
        }
    }

    @Test("an unreadable path is reported with the OS reason")
    func unreadable() throws {
        try Self.withDirectory { directory in
            // A directory opens but cannot be read as a file.
            let error = try #require(throws: NodeKeyFileError.self) { try NodeKeyFile.read(from: directory) }
            guard case .unreadable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == directory)
            #expect(!reason.isEmpty)
        }
    }

    @Test("wrong lengths say how many characters were found",
          arguments: [("", 0), ("abc", 3), (String(keyHex.dropLast()), 63), (keyHex + "0", 65),
                      ("0x" + keyHex, 66), (keyHex + " \n", 65), (keyHex + "\n" + keyHex, 129)])
    func wrongLength(text: String, found: Int) throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            try Self.write(text, to: path)
            #expect(throws: NodeKeyFileError.wrongLength(path: path, found: found)) { try NodeKeyFile.read(from: path) }
        }
    }

    @Test("a very large file is refused without reading it all")
    func hugeFile() throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            try Self.write(String(repeating: "a", count: 100_000), to: path)
            #expect(throws: NodeKeyFileError.wrongLength(path: path, found: 100_000)) { try NodeKeyFile.read(from: path) }
        }
    }

    @Test("bad hex reports the offset and never the key text")
    func badHex() throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            var text = Array(Self.keyHex)
            text[17] = "g"
            try Self.write(String(text), to: path)
            let expected = NodeKeyFileError.invalidHex(path: path, offset: 17)
            #expect(throws: expected) { try NodeKeyFile.read(from: path) }
            #expect(expected.description == "node key file \(path) has a non-hex character at offset 17")
            #expect(!expected.description.contains(String(Self.keyHex.prefix(8))))
            text[0] = " "
            try Self.write(String(text), to: path)
            #expect(throws: NodeKeyFileError.invalidHex(path: path, offset: 0)) { try NodeKeyFile.read(from: path) }
        }
    }

    @Test("zero and out-of-range keys are refused")
    func invalidKeys() throws {
        try Self.withDirectory { directory in
            let path = directory + "/nodekey"
            try Self.write(String(repeating: "0", count: 64), to: path)
            #expect(throws: NodeKeyFileError.zeroKey(path: path)) { try NodeKeyFile.read(from: path) }
            try Self.write("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141\n", to: path)
            #expect(throws: NodeKeyFileError.keyOutOfRange(path: path)) { try NodeKeyFile.read(from: path) }
            try Self.write(String(repeating: "f", count: 64), to: path)
            #expect(throws: NodeKeyFileError.keyOutOfRange(path: path)) { try NodeKeyFile.read(from: path) }
        }
    }

    @Test("writing into a missing directory fails with the path named and leaves nothing behind")
    func writeFailure() throws {
        try Self.withDirectory { directory in
            let path = directory + "/missing/nodekey"
            let error = try #require(throws: NodeKeyFileError.self) {
                try NodeKeyFile.write(Secp256k1.PrivateKey(), to: path)
            }
            guard case .writeFailed(let failedPath, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(failedPath == path)
            #expect(reason.contains("No such file"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        }
    }

    @Test("a bare file name is written in the current directory's terms")
    func relativePath() throws {
        try Self.withDirectory { directory in
            let previous = FileManager.default.currentDirectoryPath
            #expect(FileManager.default.changeCurrentDirectoryPath(directory))
            defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
            let key = Secp256k1.PrivateKey()
            try NodeKeyFile.write(key, to: "nodekey")
            #expect(try NodeKeyFile.read(from: directory + "/nodekey") == key)
        }
    }
}
