import Foundation

/// The agent's secret files (its node key, the consortium key) must be
/// private to their owner, as OpenSSH requires of private keys: a key that
/// group or others can read is as good as published on a shared host.
public enum SecretFile {
    /// Checks that group and others have no access to the file at `path`.
    ///
    /// - Parameter what: how the error names the file ("node key", "consortium key").
    /// - Throws: ``AgentError/secretFileExposed(path:what:mode:)`` naming the file, its
    ///   mode and the `chmod` that fixes it. A file that does not exist passes: reading
    ///   it reports that.
    public static func checkPrivate(_ path: String, what: String) throws(AgentError) {
        var status = stat()
        guard stat(path, &status) == 0 else { return }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else { throw .secretFileExposed(path: path, what: what, mode: mode) }
    }
}
