import HubKernel

/// `tickets.history {ticketId}` → `{items}`: the audit trail (who did what, when), without
/// internal notes for requesters.
struct TicketHistory: CommandHandler {
    static let type: CommandType = "tickets.history"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    typealias Payload = GetTicket.Payload
    struct Reply: Encodable, Sendable { var items: [AuditEntry] }

    let store: TicketStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let ticket = try await store.visible(payload.ticketId, to: context.identity)
        return Reply(items: try await store.history(of: ticket.id, includeInternal: context.identity.isStaff))
    }
}
