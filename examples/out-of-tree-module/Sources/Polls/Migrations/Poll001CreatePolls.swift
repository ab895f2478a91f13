import HubKernel
import SQLKit

/// Polls and their options.
struct Poll001CreatePolls: Migration {
    let name = "poll.001_create_polls"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE poll_polls (
                id TEXT PRIMARY KEY,
                question TEXT NOT NULL CHECK (length(question) >= 1),
                created_by TEXT NOT NULL REFERENCES hub_users (id),
                created_at BIGINT NOT NULL,
                closed BOOLEAN NOT NULL
            )
            """).run()
        try await database.raw("""
            CREATE TABLE poll_options (
                poll_id TEXT NOT NULL REFERENCES poll_polls (id) ON DELETE CASCADE,
                idx INTEGER NOT NULL CHECK (idx >= 0),
                text TEXT NOT NULL CHECK (length(text) >= 1),
                PRIMARY KEY (poll_id, idx)
            )
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE poll_options").run()
        try await database.raw("DROP TABLE poll_polls").run()
    }
}
