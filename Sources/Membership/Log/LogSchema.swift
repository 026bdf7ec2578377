import GRDB

/// The membership log's tables. Migrations are named in SQL terms and never
/// change once shipped; constraints live in SQL ("trust SQLite more than yourself").
enum LogSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("create log_entry and log_head") { db in
            try db.execute(sql: """
                CREATE TABLE log_entry (
                    idx             INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0),
                    announcement_id BLOB NOT NULL UNIQUE CHECK (length(announcement_id) = 32),
                    announcement    BLOB NOT NULL CHECK (length(announcement) > 0),
                    decision        BLOB NOT NULL,
                    received_at     INTEGER NOT NULL CHECK (received_at >= 0),
                    policy_hash     BLOB NOT NULL CHECK (length(policy_hash) = 32),
                    previous_hash   BLOB NOT NULL CHECK (length(previous_hash) = 32),
                    entry_hash      BLOB NOT NULL UNIQUE CHECK (length(entry_hash) = 32)
                );
                CREATE TABLE log_head (
                    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
                    head_hash   BLOB NOT NULL CHECK (length(head_hash) = 32)
                );
                INSERT INTO log_head (id, entry_count, head_hash) VALUES (1, 0, zeroblob(32));
                """)
        }
        migrator.registerMigration("create log_policy") { db in
            // The policies the log was decided under, in the order they came
            // into force; each from the entry with index from_index on.
            try db.execute(sql: """
                CREATE TABLE log_policy (
                    seq         INTEGER PRIMARY KEY NOT NULL,
                    from_index  INTEGER NOT NULL CHECK (from_index >= 0),
                    policy_hash BLOB NOT NULL CHECK (length(policy_hash) = 32),
                    source      TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    /// Connection settings: WAL (a pool's default) and `synchronous = FULL`,
    /// so that a committed append survives power loss.
    ///
    /// An auditing connection is query-only and sets `writable_schema`, which
    /// makes SQLite read a file shorter than its header says (a truncated
    /// log) up to the first missing page instead of refusing it whole.
    static func configuration(auditing: Bool = false) -> Configuration {
        var configuration = Configuration()
        configuration.label = auditing ? "membership-log-audit" : "membership-log"
        if auditing {
            configuration.foreignKeysEnabled = false   // no statement may read the file before writable_schema
        }
        configuration.prepareDatabase { db in
            if auditing {
                try db.execute(sql: "PRAGMA writable_schema = ON")
                try db.execute(sql: "PRAGMA query_only = ON")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }
}
