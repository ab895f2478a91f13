import HubKernel
import SQLKit

/// Rooms and their members; `last_seq` numbers each room's messages, `last_read_seq` is a
/// member's read position.
struct Chat001CreateRooms: Migration {
    let name = "chat.001_create_rooms"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE chat_rooms (
                name TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('public', 'private', 'dm')),
                created_by TEXT REFERENCES hub_users (id),
                created_at BIGINT NOT NULL,
                last_seq BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0)
            )
            """).run()
        try await database.raw("""
            CREATE TABLE chat_members (
                room TEXT NOT NULL REFERENCES chat_rooms (name) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES hub_users (id) ON DELETE CASCADE,
                joined_at BIGINT NOT NULL,
                last_read_seq BIGINT NOT NULL DEFAULT 0 CHECK (last_read_seq >= 0),
                PRIMARY KEY (room, user_id)
            )
            """).run()
        try await database.raw("CREATE INDEX chat_members_user ON chat_members (user_id)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE chat_members").run()
        try await database.raw("DROP TABLE chat_rooms").run()
    }
}
