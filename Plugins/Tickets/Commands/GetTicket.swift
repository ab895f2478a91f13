import HubKernel

/// `tickets.get {ticketId}` → `{ticket, comments}`; requesters see their own tickets and never
/// internal notes.
struct GetTicket: CommandHandler {
    static let type: CommandType = "tickets.get"
    static let role: Role = .user
    static let rateLimit = RateLimit(20, per: .seconds(1), burst: 40, scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var ticketId: String
        func validate() throws(ValidationFailure) { try TicketRules.id(ticketId, field: "ticketId") }
    }
    struct Reply: Encodable, Sendable { var ticket: TicketView; var comments: [CommentView] }

    let store: TicketStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let ticket = try await store.visible(payload.ticketId, to: context.identity)
        return Reply(ticket: ticket, comments: try await store.comments(of: ticket.id, includeInternal: context.identity.isStaff))
    }
}
