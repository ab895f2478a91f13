import HubKernel

/// `presence.untrack {topic}` → `{}`: this connection is no longer on the topic (the leave is
/// announced after the debounce, when no other connection of the user is there).
struct UntrackTopic: CommandHandler {
    static let type: CommandType = "presence.untrack"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .connection)

    typealias Payload = TopicPayload

    let tracker: PresenceTracker

    func handle(_ payload: Payload, context: CommandContext) async throws -> EmptyReply {
        try await tracker.untrack(payload.topic, connectionID: context.connectionID, userID: context.identity.userID)
        return EmptyReply()
    }
}
