import HubKernel
import SQLKit

/// Comments (public replies and internal notes) and the audit trail of every change.
struct Tickets002CreateComments: Migration {
    let name = "tickets.002_create_comments_and_audit"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE tickets_comments (
                id TEXT PRIMARY KEY,
                ticket_id TEXT NOT NULL REFERENCES tickets_tickets (id) ON DELETE CASCADE,
                author_id TEXT NOT NULL REFERENCES hub_users (id),
                body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
                internal BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX tickets_comments_ticket ON tickets_comments (ticket_id, created_at)").run()
        try await database.raw("""
            CREATE TABLE tickets_audit (
                id TEXT PRIMARY KEY,
                ticket_id TEXT NOT NULL REFERENCES tickets_tickets (id) ON DELETE CASCADE,
                actor_id TEXT REFERENCES hub_users (id),
                kind TEXT NOT NULL CHECK (kind IN ('created', 'commented', 'internal_note', 'assigned', 'status', 'priority')),
                detail TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """).run()
        try await database.raw("CREATE INDEX tickets_audit_ticket ON tickets_audit (ticket_id, created_at)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE tickets_audit").run()
        try await database.raw("DROP TABLE tickets_comments").run()
    }
}
