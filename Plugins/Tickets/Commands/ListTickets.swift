import HubKernel

/// `tickets.list {scope?, status?, priority?, sort?, before?, limit?}` → `{items, nextCursor}`.
/// Scopes: `mine` (requested by me), `assignedToMe`, `all` (staff; requesters always get their
/// own). Sorts: `updated` (default), `due` (soonest resolution due first), `priority`.
/// `breached: true` keeps tickets with a breached target.
struct ListTickets: CommandHandler {
    static let type: CommandType = "tickets.list"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var scope: String?
        var status: [String]?
        var priority: [String]?
        var breached: Bool?
        var sort: String?
        var before: String?
        var limit: Int?
        func validate() throws(ValidationFailure) {
            if let scope, !["mine", "assignedToMe", "all"].contains(scope) {
                throw ValidationFailure("scope", "scope must be mine, assignedToMe or all")
            }
            for (index, status) in (status ?? []).enumerated() { _ = try TicketRules.status(status, field: "status[\(index)]") }
            for (index, priority) in (priority ?? []).enumerated() { _ = try TicketRules.priority(priority, field: "priority[\(index)]") }
            if let sort, TicketStore.Sort(rawValue: sort) == nil { throw ValidationFailure("sort", "sort must be updated, due or priority") }
            if let before, TicketStore.Cursor(before) == nil { throw ValidationFailure("before", "before must be a cursor from nextCursor") }
            if let limit, !(1...100).contains(limit) { throw ValidationFailure("limit", "limit must be 1 to 100") }
        }
    }
    typealias Reply = Page<TicketView>

    let store: TicketStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let me = context.identity.userID
        let staff = context.identity.isStaff
        let scope = staff ? (payload.scope ?? "all") : "mine"
        let limit = payload.limit ?? 50
        let sort = TicketStore.Sort(rawValue: payload.sort ?? "updated") ?? .updated
        let filter = TicketStore.Filter(
            requesterID: scope == "mine" ? me : nil, assigneeID: scope == "assignedToMe" ? me : nil,
            statuses: (payload.status ?? []).compactMap(TicketStatus.init(rawValue:)),
            priorities: (payload.priority ?? []).compactMap(TicketPriority.init(rawValue:)), breached: payload.breached,
            sort: sort, before: payload.before.flatMap(TicketStore.Cursor.init), limit: limit)
        let items = try await store.list(filter)
        let next = items.count == limit ? items.last.map {
            TicketStore.Cursor(rank: TicketPriority(rawValue: $0.priority)?.rank ?? 0,
                               time: sort == .due ? ($0.resolutionDue ?? Int64.max) : $0.updatedAt, id: $0.id).text
        } : nil
        return Reply(items: items, nextCursor: next)
    }
}
