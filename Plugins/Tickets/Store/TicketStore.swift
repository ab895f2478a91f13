import Foundation
import HubKernel
import SQLKit

/// The tickets module's SQL, and nothing else. Every change writes its audit entry in the
/// same transaction.
struct TicketStore: Sendable {
    let database: Database
    let clock: any HubClock
    let policy: TicketsConfiguration
    /// Who is an agent: the kernel's accounts, never queried directly.
    let directory: any UserDirectory

    static let columns = """
        id, subject, description, requester_id, assignee_id, status, priority, tags, created_at, updated_at, first_response_at, solved_at, \
        first_response_due, resolution_due, first_response_warned, resolution_warned, first_response_breached, resolution_breached, paused_at
        """

    static func ticket(_ row: any SQLRow) throws -> TicketView {
        let tags = try row.decode(column: "tags", as: String.self)
        return TicketView(
            id: try row.decode(column: "id", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            requesterId: try row.decode(column: "requester_id", as: String.self),
            assigneeId: try row.decode(column: "assignee_id", as: String?.self), status: try row.decode(column: "status", as: String.self),
            priority: try row.decode(column: "priority", as: String.self),
            tags: tags.isEmpty ? [] : tags.split(separator: ",").map(String.init),
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            firstResponseAt: try row.decode(column: "first_response_at", as: Int64?.self),
            solvedAt: try row.decode(column: "solved_at", as: Int64?.self),
            firstResponseDue: try row.decode(column: "first_response_due", as: Int64?.self),
            resolutionDue: try row.decode(column: "resolution_due", as: Int64?.self),
            firstResponseWarned: try row.decode(column: "first_response_warned", as: Bool.self),
            resolutionWarned: try row.decode(column: "resolution_warned", as: Bool.self),
            firstResponseBreached: try row.decode(column: "first_response_breached", as: Bool.self),
            resolutionBreached: try row.decode(column: "resolution_breached", as: Bool.self),
            slaPaused: try row.decode(column: "paused_at", as: Int64?.self) != nil)
    }

    private func audit(_ ticketID: String, actor: String?, kind: String, detail: String, at now: Int64, on sql: any SQLDatabase) async throws {
        // numbered on the ticket row, which also serializes concurrent writers of one ticket
        let seq = try await sql.raw("UPDATE tickets_tickets SET audit_seq = audit_seq + 1 WHERE id = \(bind: ticketID) RETURNING audit_seq")
            .first()?.decode(column: "audit_seq", as: Int64.self) ?? 0
        try await sql.raw("""
            INSERT INTO tickets_audit (id, ticket_id, actor_id, kind, detail, created_at, seq)
            VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: ticketID), \(bind: actor), \(bind: kind), \(bind: detail), \(bind: now), \(bind: seq))
            """).run()
    }

    /// The ticket `id` as `sql` sees it (inside a transaction: with its own changes).
    func load(_ id: String, on sql: any SQLDatabase) async throws -> TicketView? {
        try await sql.raw("SELECT \(unsafeRaw: Self.columns) FROM tickets_tickets WHERE id = \(bind: id)").first().map(Self.ticket)
    }

    func ticket(_ id: String) async throws -> TicketView? {
        try await database.withConnection { try await load(id, on: $0) }
    }

    /// - Parameter announce: publishes the new ticket in its transaction (it leaves when the
    ///   ticket is committed, and the requester's next command need not wait for the flush).
    func create(subject: String, description: String, priority: TicketPriority, tags: [String], requester: String,
                announce: @Sendable (TicketView, Transaction) async throws -> Void = { _, _ in }) async throws -> TicketView {
        let now = clock.nowMs()
        let id = UUID().uuidString.lowercased()
        return try await database.transaction { sql in
            try await sql.raw("""
                INSERT INTO tickets_tickets (id, subject, description, requester_id, status, priority, priority_rank, tags, created_at, updated_at)
                VALUES (\(bind: id), \(bind: subject), \(bind: description), \(bind: requester), 'new', \(bind: priority.rawValue),
                        \(bind: priority.rank), \(bind: tags.joined(separator: ",")), \(bind: now), \(bind: now))
                """).run()
            try await audit(id, actor: requester, kind: "created", detail: subject, at: now, on: sql)
            try await resetClock(id, on: sql)
            guard let ticket = try await load(id, on: sql) else { throw HubError.unavailable("the ticket was not stored") }
            try await announce(ticket, sql)
            return ticket
        }
    }

    /// Adds a comment. A public comment by staff records the first response and opens a new
    /// ticket. - Returns: the comment, the ticket after, and whether its status changed.
    /// - Parameter announce: publishes the change in its transaction (comment, ticket after, opened).
    func comment(on ticketID: String, by author: String, staff: Bool, body: String, isInternal: Bool,
                 announce: @Sendable (CommentView, TicketView, Bool, Transaction) async throws -> Void = { _, _, _, _ in })
        async throws -> (CommentView, TicketView, statusChanged: Bool) {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            guard let before = try await load(ticketID, on: sql) else { throw HubError.notFound("no ticket '\(ticketID)'") }
            guard before.status != TicketStatus.closed.rawValue else { throw HubError.conflict("the ticket is closed") }
            let comment = CommentView(id: UUID().uuidString.lowercased(), ticketId: ticketID, authorId: author, body: body, internal: isInternal, createdAt: now)
            try await sql.raw("""
                INSERT INTO tickets_comments (id, ticket_id, author_id, body, internal, created_at)
                VALUES (\(bind: comment.id), \(bind: ticketID), \(bind: author), \(bind: body), \(bind: isInternal), \(bind: now))
                """).run()
            try await audit(ticketID, actor: author, kind: isInternal ? "internal_note" : "commented", detail: String(body.prefix(80)), at: now, on: sql)
            var opened = false
            if staff && !isInternal {
                try await sql.raw("UPDATE tickets_tickets SET first_response_at = \(bind: now) WHERE id = \(bind: ticketID) AND first_response_at IS NULL").run()
                if before.status == TicketStatus.new.rawValue {
                    try await sql.raw("UPDATE tickets_tickets SET status = 'open' WHERE id = \(bind: ticketID) AND status = 'new'").run()
                    try await audit(ticketID, actor: author, kind: "status", detail: "new → open", at: now, on: sql)
                    opened = true
                }
            }
            try await sql.raw("UPDATE tickets_tickets SET updated_at = \(bind: now) WHERE id = \(bind: ticketID)").run()
            guard let after = try await load(ticketID, on: sql) else { throw HubError.notFound("no ticket '\(ticketID)'") }
            try await announce(comment, after, opened, sql)
            return (comment, after, opened)
        }
    }

