import Foundation

extension String {
    /// Writes the string to `path` readable by its owner only (0600), as the
    /// agent requires of key files.
    package func writePrivate(toFile path: String) throws {
        try write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
