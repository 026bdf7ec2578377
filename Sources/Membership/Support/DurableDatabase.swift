import GRDB

extension DatabasePool {
    /// Opens a WAL pool whose writer commits with `synchronous = FULL`, so
    /// that a committed transaction is fsynced and survives power loss.
    ///
    /// GRDB switches the writer to `synchronous = NORMAL` when it enables
    /// WAL, after `prepareDatabase` has run, so a pragma set there does not
    /// reach the writer: it is set again here, on the writer itself.
    ///
    /// Each connection of the pool (the writer and every reader) keeps a page
    /// cache of its own, 2 MB by default in SQLite: with two pools that is
    /// up to 24 MB of heap once the files have grown. 256 KiB each bounds it;
    /// pages beyond come from the OS file cache, not from disk.
    package static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        var configuration = configuration
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -256")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return pool
    }

    /// Runs `body` in a transaction whose commit does not wait for the disk
    /// (`synchronous = NORMAL` for this one commit; every other write stays
    /// `FULL`). In WAL mode such a commit is still atomic and in order: a
    /// crash of the process loses nothing, and a power loss can lose it only
    /// whole, with any later unsynced commit. It is on disk once the next
    /// synchronous commit (which fsyncs the whole WAL) or checkpoint is.
    package func writeUnsynced<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let result: Result<T, any Error>
            do {
                var value: T?
                try db.inTransaction {
                    value = try body(db)
                    return .commit
                }
                result = .success(value!)
            } catch {
                result = .failure(error)
            }
            // Back to FULL before anything else may write; if that fails, say so rather than stay unsynced.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try result.get()
        }
    }
}
