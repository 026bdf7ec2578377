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
}
