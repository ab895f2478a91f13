import HubKernel

/// `tickets.create {subject, description?, priority?, tags?}` → `{ticket}`: a `new` ticket
/// requested by the caller; staff are notified.
struct CreateTicket: CommandHandler {
    static let type: CommandType = "tickets.create"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), burst: 5, scope: .user)

    struct Payload: Decodable, Sendable {
        var subject: String
        var description: String?
        var priority: String?
        var tags: [String]?
    }
    struct Reply: Encodable, Sendable { var ticket: TicketView }

    let store: TicketStore
    let announcer: TicketAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let subject = try TicketRules.subject.clean(payload.subject)
        let description = try TicketRules.description.clean(payload.description ?? "")
        let priority = try TicketRules.priority(payload.priority ?? "normal")
        let tags = try TicketRules.tags(payload.tags ?? [])
        let ticket = try await store.create(subject: subject, description: description, priority: priority, tags: tags,
                                            requester: context.identity.userID) { [announcer] ticket, transaction in
            try await announcer.announce(ticket, kind: "created", detail: subject, in: transaction)
        }
        await announcer.notify(try await store.agents(), category: .info, title: "New ticket: \(subject)",
                               body: String(description.prefix(200)), ticket: ticket)
        return Reply(ticket: ticket)
    }
}
