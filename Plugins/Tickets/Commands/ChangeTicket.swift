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
        let ticket = try await store.assign(payload.ticketId, to: payload.agentId, actor: context.identity.userID)
        try await announcer.announce(ticket, kind: "assigned", detail: payload.agentId ?? "unassigned")
        if let agentId = payload.agentId, agentId != context.identity.userID {
            await announcer.notify([agentId], category: .info, title: "Assigned to you: \(ticket.subject)", body: "", ticket: ticket)
        }
        return Reply(ticket: ticket)
    }
}

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
        guard let moved = try await store.transition(ticket.id, from: current, to: target, actor: context.identity.userID) else {
            throw HubError.conflict("the ticket changed meanwhile; reload it")
        }
        try await announcer.announce(moved, kind: "status", detail: "\(current.rawValue) → \(target.rawValue)")
        return Reply(ticket: moved)
    }
}

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
        let ticket = try await store.setPriority(before.id, to: priority, actor: context.identity.userID)
        try await announcer.announce(ticket, kind: "priority", detail: "\(before.priority) → \(priority.rawValue)")
        return Reply(ticket: ticket)
    }
}
