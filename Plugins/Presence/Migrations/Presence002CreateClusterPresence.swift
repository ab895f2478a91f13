import HubKernel
import SQLKit

/// Presence shared by the nodes of a cluster (``ClusterPresence``): open connections with
/// their node, connections on tracked topics, and who has been announced on each topic.
/// Created on SQLite too (one schema everywhere); a single node keeps presence in memory.
struct Presence002CreateClusterPresence: Migration {
    let name = "presence.002_create_cluster_presence"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE presence_connections (
                connection_id TEXT PRIMARY KEY,
                node TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES hub_users (id) ON DELETE CASCADE,
                connected_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX presence_connections_user ON presence_connections (user_id)").run()
        try await database.raw("CREATE INDEX presence_connections_node ON presence_connections (node)").run()
        try await database.raw("""
            CREATE TABLE presence_members (
                connection_id TEXT NOT NULL,
                topic TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
                user_id TEXT NOT NULL,
                PRIMARY KEY (connection_id, topic)
            )
            """).run()
        try await database.raw("CREATE INDEX presence_members_topic_user ON presence_members (topic, user_id)").run()
        try await database.raw("""
            CREATE TABLE presence_topic_users (
                topic TEXT NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
                user_id TEXT NOT NULL,
                PRIMARY KEY (topic, user_id)
            )
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["presence_topic_users", "presence_members", "presence_connections"] {
            try await database.raw("DROP TABLE \(unsafeRaw: table)").run()
        }
    }
}
