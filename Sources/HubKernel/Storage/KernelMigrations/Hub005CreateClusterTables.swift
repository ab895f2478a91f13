import SQLKit

/// What cluster mode shares through the database: each topic's sequence counter and its
/// bounded event history (for `since` recovery on any node), the live nodes, and payloads too
/// large for one NOTIFY. Created on SQLite too (one schema everywhere); a single node never
/// writes them.
struct Hub005CreateClusterTables: Migration {
    let name = "hub.005_create_cluster_tables"

    func prepare(on database: any SQLDatabase) async throws {
        // the counter row is locked by each publishing transaction until it commits, so a
        // topic's events are numbered in commit order without gaps
        try await database.raw("""
            CREATE TABLE hub_topics (
                topic TEXT PRIMARY KEY CHECK (length(topic) BETWEEN 3 AND 200),
                seq BIGINT NOT NULL CHECK (seq >= 1)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE hub_topic_events (
                topic TEXT NOT NULL,
                seq BIGINT NOT NULL CHECK (seq >= 1),
                type TEXT NOT NULL CHECK (length(type) BETWEEN 3 AND 130),
                payload TEXT NOT NULL,
                published_at BIGINT NOT NULL,
                PRIMARY KEY (topic, seq)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE hub_nodes (
                name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
                started_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL CHECK (last_seen_at >= started_at),
                connections INTEGER NOT NULL DEFAULT 0 CHECK (connections >= 0),
                leader_of TEXT NOT NULL DEFAULT ''
            )
            """).run()
        try await database.raw("""
            CREATE TABLE hub_bus_blobs (
                id TEXT PRIMARY KEY,
                payload TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX hub_bus_blobs_created_at ON hub_bus_blobs (created_at)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["hub_bus_blobs", "hub_nodes", "hub_topic_events", "hub_topics"] {
            try await database.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }
}
