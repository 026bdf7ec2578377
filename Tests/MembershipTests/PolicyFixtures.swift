import Foundation
@testable import Membership

/// Small policies written inline, and the repository's example files.
enum PolicyFixtures {
    static let key1 = "100f6d8cbf94afb6fc58e9c384b9b3a6516091373a83c869f4e24a9d2bb4a494dcc73dcc5816f1b580c5fefac269a3472580c9b4b615942c1f09471e68da5cda"

    /// A minimal valid policy; tests append or replace lines.
    static let minimal = """
        version: 1
        consortium:
          name: test
          key: file:k
        identities:
          - name: a
            organisation: A
            enode: enode://\(key1)@10.0.0.1:30303
            roles: [validator]
            genesis: true

        """

    /// `Policies/` at the repository root.
    static let examplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Policies")

    static func example(_ name: String) -> String {
        examplesDirectory.appendingPathComponent(name).path
    }
}
