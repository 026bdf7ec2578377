import Testing
import TOMLKit
@testable import NodeAdapters

@Suite("TOML key editor")
struct TOMLKeyEditorTests {
    @Test("a value is replaced in place; comments, order and spacing stay")
    func replaceInPlace() throws {
        let text = """
            # header comment
            b = 1
            nodes-allowlist = [ # inline comment inside
              "enode://old",  # trailing
            ]
            a = "z" # after

            [table]
            nodes-allowlist = ["not this one"]

            """
        let result = try TOMLKeyEditor.set(["enode://new1", "enode://new2"], table: [], key: "nodes-allowlist", in: text, path: "p.toml")
        #expect(!result.reserialized)
        #expect(result.text == """
            # header comment
            b = 1
            nodes-allowlist = ["enode://new1", "enode://new2"]
            a = "z" # after

            [table]
            nodes-allowlist = ["not this one"]

            """)
    }

    @Test("a missing key is added after the table's last key; a missing table is appended")
    func insert() throws {
        let root = try TOMLKeyEditor.set(["x"], table: [], key: "nodes-allowlist", in: "# c\naccounts-allowlist = []\n\n[t]\nk = 1\n", path: "p")
        #expect(root.text == "# c\naccounts-allowlist = []\nnodes-allowlist = [\"x\"]\n\n[t]\nk = 1\n")
        let nested = try TOMLKeyEditor.set(["x"], table: ["Node", "P2P"], key: "StaticNodes", in: "[Node]\nDataDir = \"/d\"\n", path: "p")
        #expect(nested.text == "[Node]\nDataDir = \"/d\"\n\n[Node.P2P]\nStaticNodes = [\"x\"]\n")
        let empty = try TOMLKeyEditor.set([], table: [], key: "nodes-allowlist", in: "", path: "p")
        #expect(empty.text == "nodes-allowlist = []\n")
    }

    @Test("tricky strings (brackets, quotes, hashes, multi-line) do not confuse the splice")
    func trickyStrings() throws {
        let text = "s = \"a ] # [\"\nm = '''\nx = [\n'''\nnodes-allowlist = [\"e\\\"]\"] # c\n"
        let result = try TOMLKeyEditor.set(["n"], table: [], key: "nodes-allowlist", in: text, path: "p")
        #expect(!result.reserialized)
        #expect(result.text == "s = \"a ] # [\"\nm = '''\nx = [\n'''\nnodes-allowlist = [\"n\"] # c\n")
    }

    @Test("a dotted-key layout falls back to TOMLKit serialization, keeping every key and value")
    func fallback() throws {
        let text = "# comment\nnodes.allowlist = 1\nz = 2\n[Node]\nP2P.StaticNodes = [\"a\"]\n"
        let result = try TOMLKeyEditor.set(["b"], table: ["Node", "P2P"], key: "StaticNodes", in: text, path: "p")
        #expect(result.reserialized)
        let table = try TOMLTable(string: result.text)
        #expect(table["z"]?.int == 2)
        #expect(table["nodes"]?["allowlist"]?.int == 1)
        #expect(table["Node"]?["P2P"]?["StaticNodes"]?.array?.first?.string == "b")
    }

    /// Documents TOMLKit 0.6.0 (toml++): serialization loses comments and sorts keys.
    /// This is why Herald splices the text instead of re-serializing.
    @Test("TOMLKit's own serializer drops comments and reorders keys")
    func tomlKitBehaviour() throws {
        let table = try TOMLTable(string: "# comment\nz = 1 # trailing\na = 2\n")
        let output = table.convert(to: .toml)
        #expect(!output.contains("#"))
        #expect(output.firstIndex(of: "a")! < output.firstIndex(of: "z")!)
    }

    @Test("parse errors carry TOMLKit's line and column")
    func parseError() {
        #expect {
            _ = try TOMLKeyEditor.parse("a = 1\nb = = 2\n", path: "/x/permissions_config.toml")
        } throws: { error in
            guard case NodeAdapterError.malformedFile(path: "/x/permissions_config.toml", line: 2, _, _) = error else { return false }
            return true
        }
    }
}
