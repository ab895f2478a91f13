import HubKernel

/// `poll.create {question, options}` → `{poll}`: a new open poll owned by the caller.
struct CreatePoll: CommandHandler {
    static let type: CommandType = "poll.create"
    static let role: Role = .user
    static let rateLimit = RateLimit(5, per: .seconds(60), burst: 3, scope: .user)

    struct Payload: Decodable, Sendable {
        var question: String
        var options: [String]
    }
    struct Reply: Encodable, Sendable { var poll: PollView }

    let store: PollStore
    let configuration: PollConfiguration

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let question = try TextRules.clean(payload.question, field: "question", max: configuration.maxQuestionLength)
        guard (2...configuration.maxOptions).contains(payload.options.count) else {
            throw ValidationFailure("options", "options must list 2 to \(configuration.maxOptions) choices")
        }
        var options: [String] = []
        for (index, option) in payload.options.enumerated() {
            let text = try TextRules.clean(option, field: "options[\(index)]", max: 200)
            guard !options.contains(where: { $0.lowercased() == text.lowercased() }) else {
                throw ValidationFailure("options[\(index)]", "options must be distinct")
            }
            options.append(text)
        }
        let poll = try await store.create(question: question, options: options, by: context.identity.userID)
        return Reply(poll: poll)
    }
}
