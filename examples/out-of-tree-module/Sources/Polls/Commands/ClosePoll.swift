import HubKernel

/// `poll.close {pollId}` → `{poll}`: its creator (or an admin) ends voting; idempotent.
struct ClosePoll: CommandHandler {
    static let type: CommandType = "poll.close"
    static let role: Role = .user
    static let rateLimit = RateLimit(10, per: .seconds(60), scope: .user)

    struct Payload: Decodable, Sendable { var pollId: String }
    struct Reply: Encodable, Sendable { var poll: PollView }

    let store: PollStore
    let events: EventPublisher<PollModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        guard let existing = try await store.poll(id: payload.pollId) else { throw HubError.notFound("no poll '\(payload.pollId)'") }
        guard existing.createdBy == context.identity.userID || context.identity.role == .admin else {
            throw HubError.forbidden("only the poll's creator or an admin may close it")
        }
        let (poll, changed) = try await store.close(id: existing.id)
        if changed {
            try await events.publish(PollClosed(poll: poll), on: PollTopics.poll(poll.id))
        }
        return Reply(poll: poll)
    }
}
