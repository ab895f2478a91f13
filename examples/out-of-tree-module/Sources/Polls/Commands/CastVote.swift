import HubKernel

/// `poll.vote {pollId, option}` → `{poll}`: one vote per user and poll, then `poll.tally`.
struct CastVote: CommandHandler {
    static let type: CommandType = "poll.vote"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)

    struct Payload: Decodable, Sendable, Validatable {
        var pollId: String
        var option: Int
        func validate() throws(ValidationFailure) {
            guard !pollId.isEmpty, pollId.count <= 64 else { throw ValidationFailure("pollId", "pollId must be 1 to 64 characters") }
            guard option >= 0 else { throw ValidationFailure("option", "option must be an option index ≥ 0") }
        }
    }
    struct Reply: Encodable, Sendable { var poll: PollView }

    let store: PollStore
    let events: EventPublisher<PollModule>

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let poll = try await store.vote(pollID: payload.pollId, option: payload.option, by: context.identity.userID)
        // committed above: the tally announces only a stored vote
        try await events.publish(PollTallied(poll: poll), on: PollTopics.poll(poll.id))
        return Reply(poll: poll)
    }
}
