import HubKernel
import SQLKit

/// Tickets, indexed for the agents' queue (status, priority), requesters' and assignees' lists.
struct Tickets001CreateTickets: Migration {
    let name = "tickets.001_create_tickets"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("""
            CREATE TABLE tickets_tickets (
                id TEXT PRIMARY KEY,
                subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
                description TEXT NOT NULL CHECK (length(description) <= 20000),
                requester_id TEXT NOT NULL REFERENCES hub_users (id),
                assignee_id TEXT REFERENCES hub_users (id),
                status TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
                priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
                priority_rank INTEGER NOT NULL CHECK (priority_rank BETWEEN 0 AND 3),
                tags TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                first_response_at BIGINT,
                solved_at BIGINT,
                CHECK ((status IN ('solved', 'closed')) = (solved_at IS NOT NULL))
            )
            """).run()
        try await database.raw("CREATE INDEX tickets_queue ON tickets_tickets (status, priority_rank, updated_at)").run()
        try await database.raw("CREATE INDEX tickets_requester ON tickets_tickets (requester_id, updated_at)").run()
        try await database.raw("CREATE INDEX tickets_assignee ON tickets_tickets (assignee_id, updated_at)").run()
        try await database.raw("CREATE INDEX tickets_updated ON tickets_tickets (updated_at, id)").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("DROP TABLE tickets_tickets").run()
    }
}
