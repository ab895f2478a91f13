import HubKernel
import SQLKit

/// Messages: numbered per room (`UNIQUE (room, seq)` is the history cursor and the index of
/// every room query), idempotent per author (`UNIQUE (author_id, client_msg_id)`), soft-deleted
/// (a tombstone keeps id and seq, loses its text).
struct Chat002CreateMessages: Migration {
    let name = "chat.002_create_messages"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE chat_messages (
                id TEXT PRIMARY KEY,
                room TEXT NOT NULL REFERENCES chat_rooms (name) ON DELETE CASCADE,
                seq BIGINT NOT NULL CHECK (seq > 0),
                author_id TEXT NOT NULL REFERENCES hub_users (id),
                text TEXT,
                client_msg_id TEXT,
                sent_at BIGINT NOT NULL,
                edited_at BIGINT,
                deleted_at BIGINT,
                UNIQUE (room, seq),
                UNIQUE (author_id, client_msg_id),
                CHECK ((deleted_at IS NULL AND text IS NOT NULL) OR (deleted_at IS NOT NULL AND text IS NULL))
            )
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE chat_messages").run()
    }
}
