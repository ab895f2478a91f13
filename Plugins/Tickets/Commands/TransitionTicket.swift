import HubKernel

/// `tickets.transition {ticketId, status}` → `{ticket}`: staff make any legal move; a
/// requester may only reopen their own solved ticket. Illegal moves are `conflict`.
struct TransitionTicket: CommandHandler {
    static let type: CommandType = "tickets.transition"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var ticketId: String
        var status: String
        func validate() throws(ValidationFailure) {
            try TicketRules.id(ticketId, field: "ticketId")
            _ = try TicketRules.status(status)
        }
    }
    struct Reply: Encodable, Sendable { var ticket: TicketView }

    let store: TicketStore
    let announcer: TicketAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let target = try TicketRules.status(payload.status)
        let ticket = try await store.visible(payload.ticketId, to: context.identity)
        guard let current = TicketStatus(rawValue: ticket.status) else { throw HubError.conflict("unknown status") }
        // permission before state (protocol.md): reopening a solved ticket is the one move a
        // requester may make; any other is forbidden, whether or not it would be legal for staff
        guard context.identity.isStaff || (current == .solved && target == .open) else {
            throw HubError.forbidden("requesters may only reopen their solved tickets")
        }
        guard current.canMove(to: target) else {
            throw HubError.conflict("\(current.rawValue) → \(target.rawValue) is not a legal move")
        }
        let moved = try await store.transition(ticket.id, from: current, to: target, actor: context.identity.userID) { [announcer] moved, transaction in
            try await announcer.announce(moved, kind: "status", detail: "\(current.rawValue) → \(target.rawValue)", in: transaction)
        }
        guard let moved else { throw HubError.conflict("the ticket changed meanwhile; reload it") }
        return Reply(ticket: moved)
    }
}
