import HubKernel

/// `tickets.setPriority {ticketId, priority}` → `{ticket}` (staff).
struct SetPriority: CommandHandler {
    static let type: CommandType = "tickets.setPriority"
    static let role: Role = .agent
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var ticketId: String
        var priority: String
        func validate() throws(ValidationFailure) {
            try TicketRules.id(ticketId, field: "ticketId")
            _ = try TicketRules.priority(priority)
        }
    }
    struct Reply: Encodable, Sendable { var ticket: TicketView }

    let store: TicketStore
    let announcer: TicketAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let priority = try TicketRules.priority(payload.priority)
        let before = try await store.visible(payload.ticketId, to: context.identity)
        guard before.status != TicketStatus.closed.rawValue else { throw HubError.conflict("the ticket is closed") }
        let ticket = try await store.setPriority(before.id, to: priority, actor: context.identity.userID) { [announcer] ticket, previous, transaction in
            try await announcer.announce(ticket, kind: "priority", detail: "\(previous) → \(priority.rawValue)", in: transaction)
        }
        return Reply(ticket: ticket)
    }
}