    func comments(of ticketID: String, includeInternal: Bool) async throws -> [CommentView] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT id, ticket_id, author_id, body, internal, created_at FROM tickets_comments
                WHERE ticket_id = \(bind: ticketID) \(unsafeRaw: includeInternal ? "" : "AND internal = FALSE") ORDER BY created_at, id
                """).all().map {
                    CommentView(id: try $0.decode(column: "id", as: String.self), ticketId: try $0.decode(column: "ticket_id", as: String.self),
                                authorId: try $0.decode(column: "author_id", as: String.self), body: try $0.decode(column: "body", as: String.self),
                                internal: try $0.decode(column: "internal", as: Bool.self), createdAt: try $0.decode(column: "created_at", as: Int64.self))
                }
        }
    }

    /// Moves a ticket from `from` to `to`; `nil` when its status changed meanwhile.
    /// - Parameter announce: publishes the moved ticket in its transaction.
    func transition(_ ticketID: String, from: TicketStatus, to: TicketStatus, actor: String,
                    announce: @Sendable (TicketView, Transaction) async throws -> Void = { _, _ in }) async throws -> TicketView? {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            // solved_at is set on solving, kept on closing, cleared on reopening (a CHECK holds it)
            let solved: String = switch to {
            case .solved: String(now)
            case .closed: "solved_at"
            default: "NULL"
            }
            let moved = try await sql.raw("""
                UPDATE tickets_tickets SET status = \(bind: to.rawValue), updated_at = \(bind: now), solved_at = \(unsafeRaw: solved)
                WHERE id = \(bind: ticketID) AND status = \(bind: from.rawValue) RETURNING id
                """).first() != nil
            guard moved else { return nil }
            let pausing: Set<TicketStatus> = [.pending, .onHold]
            if pausing.contains(to) {
                try await sql.raw("UPDATE tickets_tickets SET paused_at = COALESCE(paused_at, \(bind: now)) WHERE id = \(bind: ticketID)").run()
            } else if pausing.contains(from) {
                // resume with the time already used: the paused span moves every due time later
                try await sql.raw("""
                    UPDATE tickets_tickets SET paused_total_ms = paused_total_ms + (\(bind: now) - paused_at), paused_at = NULL
                    WHERE id = \(bind: ticketID) AND paused_at IS NOT NULL
                    """).run()
                try await resetClock(ticketID, on: sql)
            }
            try await audit(ticketID, actor: actor, kind: "status", detail: "\(from.rawValue) → \(to.rawValue)", at: now, on: sql)
            guard let moved = try await load(ticketID, on: sql) else { return nil }
            try await announce(moved, sql)
            return moved
        }
    }

    /// Assigns a ticket (`nil`: unassigns). - Parameter announce: publishes it in its transaction.
    func assign(_ ticketID: String, to agentID: String?, actor: String,
                announce: @Sendable (TicketView, Transaction) async throws -> Void = { _, _ in }) async throws -> TicketView {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            guard try await sql.raw("UPDATE tickets_tickets SET assignee_id = \(bind: agentID), updated_at = \(bind: now) WHERE id = \(bind: ticketID) RETURNING id")
                .first() != nil else { throw HubError.notFound("no ticket '\(ticketID)'") }
            try await audit(ticketID, actor: actor, kind: "assigned", detail: agentID ?? "unassigned", at: now, on: sql)
            guard let ticket = try await load(ticketID, on: sql) else { throw HubError.notFound("no ticket '\(ticketID)'") }
            try await announce(ticket, sql)
            return ticket
        }
    }

    /// Changes a ticket's priority (its SLA clock restarts). - Parameter announce: publishes it
    /// in its transaction, with the priority before.
    func setPriority(_ ticketID: String, to priority: TicketPriority, actor: String,
                     announce: @Sendable (TicketView, String, Transaction) async throws -> Void = { _, _, _ in }) async throws -> TicketView {
        let now = clock.nowMs()
        return try await database.transaction { sql in
            guard let before = try await load(ticketID, on: sql) else { throw HubError.notFound("no ticket '\(ticketID)'") }
            try await sql.raw("""
                UPDATE tickets_tickets SET priority = \(bind: priority.rawValue), priority_rank = \(bind: priority.rank), updated_at = \(bind: now)
                WHERE id = \(bind: ticketID)
                """).run()
            try await audit(ticketID, actor: actor, kind: "priority", detail: "\(before.priority) → \(priority.rawValue)", at: now, on: sql)
            try await resetClock(ticketID, on: sql)
            guard let ticket = try await load(ticketID, on: sql) else { throw HubError.notFound("no ticket '\(ticketID)'") }
            try await announce(ticket, before.priority, sql)
            return ticket
        }
    }

    func history(of ticketID: String, includeInternal: Bool) async throws -> [AuditEntry] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT id, actor_id, kind, detail, created_at FROM tickets_audit
                WHERE ticket_id = \(bind: ticketID) \(unsafeRaw: includeInternal ? "" : "AND kind <> 'internal_note'") ORDER BY seq, created_at, id
                """).all().map {
                    AuditEntry(id: try $0.decode(column: "id", as: String.self), actorId: try $0.decode(column: "actor_id", as: String?.self),
                               kind: try $0.decode(column: "kind", as: String.self), detail: try $0.decode(column: "detail", as: String.self),
                               createdAt: try $0.decode(column: "created_at", as: Int64.self))
                }
        }
    }

    func role(of userID: String) async throws -> Role? {
        try await directory.user(id: userID)?.role
    }

    /// Every agent (to notify about new and unassigned tickets), by id.
    func agents() async throws -> [String] {
        try await directory.users(withRole: .agent, limit: Self.maxAgents).map(\.id)
    }

    /// Most agents a notification about the queue reaches.
    static let maxAgents = 10_000

    /// Sets due and warning times from the creation time, the time spent paused and the
    /// targets of the current priority.
    func resetClock(_ ticketID: String, on sql: any SQLDatabase) async throws {
        guard let row = try await sql.raw("SELECT created_at, paused_total_ms, priority FROM tickets_tickets WHERE id = \(bind: ticketID)").first()
        else { return }
        let start = try row.decode(column: "created_at", as: Int64.self) + row.decode(column: "paused_total_ms", as: Int64.self)
        let target = policy.target(TicketPriority(rawValue: try row.decode(column: "priority", as: String.self)) ?? .normal)
        let percent = Int64(policy.slaWarningPercent)
        let firstResponse = Int64(target.firstResponseSeconds) * 1000
        let resolution = Int64(target.resolutionSeconds) * 1000
        try await sql.raw("""
            UPDATE tickets_tickets SET first_response_due = \(bind: start + firstResponse),
              first_response_warn_at = \(bind: start + firstResponse * percent / 100),
              resolution_due = \(bind: start + resolution), resolution_warn_at = \(bind: start + resolution * percent / 100)
            WHERE id = \(bind: ticketID)
            """).run()
    }
}
