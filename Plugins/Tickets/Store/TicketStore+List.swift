import HubKernel
import SQLKit

extension TicketStore {
    /// Filters of `tickets.list`.
    struct Filter: Sendable {
        var requesterID: String?
        var assigneeID: String?
        var statuses: [TicketStatus]
        var priorities: [TicketPriority]
        var breached: Bool?
        var sort: Sort
        var before: Cursor?
        var limit: Int
    }

    enum Sort: String, Sendable { case updated, priority, due }

    /// The position after the last ticket of a page: sort key values and the id (`time` is
    /// `updated_at`, or `resolution_due` when sorting by due).
    struct Cursor: Sendable {
        var rank: Int
        var time: Int64
        var id: String
        var text: String { "\(rank)_\(time)_\(id)" }
        init(rank: Int, time: Int64, id: String) { self.rank = rank; self.time = time; self.id = id }
        init?(_ text: String) {
            let parts = text.split(separator: "_", maxSplits: 2)
            guard parts.count == 3, let rank = CursorNumber.parse(parts[0]), let time = CursorNumber.parse(parts[1]), !parts[2].isEmpty else { return nil }
            self.init(rank: Int(rank), time: time, id: String(parts[2]))
        }
    }

    /// A page of tickets, most recently updated first (or highest priority first, then most
    /// recently updated), keyed on unique values so pages never repeat or skip.
    func list(_ filter: Filter) async throws -> [TicketView] {
        try await database.withConnection { sql in
            var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM tickets_tickets WHERE 1 = 1")
            if let requester = filter.requesterID { query.appendInterpolation(unsafeRaw: " AND requester_id = "); query.appendInterpolation(bind: requester) }
            if let assignee = filter.assigneeID { query.appendInterpolation(unsafeRaw: " AND assignee_id = "); query.appendInterpolation(bind: assignee) }
            if !filter.statuses.isEmpty {
                query.appendInterpolation(unsafeRaw: " AND status IN (")
                query.appendInterpolation(SQLList(filter.statuses.map { SQLBind($0.rawValue) }))
                query.appendInterpolation(unsafeRaw: ")")
            }
            if !filter.priorities.isEmpty {
                query.appendInterpolation(unsafeRaw: " AND priority IN (")
                query.appendInterpolation(SQLList(filter.priorities.map { SQLBind($0.rawValue) }))
                query.appendInterpolation(unsafeRaw: ")")
            }
            if let breached = filter.breached {
                query.appendInterpolation(unsafeRaw: breached
                    ? " AND (first_response_breached = TRUE OR resolution_breached = TRUE)"
                    : " AND first_response_breached = FALSE AND resolution_breached = FALSE")
            }
            if let cursor = filter.before {
                switch filter.sort {
                case .due:
                    query.appendInterpolation(unsafeRaw: " AND (COALESCE(resolution_due, 9223372036854775807) > ")
                    query.appendInterpolation(bind: cursor.time)
                    query.appendInterpolation(unsafeRaw: " OR (COALESCE(resolution_due, 9223372036854775807) = ")
                    query.appendInterpolation(bind: cursor.time)
                    query.appendInterpolation(unsafeRaw: " AND id > ")
                    query.appendInterpolation(bind: cursor.id)
                    query.appendInterpolation(unsafeRaw: "))")
                case .updated:
                    query.appendInterpolation(unsafeRaw: " AND ")
                    Self.appendUpdatedBefore(cursor, to: &query)
                case .priority:
                    query.appendInterpolation(unsafeRaw: " AND (priority_rank < ")
                    query.appendInterpolation(bind: cursor.rank)
                    query.appendInterpolation(unsafeRaw: " OR (priority_rank = ")
                    query.appendInterpolation(bind: cursor.rank)
                    query.appendInterpolation(unsafeRaw: " AND ")
                    Self.appendUpdatedBefore(cursor, to: &query)
                    query.appendInterpolation(unsafeRaw: "))")
                }
            }
            let order: String = switch filter.sort {
            case .priority: " ORDER BY priority_rank DESC, updated_at DESC, id DESC LIMIT "
            case .due: " ORDER BY COALESCE(resolution_due, 9223372036854775807), id LIMIT "
            case .updated: " ORDER BY updated_at DESC, id DESC LIMIT "
            }
            query.appendInterpolation(unsafeRaw: order)
            query.appendInterpolation(bind: filter.limit)
            return try await sql.raw(query).all().map(Self.ticket)
        }
    }

    /// `(updated_at, id)` strictly before the cursor, newest first.
    private static func appendUpdatedBefore(_ cursor: Cursor, to query: inout SQLQueryString) {
        query.appendInterpolation(unsafeRaw: "(updated_at < ")
        query.appendInterpolation(bind: cursor.time)
        query.appendInterpolation(unsafeRaw: " OR (updated_at = ")
        query.appendInterpolation(bind: cursor.time)
        query.appendInterpolation(unsafeRaw: " AND id < ")
        query.appendInterpolation(bind: cursor.id)
        query.appendInterpolation(unsafeRaw: "))")
    }
}
