import HubKernel
import SQLKit

/// Each user's persisted status: state and text they chose, whether they are online, last seen.
struct Presence001CreateStatus: Migration {
    let name = "presence.001_create_status"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE presence_status (
                user_id TEXT PRIMARY KEY REFERENCES hub_users (id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('online', 'away', 'busy')),
                text TEXT CHECK (text IS NULL OR length(text) <= 100),
                online BOOLEAN NOT NULL,
                last_seen BIGINT NOT NULL,
                node TEXT,
                updated_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX presence_status_online ON presence_status (online)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE presence_status").run()
    }
}
