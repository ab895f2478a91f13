import HubKernel

/// `tickets.comment {ticketId, body, internal?}` → `{comment, ticket}`. Internal notes are for
/// staff and never reach requesters; a public staff reply records the first response and
/// opens a `new` ticket; a public reply notifies the other side.
struct CommentTicket: CommandHandler {
    static let type: CommandType = "tickets.comment"
    static let role: Role = .user
    static let rateLimit = RateLimit(20, per: .seconds(60), burst: 10, scope: .user)

    struct Payload: Decodable, Sendable {
        var ticketId: String
        var body: String
        var `internal`: Bool?
    }
    struct Reply: Encodable, Sendable { var comment: CommentView; var ticket: TicketView }

    let store: TicketStore
    let announcer: TicketAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        try TicketRules.id(payload.ticketId, field: "ticketId")
        let body = try TicketRules.commentBody.clean(payload.body)
        let identity = context.identity
        let internalNote = payload.internal ?? false
        let ticket = try await store.visible(payload.ticketId, to: identity)
        guard !internalNote || identity.isStaff else { throw HubError.forbidden("internal notes are for agents") }
        let (comment, after, _) = try await store.comment(on: ticket.id, by: identity.userID, staff: identity.isStaff,
                                                         body: body, isInternal: internalNote) { [announcer] comment, after, opened, transaction in
            try await announcer.announce(after, kind: internalNote ? "internal_note" : "commented", detail: String(body.prefix(80)),
                                         comment: comment, in: transaction)
            if opened { try await announcer.announce(after, kind: "status", detail: "new → open", in: transaction) }
        }
        if !internalNote {
            let others = identity.userID == after.requesterId ? try await announcer.staffFor(after) : [after.requesterId]
            await announcer.notify(others.filter { $0 != identity.userID }, category: .info, title: "New reply: \(after.subject)",
                                   body: String(body.prefix(200)), ticket: after)
        }
        return Reply(comment: comment, ticket: after)
    }
}
