import HubKernel

/// `poll.get {pollId}` → `{poll, myVote}`; `myVote` is the caller's option or null.
struct GetPoll: CommandHandler {
    static let type: CommandType = "poll.get"
    static let role: Role = .guest
    static let rateLimit = RateLimit(20, per: .seconds(1), scope: .connection)

    struct Payload: Decodable, Sendable { var pollId: String }
    struct Reply: Encodable, Sendable {
        var poll: PollView
        var myVote: Int?
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(poll, forKey: .poll)
            try container.encode(myVote, forKey: .myVote)
        }
        enum CodingKeys: String, CodingKey { case poll, myVote }
    }

    let store: PollStore

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        guard let poll = try await store.poll(id: payload.pollId) else { throw HubError.notFound("no poll '\(payload.pollId)'") }
        return Reply(poll: poll, myVote: try await store.vote(of: context.identity.userID, in: poll.id))
    }
}
