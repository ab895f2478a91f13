import HubKernel

/// `tickets.assign {ticketId, agentId}` → `{ticket}` (staff): assigns to an agent (`agentId:
/// null` unassigns) and notifies them.
struct AssignTicket: CommandHandler {
    static let type: CommandType = "tickets.assign"
    static let role: Role = .agent
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var ticketId: String
        var agentId: String?
        func validate() throws(ValidationFailure) {
            try TicketRules.id(ticketId, field: "ticketId")
            if let agentId { try TicketRules.id(agentId, field: "agentId") }
        }
    }
    struct Reply: Encodable, Sendable { var ticket: TicketView }

    let store: TicketStore
    let announcer: TicketAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        _ = try await store.visible(payload.ticketId, to: context.identity)
        if let agentId = payload.agentId {
            guard let role = try await store.role(of: agentId) else { throw HubError.notFound("no user '\(agentId)'") }
            guard role == .agent else { throw HubError.validation("agentId", "tickets are assigned to agents") }
        }
        let ticket = try await store.assign(payload.ticketId, to: payload.agentId, actor: context.identity.userID) { [announcer] ticket, transaction in
            try await announcer.announce(ticket, kind: "assigned", detail: payload.agentId ?? "unassigned", in: transaction)
        }
        if let agentId = payload.agentId, agentId != context.identity.userID {
            await announcer.notify([agentId], category: .info, title: "Assigned to you: \(ticket.subject)", body: "", ticket: ticket)
        }
        return Reply(ticket: ticket)
    }
}
