import GRDB

extension DatabasePool {
    /// Opens a WAL pool whose writer commits with `synchronous = FULL`, so
    /// that a committed transaction is fsynced and survives power loss.
    ///
    /// GRDB switches the writer to `synchronous = NORMAL` when it enables
    /// WAL, after `prepareDatabase` has run, so a pragma set there does not
    /// reach the writer: it is set again here, on the writer itself.
    package static func durable(path: String, configuration: Configuration) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return pool
    }
}
