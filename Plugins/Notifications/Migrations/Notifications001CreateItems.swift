import HubKernel
import SQLKit

/// Persisted notifications, one row per recipient. Pages are keyed on (created_at, id), which
/// is unique and stable; a partial index serves unread counts.
struct Notifications001CreateItems: Migration {
    let name = "notifications.001_create_items"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE notifications_items (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES hub_users (id) ON DELETE CASCADE,
                category TEXT NOT NULL CHECK (category IN ('info', 'success', 'warning', 'error')),
                title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
                body TEXT NOT NULL CHECK (length(body) <= 2000),
                link TEXT CHECK (link IS NULL OR length(link) <= 2000),
                source TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                read_at BIGINT
            )
            """).run()
        try await database.raw("CREATE INDEX notifications_items_page ON notifications_items (user_id, created_at, id)").run()
        try await database.raw("CREATE INDEX notifications_items_unread ON notifications_items (user_id) WHERE read_at IS NULL").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE notifications_items").run()
    }
}
