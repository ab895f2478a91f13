import HubKernel
import SQLKit

/// SLA clocks: due and warning times per target, time spent paused, and the warning and
/// breach flags that the monitor sets exactly once (partial indexes serve its queries).
/// Also a per-ticket sequence for the audit trail, so entries of one millisecond keep their order.
struct Tickets003AddSLA: Migration {
    let name = "tickets.003_add_sla"

    static let columns: [String] = [
        "first_response_due BIGINT", "first_response_warn_at BIGINT", "resolution_due BIGINT", "resolution_warn_at BIGINT",
        "paused_at BIGINT", "paused_total_ms BIGINT NOT NULL DEFAULT 0 CHECK (paused_total_ms >= 0)",
        "first_response_warned BOOLEAN NOT NULL DEFAULT FALSE", "first_response_breached BOOLEAN NOT NULL DEFAULT FALSE",
        "resolution_warned BOOLEAN NOT NULL DEFAULT FALSE", "resolution_breached BOOLEAN NOT NULL DEFAULT FALSE",
        "audit_seq BIGINT NOT NULL DEFAULT 0",
    ]

    func prepare(on database: any SQLDatabase) async throws {
        for column in Self.columns {
            try await database.raw("ALTER TABLE tickets_tickets ADD COLUMN \(unsafeRaw: column)").run()
        }
        try await database.raw("""
            CREATE INDEX tickets_first_response_clock ON tickets_tickets (first_response_warn_at, first_response_due)
            WHERE first_response_at IS NULL AND first_response_breached = FALSE
            """).run()
        try await database.raw("""
            CREATE INDEX tickets_resolution_clock ON tickets_tickets (resolution_warn_at, resolution_due)
            WHERE solved_at IS NULL AND resolution_breached = FALSE
            """).run()
        try await database.raw("CREATE INDEX tickets_due ON tickets_tickets (resolution_due, id)").run()
        try await database.raw("ALTER TABLE tickets_audit ADD COLUMN seq BIGINT NOT NULL DEFAULT 0").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE tickets_audit DROP COLUMN seq").run()
        for index in ["tickets_first_response_clock", "tickets_resolution_clock", "tickets_due"] {
            try await database.raw("DROP INDEX \(unsafeRaw: index)").run()
        }
        for column in Self.columns.reversed() {
            let name = column.split(separator: " ")[0]
            try await database.raw("ALTER TABLE tickets_tickets DROP COLUMN \(unsafeRaw: String(name))").run()
        }
    }
}
